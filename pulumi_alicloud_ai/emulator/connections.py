"""Connection limits: deadlines for each request's head and body, and a cap on open connections.

uvicorn's HTTP/1.1 protocol waits for a request head as long as the client likes and accepts connections
until the process runs out of file descriptors, so a few hundred clients that each send half a head lock
everyone else out. :class:`GuardedH11Protocol` is uvicorn's h11 protocol with three additions:

* **head deadline**: a connection gets ``header_timeout`` seconds, counted from when it opened or its
  last answer ended, to send a whole request head; trickling bytes does not extend it;
* **body deadline**: a request gets ``body_timeout`` seconds after its head to send its whole body;
* **connection cap**: at most ``max_connections`` connections are open, and never so many that the
  process's open-file limit is reached (:func:`budget`, which also sizes the accept batch). A
  connection beyond the cap pushes out the one that has waited longest for a request head (a slow
  client, or an idle kept-alive one); when every connection is busy with a request, the newcomer gets
  ``503``.

One timer per server sweeps the deadlines every quarter of the shorter timeout (at most a second), so
a deadline is enforced up to that much late, never early.

A missed deadline is answered ``408 RequestTimeout`` (in the API's error shape) and the connection is
closed. The application then receives ``http.disconnect`` instead of the rest of the body, and must not
act on the part that arrived (``server._read_body``).
"""

from __future__ import annotations

import asyncio
import json
import math
import resource
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from pulumi_alicloud_ai.client.errors import ERROR_CONTENT_TYPE, error_body

LISTEN_QUEUE = 2048
"""The kernel's queue of connections not yet accepted (uvicorn's default backlog)."""
DEFAULT_MAX_CONNECTIONS = 500
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 30.0


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a client may take, and how many connections may be open at once."""

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT

    def __post_init__(self) -> None:
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {self.max_connections}")
        for name in ("header_timeout", "body_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, got {value}")


@dataclass(frozen=True)
class Budget:
    """What fits under the process's open-file limit."""

    connections: int
    """Open connections at most (the cap)."""
    accept_batch: int
    """Connections accepted per wake of the listening socket (``backlog``): asyncio accepts that many
    before any of them is set up, so the cap alone cannot keep a burst from running out of files (and
    asyncio 3.11 then retries ``accept`` in a tight loop)."""


