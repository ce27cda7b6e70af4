"""AITask through the Pulumi dynamic-provider host against the emulated ROS AI-task service over HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import httpx
import pytest
from pulumi.runtime import proto

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.testing.provider_host import UNKNOWN, ProviderCallError, ProviderHost, provider_env
from tests.conftest import EmulatorFactory
from tests.deep_documents import deep_json

REAL_ROS_TYPES = frozenset(
    line.strip()
    for line in (Path(__file__).parents[1] / "data" / "ros_resource_types.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
PSEUDO_PARAMETER = "ALIYUN::"
"""ROS pseudo parameters (``ALIYUN::Region``, ``ALIYUN::StackName``, ...) may be named by Ref."""

BROKEN_ROS = {
    "Resources": {
        "Vpc": {"Type": "ALIYUN::ECS::Vpc", "Properties": {"CidrBlock": "10.0.0.0/8"}},
        "VSw": {
            "Type": "ALIYUN::ECS::VSwitch",
            "Properties": {"ZoneId": {"Ref": "Zone"}, "CidrBlock": "10.1.0.0/24"},
        },
    }
}
BROKEN_TERRAFORM = """resource "alicloud_vpc" "main" {
  cidr_block = "10.0.0.0/8"
}

resource "alicloud_vswitch" "a" {
  cidr_block = "10.0.0.0/24"
  zone_id    = "cn-shanghai-a"
}
"""


@pytest.fixture(scope="module")
def ros_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """The dynamic-provider host serving AITaskProvider against the instant emulator."""
    host = ProviderHost(
        AITaskProvider(), provider_env(instant_emulator.url, str(tmp_path_factory.mktemp("home")))
    )
    host.configure({})
    yield host
    host.close()


def _generate(prompt: str | None = "A VPC", **overrides: Any) -> dict[str, Any]:
    return {"task_type": "GenerateTemplate", "prompt": prompt, "region": "cn-shanghai", **overrides}


def _fix(template: Any, **overrides: Any) -> dict[str, Any]:
    return {"task_type": "FixTemplate", "template": template, "region": "cn-shanghai", **overrides}


def _create(host: ProviderHost, inputs: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = host.check("task", inputs)
    assert checked.failures == {}
    task_id, outs, _ = host.create("task", checked.inputs)
    return task_id, outs, checked.inputs


def _fault(emulator: RunningEmulator, **rule: Any) -> None:
    body = {"product": "ros", "action": "CreateAITask", "count": 1, **rule}
    httpx.post(f"{emulator.url}/_emulator/faults", json=body).raise_for_status()


def _references(value: Any) -> Iterator[tuple[str, str]]:
    """Every ``("Ref", name)`` and ``("Fn::GetAtt", resource)`` anywhere in a ROS template."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield "Ref", item
            elif key == "Fn::GetAtt" and isinstance(item, list) and item:
                yield "Fn::GetAtt", str(item[0])
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _assert_valid_ros(text: str) -> dict[str, Any]:
    """The text parses as JSON, uses only real ROS resource types, and every reference resolves."""
    template: dict[str, Any] = json.loads(text)
    assert template["ROSTemplateFormatVersion"] == "2015-09-01"
    resources = template["Resources"]
    assert resources
    assert {resource["Type"] for resource in resources.values()} <= REAL_ROS_TYPES
    declared = set(resources) | set(template.get("Parameters", {}))
    for kind, name in _references(template):
        target = set(resources) if kind == "Fn::GetAtt" else declared
        assert name in target or (kind == "Ref" and name.startswith(PSEUDO_PARAMETER)), (kind, name)
    return template


def _terraform_types(text: str) -> set[str]:
    parsed = hcl2.loads(text)
    assert any('"alicloud"' in block for block in parsed["provider"])
    return {kind.strip('"') for block in parsed.get("resource", []) for kind in block}


