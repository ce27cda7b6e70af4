"""Fixtures for the real-engine scenarios: an instant emulator of the test's own and stacks under the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.engine.cli import CliStack

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PROGRAMS = Path(__file__).parent / "programs"

StackFactory = Callable[..., CliStack]


@pytest.fixture
def cli_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator whose pending transitions happen at the next read (no waiting), on loopback."""
    return emulators.start(time_scale=0)


@pytest.fixture
def cli_stack(pulumi_cli: Path, tmp_path: Path, cli_emulator: RunningEmulator) -> StackFactory:
    """Makes a stack of a program directory under the real CLI, against the test's emulator."""
    made = 0

    def make(program: Path, **options: Any) -> CliStack:
        nonlocal made
        made += 1
        return CliStack(pulumi_cli, program, tmp_path / f"stack-{made}", cli_emulator, **options)

    return make


def add_video(emulator: RunningEmulator, video_id: str) -> str:
    """Register a video in the emulated VOD (the real service gets them by upload)."""
    body = {"Title": video_id, "Duration": 120, "VideoId": video_id}
    httpx.post(f"{emulator.url}/_emulator/vod/videos", json=body, timeout=10).raise_for_status()
    return video_id
