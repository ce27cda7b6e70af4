"""``python -m pulumi_alicloud_ai events [--follow]``: read a stack's provider event log.

The log is written by :mod:`pulumi_alicloud_ai.resources._events`, one JSON line per event, and folded
here into one progress line per resource. ``--follow`` keeps reading while ``pulumi up`` runs:

* It starts at the current run, not at the log's first line: the lines already in the file are
  skipped up to the start of the latest run (a run ends when no operation is in flight and nothing is
  written for :data:`RUN_GAP_SECONDS`). When that run is over, it waits for the next one.
* In a terminal it redraws its lines in place. Each line is cut into screen rows of the terminal's
  width before it is drawn, and the cursor goes back up by exactly the rows drawn last time, so a long
  line never wraps into copies of itself; a frame taller than the terminal keeps its last rows.
* Elsewhere (a file, CI output) it prints a resource's line when it starts, changes status or ends.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pulumi_alicloud_ai.resources._events import events_dir, log_path, safe_name

RUN_GAP_SECONDS = 30.0
"""Quiet time, with no operation in flight, that separates one run from the next."""


@dataclass
class ResourceProgress:
    """One resource's latest operation, folded from its lines."""

    key: str
    name: str
    type: str
    operation: str = ""
    product: str = ""
    region: str = ""
    started: float = 0.0
    ended: float | None = None
    outcome: str = "running"
    statuses: tuple[str, ...] = ()
    calls: int = 0
    last_call: str = ""
    error: str = ""

    def apply(self, line: Mapping[str, Any]) -> None:
        """Fold one event line in."""
        event = line.get("event")
        when = float(line.get("time") or 0.0)
        if event == "start":
            self.operation = str(line.get("operation") or "")
            self.product, self.region = str(line.get("product") or ""), str(line.get("region") or "")
            self.started, self.ended, self.outcome = when, None, "running"
            self.statuses, self.calls, self.last_call, self.error = (), 0, "", ""
        elif event == "call":
            self.calls += 1
            code = f" {line['code']}" if line.get("code") else ""
            status = line.get("http_status") or "no answer"
            self.last_call = f"{line.get('action')} {status}{code}"
            if line.get("request_id"):
                self.last_call += f" {line['request_id']}"
        elif event == "status":
            self.statuses = (*self.statuses, str(line.get("status")))
        elif event == "end":
            self.ended = when
            self.outcome = str(line.get("outcome") or "ok")
            self.error = str(line.get("error") or "")

    def render(self, now: float) -> str:
        """``chat  AppService  create  Creating → Running  done  12.3s  (6 calls; last DescribeService 200 …)``."""
        elapsed = (self.ended if self.ended is not None else now) - self.started
        statuses = " → ".join(self.statuses[-4:]) or "-"
        mark = {"ok": "done", "error": "FAILED", "running": "..."}.get(self.outcome, self.outcome)
        parts = [
            self.name,
            self.type or self.product,
            self.operation,
            statuses,
            mark,
            f"{max(elapsed, 0.0):.1f}s",
            f"({self.calls} calls; last {self.last_call})" if self.last_call else "(no calls yet)",
        ]
        text = "  ".join(part for part in parts if part)
        return f"{text}  {self.error}" if self.error else text


class Progress:
    """Every resource's progress, in the order they first appeared."""

    def __init__(self) -> None:
        self.resources: dict[str, ResourceProgress] = {}

    @staticmethod
    def key_of(line: Mapping[str, Any]) -> str:
        """Which resource a line is about: its URN, else product, region and name."""
        return str(line.get("urn") or f"{line.get('product')}:{line.get('region')}:{line.get('resource')}")

    def apply(self, line: Mapping[str, Any]) -> ResourceProgress | None:
        """Fold a line in; returns the resource it changed."""
        if not isinstance(line, Mapping) or "event" not in line:
            return None
        key = self.key_of(line)
        progress = self.resources.get(key)
        if progress is None:
            progress = ResourceProgress(key, str(line.get("resource") or key), str(line.get("type") or ""))
            self.resources[key] = progress
        progress.apply(line)
        return progress

    def lines(self, now: float) -> list[str]:
        """One line per resource."""
        return [progress.render(now) for progress in self.resources.values()]


