"""The llm-service example under the real CLI: a 1 => 3 replicas change is one in-place update, and
a rename replaces the service in the order the README promises."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.engine.conftest import EXAMPLES, PROGRAMS, REPO, StackFactory

pytestmark = pytest.mark.needs_cli

PREVIEW_FIXTURE = Path(__file__).parents[1] / "data" / "engine" / "llm-service-replicas-preview.txt"
MUTATIONS = ("CreateAppService", "UpdateAppService", "UpdateService", "DeleteService")


def test_replicas_1_to_3_previews_and_applies_as_one_in_place_update(cli_stack: StackFactory) -> None:
    """`pulumi config set replicas 3`: preview --diff shows `replicas: 1 => 3` and nothing else; up
    makes exactly one UpdateAppService call."""
    stack = cli_stack(EXAMPLES / "llm-service", stack="dev")
    first = stack.up()
    stack.config_set("replicas", "3")

    preview = stack.preview()
    if os.environ.get("UPDATE_ENGINE_FIXTURES") == "1":  # after a deliberate change of the example
        PREVIEW_FIXTURE.write_text(preview.stdout)
    expected = PREVIEW_FIXTURE.read_text()
    assert preview.stdout == expected, (
        f"pulumi preview --diff printed something else than {PREVIEW_FIXTURE} (the README shows it):\n"
        + preview.stdout
    )
    assert preview.only(*MUTATIONS) == []
    assert f"```\n{expected}```" in (REPO / "README.md").read_text(), "the README shows another preview"

    up = stack.up()
    assert {action: up.count(action) for action in MUTATIONS} == {
        "CreateAppService": 0,
        "UpdateAppService": 1,
        "UpdateService": 0,
        "DeleteService": 0,
    }, up.describe()
    assert up.printed_output("status") == '"Running"'
    assert up.printed_output("service_id") == first.printed_output("service_id")  # the same service, updated
    stack.preview("--expect-no-changes")


def test_rename_creates_the_new_service_before_deleting_the_old(cli_stack: StackFactory) -> None:
    """A new service_name is a new slot: the engine creates the replacement first, then deletes the old."""
    stack = cli_stack(EXAMPLES / "llm-service")
    stack.up()
    stack.config_set("serviceName", "chat_llm_v2")
    preview = stack.preview()
    assert "+-pulumi-python:dynamic/alicloud-ai:AppService: (replace)" in preview.stdout, preview.describe()
    assert re.search(r'~ service_name +: "chat_llm" => "chat_llm_v2"', preview.stdout), preview.describe()

    up = stack.up()
    mutations = [(call.action, call.subjects[0]) for call in up.only(*MUTATIONS)]
    assert mutations == [("CreateAppService", "chat_llm_v2"), ("DeleteService", "chat_llm")], up.describe()
    assert up.printed_output("internet_endpoint").endswith('/chat_llm_v2"')


def test_replacing_under_the_same_name_deletes_first(cli_stack: StackFactory) -> None:
    """A new workspace_id keeps the name, which is unique per region: the old service goes first."""
    stack = cli_stack(PROGRAMS / "service")
    stack.up()
    stack.config_set("workspaceId", "ws-2")
    preview = stack.preview()
    assert "--delete-replaced" not in preview.stdout
    up = stack.up()
    mutations = [(call.action, call.subjects[0]) for call in up.only(*MUTATIONS)]
    assert mutations == [("DeleteService", "svc_one"), ("CreateAppService", "svc_one")], up.describe()
    assert "replaced" in up.stdout, up.describe()
