"""Resource options carried out by the real engine: protect, ignore_changes, retain_on_delete,
depends_on and aliases."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.engine.cli import CliRun, leftovers
from tests.engine.conftest import PROGRAMS, StackFactory

pytestmark = pytest.mark.needs_cli

MUTATIONS = ("CreateAppService", "UpdateAppService", "DeleteService", "AddAITemplate", "DeleteAITemplate")


def mutations(run: CliRun) -> list[str]:
    """The calls that change something, in order."""
    return [call.action for call in run.only(*MUTATIONS)]


def test_protect_refuses_the_destroy_until_unprotected(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    """A protected service survives `pulumi destroy` (which fails, naming it); unprotected, it goes."""
    stack = cli_stack(PROGRAMS / "service")
    stack.config_set("protect", "true")
    stack.up()
    refused = stack.destroy(expect_failure=True)
    assert "protected" in refused.output, refused.describe()
    assert mutations(refused) == []
    assert leftovers(cli_emulator) == {"eas services": ["svc_one"]}
    assert list(stack.resources()) == ["svc"]

    stack.config_set("protect", "false")
    stack.up()
    assert mutations(stack.destroy()) == ["DeleteService"]
    assert leftovers(cli_emulator) == {}


def test_ignore_changes_prevents_the_replace(cli_stack: StackFactory) -> None:
    """With ignore_changes on workspace_id, a new workspace (which would replace) changes nothing."""
    stack = cli_stack(PROGRAMS / "service")
    stack.run("config", "set", "--path", "ignoreChanges[0]", "workspace_id")
    stack.up()
    service_id = stack.outputs()["service_id"]
    stack.config_set("workspaceId", "ws-2")
    stack.preview("--expect-no-changes")
    up = stack.up()
    assert mutations(up) == [], up.describe()
    assert stack.outputs()["service_id"] == service_id

    stack.run("config", "rm", "--path", "ignoreChanges")
    preview = stack.preview()
    assert "+-pulumi-python:dynamic/alicloud-ai:AppService: (replace)" in preview.stdout, preview.describe()


def test_retain_on_delete_leaves_the_service(cli_stack: StackFactory, cli_emulator: RunningEmulator) -> None:
    """retain_on_delete: destroy forgets the service in the stack and leaves it running."""
    stack = cli_stack(PROGRAMS / "service")
    stack.config_set("retainOnDelete", "true")
    stack.up()
    destroy = stack.destroy()
    assert mutations(destroy) == [], destroy.describe()
    assert stack.resources() == {}
    assert leftovers(cli_emulator) == {"eas services": ["svc_one"]}


def test_depends_on_orders_creates_and_deletes(cli_stack: StackFactory) -> None:
    """The template is created only after the service is Running, and deleted before the service."""
    stack = cli_stack(PROGRAMS / "ordering")
    up = stack.up()
    actions = [call.action for call in up.calls]
    first_template_call = actions.index("AddAITemplate")
    model_calls = [i for i, call in enumerate(up.calls) if call.subjects[:1] == ("ordered_model",)]
    assert model_calls, up.describe()
    assert max(model_calls) < first_template_call, actions

    destroy = stack.destroy()
    assert mutations(destroy) == ["DeleteAITemplate", "DeleteService"], destroy.describe()


def test_aliases_rename_a_component_without_replacing_its_children(cli_stack: StackFactory) -> None:
    """Renaming the LlmService (alias to its old name) renames its child too, with no API change."""
    stack = cli_stack(PROGRAMS / "component")
    stack.up()
    service_id = stack.outputs()["service_id"]
    assert sorted(stack.resources()) == ["chat", "chat-service"]

    stack.config_set("componentName", "assistant")
    preview = stack.preview()
    assert "replace" not in preview.stdout and "create" not in preview.stdout, preview.describe()
    up = stack.up()
    assert mutations(up) == [], up.describe()
    assert sorted(stack.resources()) == ["assistant", "assistant-service"]
    assert stack.outputs()["service_id"] == service_id
