"""The AI task's template: the parser backstop (past its bounds is a check failure, bad syntax is not),
and how a ROS result is shown.

Syntax is FixTemplate's job, so only a template beyond what the parser may read (1 MiB, 64 levels,
100 aliases, 1 MiB once aliases are expanded) is refused, with the reason, by whichever parser reads it:
HCL for Terraform, JSON for ROS text that looks like JSON (YAML's lenient flow syntax when it is not
valid JSON), YAML otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_alicloud_ai.resources._ai_task_provider import result_template, template_bounds_problem

PAST_1_MIB = "x" * (1024 * 1024 + 10)
"""Past the template parsers' 1 MiB, within the 2 MiB of other documents."""

LENIENT_JSON_BOMB = (
    "{"
    + ", ".join(
        ["l0: &l0 [lol, lol]"] + [f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}, *l{n - 1}]" for n in range(1, 60)]
    )
    + "}"
)
"""Not valid JSON, so read with YAML's flow syntax: a few KB whose aliases expand past 1 MiB."""


@pytest.mark.parametrize(
    ("template_type", "text", "reason"),
    [
        ("Terraform", f'a = "{PAST_1_MIB}"\n', "is 1048593 bytes; at most 1048576 are accepted"),
        ("ROS", f'{{"a": "{PAST_1_MIB}"}}', "is 1048595 bytes; at most 1048576 are accepted"),
        ("ROS", f"a: {PAST_1_MIB}\n", "is 1048590 bytes; at most 1048576 are accepted"),
        ("ROS", LENIENT_JSON_BOMB, "expands to more than 1048576 characters once its aliases are resolved"),
        ("ROS", "[" * 100 + "]" * 100, "nests deeper than 64 levels"),
    ],
)
def test_a_template_past_the_parsers_bounds_is_refused_naming_the_bound(
    template_type: str, text: str, reason: str
) -> None:
    assert (
        template_bounds_problem(text, template_type) == f"template {reason}; the template parser refuses it"
    )


def _nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


JSON_WITH_EMOJI = json.dumps({"Description": "VPC \U0001f680", "Resources": {"Vpc": _nested(70)}})
"""Too deep, as ``json.dumps`` writes it: the emoji becomes a surrogate-pair escape, which YAML cannot read."""


@pytest.mark.parametrize("text", [JSON_WITH_EMOJI, f"\n  {JSON_WITH_EMOJI}\n"])
def test_a_json_template_is_measured_as_json(text: str) -> None:
    """Text that starts with ``{`` (after blank space) is read as JSON, so its depth is judged even where
    YAML would stop at a JSON escape it cannot read and let the template through."""
    assert template_bounds_problem(text, "ROS") == (
        "template nests deeper than 64 levels; the template parser refuses it"
    )


@pytest.mark.parametrize(
    ("template_type", "text"),
    [
        ("ROS", '{"ROSTemplateFormatVersion": "2015-09-01", "Resources": {}}'),
        ("ROS", "{broken: [1, 2,"),
        ("ROS", "Resources: {a: [1, 2]"),
        ("Terraform", 'resource "alicloud_vpc" "v" {'),
        ("Terraform", 'resource "alicloud_vpc" "v" {}\n'),
    ],
)
def test_a_template_within_bounds_passes_whatever_its_syntax(template_type: str, text: str) -> None:
    assert template_bounds_problem(text, template_type) is None


def test_a_ros_result_is_shown_as_indented_json_keeping_its_text() -> None:
    """The ``template`` output of a ROS task is readable in the console and in a diff: two-space
    indents, and non-ASCII descriptions as written, not as ``\\u`` escapes."""
    result = {"Description": "专有网络 VPC", "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}}}
    text, as_object = result_template(result)
    assert text == (
        "{\n"
        '  "Description": "专有网络 VPC",\n'
        '  "Resources": {\n'
        '    "Vpc": {\n'
        '      "Type": "ALIYUN::ECS::VPC"\n'
        "    }\n"
        "  }\n"
        "}"
    )
    assert as_object == result
    assert result_template('resource "alicloud_vpc" "v" {}') == ('resource "alicloud_vpc" "v" {}', None)
    assert result_template(None) == (None, None)
