"""Start the emulator CLI as a real process and read the port it announces."""

from __future__ import annotations

import selectors
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def read_line(proc: subprocess.Popen[str], timeout: float = 20.0) -> str:
    """The next stdout line, or an AssertionError with stderr if none comes in time."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = proc.stdout.readline()
                if line:
                    return line.strip()
            if proc.poll() is not None:
                break
    finally:
        selector.close()
    stderr = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
    raise AssertionError(f"no line from the emulator process (exit {proc.poll()}): {stderr}")


@contextmanager
def emulator_process(args: Sequence[str] = ()) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m pulumi_alicloud_ai.emulator --port 0 ARGS``; yields the process and its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_alicloud_ai.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(proc)
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield proc, line.removeprefix("listening on ")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
