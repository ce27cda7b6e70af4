"""Stacks written by earlier versions (tests/data/upgrade/<version>) still work with this code: the
state's pickled providers name our module paths, which are a public contract (docs/engine.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.engine.cli import leftovers
from tests.engine.upgrade_state import load_emulator_data, saved_stack

pytestmark = pytest.mark.needs_cli

SAVED = sorted((Path(__file__).parents[1] / "data" / "upgrade").iterdir())


def test_every_release_left_a_saved_stack() -> None:
    """At least today's version is kept (python -m tests.engine.upgrade_state writes one)."""
    assert [
        path.name for path in SAVED if (path / "stack.json").is_file() and (path / "emulator.sql").is_file()
    ]


@pytest.fixture(params=SAVED, ids=[path.name for path in SAVED])
def saved(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


@pytest.fixture
def saved_emulator(saved: Path, tmp_path: Path, emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator holding what the saved stack deployed."""
    load_emulator_data(saved / "emulator.sql", tmp_path / "emulator")
    return emulators.start(data_dir=tmp_path / "emulator", time_scale=0)


def test_saved_stack_refreshes_and_destroys_with_its_own_pickled_providers(
    saved: Path, saved_emulator: RunningEmulator, pulumi_cli: Path, tmp_path: Path
) -> None:
    """Refresh (Read) and destroy (Delete) run the providers unpickled from the saved state."""
    stack = saved_stack(pulumi_cli, tmp_path / "stack", saved_emulator, saved)
    assert sorted(stack.resources()) == ["job", "service", "task", "template"]
    refresh = stack.refresh("--expect-no-changes")
    assert {"DescribeService", "GetAITemplate", "GetAIImageJobs", "GetAITask"} <= set(refresh.actions), (
        refresh.describe()
    )
    destroy = stack.destroy()
    assert destroy.count("DeleteService") == destroy.count("DeleteAITemplate") == 1, destroy.describe()
    assert leftovers(saved_emulator) == {}


def test_saved_stack_updates_in_place_with_this_version(
    saved: Path, saved_emulator: RunningEmulator, pulumi_cli: Path, tmp_path: Path
) -> None:
    """With today's program the saved stack has no diff; a replicas change is one in-place update."""
    stack = saved_stack(pulumi_cli, tmp_path / "stack", saved_emulator, saved)
    stack.preview("--expect-no-changes")
    stack.config_set("replicas", "3")
    up = stack.up()
    changes = (
        "CreateAppService",
        "UpdateAppService",
        "DeleteService",
        "AddAITemplate",
        "SubmitAIImageJob",
        "CreateAITask",
    )
    assert [call.action for call in up.only(*changes)] == ["UpdateAppService"], up.describe()
    stack.destroy()
    assert leftovers(saved_emulator) == {}