class TestCheck:
    """Preview-time validation of each bad combination names the field, without any network call."""

    @pytest.mark.parametrize(
        ("inputs", "field", "fragment"),
        [
            (_generate(prompt=None), "prompt", "is required for GenerateTemplate"),
            (_generate(prompt="   "), "prompt", "is required for GenerateTemplate"),
            (_generate(template="{}"), "template", "only used with task_type FixTemplate"),
            (_fix(None), "template", "is required for FixTemplate"),
            (_fix("x" * 524_289), "template", "at most 524288 bytes"),
            (_fix({"Description": "é" * 262_144}), "template", "at most 524288 bytes"),
            (_generate(task_type="Explain"), "task_type", "allowed values: GenerateTemplate, FixTemplate"),
            (_generate(template_type="CloudFormation"), "template_type", "allowed values: ROS, Terraform"),
            (_generate(region="Moon Base"), "region", "not a region id"),
            (
                _generate(region="mars-north-1"),
                "region",
                "does not offer ROS; allowed values: ap-northeast-1",
            ),
            (_generate(region=None), "region", "alicloud:region"),
            (_generate(timeouts={"create": "soon"}), "timeouts.create", "not a duration"),
            (_generate(colour="red"), "colour", "Extra inputs are not permitted"),
        ],
    )
    def test_bad_combination_fails_naming_the_field(
        self, ros_host: ProviderHost, inputs: dict[str, Any], field: str, fragment: str
    ) -> None:
        """Each bad combination is a failure on its property whose reason says what is allowed."""
        failures = ros_host.check("bad", inputs).failures
        assert field in failures, failures
        assert fragment in failures[field]

    @pytest.mark.parametrize(
        "inputs",
        [
            _fix(deep_json(70)),
            _fix(" \n" + deep_json(70)),
            _fix("locals {\n  x = " + deep_json(70) + "\n}\n", template_type="Terraform"),
        ],
        ids=["json", "json-after-blank-lines", "terraform"],
    )
    def test_a_template_too_deep_to_parse_says_only_that(
        self, ros_host: ProviderHost, inputs: dict[str, Any]
    ) -> None:
        """Past the parser's depth, JSON or HCL: the reason is the limit, on the template field."""
        failures = ros_host.check("deep", inputs).failures
        assert failures == {"template": "nests deeper than 64 levels; the template parser refuses it"}

    def test_dict_template_becomes_compact_json_and_defaults_are_filled(self, ros_host: ProviderHost) -> None:
        """A dict template is checked as the compact JSON sent; template_type defaults to ROS; no prompt is fine."""
        outcome = ros_host.check("fix", _fix({"Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}}}))
        assert outcome.failures == {}
        assert outcome.inputs["template"] == '{"Resources":{"Vpc":{"Type":"ALIYUN::ECS::VPC"}}}'
        assert (outcome.inputs["template_type"], "prompt" in outcome.inputs) == ("ROS", False)

    def test_unknown_values_are_tolerated(self, ros_host: ProviderHost) -> None:
        """A prompt or template not known at preview (another resource's output) passes check."""
        assert ros_host.check("later", _generate(prompt=UNKNOWN)).failures == {}
        assert ros_host.check("later", _fix(UNKNOWN)).failures == {}


class TestGenerate:
    """GenerateTemplate for both template types, and the failures a generation can end in."""

    @pytest.mark.parametrize(
        "prompt",
        [
            "A VPC with a vSwitch",
            "An ECS web server behind an SLB, with a MySQL database and an OSS bucket",
            "An EAS inference service for my LLM",
        ],
    )
    def test_generated_ros_template_parses_with_real_types(self, ros_host: ProviderHost, prompt: str) -> None:
        """Create waits for SUCCESS; the template text parses, uses only real ROS types, and its refs resolve."""
        task_id, outs, _ = _create(ros_host, _generate(prompt))
        assert (outs["task_id"], outs["status"], outs["changes"]) == (task_id, "SUCCESS", [])
        assert task_id.startswith("t-")
        assert _assert_valid_ros(outs["template"]) == outs["template_json"]
        assert outs["message"].startswith("Generated ")
        assert outs.get("source_template") is None

    def test_generated_terraform_parses_with_hcl2(self, ros_host: ProviderHost) -> None:
        """TemplateType Terraform outputs HCL text that python-hcl2 parses, with alicloud resources only."""
        _, outs, _ = _create(
            ros_host, _generate("An ECS server and a MySQL database", template_type="Terraform")
        )
        assert {"alicloud_instance", "alicloud_db_instance"} <= _terraform_types(outs["template"])
        assert outs.get("template_json") is None

    def test_unmappable_prompt_fails_with_the_reason_in_one_line(self, ros_host: ProviderHost) -> None:
        """A prompt naming nothing buildable fails the create with the task id, failing handler and reason."""
        with pytest.raises(ProviderCallError) as info:
            _create(ros_host, _generate("a haiku about rain"))
        line = info.value.last_line
        assert "ProviderError: ROS AI task t-" in line
        assert (
            "ended FAILURE after create: (GenerateTemplate, ROS) in ROSTemplateGenerator: The prompt does not name"
            in line
        )
        # The reason's own full stop is not doubled by the sentence that follows it.
        assert re.search(r"Mention at least one of: [^.]+\. Its record stays in ROS", line), line
        assert "the API cannot delete AI tasks" in line

    def test_fail_fault_on_create_is_an_error_with_code_and_message(
        self, ros_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """An ``effect: fail`` rule on CreateAITask fails the create with the rule's code and message."""
        _fault(instant_emulator, effect="fail", code="Throttling.AITask", message="AI task quota used up")
        with pytest.raises(ProviderCallError) as info:
            _create(ros_host, _generate("A VPC", template_type="Terraform"))
        assert (
            "ended FAILURE after create: (GenerateTemplate, Terraform) in TerraformTemplateStaticFixer: "
            "Throttling.AITask: AI task quota used up. Its record stays in ROS (the API cannot delete AI "
            "tasks); `pulumi up` submits a new task (change the inputs first if the reason is about them). ("
        ) in info.value.last_line

    def test_a_failure_whose_events_cannot_be_read_is_still_reported(
        self, ros_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """ListAITaskEvents refused: the failure is reported with its reason, only the handler is left out."""
        _fault(instant_emulator, effect="fail", code="Throttling.AITask", message="AI task quota used up")
        _fault(instant_emulator, action="ListAITaskEvents", error={"code": "Forbidden.RAM", "status": 403})
        with pytest.raises(ProviderCallError) as info:
            _create(ros_host, _generate("A VPC"))
        assert (
            "ended FAILURE after create: (GenerateTemplate, ROS): Throttling.AITask: AI task quota used up. "
            "Its record stays in ROS"
        ) in info.value.last_line

    def test_lost_create_answer_says_a_duplicate_is_harmless(
        self, ros_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """A 5xx on CreateAITask (never retried) says a task may exist and that another one is harmless."""
        _fault(instant_emulator, error={"code": "InternalError", "status": 500})
        with pytest.raises(ProviderCallError) as info:
            _create(ros_host, _generate())
        assert "(InternalError) when calling the CreateAITask operation" in info.value.last_line
        assert "may have reached the service: it has no ClientToken" in info.value.last_line
        assert "a task is a record, not infrastructure" in info.value.last_line


class TestFix:
    """FixTemplate for both template types: repairs listed, results valid, and what cannot be fixed."""

    def test_fix_ros_lists_changes_and_the_result_is_valid(self, ros_host: ProviderHost) -> None:
        """Each repaired fault is listed with code, location and description; the result is a valid template."""
        _, outs, inputs = _create(ros_host, _fix(BROKEN_ROS, prompt="keep the CIDR blocks"))
        assert {change["code"] for change in outs["changes"]} == {
            "MissingFormatVersion",
            "UnknownResourceType",
            "MissingRequiredProperty",
            "DanglingRef",
        }
        assert all(change["location"] and change["description"] for change in outs["changes"])
        repaired = _assert_valid_ros(outs["template"])
        assert repaired["Resources"]["VSw"]["Properties"]["VpcId"] == {"Ref": "Vpc"}
        assert outs["source_template"] == inputs["template"]
        assert json.loads(inputs["template"]) == BROKEN_ROS
        assert outs["message"] == "Fixed 4 fault(s); see Changes."

    def test_fix_terraform_returns_repaired_hcl(self, ros_host: ProviderHost) -> None:
        """A Terraform file gets its provider block and missing vpc_id; the result parses with hcl2."""
        _, outs, _ = _create(ros_host, _fix(BROKEN_TERRAFORM, template_type="Terraform"))
        assert [change["code"] for change in outs["changes"]] == [
            "MissingProvider",
            "MissingRequiredArgument",
        ]
        assert _terraform_types(outs["template"]) == {"alicloud_vpc", "alicloud_vswitch"}
        assert "vpc_id = alicloud_vpc.main.id" in outs["template"]

    def test_nothing_to_fix_returns_the_template_unchanged(self, ros_host: ProviderHost) -> None:
        """A valid template comes back as it was, with no changes and a message saying so."""
        valid = {"ROSTemplateFormatVersion": "2015-09-01", "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}}}
        _, outs, _ = _create(ros_host, _fix(json.dumps(valid)))
        assert (outs["template_json"], outs["changes"]) == (valid, [])
        assert "no faults" in outs["message"]

    def test_unrepairable_template_fails_naming_the_fault(self, ros_host: ProviderHost) -> None:
        """Faults no repair answers fail the create, naming the fault and the handler."""
        template = {
            "ROSTemplateFormatVersion": "2015-09-01",
            "Resources": {"X": {"Type": "ALIYUN::Made::Up"}},
        }
        with pytest.raises(ProviderCallError) as info:
            _create(ros_host, _fix(template))
        assert (
            "ended FAILURE after create: (FixTemplate, ROS) in ROSTemplateStaticFixer:"
            in info.value.last_line
        )
        assert "ALIYUN::Made::Up" in info.value.last_line


class TestLifecycle:
    """Diff, refresh, import and delete of an AITask."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("task_type", "FixTemplate"),
            ("prompt", "An OSS bucket"),
            ("template_type", "Terraform"),
            ("prompt", UNKNOWN),
        ],
    )
    def test_any_input_change_replaces(self, ros_host: ProviderHost, field: str, value: Any) -> None:
        """A task cannot be edited: each API input change replaces it (created before the old is forgotten)."""
        task_id, outs, inputs = _create(ros_host, _generate())
        diff = ros_host.diff("task", task_id, outs, {**inputs, field: value})
        assert (list(diff.replaces), diff.deleteBeforeReplace) == ([field], False)

    def test_template_change_replaces_but_the_output_template_is_not_an_input(
        self, ros_host: ProviderHost
    ) -> None:
        """Diff compares the submitted template, not the repaired output; a new template replaces."""
        task_id, outs, inputs = _create(ros_host, _fix(BROKEN_ROS))
        assert outs["template"] != inputs["template"]
        assert ros_host.diff("task", task_id, outs, inputs).changes == proto.DiffResponse.DIFF_NONE
        news = ros_host.check("task", _fix({**BROKEN_ROS, "Description": "v2"})).inputs
        assert list(ros_host.diff("task", task_id, outs, news).replaces) == ["template"]

    def test_region_timeouts_and_connection_change_nothing(self, ros_host: ProviderHost) -> None:
        """ROS AI tasks are not regional: a new region, timeout or connection is no change."""
        task_id, outs, inputs = _create(ros_host, _generate())
        behaviour = {
            **inputs,
            "region": "cn-beijing",
            "timeouts": {"create": 60.0},
            "connection": {"mode": "x"},
        }
        assert ros_host.diff("task", task_id, outs, behaviour).changes == proto.DiffResponse.DIFF_NONE

    def test_refresh_keeps_inputs_and_outputs(self, ros_host: ProviderHost) -> None:
        """Refresh reads the same task back: same inputs (prompt from ListAITasks), template and no diff."""
        task_id, outs, inputs = _create(
            ros_host, _fix(BROKEN_TERRAFORM, template_type="Terraform", prompt="p")
        )
        read_id, read_outs, read_inputs = ros_host.read("task", task_id, outs, inputs)
        assert (read_id, read_inputs) == (task_id, inputs)
        assert {key: read_outs.get(key) for key in outs} == outs
        assert ros_host.diff("task", task_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE

    def test_import_by_task_id_rebuilds_what_the_api_returns(self, ros_host: ProviderHost) -> None:
        """Import rebuilds type, template type and prompt; a FixTemplate's submitted template is not returned."""
        generated, _, inputs = _create(ros_host, _generate("A MySQL database", template_type="Terraform"))
        read_id, outs, read_inputs = ros_host.read("task", generated, {}, {"region": "cn-shanghai"})
        assert (read_id, read_inputs) == (generated, inputs)
        assert "alicloud_db_instance" in _terraform_types(outs["template"])

        fixed, _, _ = _create(ros_host, _fix(BROKEN_ROS))
        _, fixed_outs, fixed_inputs = ros_host.read("task", fixed, {}, {"region": "cn-shanghai"})
        assert fixed_inputs == {"task_type": "FixTemplate", "template_type": "ROS", "region": "cn-shanghai"}
        _assert_valid_ros(fixed_outs["template"])
        assert ros_host.read("task", "t-" + "0" * 20, {}, {"region": "cn-shanghai"})[0] == ""

    def test_import_without_a_region_says_where_to_set_one(self, ros_host: ProviderHost) -> None:
        """An import that knows no region is refused naming the region input and the variable (no
        region is guessed, as for every resource)."""
        task_id, _, _ = _create(ros_host, _generate())
        with pytest.raises(ProviderCallError) as info:
            ros_host.read("task", task_id, {}, {})
        assert f"ROS AI task {task_id!r}: the region is unknown" in info.value.last_line
        assert "ALIBABA_CLOUD_REGION_ID" in info.value.last_line

    def test_delete_forgets_and_the_task_stays_readable(self, ros_host: ProviderHost) -> None:
        """Delete only forgets the task (ROS cannot delete AI tasks): GetAITask still returns it."""
        task_id, outs, inputs = _create(ros_host, _generate())
        ros_host.delete("task", task_id, outs)
        ros_host.delete("task", task_id, outs)
        assert ros_host.read("task", task_id, outs, inputs)[1]["status"] == "SUCCESS"


@pytest.fixture(scope="module")
def slow_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """Time scale 1: a task stays PENDING/RUNNING for 14 emulated seconds."""
    return module_emulators.start()


def test_timed_out_create_says_how_to_take_the_task_over(
    slow_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A task still running at timeouts.create is not in the stack; the error names it to import."""
    host = ProviderHost(
        AITaskProvider(), provider_env(slow_emulator.url, str(tmp_path_factory.mktemp("home")))
    )
    try:
        host.configure({})
        with pytest.raises(ProviderCallError) as info:
            _create(host, _generate(timeouts={"create": "0.05s"}))
    finally:
        host.close()
    line = info.value.last_line
    assert "was still PENDING after 0s; it keeps going but is not in the stack" in line
    assert "take it over with adopt_id='t-" in line
