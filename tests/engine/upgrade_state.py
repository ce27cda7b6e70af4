"""Saved stacks for the upgrade test: what this version writes, kept so later versions can read it.

The pickled providers in a stack's state name our module paths, so a state written today must still
refresh, update and destroy with tomorrow's code (docs/engine.md, "Compatibility"). For each release,
run once, with the Pulumi CLI on PATH or built (./scripts/pulumi-cli):

    python -m tests.engine.upgrade_state tests/data/upgrade/<version>

It deploys tests/engine/programs/all-four on a fresh emulator and writes ``stack.json`` (``pulumi stack
export --show-secrets``: the emulator's token in clear, so no passphrase is needed to import it) and
``emulator.sql`` (the emulator's database as SQL text, so the saved ids exist again when it is loaded).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.engine.cli import CliStack

PROGRAM = Path(__file__).parent / "programs" / "all-four"
STACK = "upgrade"
VIDEO = "four-video-0001"


def load_emulator_data(dump: Path, data_dir: Path) -> None:
    """Recreate a saved emulator database in ``data_dir`` (before the emulator starts there)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(data_dir / "emulator.sqlite3")
    try:
        database.executescript(dump.read_text())
    finally:
        database.close()


def saved_stack(cli_bin: Path, work: Path, emulator: RunningEmulator, saved: Path) -> CliStack:
    """A new stack of the program holding the saved state."""
    stack = CliStack(cli_bin, PROGRAM, work, emulator, stack=STACK)
    stack.import_state(saved / "stack.json")
    return stack


def _without_source_positions(exported: dict[str, Any]) -> dict[str, Any]:
    """The export without where each resource was declared (paths of the machine that wrote it)."""
    for resource in exported["deployment"].get("resources", []):
        resource.pop("sourcePosition", None)
        resource.pop("stackTrace", None)
    return exported


def write(target: Path, cli_bin: Path) -> None:
    """Deploy the program on a fresh emulator and save its stack and the emulator's data in ``target``."""
    import httpx

    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "emulator"
        with serve_in_thread(EmulatorConfig(data_dir=data_dir, time_scale=0)) as emulator:
            video = {"Title": VIDEO, "Duration": 120, "VideoId": VIDEO}
            httpx.post(f"{emulator.url}/_emulator/vod/videos", json=video, timeout=10).raise_for_status()
            stack = CliStack(cli_bin, PROGRAM, Path(tmp) / "stack", emulator, stack=STACK)
            stack.up()
            (target / "stack.json").write_text(
                json.dumps(_without_source_positions(stack.export(show_secrets=True)), indent=4) + "\n"
            )
            database = sqlite3.connect(data_dir / "emulator.sqlite3")
            try:
                (target / "emulator.sql").write_text("\n".join(database.iterdump()) + "\n")
            finally:
                database.close()


if __name__ == "__main__":
    from tests.conftest import pulumi_bin_dir

    bin_dir = pulumi_bin_dir()
    if bin_dir is None or len(sys.argv) != 2:
        sys.exit("usage: python -m tests.engine.upgrade_state DIR  (with a Pulumi CLI: ./scripts/pulumi-cli)")
    write(Path(sys.argv[1]), bin_dir)
