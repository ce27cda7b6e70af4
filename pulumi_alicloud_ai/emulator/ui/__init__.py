"""The emulator dashboard at ``/_emulator/ui``: what the emulated services hold, live.

Every EAS service, VOD template, video and AI image job, and ROS AI task, with its state, its history
and the last requests that touched it; the fault rules (add and remove them from the page); the clock
(advance it from the page). The page is server-rendered HTML with a small script that fetches the live
part again every second, so it follows a ``pulumi up`` as it runs. No build step, no assets beyond
``page.html``.

Routes (mounted in the admin app, so the admin guard applies):

* ``GET /_emulator/ui`` — the page;
* ``GET /_emulator/ui/live`` — its live fragment (HTML), fetched by the page's script;
* ``GET /_emulator/ui/feed`` — the same snapshot as JSON, for scripts and tests.

The page's forms use the admin API itself (``POST /_emulator/faults``, ``DELETE
/_emulator/faults/{id}``, ``POST /_emulator/clock``). Nothing secret is shown: tokens and keys are
masked in :mod:`.snapshot` before anything is rendered.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from pulumi_alicloud_ai.emulator.ui.render import live_fragment, page
from pulumi_alicloud_ai.emulator.ui.snapshot import snapshot

UI_PATH = "/_emulator/ui"
_HEADERS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-security-policy": (
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; frame-ancestors 'none'"
    ),
}


async def dashboard(request: Request) -> HTMLResponse:
    """The page, with the current snapshot rendered in."""
    return HTMLResponse(page(snapshot(request.app.state.emulator)), headers=_HEADERS)


async def live(request: Request) -> HTMLResponse:
    """The part of the page that changes."""
    return HTMLResponse(live_fragment(snapshot(request.app.state.emulator)), headers=_HEADERS)


async def feed(request: Request) -> JSONResponse:
    """The snapshot as JSON (masked like the page)."""
    return JSONResponse(snapshot(request.app.state.emulator), headers={"cache-control": "no-store"})


UI_ROUTES: list[BaseRoute] = [
    Route(UI_PATH, dashboard, methods=["GET"]),
    Route(f"{UI_PATH}/live", live, methods=["GET"]),
    Route(f"{UI_PATH}/feed", feed, methods=["GET"]),
]
"""Included by :func:`pulumi_alicloud_ai.emulator.admin.build_admin_app`."""

__all__ = ["UI_PATH", "UI_ROUTES"]
