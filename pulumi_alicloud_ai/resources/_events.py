"""The provider event log: what each provider call did, as JSON lines in one file per stack.

The Pulumi engine does not show log output from inside a Python dynamic provider (pulumi/pulumi#6065),
so a user whose ``pulumi up`` waits on an EAS service would see nothing. Every provider operation here
opens its client through :func:`~pulumi_alicloud_ai.resources._provider.product_client`, which opens an
:class:`OperationLog`; it appends to

    ``$ALICLOUD_AI_EVENTS_DIR/<project>-<stack>.jsonl``  (default ``~/.pulumi-alicloud-ai/events/``)

one ``start`` line, one ``call`` line per API attempt (action, HTTP status, error code, RequestId,
milliseconds), a ``status`` line whenever the resource's status changes (``Creating`` → ``Running``), and
one ``end`` line (``ok`` or ``error`` with the message, elapsed seconds). Every line carries the
resource's URN, name and type, the operation (``create``, ``update``, ``delete``, ``read``), the product
and region, and an ``op`` id tying the lines of one operation together. No line holds a credential,
a token or a response body. ``ALICLOUD_AI_EVENT_LOG=off`` turns the log off.

``python -m pulumi_alicloud_ai events --follow`` tails the file with a progress line per resource. Past
10 MiB the file is renamed ``<name>.1`` and started again, so it never grows without bound.

Where the names come from: the dynamic-provider host (``pulumi/dynamic/__main__.py``) receives the
resource's URN in each request but does not pass it to the provider, and it configures the runtime with
the placeholder stack ``"stack"``. So the URN (and with it the project and stack) is read from the host's
request in the calling frames, best effort; failing that, from the ``project``/``stack`` the resource
captured when the program ran (``_settings.stack_settings``), then ``PULUMI_PROJECT``/``PULUMI_STACK``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from pulumi_alicloud_ai.client.transport import CallRecord

EVENTS_DIR_ENV = "ALICLOUD_AI_EVENTS_DIR"
EVENT_LOG_ENV = "ALICLOUD_AI_EVENT_LOG"
HOST_METHODS = {"Create": "create", "Update": "update", "Delete": "delete", "Read": "read"}
"""The dynamic-provider host's gRPC methods whose ``request.urn`` names the resource."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


MAX_LOG_BYTES = 10 * 1024 * 1024
"""Past this size a stack's log is renamed ``<name>.1`` (replacing the previous one) and started again."""


def rotate(path: Path) -> None:
    """Keep one previous file once the log has grown past :data:`MAX_LOG_BYTES`."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))


def events_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where per-stack event logs live."""
    env = os.environ if environ is None else environ
    configured = env.get(EVENTS_DIR_ENV)
    return Path(configured) if configured else Path.home() / ".pulumi-alicloud-ai" / "events"


def log_path(project: str, stack: str, environ: Mapping[str, str] | None = None) -> Path:
    """The event log of one stack: ``<events dir>/<project>-<stack>.jsonl``."""
    name = f"{_UNSAFE.sub('_', project) or 'project'}-{_UNSAFE.sub('_', stack) or 'stack'}.jsonl"
    return events_dir(environ) / name


@dataclass(frozen=True)
class Origin:
    """Which resource and operation a provider call serves."""

    project: str
    stack: str
    urn: str
    name: str
    type: str
    operation: str


def parse_urn(urn: str) -> tuple[str, str, str, str] | None:
    """``urn:pulumi:STACK::PROJECT::TYPE::NAME`` → ``(stack, project, short type, name)``."""
    if not urn.startswith("urn:pulumi:"):
        return None
    parts = urn.removeprefix("urn:pulumi:").split("::")
    if len(parts) < 4:
        return None
    qualified = parts[2].split("$")[-1]
    return parts[0], parts[1], qualified.rsplit(":", 1)[-1], "::".join(parts[3:])


