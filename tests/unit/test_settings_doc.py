"""docs/settings.md, the README and the code agree: each settings table lists every key the resolution
reads and nothing else, and the doc's example program runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai.resources import _setting_keys as keys

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "settings.md"
TABLES = {
    "docs/settings.md": ("## Every setting", "## Precedence"),
    "README.md": ("### Every setting", "### Precedence"),
}
READ_KEYS = {
    *keys.CONFIG_KEYS,
    keys.MODE_ENV,
    keys.ENDPOINT_ENV,
    *keys.REGION_ENVS,
    keys.ACCESS_KEY_ENV,
    keys.SECRET_KEY_ENV,
    keys.TOKEN_ENV,
    keys.PROFILE_ENV,
    keys.SHARED_FILE_ENV,
    keys.ROLE_ARN_ENV,
    keys.SESSION_NAME_ENV,
    keys.SESSION_EXPIRATION_ENV,
    *keys.EMULATOR_KEY_ENVS,
}


def _table(document: str) -> str:
    text = (ROOT / document).read_text(encoding="utf-8")
    first, after = TABLES[document]
    start = text.index(first)
    return text[start : text.index(after, start)]


@pytest.mark.parametrize("document", sorted(TABLES))
def test_the_table_lists_every_setting_the_code_reads(document: str) -> None:
    """Each stack key and variable of the resolution has its row."""
    table = _table(document)
    missing = sorted(key for key in READ_KEYS if f"`{key}`" not in table)
    assert missing == []


@pytest.mark.parametrize("document", sorted(TABLES))
def test_the_table_names_no_setting_the_code_ignores(document: str) -> None:
    """Every alicloud:*, alicloud-ai:* and ALICLOUD_* name in the table is one the code reads."""
    named = set(re.findall(r"`((?:alicloud(?:-ai)?:[A-Za-z]+)|(?:ALICLOUD_[A-Z_]+))`", _table(document)))
    assert named - READ_KEYS == set()


def test_the_example_program_records_references_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python block runs as written; each service records its settings (no key anywhere)."""
    block = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    monkeypatch.setenv("ALICLOUD_AI_ENDPOINT", "http://127.0.0.1:9")  # never called under mocks
    recorded: dict[str, Any] = {}

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            recorded[args.name] = args.inputs
            return f"{args.name}_id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
            return {}, None

    pulumi.runtime.set_mocks(Mocks(), project="doc", stack="dev", preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> Any:
        namespace: dict[str, Any] = {}
        exec(compile(block.group(1), "docs/settings.md", "exec"), namespace)
        return pulumi.Output.from_input(1)

    run()
    assert (
        recorded["chat"]["settings"]["assume_role"]["role_arn"] == "acs:ram::1234567890123456:role/deployer"
    )
    assert recorded["chat"]["region"] == "cn-hangzhou"
    assert recorded["chat-staging"]["settings"] == {"profile": "staging"}
