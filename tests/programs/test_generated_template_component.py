"""GeneratedTemplate: a faulty generated template is followed by a FixTemplate task; a sound one is not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi

from pulumi_alicloud_ai.resources.ai_task import AITask, AITaskArgs, AITaskType, TemplateType
from pulumi_alicloud_ai.resources.generated_template import (
    GeneratedTemplate,
    GeneratedTemplateArgs,
    template_faults,
)
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts
from tests.programs.conftest import RecordingMocks, RecordingMonitor, run_program

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
HCL_FAULTY = 'resource "alicloud_vpcc" "v" {}\nresource "alicloud_vswitchh" "w" {}\n'
HCL_SOUND = 'provider "alicloud" {}\nresource "alicloud_vpc" "v" {\n  cidr_block = "10.0.0.0/8"\n}\n'


def test_template_faults_names_each_fault() -> None:
    """The local check finds an unknown type and bad HCL, and passes sound templates of either kind."""
    assert any("ALIYUN::ECS::Vpcc" in line for line in template_faults(FAULTY, TemplateType.ROS))
    assert template_faults(SOUND, TemplateType.ROS) == []
    assert template_faults('resource "alicloud_vpc" "v" {', TemplateType.TERRAFORM)
    assert template_faults(HCL_SOUND, TemplateType.TERRAFORM) == []
    assert template_faults(None, TemplateType.ROS) == ["(template): the task returned no template"]


class TaskMocks(RecordingMocks):
    """The generate task returns a chosen template; a fix task returns a repaired one."""

    def __init__(self, generated: str, repaired: str = SOUND) -> None:
        super().__init__()
        self.generated = generated
        self.repaired = repaired
        self.monitor = RecordingMonitor(self)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.inputs.get("task_type") == "GenerateTemplate":
            outputs["template"] = self.generated
        elif args.inputs.get("task_type") == "FixTemplate":
            outputs["template"] = self.repaired
        return resource_id, outputs


Check = Callable[[GeneratedTemplate, str, str, list[str], bool], None]


def _use(mocks: TaskMocks) -> None:
    pulumi.runtime.set_mocks(mocks, project="project", stack="test", preview=False, monitor=mocks.monitor)


def _run(
    mocks: TaskMocks, check: Check, args: GeneratedTemplateArgs, settings: ProviderSettings | None = None
) -> None:
    """Run a program declaring GeneratedTemplate 'net'; ``check`` gets it, its URN and its outputs."""
    _use(mocks)

    def program() -> Any:
        component = GeneratedTemplate("net", args, settings=settings)
        outputs = (component.urn, component.template, component.faults, component.fixed)
        return pulumi.Output.all(*outputs).apply(lambda v: check(component, *v))

    run_program(program)


def test_faults_are_repaired_by_a_fix_task(mocks: RecordingMocks) -> None:
    """Faults in the generated template make a '<name>-fix' FixTemplate child that gets the faulty text,
    a prompt naming each fault, and the component's template type, region, timeouts and settings; its
    result is the final template. The generate task got the user's prompt and the same placement."""
    task_mocks = TaskMocks(HCL_FAULTY, repaired=HCL_SOUND)
    args = GeneratedTemplateArgs(
        prompt="a vpc",
        template_type=TemplateType.TERRAFORM,
        region="cn-hangzhou",
        timeouts=Timeouts(create="40m"),
    )
    placed = {
        "template_type": "Terraform",
        "region": "cn-hangzhou",
        "timeouts": {"create": "40m"},
        "settings": {"profile": "ros"},
    }
    expected_faults = template_faults(HCL_FAULTY, TemplateType.TERRAFORM)
    assert len(expected_faults) > 1  # so that the prompt's separator shows

    def check(component: GeneratedTemplate, urn: str, template: str, faults: list[str], fixed: bool) -> None:
        assert (template, faults, fixed) == (HCL_SOUND, expected_faults, True)
        inputs = {r.name: r.inputs for r in task_mocks.resources}
        generate, fix = inputs["net-generate"], inputs["net-fix"]
        assert {key: generate[key] for key in ("task_type", "prompt", *placed)} == {
            "task_type": "GenerateTemplate",
            "prompt": "a vpc",
            **placed,
        }
        assert {key: fix[key] for key in ("task_type", "template", *placed)} == {
            "task_type": "FixTemplate",
            "template": HCL_FAULTY,
            **placed,
        }
        assert fix["prompt"].startswith("Repair: ")
        assert fix["prompt"].removeprefix("Repair: ").split("; ") == faults
        requests = task_mocks.monitor.requests
        assert requests["net"].type == "alicloud-ai:index:GeneratedTemplate"
        assert [requests[name].parent for name in ("net-generate", "net-fix")] == [urn, urn]

    _run(task_mocks, check, args, settings=ProviderSettings(profile="ros"))
    registered = task_mocks.monitor.outputs["net"]
    assert registered == {"template": HCL_SOUND, "faults": expected_faults, "fixed": True}


def test_a_sound_template_needs_no_fix(mocks: RecordingMocks) -> None:
    """A generated template without faults is the final one; no fix task is declared."""
    task_mocks = TaskMocks(SOUND)

    def check(component: GeneratedTemplate, urn: str, template: str, faults: list[str], fixed: bool) -> None:
        assert (template, faults, fixed) == (SOUND, [], False)
        assert component.fix is None
        assert [r.name for r in task_mocks.resources] == ["net", "net-generate"]

    _run(task_mocks, check, GeneratedTemplateArgs(prompt="a vpc", region="cn-hangzhou"))
    assert task_mocks.monitor.outputs["net"] == {"template": SOUND, "faults": [], "fixed": False}


def test_protect_and_depends_on_given_to_the_component_reach_the_generate_task(mocks: RecordingMocks) -> None:
    """A protected component protects its task; what it depends on is created before the task runs."""
    task_mocks = TaskMocks(SOUND)
    _use(task_mocks)

    def program() -> None:
        first = AITask("first", AITaskArgs(task_type=AITaskType.GENERATE_TEMPLATE, prompt="a network"))
        GeneratedTemplate(
            "net",
            GeneratedTemplateArgs(prompt="a vpc", region="cn-hangzhou"),
            pulumi.ResourceOptions(protect=True, depends_on=[first]),
        )

    run_program(program)
    requests = task_mocks.monitor.requests
    assert [requests[name].protect for name in ("net", "net-generate")] == [True, True]
    first_urn = next(urn for urn in task_mocks.monitor.resources if urn.endswith("::first"))
    assert list(requests["net-generate"].dependencies) == [first_urn]