def _host_request(frame: FrameType | None) -> tuple[str, str] | None:
    """``(urn, operation)`` from the dynamic-provider host's request in the calling frames."""
    while frame is not None:
        operation = HOST_METHODS.get(frame.f_code.co_name)
        if operation is not None:
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn.startswith("urn:"):
                return urn, operation
        frame = frame.f_back
    return None


def find_origin(
    captured: Mapping[str, Any] | None, fallback_name: str, environ: Mapping[str, str] | None = None
) -> Origin:
    """Name the resource and operation this call serves (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    captured = captured or {}
    project = str(captured.get("project") or env.get("PULUMI_PROJECT") or "project")
    stack = str(captured.get("stack") or env.get("PULUMI_STACK") or "stack")
    found = _host_request(sys._getframe(1))
    if found is not None:
        urn, operation = found
        parsed = parse_urn(urn)
        if parsed is not None:
            stack, project, typ, name = parsed
            return Origin(project, stack, urn, name, typ, operation)
        return Origin(project, stack, urn, fallback_name, "", operation)
    return Origin(project, stack, "", fallback_name, "", "call")


def status_of(body: Mapping[str, Any] | None) -> str | None:
    """The resource status an answer reports: ``Status`` at the top, or in its one listed item."""
    if not body:
        return None
    status = body.get("Status")
    if isinstance(status, str) and status:
        return status
    for value in body.values():
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            status = value[0].get("Status")
            if isinstance(status, str) and status:
                return status
    return None


class OperationLog:
    """The lines of one provider operation; never raises (a full disk must not fail a deployment)."""

    def __init__(self, path: Path | None, origin: Origin, product: str, region: str) -> None:
        self.path = path
        self.origin = origin
        self.product = product
        self.region = region
        self.op_id = uuid.uuid4().hex[:12]
        self.started = time.monotonic()
        self.status: str | None = None
        self.request_ids: list[str] = []
        self._fd: int | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                rotate(path)
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError:
                self._fd = None
        self.suffix = f" (event log: {path})" if self._fd is not None else ""
        """`` (event log: PATH)`` for error messages; empty when the log is off or cannot be written."""

    def named(self, message: str) -> str:
        """``message`` ending with :attr:`suffix`, once."""
        return message if not self.suffix or message.endswith(self.suffix) else message + self.suffix

    def write(self, event: str, **fields: Any) -> None:
        """Append one line; each line is one ``write`` on an ``O_APPEND`` descriptor, so lines from
        concurrent operations never interleave."""
        if self._fd is None:
            return
        line = {
            "time": round(time.time(), 3),
            "event": event,
            "op": self.op_id,
            "operation": self.origin.operation,
            "urn": self.origin.urn,
            "resource": self.origin.name,
            "type": self.origin.type,
            "product": self.product,
            "region": self.region,
            **fields,
        }
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            os.write(self._fd, data)
        except OSError:
            self.close_file()

    def start(self, target: str) -> None:
        """The operation began; ``target`` says where calls go (never which key)."""
        self.write("start", target=target, project=self.origin.project, stack=self.origin.stack)

    def on_call(self, record: CallRecord) -> None:
        """The transport's observer: one line per attempt, plus a status line on each change."""
        if record.request_id:
            self.request_ids.append(record.request_id)
        self.write(
            "call",
            action=record.action,
            attempt=record.attempt,
            http_status=record.status,
            code=record.code or None,
            request_id=record.request_id or None,
            ms=round(record.seconds * 1000, 1),
        )
        status = status_of(record.body)
        if status is not None and status != self.status:
            self.write("status", status=status, previous=self.status, action=record.action)
            self.status = status

    def finish(self, error: BaseException | None) -> None:
        """The operation ended; ``error`` is the message the engine will show (None: success)."""
        elapsed = round(time.monotonic() - self.started, 3)
        if error is None:
            self.write("end", outcome="ok", status=self.status, elapsed_s=elapsed)
        else:
            self.write(
                "end",
                outcome="error",
                status=self.status,
                elapsed_s=elapsed,
                error=str(error).splitlines()[-1] if str(error) else type(error).__name__,
                request_ids=self.request_ids[-3:],
            )
        self.close_file()

    def close_file(self) -> None:
        """Stop writing."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)


def open_operation(
    product: str, region: str, captured: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> OperationLog:
    """The log of the provider operation that is calling (called from ``product_client``)."""
    env = os.environ if environ is None else environ
    origin = find_origin(captured, f"{product}:{region}", env)
    enabled = env.get(EVENT_LOG_ENV, "").lower() not in ("off", "0", "false", "no")
    path = log_path(origin.project, origin.stack, env) if enabled else None
    return OperationLog(path, origin, product, region)


# --- reading: `python -m pulumi_alicloud_ai events [--follow]` ---------------------------------------


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
        """``chat  AppService  create  Creating → Running  ok  12.3s  (6 calls; last DescribeService 200 …)``."""
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


def read_lines(path: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Complete JSON lines from ``offset``; returns them and the offset after the last complete one."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    parsed: list[dict[str, Any]] = []
    for raw in data[:end].splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict):
            parsed.append(item)
    return parsed, offset + end


def newest_log(directory: Path, project: str | None = None) -> Path | None:
    """The most recently written log in ``directory`` (of ``project`` when given)."""
    pattern = f"{_UNSAFE.sub('_', project)}-*.jsonl" if project else "*.jsonl"
    try:
        candidates = list(directory.glob(pattern))
    except OSError:
        return None
    return max(candidates, key=lambda path: path.stat().st_mtime, default=None)


def follow(
    path: Path, *, poll: float = 0.5, sleep: Callable[[float], None] = time.sleep
) -> Iterator[tuple[Progress, dict[str, Any] | None]]:
    """Yield the progress and each new line of ``path`` (waiting for it to exist), and once per
    ``poll`` seconds without news (line ``None``), for ever; the caller stops iterating. A file that
    shrank (deleted and started again) is read from its start."""
    progress = Progress()
    offset = 0
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


def _choose_file(args: Any, environ: Mapping[str, str]) -> Path | None:
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


def events_main(
    argv: list[str],
    out: Any = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``python -m pulumi_alicloud_ai events [--follow] [--file F | --project P --stack S]``."""
    import argparse

    out = out or sys.stdout
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_alicloud_ai events",
        description="Show the provider event log of a stack: one progress line per resource.",
    )
    parser.add_argument("--follow", "-f", action="store_true", help="keep reading while `pulumi up` runs")
    parser.add_argument("--file", help="an event log file (default: the stack's, or the newest)")
    parser.add_argument("--project", help="project name (default: Pulumi.yaml here)")
    parser.add_argument("--stack", help="stack name")
    parser.add_argument("--raw", action="store_true", help="print the JSON lines as they are")
    args = parser.parse_args(argv)
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
    print(f"following {path} (Ctrl-C to stop)", file=out, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops following
        _follow(path, out, raw=args.raw, sleep=sleep)
    return 0


def _show(path: Path, out: Any, *, raw: bool) -> int:
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


def _follow(path: Path, out: Any, *, raw: bool, sleep: Callable[[float], None]) -> None:
    """In a terminal, redraw one line per resource in place; otherwise print a resource's line each time
    it starts, changes status or ends (so a log file or CI output stays readable)."""
    tty = bool(getattr(out, "isatty", lambda: False)())
    drawn = 0
    for progress, entry in follow(path, sleep=sleep):
        if raw:
            if entry is not None:
                print(json.dumps(entry, ensure_ascii=False), file=out, flush=True)
        elif tty:
            lines = progress.lines(time.time())
            out.write((f"\x1b[{drawn}F\x1b[J" if drawn else "") + "".join(f"  {text}\n" for text in lines))
            out.flush()
            drawn = len(lines)
        elif entry is not None and entry.get("event") in ("start", "status", "end"):
            changed = progress.resources.get(Progress.key_of(entry))
            if changed is not None:
                print(f"  {changed.render(time.time())}", file=out, flush=True)
