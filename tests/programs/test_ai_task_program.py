"""AITask as a program uses it, under pulumi.runtime.set_mocks."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai import AITask, AITaskArgs, AITaskTimeouts, AITaskType, TemplateType
from pulumi_alicloud_ai.client.ros import TEMPLATE_TYPES
from pulumi_alicloud_ai.resources import _ai_task_provider as rules
from tests.programs.conftest import RecordingMocks

GENERATED = {"ROSTemplateFormatVersion": "2015-09-01", "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}}}


@pytest.fixture
def ros_mocks(mocks: RecordingMocks) -> RecordingMocks:
    """The recording mocks, answering a GenerateTemplate task's ``template_json`` as ROS would."""
    echo = mocks.new_resource

    def new_resource(args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = echo(args)
        if outputs.get("task_type") == "GenerateTemplate":
            outputs.update(task_id=resource_id, template_json=GENERATED, template=json.dumps(GENERATED))
        return resource_id, outputs

    mocks.new_resource = new_resource  # type: ignore[method-assign]
    return mocks


def _inputs(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {resource.name: resource.inputs for resource in mocks.resources}


@pulumi.runtime.test
def test_dict_template_is_sent_as_json_text_and_enums_as_values(ros_mocks: RecordingMocks) -> Any:
    """A dict template becomes the compact JSON text sent, keys sorted (the same text the provider's check
    makes of a dict whose key order the engine lost); enums become their values."""
    template = {"Resources": {"Vpc": {"Type": "ALIYUN::ECS::Vpc"}}, "ROSTemplateFormatVersion": "2015-09-01"}
    task = AITask(
        "fix",
        AITaskArgs(
            task_type=AITaskType.FIX_TEMPLATE,
            template=template,
            template_type=TemplateType.ROS,
            timeouts=AITaskTimeouts(create="20m"),
        ),
    )

    def verify(_: Any) -> None:
        inputs = _inputs(ros_mocks)["fix"]
        assert inputs["template"] == (
            '{"ROSTemplateFormatVersion":"2015-09-01","Resources":{"Vpc":{"Type":"ALIYUN::ECS::Vpc"}}}'
        )
        assert (inputs["task_type"], inputs["template_type"]) == ("FixTemplate", "ROS")
        assert (inputs["region"], inputs["timeouts"]) == ("cn-shanghai", {"create": "20m"})
        assert "prompt" not in inputs

    return task.urn.apply(verify)


@pulumi.runtime.test
def test_generated_template_feeds_a_fix_task(ros_mocks: RecordingMocks) -> Any:
    """Another task's template_json output (a dict) reaches FixTemplate as JSON text; strings pass as they are."""
    generated = AITask(
        "generate",
        AITaskArgs(
            task_type=AITaskType.GENERATE_TEMPLATE, prompt="A VPC", template_type=TemplateType.TERRAFORM
        ),
    )
    fix = AITask("fix", AITaskArgs(task_type="FixTemplate", template=generated.template_json, prompt="tidy"))
    text = AITask("text", AITaskArgs(task_type="FixTemplate", template='resource "alicloud_vpc" "v" {}\n'))

    def verify(_: Any) -> None:
        inputs = _inputs(ros_mocks)
        assert inputs["generate"]["template_type"] == "Terraform"
        assert "template" not in inputs["generate"]
        assert json.loads(inputs["fix"]["template"]) == GENERATED
        assert inputs["fix"]["prompt"] == "tidy"
        assert inputs["text"]["template"] == 'resource "alicloud_vpc" "v" {}\n'

    return pulumi.Output.all(generated.urn, fix.urn, text.urn).apply(verify)


@pytest.mark.parametrize(
    ("enum", "allowed"), [(AITaskType, rules.TASK_TYPES), (TemplateType, TEMPLATE_TYPES)]
)
def test_enums_match_the_values_check_allows(enum: type[StrEnum], allowed: tuple[str, ...]) -> None:
    """Each enum offers exactly the values the provider's check accepts."""
    assert sorted(member.value for member in enum) == sorted(allowed)
