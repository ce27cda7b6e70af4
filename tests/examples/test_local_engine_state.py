"""The local engine's state file: a later engine carries on from it, and no secret is in it in clear."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing import LocalEngine, LocalEngineError
from tests.examples.conftest import EXAMPLES
from tests.official_sdk import eas_client

PROGRAM = EXAMPLES / "llm-service"


def _engine(engine: LocalEngine, state_file: Path, passphrase: str | None = "correct horse") -> LocalEngine:
    return LocalEngine("llm-service", env=engine._env, state_file=state_file, passphrase=passphrase)


def test_a_later_engine_carries_on_from_the_state_file(
    engine: LocalEngine, example_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """Up with one engine; another, loading the file, sees no change, updates in place and destroys."""
    state_file = tmp_path / "dev.json"
    with _engine(engine, state_file) as first:
        first.up(PROGRAM, {"replicas": "1"})
    assert state_file.stat().st_mode & 0o077 == 0

    with _engine(engine, state_file) as second:
        assert [step.op for step in second.preview(PROGRAM, {"replicas": "1"})] == ["same"]
        steps, _ = second.up(PROGRAM, {"replicas": "2"})
        assert [step.op for step in steps] == ["update"]
    assert eas_client(example_emulator).describe_service("cn-shanghai", "chat_llm").body.total_instance == 2

    with _engine(engine, state_file) as third:
        assert [step.op for step in third.destroy()] == ["delete"]
    assert json.loads(state_file.read_text())["resources"] == []


def test_the_state_file_holds_no_secret_in_clear(
    engine: LocalEngine, example_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The access token and the serialized provider are encrypted; without a passphrase nothing is written."""
    state_file = tmp_path / "dev.json"
    with _engine(engine, state_file) as saving:
        saving.up(PROGRAM, {"replicas": "1"})
        state = next(iter(saving.state.values()))
    token = eas_client(example_emulator).describe_service("cn-shanghai", "chat_llm").body.access_token
    provider = state.inputs["__provider"]["value"]
    text = state_file.read_text()
    assert token and token not in text
    assert provider not in text
    saved = json.loads(text)["resources"][0]
    assert set(saved["outputs"]["access_token"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}

    with _engine(engine, tmp_path / "clear.json", passphrase=None) as clear:
        clear.state = dict(saving.state)
        with pytest.raises(LocalEngineError, match="never written in clear: give LocalEngine a passphrase"):
            clear.save()
    assert not (tmp_path / "clear.json").exists()

    with _engine(engine, state_file) as cleanup:
        cleanup.destroy()


def test_a_wrong_passphrase_or_a_damaged_file_is_refused_naming_the_file(
    engine: LocalEngine, tmp_path: Path
) -> None:
    """Loading fails, with the file's name and the reason, rather than starting from an empty state."""
    state_file = tmp_path / "dev.json"
    with _engine(engine, state_file) as saving:
        saving.up(PROGRAM, {"replicas": "1"})
    with pytest.raises(LocalEngineError, match=rf"{state_file}.*wrong passphrase"):
        _engine(engine, state_file, passphrase="battery staple")
    with pytest.raises(LocalEngineError, match=rf"{state_file}.*give the passphrase it was saved with"):
        _engine(engine, state_file, passphrase=None)

    damaged = tmp_path / "damaged.json"
    for text, reason in [
        ("{not json", "Expecting property name"),
        ('{"format": "something else"}', "not a pulumi-alicloud-ai/local-engine-state file"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 128 levels"),
    ]:
        damaged.write_text(text)
        with pytest.raises(LocalEngineError, match=rf"{damaged}: .*({reason})"):
            _engine(engine, damaged)
    with damaged.open("wb") as big:
        big.truncate(65 * 1024 * 1024)
    with pytest.raises(LocalEngineError, match="at most 67108864 are accepted"):
        _engine(engine, damaged)

    with _engine(engine, state_file) as cleanup:
        cleanup.destroy()
    os.remove(damaged)
