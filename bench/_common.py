"""Helpers shared by the benchmarks: child servers, a raw HTTP/1.1 load generator, statistics.

Nothing here asserts a timing: the benchmarks print numbers measured side by side in one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pulumi_alicloud_ai.testing.provider_host import read_line

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SERVERS = str(BENCH_DIR / "_servers.py")


def machine() -> str:
    """``nproc``, CPU model and Python version, for the README's figures."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}, {model}, Python {platform.python_version()}"


def header(name: str) -> None:
    """The first lines every benchmark prints."""
    print(f"== {name} — {time.strftime('%Y-%m-%d %H:%M:%S')} — {machine()}", flush=True)


@dataclass
class Child:
    """A server process started by a benchmark, and the URL it announced."""

    proc: subprocess.Popen[str]
    url: str

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (from /proc)."""
        return cpu_seconds(self.proc.pid)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (Linux ``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@contextmanager
def child(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> Iterator[Child]:
    """Run ``python ARGS``; it prints ``listening on http://127.0.0.1:PORT`` once ready. Killed after."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env) if env is not None else None,
        cwd=REPO_DIR,
    )
    try:
        line = read_line(proc, timeout=timeout)
        while not line.startswith("listening on "):
            line = read_line(proc, timeout=timeout)
        # Keep reading what the child prints: a full pipe would block it mid-benchmark.
        for stream in (proc.stdout, proc.stderr):
            threading.Thread(target=_drain, args=(stream,), daemon=True).start()
        yield Child(proc, line.removeprefix("listening on ").strip())
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def _drain(stream: IO[str] | None) -> None:
    if stream is None:
        return
    with contextlib.suppress(ValueError, OSError):  # closed when the child is stopped
        for _ in stream:
            pass


def emulator_args(*extra: str) -> list[str]:
    """``-m pulumi_alicloud_ai.emulator`` on a free loopback port."""
    return ["-m", "pulumi_alicloud_ai.emulator", "--host", "127.0.0.1", "--port", "0", *extra]


# --- statistics -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


# --- a raw HTTP/1.1 keep-alive load generator --------------------------------------------------------


@dataclass
class LoadResult:
    """What one load run measured, from the client's side."""

    requests: int
    elapsed: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    reconnects: int = 0
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server will close the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    close = b"\r\nconnection: close" in lower or head.startswith(b"HTTP/1.0")
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.index(b"\r\n", start + 2)
        length = int(lower[start + 17 : end])
        await reader.readexactly(length)
    elif b"\r\ntransfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()  # body until close
        close = True
    return status, close


async def _load(host: str, port: int, requests: Sequence[bytes], clients: int) -> LoadResult:
    pending = iter(requests)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    reconnects = 0

    async def one_client() -> None:
        nonlocal reconnects
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for request in pending:
                started = time.perf_counter()
                writer.write(request)
                status, close = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if close:
                    writer.close()
                    reconnects += 1
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    cpu0 = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, latencies, statuses, reconnects, time.process_time() - cpu0)


def run_load(url: str, requests: Sequence[bytes], clients: int) -> LoadResult:
    """Send every request in ``requests`` (raw HTTP/1.1 bytes) over ``clients`` keep-alive connections."""
    hostport = url.split("://", 1)[1]
    host, port = hostport.rsplit(":", 1)
    return asyncio.run(_load(host, int(port), requests, clients))


def raw_request(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes = b"") -> bytes:
    """HTTP/1.1 request bytes; ``content-length`` is added when there is a body and none is given."""
    lines = [f"{method} {target} HTTP/1.1"]
    names = {name.lower() for name, _ in headers}
    lines.extend(f"{name}: {value}" for name, value in headers)
    if body and "content-length" not in names:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# --- py-spy raw profiles ------------------------------------------------------------------------------


def print_profile(raw: Path, root: str, top: int = 22) -> None:
    """Summarise a ``py-spy record --format raw`` file: time under ``root`` by function, in % of samples.

    ``root`` is a frame as py-spy names it without the line number, e.g. ``_api (pkg/module.py)``.
    """
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = under_root = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [
            frame.rsplit(":", 1)[0] + ")" if frame.endswith(")") else frame for frame in stack.split(";")
        ]
        if root not in frames:
            continue
        under_root += samples
        below = frames[frames.index(root) :]
        for frame in set(below):
            inclusive[frame] = inclusive.get(frame, 0) + samples
        own[below[-1]] = own.get(below[-1], 0) + samples
    if not total:
        print("  (no samples)")
        return
    print(f"  {under_root / total:.0%} of all samples are under {root}; below it (inclusive / own):")
    for frame, samples in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {samples / total:6.1%} {own.get(frame, 0) / total:6.1%}  {frame}")
