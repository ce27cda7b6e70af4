"""The emulator as a process: its announce line, clean shutdown, bind safety, and kill -9 survival."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from alibabacloud_vod20170321.models import GetCategoriesRequest
from Tea.exceptions import TeaException

from tests.official_sdk import vod_client
from tests.processes import emulator_process


def test_sigterm_shuts_down_cleanly(tmp_path: Path) -> None:
    """SIGTERM stops the emulator with exit code 0."""
    with emulator_process(["--data-dir", str(tmp_path)]) as (proc, url):
        assert httpx.get(f"{url}/_emulator/health").json()["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_refuses_a_non_loopback_address_without_the_flag() -> None:
    """Binding beyond loopback needs --allow-remote; without it the CLI exits 2 saying why."""
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai.emulator", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr


def test_bad_faults_file_is_a_usage_error(tmp_path: Path) -> None:
    """A faults file that is not valid rules is reported with its path before anything starts."""
    bad = tmp_path / "faults.json"
    bad.write_text('[{"latency_ms": 1, "error": {"code": "X"}}]')
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai.emulator", "--faults", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert str(bad) in result.stderr and "exactly one of" in result.stderr


def test_state_survives_kill_9(tmp_path: Path) -> None:
    """Everything acknowledged before a SIGKILL (rules, clock, STS keys) is there after a restart."""
    data = ["--data-dir", str(tmp_path)]
    with emulator_process(data) as (proc, url):
        admin = f"{url}/_emulator"
        for i in range(20):
            httpx.post(f"{admin}/faults", json={"id": f"r{i}", "latency_ms": i}).raise_for_status()
        offset = httpx.post(f"{admin}/clock", json={"seconds": 120}).json()["offset"]
        sts = httpx.post(f"{admin}/sts", json={}).json()["Credentials"]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with emulator_process(data) as (_, url):
        admin = f"{url}/_emulator"
        assert [r["id"] for r in httpx.get(f"{admin}/faults").json()["rules"]] == [f"r{i}" for i in range(20)]
        assert httpx.get(f"{admin}/clock").json()["offset"] == offset
        emulator = SimpleNamespace(port=int(url.rsplit(":", 1)[1]))
        with pytest.raises(TeaException) as info:  # the STS key still verifies: the call gets past signing
            vod_client(
                emulator, key=sts["AccessKeyId"], secret=sts["AccessKeySecret"], token=sts["SecurityToken"]
            ).get_categories(GetCategoriesRequest())
        assert info.value.code == "InvalidAction.NotFound"


def test_faults_file_rules_apply_from_start(tmp_path: Path) -> None:
    """Rules given with --faults are active as soon as the emulator listens."""
    rules = tmp_path / "faults.json"
    rules.write_text(
        '{"rules": [{"id": "boot", "action": "CreateAppService", "error": {"code": "InternalError"}}]}'
    )
    with emulator_process(["--faults", str(rules)]) as (_, url):
        assert [r["id"] for r in httpx.get(f"{url}/_emulator/faults").json()["rules"]] == ["boot"]
