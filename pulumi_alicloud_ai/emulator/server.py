"""The emulator's HTTP server: one ASGI app serving every product on one port.

An API call is one pass through :meth:`EmulatorApp._call` (body within a limit → route → verify
signature → faults → handler in one transaction → JSON). A call that arrives whole is answered without
ASGI by the server's protocol (``answering.py``, :meth:`EmulatorApp.answer_at_once`); any other goes
through the raw ASGI app here. Everything under ``/_emulator/`` goes to the Starlette admin app.
Handlers run on the event-loop thread, which is also the only thread touching SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

import uvicorn

from pulumi_alicloud_ai.client.errors import ERROR_CONTENT_TYPE, error_body
from pulumi_alicloud_ai.client.transport import ORIGIN_HEADER
from pulumi_alicloud_ai.emulator.admin import ADMIN_PREFIX, build_admin_app
from pulumi_alicloud_ai.emulator.answering import answering_protocol
from pulumi_alicloud_ai.emulator.connections import ConnectionLimits, budget, widen_listen_queue
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.faults import Outcome
from pulumi_alicloud_ai.emulator.formats import json_bytes
from pulumi_alicloud_ai.emulator.hosts import serves_api_host
from pulumi_alicloud_ai.emulator.instance import INSTANCE_HEADER, InstanceHeader
from pulumi_alicloud_ai.emulator.recorder import call_recording, read_origin, remember_origin
from pulumi_alicloud_ai.emulator.routing import (
    Call,
    Encoded,
    Handler,
    Router,
    is_api_path,
    merged_params,
    product_for,
    service_modules,
)
from pulumi_alicloud_ai.emulator.runtime import EmulatorConfig, EmulatorState
from pulumi_alicloud_ai.emulator.verify import Received, verify

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("pulumi_alicloud_ai.emulator")


_RANDOM = os.urandom(10).hex().upper()
_REQUEST_ID_PREFIX = f"{_RANDOM[:8]}-{_RANDOM[8:12]}-{_RANDOM[12:16]}-{_RANDOM[16:20]}-"
_request_serial = itertools.count(1)


def new_request_id() -> str:
    """A RequestId in Alibaba's upper-case UUID form: random digits drawn when the process starts, then
    a serial number, so ids are unique without a system call per request."""
    return f"{_REQUEST_ID_PREFIX}{next(_request_serial) % 16**12:012X}"


def region_from_host(host: str, default: str) -> str:
    """``vod.cn-beijing.aliyuncs.com`` → ``cn-beijing``; a central host gives ``""``; others the default.

    Our client keeps the real regional Host header when pointed at the emulator (as a DNS override
    would), so one port serves every region; the official SDK sends ``127.0.0.1:PORT`` and gets the
    emulator's ``--region``.
    """
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not name.endswith(".aliyuncs.com"):
        return default
    labels = name.removesuffix(".aliyuncs.com").split(".")
    return labels[1] if len(labels) == 2 else ""


def _version(scope: Scope, headers: dict[str, str]) -> str:
    """The API version a request names (header, else query), read leniently: for error reports."""
    version = headers.get("x-acs-version")
    if version:
        return version
    query_text: str = scope["query_string"].decode("latin-1")
    return dict(parse_qsl(query_text, keep_blank_values=True)).get("Version", "")


def _signed(headers: dict[str, str], scope: Scope) -> bool:
    """Whether a request carries any Alibaba Cloud signature (an API client sent it)."""
    return bool(headers.get("authorization")) or b"Signature=" in scope["query_string"]


def _decode_headers(raw_headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as a dict. ASGI servers give names in lower case and values without surrounding
    blanks; a repeated name has its values joined with commas, as HTTP says."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw_headers}
    if len(headers) != len(raw_headers):
        headers = {}
        for raw_name, raw_value in raw_headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


class _TooLargeError(Exception):
    pass


class _AbortedError(Exception):
    """The client went away (or missed the body deadline) before its whole body arrived."""


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, or ``_AbortedError``: a call never runs on the part of a body that arrived."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _AbortedError
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _answer_bytes(result: dict[str, Any], rid: str) -> bytes:
    """A success body: ``RequestId`` first (unless the handler set one), then the handler's answer,
    encoded once by the handler when it is :class:`Encoded` (a request id needs no JSON escaping)."""
    encoded = result.json if isinstance(result, Encoded) else json_bytes(result)
    if "RequestId" in result:
        return encoded
    if encoded == b"{}":
        return b'{"RequestId":"' + rid.encode("ascii") + b'"}'
    return b"".join((b'{"RequestId":"', rid.encode("ascii"), b'",', memoryview(encoded)[1:]))


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
"""An API call's answer: status, headers (besides ``content-length``) and body."""

