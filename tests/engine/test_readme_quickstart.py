"""The README's quick start, run exactly as printed in a copy of the repository, with a home of its own.

The section's fenced blocks are taken in order: ```bash blocks are commands, and a ```yaml or
```python block right after a line that names a file (`` `Pulumi.yaml`: ``) is that file, written
where the commands stand at that point. Everything runs in one bash, as a reader would type it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.needs_cli, pytest.mark.slow]

SECTION = "## Quick start in a stack"
FENCE = re.compile(
    r"^`(?P<file>[\w./-]+)`:\n\n```(?P<lang>\w+)\n(?P<body>.*?)^```$|^```(?P<cmdlang>bash)\n(?P<cmd>.*?)^```$",
    re.S | re.M,
)
EOF_MARK = "__QUICKSTART_FILE__"


def quickstart_script(readme: str) -> str:
    """The quick start as one bash script: its commands, and its files written with heredocs."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    parts = []
    for match in FENCE.finditer(section):
        if match["file"]:
            parts.append(f"cat > '{match['file']}' <<'{EOF_MARK}'\n{match['body']}{EOF_MARK}\n")
        else:
            parts.append(match["cmd"])
    return "".join(parts)


def test_the_quick_start_parses_into_files_and_commands() -> None:
    """The extraction finds every block the section prints (so the run below runs all of it)."""
    script = quickstart_script((REPO / "README.md").read_text())
    section = (REPO / "README.md").read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    assert script.count(EOF_MARK) == 2 * 3  # Pulumi.yaml, __main__.py, check_with_local_engine.py
    assert section.count("```") == 2 * 6
    assert "pulumi up --yes" in script and "emulator stop" in script


def _repository_copy(target: Path) -> Path:
    """The repository's tracked files, as a fresh clone has them."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        if name and (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def test_readme_quick_start_runs_as_printed(tmp_path: Path, pulumi_cli: Path) -> None:
    """Install from the clone, write the two files, run the CLI commands and the LocalEngine variant."""
    clone = _repository_copy(tmp_path / "pulumi-alicloud-ai")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALIBABA_CLOUD_", "ALICLOUD_", "PULUMI_", "VIRTUAL_ENV"))
        and not key.lower().endswith("_proxy")
    }
    # A reader's machine: an empty home, but the caches of this one (pip's wheels, the built CLI).
    # PULUMI_HOME too: the CLI finds the home directory in the user database, not in $HOME.
    env.update(
        HOME=str(home),
        PULUMI_HOME=str(home / ".pulumi"),
        XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")),
        PATH=f"{pulumi_cli}{os.pathsep}{os.environ['PATH']}",
        PULUMI_SKIP_UPDATE_CHECK="true",
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # Waits run on the embedded emulator's clock: the service is Creating and Deleting for as long
        # as a reader sees, and the test waits for none of it.
        ALICLOUD_AI_WAIT_CLOCK="emulator",
    )
    script = quickstart_script((clone / "README.md").read_text())
    try:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    finally:
        python = clone / ".venv" / "bin" / "python"
        if python.exists():  # the embedded emulator outlives a failed run: stop it
            subprocess.run(
                [str(python), "-m", "pulumi_alicloud_ai", "emulator", "stop"],
                cwd=clone, env=env, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    assert "LOCAL EMULATOR" in out
    assert re.search(r"^http://\S+/api/predict/chat_llm$", done.stdout, re.M), out[-6000:]
    assert "Resources:\n    - 2 deleted" in done.stdout, out[-6000:]
    assert re.search(r"^endpoint: http://\S+/api/predict/chat_llm$", done.stdout, re.M), out[-6000:]
