"""adopt_id under the real CLI: each of VodAITemplate, AIImageJob and AITask takes over an entity made
out of band (where `pulumi import` and `import_=` fail, test_import_cli.py), shows no changes on the
next preview, and is destroyed as any managed resource is. The emulator is the witness: no second
entity is made, and destroy removes what was taken over."""

from __future__ import annotations

import pytest
from alibabacloud_ros20190910 import models as ros
from alibabacloud_vod20170321 import models as vod

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.engine.cli import CliStack, leftovers
from tests.engine.conftest import PROGRAMS, StackFactory, add_video
from tests.official_sdk import ros_client, vod_client

pytestmark = pytest.mark.needs_cli

CREATES = ("AddAITemplate", "SubmitAIImageJob", "CreateAITask")


def _template(emulator: RunningEmulator, name: str) -> str:
    request = vod.AddAITemplateRequest(
        template_name=name, template_type="AIImage", template_config='{"Count":2}'
    )
    template_id: str = vod_client(emulator).add_aitemplate(request).body.template_id
    return template_id


def _adopter(cli_stack: StackFactory, kind: str, adopt_id: str, **config: str) -> CliStack:
    stack = cli_stack(PROGRAMS / "adopt")
    stack.run(
        "config",
        "set-all",
        "--plaintext",
        f"kind={kind}",
        "--plaintext",
        f"adoptId={adopt_id}",
        *(arg for key, value in config.items() for arg in ("--plaintext", f"{key}={value}")),
    )
    return stack


def _up_then_no_changes(stack: CliStack, adopt_id: str) -> None:
    """`up` takes the entity over without making one; the next preview shows no change."""
    up = stack.up()
    assert up.only(*CREATES) == [], up.describe()
    assert stack.outputs()["id"] == adopt_id
    stack.preview("--expect-no-changes")


def test_template_is_taken_over_and_destroy_deletes_it(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    template_id = _template(cli_emulator, "adopted-thumbnails")
    stack = _adopter(cli_stack, "template", template_id, templateName="adopted-thumbnails")
    _up_then_no_changes(stack, template_id)
    assert leftovers(cli_emulator) == {"vod templates": ["adopted-thumbnails"]}

    destroy = stack.destroy()
    assert [call.subjects for call in destroy.only("DeleteAITemplate")] == [(template_id,)], (
        destroy.describe()
    )
    assert leftovers(cli_emulator) == {}


def test_job_is_taken_over_and_destroy_deletes_its_images(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    template_id = _template(cli_emulator, "job-thumbnails")
    video_id = add_video(cli_emulator, "adopt-video-0001")
    request = vod.SubmitAIImageJobRequest(
        video_id=video_id, aitemplate_id=template_id, user_data='{"Extend":{"ref":"adopted"}}'
    )
    job_id = vod_client(cli_emulator).submit_aiimage_job(request).body.job_id
    stack = _adopter(cli_stack, "job", job_id, videoId=video_id, templateId=template_id)
    _up_then_no_changes(stack, job_id)
    infos = vod_client(cli_emulator).list_aiimage_info(vod.ListAIImageInfoRequest(video_id=video_id)).body
    assert {info.job_id for info in infos.aiimage_info_list} == {job_id}

    stack.destroy()
    assert leftovers(cli_emulator) == {"vod templates": ["job-thumbnails"]}


def test_task_is_taken_over_and_destroy_forgets_it(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    prompt = "A VPC with two vSwitches, made by hand"
    request = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=prompt)
    task_id = ros_client(cli_emulator).create_aitask(request).body.task_id
    stack = _adopter(cli_stack, "task", task_id, prompt=prompt)
    _up_then_no_changes(stack, task_id)

    stack.destroy()
    assert stack.resources() == {}
    listed = ros_client(cli_emulator).list_aitasks(ros.ListAITasksRequest(max_results=100)).body
    assert [task.task_id for task in listed.tasks] == [task_id]
