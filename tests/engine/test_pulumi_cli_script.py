"""scripts/pulumi-cli picks the CLI: a compatible one on PATH wins, then the build cache; never a wrong version."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "pulumi-cli"
PINNED = "3.260.0"


def _run(tmp_path: Path, on_path_version: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``pulumi-cli ARGS`` with an empty cache, no Go, and maybe a fake ``pulumi`` printing a version."""
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    if on_path_version is not None:
        (fake / "pulumi").write_text(f"#!/bin/sh\necho {on_path_version}\n")
        (fake / "pulumi").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PULUMI_ALICLOUD_AI_CACHE": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [str(SCRIPT), "--no-build"], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def test_the_pin_is_the_python_sdk_pin() -> None:
    """tools/pulumi/go.mod builds the CLI of the release pyproject.toml pins the SDK to."""
    go_mod = (REPO / "tools" / "pulumi" / "go.mod").read_text()
    assert f"github.com/pulumi/pulumi/pkg/v3 v{PINNED}\n" in go_mod
    assert f"github.com/pulumi/pulumi/sdk/v3 v{PINNED}\n" in go_mod
    assert f'"pulumi=={PINNED}",' in (REPO / "pyproject.toml").read_text()


@pytest.mark.parametrize("version", [f"v{PINNED}", "v3.260.1", "v3.272.0"])
def test_a_compatible_cli_on_path_wins(tmp_path: Path, version: str) -> None:
    found = _run(tmp_path, version, "--no-build")
    assert (found.returncode, found.stdout.strip()) == (0, str(tmp_path / "fake-bin"))


@pytest.mark.parametrize("version", ["v3.259.9", "v4.0.0", "not a version"])
def test_another_version_on_path_is_ignored_and_said_so(tmp_path: Path, version: str) -> None:
    found = _run(tmp_path, version, "--no-build")
    assert found.returncode == 1
    assert found.stdout == ""
    assert f"version '{version}' is not {PINNED} or a newer 3.x" in found.stderr
    assert f"no Pulumi CLI {PINNED} on PATH or in {tmp_path / 'cache'}" in found.stderr


def test_without_go_it_says_how_to_get_a_cli(tmp_path: Path) -> None:
    """No CLI anywhere and no Go on PATH: exit 1 with the two ways to get one."""
    if shutil.which("go", path=f"/usr/bin{os.pathsep}/bin"):
        pytest.skip("Go is in /usr/bin here, so the script would build")
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PULUMI_ALICLOUD_AI_CACHE": str(tmp_path / "cache"),
    }
    found = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert found.returncode == 1
    assert "and no Go to build one" in found.stderr
    assert "https://go.dev/dl/" in found.stderr and "https://www.pulumi.com/docs/install/" in found.stderr
