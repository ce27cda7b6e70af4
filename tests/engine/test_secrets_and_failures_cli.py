"""What the real CLI keeps and shows: secrets in `pulumi stack export`, and a failed create."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.engine.cli import CliStack
from tests.engine.conftest import PROGRAMS, StackFactory
from tests.official_sdk import eas_client

pytestmark = pytest.mark.needs_cli

KEY_ID, KEY_SECRET = "LTAI5tEngineSecretsKey", "s3cr3t-Engine-Access-Key-Value"


def _decoded_strings(text: str) -> str:
    """Every long base64 run in ``text`` decoded (the pickled provider is base64 in the state)."""
    decoded = []
    for run in re.findall(r"[A-Za-z0-9+/=]{40,}", text):
        try:
            decoded.append(base64.b64decode(run + "=" * (-len(run) % 4)).decode("latin-1"))
        except ValueError:
            continue
    return "\n".join(decoded)


def test_stack_export_holds_no_token_or_credential_in_clear(
    pulumi_cli: Path, tmp_path: Path, emulators: EmulatorFactory
) -> None:
    """The access token is encrypted in `pulumi stack export` and shown by `--show-secrets`; the keys
    the provider signed with appear in neither, nor in the pickled provider."""
    emulator = emulators.start(time_scale=0, access_key_id=KEY_ID, access_key_secret=KEY_SECRET)
    stack = CliStack(
        pulumi_cli,
        PROGRAMS / "service",
        tmp_path / "stack",
        emulator,
        env={
            "ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID": KEY_ID,
            "ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET": KEY_SECRET,
        },
    )
    stack.up()
    token = (
        eas_client(emulator, key=KEY_ID, secret=KEY_SECRET)
        .describe_service("cn-shanghai", "svc_one")
        .body.access_token
    )
    assert len(token) > 20

    exported = stack.export_text()
    shown = stack.export_text(show_secrets=True)
    assert token not in exported
    assert token in shown
    for text in (exported, shown, _decoded_strings(shown)):
        assert KEY_SECRET not in text
        assert KEY_ID not in text
    assert '"access_token": {\n' in exported and "ciphertext" in exported


def _fail_next_create(emulator: RunningEmulator, message: str) -> None:
    rule = {"product": "eas", "action": "CreateAppService", "effect": "fail", "message": message, "count": 1}
    httpx.post(f"{emulator.url}/_emulator/faults", json=[rule], timeout=10).raise_for_status()


def test_a_failed_create_shows_our_message_and_the_next_up_converges(
    cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    """A create that ends Failed: `pulumi up` exits non-zero and its diagnostics end with our one-line
    message. (The Pulumi SDK's dynamic-provider host sends any provider exception as its traceback, so
    the progress line reads "error: Traceback ..." and our line closes the traceback under
    Diagnostics.) The failed service is gone, and the next `up` converges."""
    stack = cli_stack(PROGRAMS / "service")
    _fail_next_create(cli_emulator, "OSS path oss://models/llama-7b/ does not exist")
    failed = stack.up(expect_failure=True)
    lines = failed.stdout.splitlines()
    ours = [
        i
        for i, line in enumerate(lines)
        if re.search(r"EAS service svc_one in cn-shanghai .*Failed after create", line)
    ]
    assert len(ours) == 1, failed.describe()
    line = lines[ours[0]].strip()
    assert line.startswith("pulumi_alicloud_ai.resources._provider.ProviderError: EAS service svc_one"), line
    assert "ServiceFailed: OSS path oss://models/llama-7b/ does not exist" in line
    assert "The failed service was deleted" in line
    # It closes the resource's diagnostic: what follows is the next diagnostic (the engine orders them
    # either way) or the summary, never more traceback.
    following = next(rest for rest in lines[ours[0] + 1 :] if rest.strip())
    assert following == "Resources:" or re.fullmatch(r"  \S.* \(.+\):", following), failed.describe()
    assert stack.resources() == {}

    up = stack.up()
    assert up.count("CreateAppService") == 1
    assert up.printed_output("status") == '"Running"'
    stack.preview("--expect-no-changes")
