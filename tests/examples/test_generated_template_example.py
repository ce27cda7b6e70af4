"""The generated-template example, run by the local engine against a real emulator: up, change, destroy."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest
from alibabacloud_ros20190910 import models as ros

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing import LocalEngine
from tests.examples.conftest import EXAMPLES
from tests.official_sdk import ros_client

PROGRAM = EXAMPLES / "generated-template"
REAL_ROS_TYPES = frozenset(
    line.strip()
    for line in (Path(__file__).parents[1] / "data" / "ros_resource_types.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
PROMPT = "An ECS web server behind an SLB, with a MySQL database"


@pytest.fixture
def example(engine: LocalEngine) -> LocalEngine:
    """The shared local engine, running this example's project."""
    engine.project = "generated-template"
    return engine


def test_ros_template_is_exported_and_a_new_prompt_replaces_the_task(
    example: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Up exports a ROS template of real types; a new prompt previews a replace; destroy forgets the task."""
    steps, outputs = example.up(PROGRAM, {"prompt": PROMPT})
    assert [(s.op, s.name) for s in steps] == [("create", "web-template")]
    template = json.loads(outputs["template"])
    types = {resource["Type"] for resource in template["Resources"].values()}
    assert {"ALIYUN::ECS::Instance", "ALIYUN::SLB::LoadBalancer", "ALIYUN::RDS::DBInstance"} <= types
    assert types <= REAL_ROS_TYPES
    assert outputs["message"].startswith("Generated ")

    assert [s.op for s in example.preview(PROGRAM, {"prompt": PROMPT})] == ["same"]
    assert [(s.op, s.diffs) for s in example.preview(PROGRAM, {"prompt": "An OSS bucket"})] == [
        ("replace", [("prompt", PROMPT, "An OSS bucket")])
    ]

    assert [s.op for s in example.destroy()] == ["delete"]
    request = ros.GetAITaskRequest(task_id=outputs["task_id"])
    assert ros_client(example_emulator).get_aitask(request).body.status == "SUCCESS"


def test_terraform_template_parses_with_hcl2(example: LocalEngine) -> None:
    """With templateType Terraform the exported template is HCL that python-hcl2 parses."""
    _, outputs = example.up(PROGRAM, {"prompt": "An OSS bucket", "templateType": "Terraform"})
    parsed = hcl2.loads(outputs["template"])
    assert {kind.strip('"') for block in parsed["resource"] for kind in block} == {"alicloud_oss_bucket"}
