"""``adopt_id``: taking over an existing template, job or task by its id (what works under the Pulumi
CLI, where ``import_=`` fails for dynamic resources), through the dynamic-provider host against the
emulator over HTTP. Entities are made out of band with the official SDKs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701.models import CreateAppServiceRequest
from alibabacloud_ros20190910 import models as ros
from alibabacloud_vod20170321 import models as vod
from pulumi.runtime import proto

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.official_sdk import eas_client, ros_client, vod_client

_names = itertools.count()
UNKNOWN_ID = "0" * 32


@dataclass(frozen=True)
class Hosts:
    """Each provider behind its own dynamic-provider host, against the module's emulator."""

    service: ProviderHost
    template: ProviderHost
    job: ProviderHost
    task: ProviderHost


@pytest.fixture(scope="module")
def hosts(instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    """The four providers, each behind the dynamic-provider host."""
    providers = (AppServiceProvider(), VodAITemplateProvider(), AIImageJobProvider(), AITaskProvider())
    made = [
        ProviderHost(provider, provider_env(instant_emulator.url, str(tmp_path_factory.mktemp("home"))))
        for provider in providers
    ]
    try:
        for host in made:
            host.configure({})
        yield Hosts(*made)
    finally:
        for host in made:
            host.close()


def _checked(host: ProviderHost, inputs: dict[str, Any]) -> dict[str, Any]:
    outcome = host.check("r", inputs)
    assert outcome.failures == {}
    return outcome.inputs


def _create(host: ProviderHost, inputs: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = _checked(host, inputs)
    resource_id, outs, _ = host.create("r", checked)
    return resource_id, outs, checked


def _refused(host: ProviderHost, inputs: dict[str, Any]) -> str:
    checked = _checked(host, inputs)
    with pytest.raises(ProviderCallError) as info:
        host.create("r", checked)
    return info.value.last_line


def _add_template(emulator: RunningEmulator, name: str, config: str = '{"Count":2}') -> str:
    request = vod.AddAITemplateRequest(template_name=name, template_type="AIImage", template_config=config)
    template_id: str = vod_client(emulator).add_aitemplate(request).body.template_id
    return template_id


def _named(emulator: RunningEmulator, name: str) -> list[Any]:
    listed = vod_client(emulator).list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage"))
    return [t for t in listed.body.template_info_list if t.template_name == name]


def _template_inputs(name: str, **overrides: Any) -> dict[str, Any]:
    base = {
        "template_name": name,
        "template_type": "AIImage",
        "config": {"Count": 2},
        "region": "cn-shanghai",
    }
    return {**base, **overrides}


def _video(emulator: RunningEmulator) -> str:
    response = httpx.post(f"{emulator.url}/_emulator/vod/videos", json={"Title": "clip", "Duration": 90})
    response.raise_for_status()
    video_id: str = response.json()["VideoId"]
    return video_id


def _job_ids(emulator: RunningEmulator, video_id: str) -> set[str]:
    """The JobIds that made images of the video: a second job would add its own."""
    infos = vod_client(emulator).list_aiimage_info(vod.ListAIImageInfoRequest(video_id=video_id)).body
    return {info.job_id for info in infos.aiimage_info_list}


def _tasks_with(emulator: RunningEmulator, prompt: str) -> list[str]:
    listed = ros_client(emulator).list_aitasks(ros.ListAITasksRequest(max_results=100)).body
    return [task.task_id for task in listed.tasks if task.prompt == prompt]


class TestTemplate:
    def test_takes_over_a_matching_template_then_manages_it(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        """No AddAITemplate; the id is the adopted one; refresh shows no change; update renames it in
        place and delete removes it."""
        name = f"adopted-{next(_names)}"
        made = _add_template(instant_emulator, name)
        resource_id, outs, inputs = _create(hosts.template, _template_inputs(name, adopt_id=made))
        assert (resource_id, outs["template_id"], outs["adopt_id"]) == (made, made, made)
        assert [t.template_id for t in _named(instant_emulator, name)] == [made]

        read_id, read_outs, _ = hosts.template.read("r", resource_id, outs, inputs)
        assert read_id == made
        assert hosts.template.diff("r", made, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE

        renamed = _checked(hosts.template, {**inputs, "template_name": f"{name}-renamed"})
        outs = hosts.template.update("r", made, read_outs, renamed)
        assert [t.template_id for t in _named(instant_emulator, f"{name}-renamed")] == [made]

        hosts.template.delete("r", made, outs)
        assert hosts.template.read("r", made, outs, renamed)[0] == ""

    def test_a_template_that_differs_is_refused_naming_every_field(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        name = f"other-{next(_names)}"
        made = _add_template(instant_emulator, name)
        line = _refused(
            hosts.template,
            _template_inputs(f"{name}-x", config={"Count": 3}, is_default=True, adopt_id=made),
        )
        assert f"VOD AI template {made} in cn-shanghai does not match the inputs" in line
        assert f"template_name: live {name!r} != wanted '{name}-x'" in line
        assert "config: live {'Count': 2} != wanted {'Count': 3}" in line
        assert "is_default: live False != wanted True" in line
        assert (
            f"template_name: live {name!r} != wanted '{name}-x'; config: live {{'Count': 2}} != wanted "
            "{'Count': 3}; is_default: live False != wanted True): align the inputs with it to take it over "
            "with adopt_id"
        ) in line
        assert "template_type" not in line
        assert _named(instant_emulator, f"{name}-x") == []
        assert [t.template_id for t in _named(instant_emulator, name)] == [made]

    def test_an_unknown_id_names_the_id_and_the_region(self, hosts: Hosts) -> None:
        line = _refused(hosts.template, _template_inputs(f"ghost-{next(_names)}", adopt_id=UNKNOWN_ID))
        assert (
            f"adopt_id is set but VOD AI template {UNKNOWN_ID} in cn-shanghai does not exist: check it and "
            "the region, or unset adopt_id to create a new one"
        ) in line

    @pytest.mark.parametrize("bad", ["a,b", "id with space", "x" * 65, ""])
    def test_check_refuses_what_is_not_one_id(self, hosts: Hosts, bad: str) -> None:
        failures = hosts.template.check("r", _template_inputs("t", adopt_id=bad)).failures
        assert "is not one resource id" in failures["adopt_id"]

    def test_changing_adopt_id_replaces(self, hosts: Hosts) -> None:
        olds = _checked(hosts.template, _template_inputs("t", adopt_id="a" * 32))
        for news in (_template_inputs("t", adopt_id="b" * 32), _template_inputs("t")):
            assert list(hosts.template.diff("r", "a" * 32, olds, news).replaces) == ["adopt_id"]


class TestJob:
    def test_takes_over_a_matching_job_and_delete_removes_its_images(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        template_id, _, _ = _create(hosts.template, _template_inputs(f"job-template-{next(_names)}"))
        video_id = _video(instant_emulator)
        request = vod.SubmitAIImageJobRequest(
            video_id=video_id, aitemplate_id=template_id, user_data='{"Extend":{"ref":"adopt"}}'
        )
        job_id = vod_client(instant_emulator).submit_aiimage_job(request).body.job_id
        inputs = {
            "video_id": video_id,
            "ai_template_id": template_id,
            "user_data": {"Extend": {"ref": "adopt"}},
            "region": "cn-shanghai",
            "adopt_id": job_id,
        }
        resource_id, outs, checked = _create(hosts.job, inputs)
        assert (resource_id, outs["status"], len(outs["images"])) == (job_id, "success", 2)
        assert _job_ids(instant_emulator, video_id) == {job_id}
        read_id, read_outs, _ = hosts.job.read("r", job_id, outs, checked)
        assert hosts.job.diff("r", read_id, read_outs, checked).changes == proto.DiffResponse.DIFF_NONE

        hosts.job.delete("r", job_id, outs)
        assert _job_ids(instant_emulator, video_id) == set()

    def test_a_job_on_another_video_and_template_is_refused_naming_both(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        template_id, _, _ = _create(hosts.template, _template_inputs(f"job-template-{next(_names)}"))
        other_template, _, _ = _create(hosts.template, _template_inputs(f"job-template-{next(_names)}"))
        video_id, other_video = _video(instant_emulator), _video(instant_emulator)
        request = vod.SubmitAIImageJobRequest(video_id=video_id, aitemplate_id=template_id)
        job_id = vod_client(instant_emulator).submit_aiimage_job(request).body.job_id
        line = _refused(
            hosts.job,
            {
                "video_id": other_video,
                "ai_template_id": other_template,
                "region": "cn-shanghai",
                "adopt_id": job_id,
            },
        )
        assert f"video_id: live {video_id!r} != wanted {other_video!r}" in line
        assert f"ai_template_id: live {template_id!r} != wanted {other_template!r}" in line
        assert _job_ids(instant_emulator, other_video) == set()


class TestTask:
    def test_takes_over_a_matching_task(self, hosts: Hosts, instant_emulator: RunningEmulator) -> None:
        """No CreateAITask; the outputs are the adopted task's; refresh shows no change."""
        prompt = f"A VPC with one vSwitch, adopted {next(_names)}"
        request = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=prompt)
        task_id = ros_client(instant_emulator).create_aitask(request).body.task_id
        inputs = {
            "task_type": "GenerateTemplate",
            "prompt": prompt,
            "region": "cn-shanghai",
            "adopt_id": task_id,
        }
        resource_id, outs, checked = _create(hosts.task, inputs)
        assert (resource_id, outs["task_id"], outs["status"]) == (task_id, task_id, "SUCCESS")
        assert "Resources" in outs["template_json"]
        assert _tasks_with(instant_emulator, prompt) == [task_id]
        newer = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=f"{prompt}, newer")
        ros_client(instant_emulator).create_aitask(newer)  # listed first: refresh must not read it
        read_id, read_outs, read_inputs = hosts.task.read("r", task_id, outs, checked)
        assert read_inputs["prompt"] == prompt
        assert hosts.task.diff("r", read_id, read_outs, checked).changes == proto.DiffResponse.DIFF_NONE

    def test_a_task_that_differs_is_refused_naming_every_field(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        prompt = f"A MySQL database {next(_names)}"
        request = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=prompt)
        task_id = ros_client(instant_emulator).create_aitask(request).body.task_id
        later = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=f"{prompt}, later")
        ros_client(instant_emulator).create_aitask(later)  # listed first (newest): not the one compared
        inputs = {
            "task_type": "GenerateTemplate",
            "prompt": f"{prompt}, twice",
            "template_type": "Terraform",
            "region": "cn-shanghai",
            "adopt_id": task_id,
        }
        line = _refused(hosts.task, inputs)
        assert f"ROS AI task {task_id} does not match the inputs" in line
        assert f"prompt: live {prompt!r} != wanted '{prompt}, twice'" in line
        assert "template_type: live 'ROS' != wanted 'Terraform'" in line
        assert "task_type" not in line
        assert _tasks_with(instant_emulator, f"{prompt}, twice") == []

    def test_an_unknown_id_names_the_id_and_the_region(self, hosts: Hosts) -> None:
        unknown = "t-" + "0" * 20
        inputs = {
            "task_type": "GenerateTemplate",
            "prompt": "A VPC",
            "region": "cn-shanghai",
            "adopt_id": unknown,
        }
        line = _refused(hosts.task, inputs)
        assert (
            f"adopt_id is set but ROS AI task {unknown} (looked for at the cn-shanghai endpoint) does not exist"
        ) in line


class TestFailedTakeOver:
    def test_a_service_taken_over_that_ended_failed_is_left_as_it_was(
        self, hosts: Hosts, instant_emulator: RunningEmulator
    ) -> None:
        """A create that made nothing must not delete what it found: the error says it was left, and
        the service is still there (a create that made the service deletes it, test_app_service.py)."""
        name = f"failed_{next(_names)}"
        rule = {
            "product": "eas",
            "action": "CreateAppService",
            "effect": "fail",
            "message": "OOM",
            "count": 1,
        }
        httpx.post(f"{instant_emulator.url}/_emulator/faults", json=[rule]).raise_for_status()
        eas = eas_client(instant_emulator)
        eas.create_app_service(
            CreateAppServiceRequest(
                service_name=name,
                app_type="LLM",
                service_spec="llama_7b_fp16",
                replicas=1,
                config={"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            )
        )
        line = _refused(
            hosts.service,
            {
                "service_name": name,
                "region": "cn-shanghai",
                "service_spec": "llama_7b_fp16",
                "config": {"OssPath": "oss://models/llama/", "ModelStorage": "oss"},
                "adopt_existing": True,
            },
        )
        assert f"EAS service {name} in cn-shanghai ended Failed after create" in line
        assert "It existed before this create, so it was left as it was (and is not in the stack)." in line
        assert eas.describe_service("cn-shanghai", name).body.status == "Failed"