def budget(requested: int) -> Budget:
    """The cap and accept batch for ``requested`` connections under ``ulimit -n``, leaving room for
    the database, the logs, the event loop and outgoing callbacks."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return Budget(requested, 2048)
    room = soft - max(32, min(160, soft // 4))
    connections = max(1, min(requested, room * 2 // 3))
    # A newcomer pushes an older connection out, and that one's descriptor closes a loop pass or two
    # later, so up to about three batches are open on top of the cap.
    return Budget(connections, max(1, min(2048, (room - connections) // 3)))


def widen_listen_queue(sockets: Iterable[Any]) -> None:
    """Give listening sockets the full kernel queue again.

    asyncio uses one ``backlog`` both for ``listen()`` and as the accept batch; the batch must stay
    small (:func:`budget`), but a small kernel queue drops the SYNs of a burst of honest clients, who
    then wait a second to retry. ``listen()`` on a listening socket only resizes its queue.
    """
    for listening in sockets:
        with socket.fromfd(listening.fileno(), listening.family, listening.type) as duplicate:
            duplicate.listen(LISTEN_QUEUE)


def raw_error(status: int, reason: str, code: str, message: str) -> bytes:
    """A whole ``Connection: close`` HTTP/1.1 error response, written without the h11 state machine
    (a head that never completed has no request to answer in h11's terms)."""
    rid = str(uuid.uuid4()).upper()
    body = json.dumps(
        error_body(code, message, request_id=rid, host_id="", product=""), separators=(",", ":")
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {ERROR_CONTENT_TYPE}\r\n"
        f"content-length: {len(body)}\r\nx-acs-request-id: {rid}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Registry:
    """The connections of one server that wait for a request head or for the rest of a body, each with
    its deadline, and the one timer that enforces them.

    Each table is kept in deadline order for free: every entry of a table gets the same timeout, counted
    from the loop's clock when it is (re)inserted at the end. A sweep therefore stops at the first entry
    still in time. One timer for all connections, not one per request: scheduling and cancelling an
    asyncio timer per request costs more than the rest of this guard.
    """

    def __init__(self, cap: int, limits: ConnectionLimits) -> None:
        self.cap = cap
        self.limits = limits
        self.waiting: dict[GuardedH11Protocol, float] = {}
        """Connections waiting for a request head, longest-waiting first, with their deadlines."""
        self.receiving: dict[GuardedH11Protocol, float] = {}
        """Connections whose request head arrived and whose body has not, with their deadlines."""
        self.tick = min(1.0, max(0.01, min(limits.header_timeout, limits.body_timeout) / 4))
        """Seconds between sweeps: a deadline is enforced at most this late."""
        self._sweep: asyncio.TimerHandle | None = None

    def await_head(self, connection: GuardedH11Protocol, now: float) -> None:
        self.receiving.pop(connection, None)
        self.waiting.pop(connection, None)
        self.waiting[connection] = now + self.limits.header_timeout
        self._arm(connection.loop)

    def await_body(self, connection: GuardedH11Protocol, now: float) -> None:
        self.waiting.pop(connection, None)
        self.receiving[connection] = now + self.limits.body_timeout
        self._arm(connection.loop)

    def forget(self, connection: GuardedH11Protocol) -> None:
        self.waiting.pop(connection, None)
        self.receiving.pop(connection, None)

    def push_out_one(self) -> bool:
        """Close the connection that has waited longest for a head; False when none is waiting."""
        victim = next(iter(self.waiting), None)
        if victim is None:
            return False
        victim.give_up()
        return True

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._sweep is None:
            self._sweep = loop.call_later(self.tick, self._run_sweep, loop)

    def _run_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweep = None
        now = loop.time()
        for table in (self.waiting, self.receiving):
            late: list[GuardedH11Protocol] = []
            for connection, deadline in table.items():
                if deadline > now:
                    break
                late.append(connection)
            for connection in late:
                connection.expire()
        if self.waiting or self.receiving:
            self._arm(loop)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the deadlines and the cap of :class:`ConnectionLimits`."""

    registry: ClassVar[_Registry]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._current: Any = None
        """The request cycle last seen starting (uvicorn's ``RequestResponseCycle``)."""
        self._partial_head = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take a slot, pushing out the longest-waiting connection when all are taken."""
        full = len(self.connections) >= self.registry.cap
        super().connection_made(transport)
        if full and not self.registry.push_out_one():
            self._close_with(
                raw_error(503, "Service Unavailable", "ServiceUnavailable", "Too many open connections.")
            )
            return
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection's deadline and its place in the queue."""
        self.registry.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed h11, then follow the request the bytes belong to."""
        if self in self.registry.waiting:
            self._partial_head = True
        super().data_received(data)

    def handle_events(self) -> None:
        """uvicorn's event loop over h11, then: a new request head ends the head deadline and starts
        the body deadline; a complete body ends the body deadline."""
        super().handle_events()
        cycle = self.cycle
        if cycle is None:
            return
        if cycle is not self._current:
            self._current = cycle
            if cycle.more_body:
                self.registry.await_body(self, self.loop.time())
            else:
                self.registry.forget(self)
        elif not cycle.more_body:
            self.registry.receiving.pop(self, None)

    def on_response_complete(self) -> None:
        """After an answer, the connection waits for its next head (unless a pipelined one started)."""
        super().on_response_complete()
        current = self._current
        if not self.transport.is_closing() and (current is None or current.response_complete):
            self._await_head()

    def give_up(self) -> None:
        """Close this waiting connection to make room: 408 if it had begun a head, silently if idle."""
        if self._partial_head:
            self._close_with(self._timeout_answer())
        else:
            self._close_with(b"")

    def expire(self) -> None:
        """The connection missed its deadline: 408 for a request begun and unanswered, else close."""
        cycle = self.cycle
        waiting_for_head = self in self.registry.waiting
        if waiting_for_head and not self._partial_head:
            self._close_with(b"")
        elif waiting_for_head or (cycle is not None and not cycle.response_started):
            self._close_with(self._timeout_answer())
        else:
            self._close_with(b"")

    def _await_head(self) -> None:
        self._partial_head = False
        self.registry.await_head(self, self.loop.time())

    def _timeout_answer(self) -> bytes:
        limits = self.registry.limits
        which = "head" if self in self.registry.waiting else "body"
        seconds = limits.header_timeout if which == "head" else limits.body_timeout
        return raw_error(
            408,
            "Request Timeout",
            "RequestTimeout",
            f"The request {which} did not arrive within {seconds:g} seconds; nothing was done.",
        )

    def _close_with(self, answer: bytes) -> None:
        if self.transport.is_closing():
            self.registry.forget(self)
            return
        if answer:
            self.transport.write(answer)
        self.registry.forget(self)
        self.transport.close()


def server_registry(limits: ConnectionLimits) -> _Registry:
    """The queue and deadlines one server's connections share (a guarded protocol's ``registry``)."""
    return _Registry(budget(limits.max_connections).connections, limits)
