"""Fixtures for running programs with the local engine against an emulator of each test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources import _program
from pulumi_alicloud_ai.testing import LocalEngine
from pulumi_alicloud_ai.testing.provider_host import provider_env
from tests.conftest import EmulatorFactory

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture
def example_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An instant emulator (transitions at the next read) of the test's own."""
    return emulators.start(time_scale=0)


@pytest.fixture
def engine(
    example_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalEngine]:
    """A local engine whose programs and provider host both point at the emulator."""
    env = provider_env(example_emulator.url, str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _program.reset_cache()
    with LocalEngine("example", env=env) as running:
        yield running
    _program.reset_cache()
