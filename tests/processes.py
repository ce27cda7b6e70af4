"""Other processes in tests: the emulator CLI started for real, and waiting on another process's progress."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from pulumi_alicloud_ai.testing.provider_host import read_line


@contextmanager
def emulator_process(
    args: Sequence[str] = (), *, fd_limit: int | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m pulumi_alicloud_ai.emulator --port 0 ARGS``; yields the process and its URL.

    ``fd_limit`` lowers the child's open-file limit (``ulimit -n``), as on a small machine. The child's
    stderr goes to a file, so however much it logs it never blocks on a full pipe.
    """

    def limit_files() -> None:
        if fd_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_alicloud_ai.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        preexec_fn=limit_files if fd_limit is not None else None,  # noqa: PLW1509 - no threads yet
    )
    try:
        try:
            line = read_line(proc)
        except RuntimeError as exc:
            stderr.seek(0)
            raise RuntimeError(f"{exc}{stderr.read()}") from None
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield proc, line.removeprefix("listening on ")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
        stderr.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll a condition that another process makes true (a provider host committing a call), with a
    deadline. Nothing in this process can signal it, so it is polled; it never waits for a lifecycle
    transition (those are driven by the emulator's clock)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
