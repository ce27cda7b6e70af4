"""The README's first command, as a newcomer runs it (minus the virtualenv set-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run_demo(tmp_path: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))}
    # The providers' waits run on the demo emulator's clock: the service is Creating for its whole
    # 30 s (3 s at the demo's time scale) and the test waits for none of it.
    env.update(
        HOME=str(tmp_path), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", ALICLOUD_AI_WAIT_CLOCK="emulator"
    )
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai", "demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_demo_without_the_cli_deploys_scales_and_destroys(tmp_path: Path) -> None:
    """The demo creates the service, shows the 1 -> 3 replicas diff, applies it and destroys."""
    result = _run_demo(tmp_path, "--no-cli")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "drives the same providers through the" in out
    assert "status: Running" in out
    assert "~ replicas: 1 => 3" in out
    assert "internet_endpoint  http://" in out
    assert "access_token       [secret]" in out
    assert "AppService chat delete" in out
    done, engine = out.rstrip().splitlines()[-2:]
    assert done.startswith("Done in")
    assert engine == "engine: the local engine (pulumi_alicloud_ai.testing.LocalEngine)"


@pytest.mark.needs_cli
def test_demo_with_the_pulumi_cli(tmp_path: Path, pulumi_cli: Path) -> None:
    """With the Pulumi CLI on PATH the demo runs real pulumi up/preview/destroy and says so."""
    result = _run_demo(tmp_path, path=f"{pulumi_cli}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "$ pulumi preview --diff" in out
    assert "~ replicas      : 1 => 3" in out
    assert "-  pulumi-python:dynamic/alicloud-ai:AppService chat deleted" in out
    assert out.rstrip().splitlines()[-1].endswith(f"engine: the Pulumi CLI ({pulumi_cli / 'pulumi'})")
