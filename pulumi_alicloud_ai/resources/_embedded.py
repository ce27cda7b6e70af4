"""The embedded emulator: started on demand when no credentials are found, shared by every process.

Its state lives in one data directory (``ALICLOUD_AI_EMULATOR_HOME``, default
``~/.pulumi-alicloud-ai/emulator``), so a later ``pulumi up``, ``refresh`` or ``destroy`` finds the
services an earlier one made. ``endpoint.json`` there records the running process; a lock file makes
concurrent provider processes start one emulator, not four. It keeps running after the deployment
(stop it with ``python -m pulumi_alicloud_ai emulator stop``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

_STARTED: list[subprocess.Popen[bytes]] = []
"""Emulators this process started. The handle is kept: the child outlives its provider call, and
dropping a running child's handle makes Python warn."""

DEFAULT_TIME_SCALE = "0.1"
"""Lifecycles run at a tenth of cloud time on the laptop: a 30 s creation takes 3 s."""


def home() -> Path:
    """The embedded emulator's directory."""
    configured = os.environ.get("ALICLOUD_AI_EMULATOR_HOME")
    return Path(configured) if configured else Path.home() / ".pulumi-alicloud-ai" / "emulator"


def _healthy(url: str) -> bool:
    import httpx  # only when the embedded emulator is used

    try:
        return httpx.get(f"{url}/_emulator/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _recorded(directory: Path) -> dict[str, object] | None:
    try:
        record = json.loads((directory / "endpoint.json").read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def running_url(directory: Path | None = None) -> str | None:
    """The URL of a healthy embedded emulator, if one runs."""
    record = _recorded(directory or home())
    url = record.get("url") if record else None
    return url if isinstance(url, str) and _healthy(url) else None


def ensure_running(timeout: float = 30.0) -> str:
    """The embedded emulator's URL, starting it first if needed."""
    directory = home()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        url = running_url(directory)
        if url is not None:
            return url
        return _start(directory, timeout)


def _start(directory: Path, timeout: float) -> str:
    log_path = directory / "emulator.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pulumi_alicloud_ai.emulator",
                "--port",
                "0",
                "--data-dir",
                str(directory / "data"),
                "--time-scale",
                os.environ.get("ALICLOUD_AI_EMULATOR_TIME_SCALE", DEFAULT_TIME_SCALE),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives the provider process that started it
        )
    _STARTED.append(process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if line.startswith("listening on "):
                url = line.removeprefix("listening on ").strip()
                (directory / "endpoint.json").write_text(json.dumps({"url": url, "pid": process.pid}))
                return url
        if process.poll() is not None:
            break
        time.sleep(0.05)  # waiting for a child process to bind its port; nothing to advance
    process.kill()
    raise RuntimeError(f"the embedded emulator did not start; see {log_path}: {log_path.read_text()[-500:]}")


def stop() -> bool:
    """Stop the embedded emulator if it runs; True when one was stopped."""
    directory = home()
    record = _recorded(directory)
    pid = record.get("pid") if record else None
    if not isinstance(pid, int):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        (directory / "endpoint.json").unlink(missing_ok=True)
        for child in [p for p in _STARTED if p.pid == pid]:  # ours: reap it, leave no zombie
            child.wait(timeout=15)
            _STARTED.remove(child)
        return True
    return False
