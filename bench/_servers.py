"""Servers the benchmarks start in their own processes; each prints ``listening on http://HOST:PORT``.

``python bench/_servers.py bare BODY_FILE``
    A bare ASGI app on uvicorn (configured as the emulator configures it) answering every request with
    the fixed JSON in BODY_FILE.
``python bench/_servers.py moto``
    moto's ``ThreadedMotoServer`` on 127.0.0.1 (bench-only dependency ``moto[server]``).
``python bench/_servers.py counting-emulator [EMULATOR FLAGS]``
    The emulator (``EmulatorApp``) wrapped in a counting ASGI middleware. ``GET /_bench/log`` returns one
    ``[wall time, action, HTTP status, error code]`` entry per API request received; ``POST
    /_bench/log/clear`` empties it. Takes the emulator's own flags (``--time-scale``, ``--faults``...).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def _uvicorn_config(app: App) -> uvicorn.Config:
    # The same settings as pulumi_alicloud_ai.emulator.server.make_server.
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )


class _Server(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            print(f"listening on http://127.0.0.1:{port}", flush=True)


class BareApp:
    """Reads the request body and answers the fixed JSON: the floor of the uvicorn stack."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = [
            (b"content-type", b"application/json;charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] != "http.disconnect"
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


class CountingApp:
    """Records every API request the wrapped emulator answers: action, status and error code."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.log: list[tuple[float, str, int, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/_bench/"):
            await self._bench(scope, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        action = headers.get("x-acs-action") or dict(parse_qsl(scope["query_string"].decode("latin-1"))).get(
            "Action", "?"
        )
        seen: dict[str, Any] = {"status": 0, "body": b""}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and seen["status"] >= 400:
                seen["body"] += message.get("body", b"")
            await send(message)

        received = time.time()
        await self.app(scope, receive, counting_send)
        code = ""
        if seen["status"] >= 400:
            try:
                code = str(json.loads(seen["body"]).get("Code", ""))
            except ValueError:
                code = "?"
        self.log.append((received, action, seen["status"], code))

    async def _bench(self, scope: Scope, send: Send) -> None:
        if scope["path"] == "/_bench/log/clear":
            self.log.clear()
        payload = json.dumps(self.log).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def serve_bare(body_file: str) -> None:
    _Server(_uvicorn_config(BareApp(Path(body_file).read_bytes()))).run()


def serve_counting_emulator(argv: list[str]) -> None:
    from pulumi_alicloud_ai.emulator.cli import parse_args
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState
    from pulumi_alicloud_ai.emulator.server import EmulatorApp

    config = parse_args(["--port", "0", *argv])
    config.check_bind()
    state = EmulatorState(config)
    try:
        _Server(_uvicorn_config(CountingApp(EmulatorApp(state)))).run()
    finally:
        state.close()


def serve_moto() -> None:
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs every request by default; the emulator and bare servers run without access logs.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


def main(argv: list[str]) -> int:
    kind = argv[0] if argv else ""
    if kind == "bare" and len(argv) == 2:
        serve_bare(argv[1])
    elif kind == "moto":
        serve_moto()
    elif kind == "counting-emulator":
        serve_counting_emulator(argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
