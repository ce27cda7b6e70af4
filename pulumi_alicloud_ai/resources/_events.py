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

``python -m pulumi_alicloud_ai events --follow`` (:mod:`pulumi_alicloud_ai.events`) tails the file with a
progress line per resource. Past 10 MiB the file is renamed ``<name>.1`` and started again, so it never
grows without bound. This module only writes; providers import it, so it stays at this path.

Where the names come from: the dynamic-provider host (``pulumi/dynamic/__main__.py``) receives the
resource's URN in each request but does not pass it to the provider, and it configures the runtime with
the placeholder stack ``"stack"``. So the URN (and with it the project and stack) is read from the host's
request in the calling frames, best effort; failing that, from the ``project``/``stack`` the resource
captured when the program ran (``_program.stack_settings``), then ``PULUMI_PROJECT``/``PULUMI_STACK``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping
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


def safe_name(text: str) -> str:
    """``text`` as it appears in a log file's name (anything but letters, digits, ``._-`` becomes ``_``)."""
    return _UNSAFE.sub("_", text)


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
    name = f"{safe_name(project) or 'project'}-{safe_name(stack) or 'stack'}.jsonl"
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
