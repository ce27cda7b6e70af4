"""A world per test: its own emulator at time scale 1 (the clock moves only when told)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import Admin
from tests.providers.conformance.world import World


@pytest.fixture
def world(fresh_emulator: RunningEmulator, admin: Admin, tmp_path: Path) -> Iterator[World]:
    """The test's emulator, its admin API and the hosts it starts (stopped at the end)."""
    running = World(fresh_emulator, admin, tmp_path)
    try:
        yield running
    finally:
        running.close()
