"""API requests answered without ASGI: the hot path of every API call.

uvicorn hands each request to the app as an ASGI call: a task, a scope, ``receive`` and ``send``, and
an answer whose every header h11 validates again, written in two sends. For an API call whose head and
body have both arrived, none of that is needed: :class:`AnsweringProtocol` reads it from h11, has the
app work out the answer at once (``EmulatorApp.answer_at_once``, the same steps as its ASGI call), and
writes the answer in one send, with h11 still framing it and keeping the connection's state. This more
than halves the server's own cost per call.

Everything else goes through ASGI as before: the dashboard and admin API, HEAD, ``Expect:
100-continue``, a body still arriving, a client that is not reading its answers, and every call while a
fault rule delays calls (a held call must not hold up the event loop).
"""

from __future__ import annotations

import asyncio
import functools
import http
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol
from urllib.parse import unquote

import h11
from uvicorn.protocols.http.h11_impl import RequestResponseCycle

from pulumi_alicloud_ai.emulator.admin import ADMIN_PREFIX
from pulumi_alicloud_ai.emulator.connections import ConnectionLimits, GuardedH11Protocol, server_registry


class Answerer(Protocol):
    """What the app offers for API requests answered without ASGI (``server.EmulatorApp``)."""

    def answers_at_once(self) -> bool:
        """Whether a request whose body has arrived can be answered now, without waiting."""
        ...

    def answer_at_once(
        self, scope: dict[str, Any], raw_headers: Sequence[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Status, headers (besides ``content-length``) and body of the answer to one request."""
        ...


def _path_of(target: bytes) -> str:
    """The decoded path of a request target, as uvicorn puts it in an ASGI scope."""
    raw_path = target.partition(b"?")[0]
    return unquote(raw_path.decode("ascii")) if b"%" in raw_path else raw_path.decode("ascii")


def _body_in(conn: h11.Connection) -> tuple[bytes, bool]:
    """The body of the request whose head h11 just gave, as far as it has arrived, and whether that
    is all of it."""
    chunks = []
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Data):
            chunks.append(event.data)
        else:
            return b"".join(chunks), isinstance(event, h11.EndOfMessage)


class AnsweringProtocol(GuardedH11Protocol):
    """The guarded uvicorn protocol, answering whole API requests itself."""

    answerer: ClassVar[Answerer]

    def handle_events(self) -> None:
        """While no ASGI request is in flight, answer the whole API requests waiting; then the
        guarded uvicorn loop follows whatever is left."""
        if self.cycle is None or self.cycle.response_complete:
            self._take_requests(self.answerer)
            if self.transport.is_closing():  # answered a bad request, or asked to close
                return
        super().handle_events()

    def _take_requests(self, answerer: Answerer) -> None:
        """Answer each API request whose head and body are both in, without ASGI: no task, scope,
        ``receive`` or ``send`` per call, and the answer leaves in one send. The first request that
        cannot be answered so (the dashboard and admin API, HEAD, ``Expect: 100-continue``, a body
        still arriving, a client not reading its answers, a delaying fault rule) starts an ASGI cycle,
        whose body uvicorn's loop then follows."""
        conn = self.conn
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError:
                self.send_400_response("Invalid HTTP request received.")
                return
            if event is h11.NEED_DATA:
                return
            if event is h11.PAUSED:
                self.flow.pause_reading()
                return
            if isinstance(event, h11.Request):
                self._unset_keepalive_if_required()
                self.registry.forget(self)
                path = _path_of(event.target)
                if not self._may_answer_at_once(event, path, answerer):
                    self._start_cycle(event, path, b"")
                    return
                try:
                    body, whole = _body_in(conn)
                except h11.RemoteProtocolError:
                    self.send_400_response("Invalid HTTP request received.")
                    return
                if not whole:
                    self._start_cycle(event, path, body)
                    return
                self._answer_at_once(event, path, body, answerer)
                if self.transport.is_closing():
                    return
            elif isinstance(event, h11.EndOfMessage) and conn.our_state is h11.DONE:
                # The end of a body that an ASGI call answered before reading it all.
                self.transport.resume_reading()
                conn.start_next_cycle()
            # Else the body data of such a call: dropped, as uvicorn does.

    def _may_answer_at_once(self, request: h11.Request, path: str, answerer: Answerer) -> bool:
        return (
            request.method != b"HEAD"
            and not path.startswith(ADMIN_PREFIX)
            and not self.conn.they_are_waiting_for_100_continue
            and not self.flow.write_paused
            and answerer.answers_at_once()
        )

    def _answer_at_once(self, request: h11.Request, path: str, body: bytes, answerer: Answerer) -> None:
        raw_path, _, query = request.target.partition(b"?")
        scope = {
            "method": request.method.decode("ascii"),
            "path": path,
            "raw_path": raw_path,
            "query_string": query,
        }
        status, fields, payload = answerer.answer_at_once(scope, request.headers, body)
        conn = self.conn
        # (h11 gives None only for ConnectionClosed.)
        head = (
            conn.send(
                h11.Response(
                    status_code=status,
                    headers=[(b"content-length", b"%d" % len(payload))],
                    reason=_reason(status),
                )
            )
            or b""
        )
        framed = conn.send(h11.Data(data=payload)) or b""
        end = conn.send(h11.EndOfMessage()) or b""
        # h11 frames the answer and keeps the connection's state; its head ends with the blank line,
        # and the other header lines (ours, then uvicorn's date and server) go in before it.
        lines = [
            name + b": " + value + b"\r\n" for name, value in (*fields, *self.server_state.default_headers)
        ]
        self.transport.write(b"".join((head[:-2], *lines, b"\r\n", framed, end)))
        self.server_state.total_requests += 1
        if conn.our_state is h11.MUST_CLOSE:
            conn.send(h11.ConnectionClosed())
            self.transport.close()
            return
        conn.start_next_cycle()
        self._await_head()

    def _start_cycle(self, request: h11.Request, path: str, body: bytes) -> None:
        """Hand a request to the ASGI app, as uvicorn does with each request head it reads."""
        self.headers = list(request.headers)
        raw_path, _, query = request.target.partition(b"?")
        self.scope = {
            "type": "http",
            "asgi": {"version": self.asgi_version, "spec_version": "2.3"},
            "http_version": request.http_version.decode("ascii"),
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,  # type: ignore[typeddict-item]
            "method": request.method.decode("ascii"),
            "root_path": self.root_path,
            "path": self.root_path + path,
            "raw_path": self.root_path.encode("ascii") + raw_path,
            "query_string": query,
            "headers": self.headers,
            "state": self.app_state.copy(),
        }
        cycle = self.cycle = RequestResponseCycle(
            scope=self.scope,
            conn=self.conn,
            transport=self.transport,
            flow=self.flow,
            logger=self.logger,
            access_logger=self.access_logger,
            access_log=self.access_log,
            default_headers=self.server_state.default_headers,
            message_event=asyncio.Event(),
            on_response=self.on_response_complete,
        )
        if body:
            cycle.body += body
            cycle.message_event.set()
        task = self.loop.create_task(cycle.run_asgi(self.app))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)


@functools.cache
def _reason(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


def answering_protocol(limits: ConnectionLimits, answerer: Answerer) -> type[AnsweringProtocol]:
    """A protocol class for one server: its connection limits, and the app that answers API calls."""

    class ServerProtocol(AnsweringProtocol):
        pass

    ServerProtocol.registry = server_registry(limits)
    ServerProtocol.answerer = answerer
    return ServerProtocol
