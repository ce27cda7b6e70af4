"""What an AI task's import and refresh read back: its template type, and its inputs from the ROS API.

GetAITask does not echo the template type or the prompt, so the provider rebuilds them (TaskOutput's
TemplateType or the Result's shape; the prompt from ListAITasks of the task's own id) and falls back to
what the state recorded only where the API says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.endpoints import ROS
from pulumi_alicloud_ai.client.ros import AITask, CreateAITaskRequest, RosClient
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider, live_template_type

REGION = "cn-hangzhou"


def _task(output: dict[str, Any] | None, task_type: str | None = "GenerateTemplate") -> AITask:
    return AITask.model_validate({"TaskId": "t-1", "TaskType": task_type, "TaskOutput": output})


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ({"TemplateType": "ROS", "Result": "resource {}"}, "ROS"),
        ({"TemplateType": "Terraform", "Result": {"Resources": {}}}, "Terraform"),
        ({"TemplateType": "Helm", "Result": {"Resources": {}}}, "ROS"),
        ({"Result": {"ROSTemplateFormatVersion": "2015-09-01"}}, "ROS"),
        ({"Result": 'resource "alicloud_vpc" "v" {}'}, "Terraform"),
        ({"Result": 42}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_template_type_is_named_or_told_by_the_results_shape(
    output: dict[str, Any] | None, expected: str | None
) -> None:
    """TaskOutput's TemplateType wins when it is one of the two; else an object Result is ROS, text is
    Terraform, and anything else says nothing."""
    assert live_template_type(_task(output)) == expected


@pytest.fixture(scope="module")
def ros(instant_emulator: RunningEmulator) -> Iterator[RosClient]:
    settings = ClientSettings(region=REGION, endpoint=instant_emulator.url)
    client = RosClient(open_client(ROS, settings, StaticCredentialsProvider("test", "test")))
    try:
        yield client
    finally:
        client.api.close()


def _generate(ros: RosClient, prompt: str) -> str:
    created = ros.create_ai_task(
        CreateAITaskRequest(task_type="GenerateTemplate", prompt=prompt, template_type="Terraform")
    )
    assert created.task_id
    return created.task_id


def test_refresh_reads_each_tasks_own_prompt_and_keeps_the_submitted_template(ros: RosClient) -> None:
    """Of two tasks, each reads back its own prompt (ListAITasks of its id, not the first listed), its
    type and template type from GetAITask, the region it is in, and the source template as recorded."""
    first = _generate(ros, "a vpc with two vswitches")
    second = _generate(ros, "an oss bucket with versioning")
    provider = AITaskProvider()
    for task_id, prompt in ((first, "a vpc with two vswitches"), (second, "an oss bucket with versioning")):
        live = ros.get_ai_task(task_id, output=True)
        recorded = {"task_type": "FixTemplate", "prompt": "recorded", "source_template": "x = 1"}
        assert provider.live_inputs(ros, task_id, REGION, live, recorded) == {
            "task_type": "GenerateTemplate",
            "template_type": "Terraform",
            "prompt": prompt,
            "template": "x = 1",
            "region": REGION,
        }


def test_what_the_api_does_not_say_comes_from_the_state(ros: RosClient) -> None:
    """A task ListAITasks does not list and whose answer names neither type keeps the recorded type,
    template type and prompt; what neither side knows is left out, not set to None."""
    live = _task(None, task_type=None)
    recorded = {"task_type": "FixTemplate", "template_type": "ROS", "prompt": "repair it"}
    rebuilt = AITaskProvider().live_inputs(ros, "t-not-listed", REGION, live, recorded)
    assert rebuilt == {
        "task_type": "FixTemplate",
        "template_type": "ROS",
        "prompt": "repair it",
        "region": REGION,
    }