# --- reading the file -------------------------------------------------------------------------------


def read_lines(path: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Complete JSON lines from ``offset``; returns them and the offset after the last complete one."""
    return _parse([(line, end) for line, end in _raw_lines(path, offset)], offset)


def _raw_lines(path: Path, offset: int) -> list[tuple[bytes, int]]:
    """Each complete line from ``offset`` with the offset just after it."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return []
    found = []
    position = 0
    while (newline := data.find(b"\n", position)) >= 0:
        found.append((data[position:newline], offset + newline + 1))
        position = newline + 1
    return found


def _parse(raw: list[tuple[bytes, int]], offset: int) -> tuple[list[dict[str, Any]], int]:
    parsed: list[dict[str, Any]] = []
    for line, _ in raw:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            parsed.append(item)
    return parsed, raw[-1][1] if raw else offset


def current_run_offset(path: Path, now: float, gap: float = RUN_GAP_SECONDS) -> int:
    """Where the latest run starts in ``path``: after the last quiet gap with no operation in flight.
    When that run is over (nothing in flight and quiet for ``gap``), the end of the file."""
    start, last_time = 0, None
    in_flight: set[str] = set()
    for raw, end in _raw_lines(path, 0):
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict):
            continue
        when = float(line.get("time") or 0.0)
        if last_time is not None and not in_flight and when - last_time >= gap:
            start = end - len(raw) - 1  # this line opens a new run
        last_time = when
        op = str(line.get("op") or "")
        if line.get("event") == "start":
            in_flight.add(op)
        elif line.get("event") == "end":
            in_flight.discard(op)
    if last_time is None:
        return 0
    if not in_flight and now - last_time >= gap:
        with contextlib.suppress(OSError):
            return path.stat().st_size
    return start


def newest_log(directory: Path, project: str | None = None) -> Path | None:
    """The most recently written log in ``directory`` (of ``project`` when given)."""
    pattern = f"{safe_name(project)}-*.jsonl" if project else "*.jsonl"
    try:
        candidates = list(directory.glob(pattern))
    except OSError:
        return None
    return max(candidates, key=lambda path: path.stat().st_mtime, default=None)


def follow(
    path: Path,
    *,
    poll: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
) -> Iterator[tuple[Progress, dict[str, Any] | None]]:
    """Yield the progress and each new line of ``path`` from the current run on (waiting for the file
    to exist), and once per ``poll`` seconds without news (line ``None``), for ever; the caller stops
    iterating. A file that shrank (rotated, or deleted and started again) is read from its start."""
    progress = Progress()
    offset = current_run_offset(path, now())
    while True:
        try:
            if path.stat().st_size < offset:
                progress, offset = Progress(), 0
        except OSError:
            pass
        lines, offset = read_lines(path, offset)
        for line in lines:
            progress.apply(line)
            yield progress, line
        if not lines:
            yield progress, None
            sleep(poll)


# --- drawing in a terminal --------------------------------------------------------------------------


