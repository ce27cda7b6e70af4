"""Start the emulator CLI as a real process and read the port it announces."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from pulumi_alicloud_ai.testing.provider_host import read_line


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
