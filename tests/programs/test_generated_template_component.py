"""GeneratedTemplate: a faulty generated template is followed by a FixTemplate task; a sound one is not."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from pulumi_alicloud_ai.resources.ai_task import TemplateType
from pulumi_alicloud_ai.resources.generated_template import (
    GeneratedTemplate,
    GeneratedTemplateArgs,
    template_faults,
)
from tests.programs.conftest import RecordingMocks

FAULTY = json.dumps(
    {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Resources": {"Vpc": {"Type": "ALIYUN::ECS::Vpcc", "Properties": {"CidrBlock": "10.0.0.0/8"}}},
    }
)
SOUND = json.dumps(
    {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}}},
    }
)


def test_template_faults_names_each_fault() -> None:
    """The local check finds an unknown type and bad HCL, and passes sound templates."""
    assert any("ALIYUN::ECS::Vpcc" in line for line in template_faults(FAULTY, TemplateType.ROS))
    assert template_faults(SOUND, TemplateType.ROS) == []
    assert template_faults('resource "alicloud_vpc" "v" {', TemplateType.TERRAFORM)
    assert template_faults(None, TemplateType.ROS) == ["(template): the task returned no template"]


class TaskMocks(RecordingMocks):
    """The generate task returns a chosen template; a fix task returns a repaired one."""

    def __init__(self, generated: str) -> None:
        super().__init__()
        self.generated = generated

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.inputs.get("task_type") == "GenerateTemplate":
            outputs["template"] = self.generated
        elif args.inputs.get("task_type") == "FixTemplate":
            outputs["template"] = SOUND
        return resource_id, outputs


def _run(mocks: TaskMocks, check: Any) -> None:
    pulumi.runtime.set_mocks(mocks, project="project", stack="test", preview=False, monitor=mocks.monitor)

    @pulumi.runtime.test
    def program() -> Any:
        component = GeneratedTemplate("net", GeneratedTemplateArgs(prompt="a vpc", region="cn-hangzhou"))
        return pulumi.Output.all(component.template, component.faults, component.fixed).apply(
            lambda v: check(component, *v)
        )

    program()


def test_faults_are_repaired_by_a_fix_task(mocks: RecordingMocks) -> None:
    """An unknown type in the generated template makes a '<name>-fix' FixTemplate child; its result is final."""
    task_mocks = TaskMocks(FAULTY)
    task_mocks.monitor = type(mocks.monitor)(task_mocks)

    def check(component: GeneratedTemplate, template: str, faults: list[str], fixed: bool) -> None:
        assert fixed is True
        assert template == SOUND
        assert any("Vpcc" in fault for fault in faults)
        fix = next(r for r in task_mocks.resources if r.name == "net-fix")
        assert fix.inputs["task_type"] == "FixTemplate"
        assert fix.inputs["template"] == FAULTY
        assert task_mocks.monitor.requests["net-fix"].parent.endswith("GeneratedTemplate::net")

    _run(task_mocks, check)


def test_a_sound_template_needs_no_fix(mocks: RecordingMocks) -> None:
    """A generated template without faults is the final one; no fix task is declared."""
    task_mocks = TaskMocks(SOUND)
    task_mocks.monitor = type(mocks.monitor)(task_mocks)

    def check(component: GeneratedTemplate, template: str, faults: list[str], fixed: bool) -> None:
        assert (template, faults, fixed) == (SOUND, [], False)
        assert component.fix is None
        assert [r.name for r in task_mocks.resources] == ["net", "net-generate"]

    _run(task_mocks, check)