_JSON_CONTENT_TYPE = (b"content-type", b"application/json;charset=utf-8")
_ERROR_CONTENT_TYPE = (b"content-type", ERROR_CONTENT_TYPE.encode())
_INSTANCE_HEADER = INSTANCE_HEADER.encode()


def _answer(status: int, payload: bytes, headers: dict[str, str], rid: str, instance: str) -> Answer:
    """An answer with its content type, request id, emulator instance (here, not by
    :class:`InstanceHeader`: one layer less per call) and ``headers``."""
    fields = [
        _ERROR_CONTENT_TYPE if status >= 400 else _JSON_CONTENT_TYPE,
        (b"x-acs-request-id", rid.encode()),
        (_INSTANCE_HEADER, instance.encode()),
    ]
    if headers:
        fields.extend((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
    return status, fields, payload


async def _send(send: Send, answer: Answer) -> None:
    status, fields, payload = answer
    headers = [(b"content-length", str(len(payload)).encode()), *fields]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _arrived(body: bytes, limit: int) -> bytes:
    """A body that came whole with its head, read as :func:`_read_body` reads one."""
    if len(body) > limit:
        raise _TooLargeError
    return body


async def _delay(seconds: float, stopping: asyncio.Event) -> None:
    """An injected latency, cut short when the server stops: stopping never waits out a fault."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _after_commit(outcome: Outcome, stopping: asyncio.Event) -> None:
    """The faults that act once the call is committed: a late answer, or an error answer."""
    if outcome.response_latency:
        await _delay(outcome.response_latency, stopping)
    if outcome.response_error is not None:
        raise outcome.response_error


class EmulatorApp:
    """The ASGI application."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.admin = InstanceHeader(build_admin_app(state), state)
        self.stopping = asyncio.Event()
        """Set when the server starts to stop; injected latencies end then (see :func:`_delay`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith(ADMIN_PREFIX):
            recorder = self.state.recorder
            if recorder is None or scope["method"] in ("GET", "HEAD"):
                await self.admin(scope, receive, send)
            else:
                await call_recording(self.admin, scope, receive, send, recorder, self.state.clock.now())
            return
        await self._api(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        tasks: list[asyncio.Task[None]] = []
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for module in service_modules():
                    for task in getattr(module, "BACKGROUND_TASKS", []):
                        tasks.append(asyncio.create_task(task(self.state)))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _decode_headers(scope["headers"])
        answer = await self._call(scope, headers, functools.partial(_read_body, receive))
        if answer is not None:
            await _send(send, answer)

    def answers_at_once(self) -> bool:
        """Whether an API call whose body has arrived can be answered without waiting: no fault
        rule delays calls. (The server then skips ASGI for it: :meth:`answer_at_once`.)"""
        return not self.state.faults.delay()

    def answer_at_once(self, scope: Scope, raw_headers: Sequence[tuple[bytes, bytes]], body: bytes) -> Answer:
        """The answer to an API call that arrived whole, worked out now: the very steps of an ASGI
        call (:meth:`_call`), which wait for nothing when :meth:`answers_at_once` holds."""
        steps = self._call(scope, _decode_headers(raw_headers), functools.partial(_arrived, body))
        try:
            steps.send(None)
        except StopIteration as done:
            answer: Answer | None = done.value
            assert answer is not None  # only a body that never arrives leaves a call unanswered
            return answer
        steps.close()
        raise RuntimeError("an API call waited although no fault rule delays calls")

    async def _call(
        self, scope: Scope, headers: dict[str, str], read_body: Callable[[int], Awaitable[bytes]]
    ) -> Answer | None:
        """Verify, route and run one API call, and note it; None when its body never arrived whole."""
        rid = new_request_id()
        started = time.perf_counter()
        host = headers.get("host", "")
        product = ""
        call: Call | None = None
        result: dict[str, Any] = {}
        body = b""
        try:
            try:
                declared = int(headers.get("content-length", "0") or 0)
            except ValueError:
                declared = 0
            if declared > self.state.config.max_body:
                raise _TooLargeError
            body = await read_body(self.state.config.max_body)
            call, handler = self._prepare(scope, headers, body, rid, host)
            product = call.product
            outcome = self.state.faults.decide(call.product, call.action, call.region, time.time())
            if outcome.latency:
                await _delay(outcome.latency, self.stopping)
            if outcome.error is not None:
                raise outcome.error
            call.effect = outcome.effect
            result = self._handle(handler, call)
            await _after_commit(outcome, self.stopping)
        except _AbortedError:
            self._note_aborted(headers, host, scope, rid, started)
            return None
        except _TooLargeError:
            error: ApiError | None = ApiError(
                "RequestEntityTooLarge",
                f"The request body is larger than the {self.state.config.max_body} bytes this endpoint accepts.",
                413,
            )
        except ApiError as api_error:
            error = api_error
        except Exception:
            log.exception("unexpected error in the emulator (RequestId %s)", rid)
            error = ApiError(
                "InternalError", "The request processing has failed due to some unknown error.", 500
            )
        else:
            error = None
        instance = self.state.instance_id
        if error is None:
            answer = _answer(200, _answer_bytes(result, rid), {}, rid, instance)
        else:
            # Failed before routing: tell the product from what the request says.
            product = product or product_for(_version(scope, headers), scope["path"], host)
            body_of_error = error_body(
                error.code, error.message, request_id=rid, host_id=host, product=product
            )
            answer = _answer(error.status, json_bytes(body_of_error), error.headers, rid, instance)
        self._note(scope, headers, body, call, product, result, rid, answer[0], error, answer[2], started)
        return answer

    def _note_aborted(
        self, headers: dict[str, str], host: str, scope: Scope, rid: str, started: float
    ) -> None:
        """List a call whose body never fully arrived (nothing was done, nobody was answered)."""
        self.state.requests.append(
            (
                self.state.clock.now(),
                rid,
                product_for(_version(scope, headers), scope["path"], host),
                headers.get("x-acs-action", ""),
                "",
                499,
                "RequestAborted",
                "The client closed the connection before the whole request body arrived; nothing was done.",
                time.perf_counter() - started,
                (),
            )
        )

    def _note(
        self,
        scope: Scope,
        headers: dict[str, str],
        body: bytes,
        call: Call | None,
        product: str,
        result: dict[str, Any],
        rid: str,
        status: int,
        error: ApiError | None,
        payload: bytes,
        started: float,
    ) -> None:
        """Remember the request for the dashboard (O(1)); queue it for ``--record`` when recording.

        An unsigned request for a path no product serves (a browser's ``/favicon.ico``) is no API
        call: it is neither listed nor recorded.
        """
        if call is None and not is_api_path(scope["path"]) and not _signed(headers, scope):
            return
        state = self.state
        # Raw fields only: the RequestRecord (and its subjects) is built when the dashboard reads the log.
        state.requests.append(
            (
                state.clock.now(),
                rid,
                product,
                call.action if call is not None else headers.get("x-acs-action", ""),
                call.region if call is not None else "",
                status,
                error.code if error is not None else "",
                error.message if error is not None else "",
                time.perf_counter() - started,
                (call.path_params, call.params, result) if call is not None else (),
            )
        )
        if state.recorder is not None:
            state.recorder.api(
                arrived=started,
                clock=state.clock.now(),
                request_id=rid,
                method=scope["method"],
                path=scope["path"],
                query=scope["query_string"],
                headers=headers,
                body=body,
                status=status,
                response=payload,
            )

    def _prepare(
        self, scope: Scope, headers: dict[str, str], body: bytes, rid: str, host: str
    ) -> tuple[Call, Handler]:
        try:
            query_text = scope["query_string"].decode("ascii")
            query = dict(parse_qsl(query_text, keep_blank_values=True, errors="strict")) if query_text else {}
            raw_path = scope.get("raw_path") or scope["path"].encode()
            raw_path_text = raw_path.decode("ascii").split("?", 1)[0]
        except (UnicodeDecodeError, ValueError):
            raise ApiError(
                "InvalidParameter.Encoding", "The request URL is not valid UTF-8 percent-encoding."
            ) from None
        method = scope["method"]
        content_type = headers.get("content-type", "")
        action = headers.get("x-acs-action") or query.get("Action", "")
        version = headers.get("x-acs-version") or query.get("Version", "")
        state = self.state
        if not is_api_path(raw_path_text):
            raise ApiError(
                "InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404
            )
        config = state.config
        if not serves_api_host(host, config.host, config.allowed_hosts):
            raise ApiError(
                "Forbidden.Host",
                "The emulator answers API calls only for Alibaba Cloud endpoint names (*.aliyuncs.com), "
                "loopback names, its bound address and --allowed-host names (a DNS-rebound name is refused).",
                403,
            )
        access_key_id = verify(
            Received(method, raw_path_text, query, headers, body), state.secret_for, state.nonces, time.time()
        )
        path_params: dict[str, str] = {}
        if raw_path_text == "/":
            if not action:
                raise ApiError("MissingParameter.Action", "The input parameter 'Action' is not supplied.")
            route = state.router.rpc(version, action)
            form: dict[str, str] = {}
            if body and "application/x-www-form-urlencoded" in content_type:
                try:
                    form = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict"))
                except (UnicodeDecodeError, ValueError):
                    raise ApiError(
                        "InvalidParameter.Encoding", "The form body is not valid UTF-8 percent-encoding."
                    ) from None
            params = merged_params(query, form)
        else:
            route, raw_params = state.router.roa(version, method, raw_path_text, action)
            try:
                path_params = {
                    name: unquote(value, errors="strict") if "%" in value else value
                    for name, value in raw_params.items()
                }
            except UnicodeDecodeError:
                raise ApiError("InvalidParameter.Encoding", "The request path is not valid UTF-8.") from None
            params = query
        call = Call(
            product=route.product,
            action=route.action,
            version=version,
            region=path_params.get("ClusterId") or region_from_host(host, state.config.region),
            request_id=rid,
            host=host,
            params=params,
            path_params=path_params,
            body=body,
            content_type=content_type,
            access_key_id=access_key_id,
            state=state,
            origin=read_origin(headers.get(ORIGIN_HEADER)),
        )
        return call, route.handler

    def _handle(self, handler: Handler, call: Call) -> dict[str, Any]:
        if not call.origin:
            return self.state.store.run(handler, call)

        def and_remember_origin(call: Call) -> dict[str, Any]:
            result = handler(call)
            remember_origin(self.state.store, call.product, call.region, call.action, result, call.origin)
            return result

        return self.state.store.run(and_remember_origin, call)


@dataclass
class RunningEmulator:
    """A started emulator: where it listens and its live state."""

    url: str
    host: str
    port: int
    state: EmulatorState


class _Server(uvicorn.Server):
    """uvicorn, plus a callback once the socket is bound (to print the real port) and one when it
    starts to stop (to end injected latencies)."""

    on_ready: Callable[[int], None] | None = None
    on_stopping: Callable[[], None] | None = None

    async def shutdown(self, sockets: Any = None) -> None:
        """Tell the app first (its held answers go out at once), then uvicorn's graceful shutdown."""
        if self.on_stopping is not None:
            self.on_stopping()
        await super().shutdown(sockets)

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            widen_listen_queue(sock for server in self.servers for sock in server.sockets)
        if self.started and self.on_ready is not None:
            self.on_ready(self.servers[0].sockets[0].getsockname()[1])

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop gracefully on SIGINT/SIGTERM and exit 0 (uvicorn would re-raise the signal afterwards)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def make_server(config: EmulatorConfig, state: EmulatorState | None = None) -> tuple[_Server, EmulatorState]:
    """A uvicorn server for the emulator (not started)."""
    config.check_bind()
    limits = ConnectionLimits(config.max_connections, config.header_timeout, config.body_timeout)
    state = state or EmulatorState(config)
    app = EmulatorApp(state)
    uv_config = uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        http=answering_protocol(limits, app),
        backlog=budget(limits.max_connections).accept_batch,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )
    server = _Server(uv_config)
    server.on_stopping = app.stopping.set
    return server, state


@contextmanager
def serve_in_thread(config: EmulatorConfig, *, router: Router | None = None) -> Iterator[RunningEmulator]:
    """Run an emulator in a background thread for the ``with`` block, then stop it and close the DB.

    ``router`` replaces the service routes (tests use it to mount probe operations).
    """
    server, state = make_server(config, EmulatorState(config, router) if router is not None else None)
    ready = threading.Event()
    bound: list[int] = []

    def on_ready(port: int) -> None:
        bound.append(port)
        ready.set()

    server.on_ready = on_ready
    server.config.install_signal_handlers = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.run, name="alicloud-ai-emulator", daemon=True)
    thread.start()
    try:
        if not ready.wait(timeout=15):
            raise RuntimeError("the emulator did not start within 15 seconds")
        port = bound[0]
        yield RunningEmulator(f"http://{config.host}:{port}", config.host, port, state)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        state.close()
