"""Import under the real CLI. The engine's import asks the provider to Read with only the id, and the
Pulumi SDK's dynamic-provider host needs the pickled provider from the inputs (upstream
pulumi/pulumi#16175): both `pulumi import` and `ResourceOptions(import_=...)` fail for every dynamic
resource with the error these tests pin. What works for an AppService is `adopt_existing=True`."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.engine.cli import CliStack, leftovers
from tests.engine.conftest import PROGRAMS, StackFactory, add_video

pytestmark = pytest.mark.needs_cli

TYPES = {
    "service": "pulumi-python:dynamic/alicloud-ai:AppService",
    "template": "pulumi-python:dynamic/alicloud-ai:VodAITemplate",
    "job": "pulumi-python:dynamic/alicloud-ai:AIImageJob",
    "task": "pulumi-python:dynamic/alicloud-ai:AITask",
}
UPSTREAM_ERROR = "KeyError: '__provider'"
"""The last line of the traceback the engine shows (pulumi/dynamic/__main__.py, get_provider)."""


def _existing(cli_stack: StackFactory, emulator: RunningEmulator) -> dict[str, str]:
    """One of each resource, made by a stack that then forgets them (retain_on_delete): their ids."""
    add_video(emulator, "four-video-0001")
    maker = cli_stack(PROGRAMS / "all-four", stack="maker")
    maker.config_set("retain", "true")
    maker.up()
    ids: dict[str, str] = maker.outputs()["ids"]
    maker.destroy()
    return ids


def _assert_refused(stack: CliStack, output: str, *names: str) -> None:
    assert UPSTREAM_ERROR in output
    assert stack.resources() == {}
    for name in names:
        assert f"{TYPES[name]} {name} import" in output


def test_import_fails_upstream_for_every_resource(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    """`pulumi import TYPE NAME ID` with the documented type tokens, and `import_=` in the program,
    both end in the engine's KeyError for all four resources, and change nothing."""
    ids = _existing(cli_stack, cli_emulator)
    stack = cli_stack(PROGRAMS / "all-four", stack="importer")
    for name, type_token in TYPES.items():
        refused = stack.import_(type_token, name, ids[name], expect_failure=True)
        _assert_refused(stack, refused.output, name)
        assert refused.only("CreateAppService", "AddAITemplate", "SubmitAIImageJob", "CreateAITask") == []

    stack.run(
        "config", "set-all", "--path", *(f"--plaintext=importIds.{name}={id_}" for name, id_ in ids.items())
    )
    refused = stack.up(expect_failure=True)
    _assert_refused(stack, refused.output, "service", "template", "task")
    assert refused.only("CreateAppService", "AddAITemplate", "SubmitAIImageJob", "CreateAITask") == []
    left = leftovers(cli_emulator)
    assert (left["eas services"], left["vod templates"]) == (["four_llm"], ["four-thumbnails"])


def test_adopt_existing_takes_over_a_service_the_stack_did_not_create(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    """The way that works for an AppService: adopt_existing=True checks the live service matches and
    manages it from then on (no CreateAppService); destroy deletes it."""
    maker = cli_stack(PROGRAMS / "service", stack="maker")
    maker.config_set("retainOnDelete", "true")
    maker.up()
    maker.destroy()

    stack = cli_stack(PROGRAMS / "service", stack="adopter")
    stack.config_set("adoptExisting", "true")
    up = stack.up()
    assert up.count("CreateAppService") == 0, up.describe()
    assert list(stack.resources()) == ["svc"]
    stack.preview("--expect-no-changes")
    destroy = stack.destroy()
    assert destroy.count("DeleteService") == 1
    assert leftovers(cli_emulator) == {}
