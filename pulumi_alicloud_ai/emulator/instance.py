"""Which emulator this is: a stable instance id per data directory, reported on health and in answers.

Providers record the id of the emulator a resource was created in. A restarted emulator on the same
data directory keeps its id (it is stored in the database), while a wiped one (``POST /_emulator/reset``),
an in-memory one or one on another data directory gets a new id, even at the same URL, so a provider
can tell "my service is gone" from "this is not the emulator my service lives in".

Every answer, API or admin, carries the id in the ``x-alicloud-ai-emulator-instance`` header.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from pulumi_alicloud_ai.emulator.store import Store

INSTANCE_HEADER = "x-alicloud-ai-emulator-instance"
_META_KEY = "instance.id"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_instance_id() -> str:
    """``emu-`` and 16 random hex digits."""
    return "emu-" + secrets.token_hex(8)


def load_or_create(store: Store) -> str:
    """The id stored in this database, created and stored on first use."""
    existing = store.get_meta(_META_KEY)
    if existing:
        return existing
    created = new_instance_id()
    with store.transaction():
        store.set_meta(_META_KEY, created)
    return created


class HasInstance(Protocol):
    """What the header middleware reads: the current id (it changes when the emulator is reset)."""

    instance_id: str


class InstanceHeader:
    """ASGI middleware adding the instance header to every HTTP answer."""

    def __init__(self, app: App, state: HasInstance) -> None:
        self._app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_instance(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((INSTANCE_HEADER.encode(), self._state.instance_id.encode()))
                message["headers"] = headers
            await send(message)

        await self._app(scope, receive, send_with_instance)