def _columns(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def screen_rows(text: str, width: int) -> list[str]:
    """``text`` cut into the rows a terminal ``width`` columns wide shows it in. Each row keeps one
    column free, so no terminal wraps it again, whatever it does with a full last column."""
    usable = max(width - 1, 1)
    rows, row, used = [], "", 0
    for char in text:
        size = _columns(char)
        if used + size > usable and row:
            rows.append(row)
            row, used = "", 0
        row += char
        used += size
    rows.append(row)
    return rows


def frame(lines: list[str], width: int, height: int) -> list[str]:
    """The screen rows that show ``lines`` (indented two spaces), at most ``height - 1`` of them: when
    they do not fit, the first row says how many were left out and the latest rows follow."""
    rows = [row for line in lines for row in screen_rows(f"  {line}", width)]
    room = max(height - 1, 2)
    if len(rows) <= room:
        return rows
    kept = rows[len(rows) - room + 1 :]
    return [f"  ({len(rows) - len(kept)} earlier rows not shown)", *kept]


def redraw(previous_rows: int, rows: list[str]) -> str:
    """What to write to replace the last frame (``previous_rows`` rows) with ``rows``: back up exactly
    that many rows, clear to the end of the screen, draw."""
    back = f"\x1b[{previous_rows}F\x1b[J" if previous_rows else ""
    return back + "".join(f"{row}\n" for row in rows)


# --- the command ------------------------------------------------------------------------------------


def _choose_file(args: argparse.Namespace, environ: Mapping[str, str]) -> Path | None:
    if args.file is not None:
        return Path(args.file)
    project = args.project
    if project is None:
        try:
            import yaml

            loaded = yaml.safe_load(Path("Pulumi.yaml").read_text(encoding="utf-8"))
            project = loaded.get("name") if isinstance(loaded, dict) else None
        except (OSError, ValueError, ImportError):
            project = None
    if project and args.stack:
        return log_path(str(project), args.stack, environ)
    return newest_log(events_dir(environ), str(project) if project else None)


def parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_alicloud_ai events",
        description="Show the provider event log of a stack: one progress line per resource.",
    )
    parser.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="keep reading while `pulumi up` runs, from the current run",
    )
    parser.add_argument("--file", help="an event log file (default: the stack's, or the newest)")
    parser.add_argument("--project", help="project name (default: Pulumi.yaml here)")
    parser.add_argument("--stack", help="stack name")
    parser.add_argument("--raw", action="store_true", help="print the JSON lines as they are")
    return parser


def main(
    argv: list[str],
    out: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``python -m pulumi_alicloud_ai events [--follow] [--file F | --project P --stack S]``."""
    out = out or sys.stdout
    env = os.environ if environ is None else environ
    args = parser().parse_args(argv)
    path = _choose_file(args, env)
    while path is None and args.follow:
        print(f"waiting for an event log in {events_dir(env)} ...", file=out, flush=True)
        sleep(1.0)
        path = _choose_file(args, env)
    if path is None or (not args.follow and not path.exists()):
        print(f"no event log found ({path or events_dir(env)}); run `pulumi up` first", file=sys.stderr)
        return 1
    if not args.follow:
        return _show(path, out, raw=args.raw)
    print(f"following {path} from the current run (Ctrl-C to stop)", file=out, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops following
        _follow(path, out, raw=args.raw, sleep=sleep)
    return 0


def _show(path: Path, out: TextIO, *, raw: bool) -> int:
    progress = Progress()
    for entry in read_lines(path)[0]:
        if raw:
            print(json.dumps(entry, ensure_ascii=False), file=out)
        progress.apply(entry)
    if not raw:
        print(f"{path}:", file=out)
        for text in progress.lines(time.time()):
            print(f"  {text}", file=out)
    return 0


def _follow(
    path: Path,
    out: TextIO,
    *,
    raw: bool,
    sleep: Callable[[float], None],
    terminal_size: Callable[[], os.terminal_size] = shutil.get_terminal_size,
) -> None:
    """In a terminal, redraw the resources' lines in place; otherwise print a resource's line each time
    it starts, changes status or ends (so a log file or CI output stays readable)."""
    tty = bool(getattr(out, "isatty", lambda: False)())
    drawn = 0
    for progress, entry in follow(path, sleep=sleep):
        if raw:
            if entry is not None:
                print(json.dumps(entry, ensure_ascii=False), file=out, flush=True)
        elif tty:
            size = terminal_size()
            rows = frame(progress.lines(time.time()), size.columns, size.lines)
            out.write(redraw(drawn, rows))
            out.flush()
            drawn = len(rows)
        elif entry is not None and entry.get("event") in ("start", "status", "end"):
            changed = progress.resources.get(Progress.key_of(entry))
            if changed is not None:
                print(f"  {changed.render(time.time())}", file=out, flush=True)
