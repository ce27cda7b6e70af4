"""The admin API under ``/_emulator/``: health, reset, fault rules, clock, STS credentials.

No real Alibaba Cloud path starts with ``/_emulator``, so it never collides with an API route. A request
carrying an Alibaba signature is refused: the admin API is for tests and operators, never for a client
that believes it is talking to the cloud. When the emulator listens beyond loopback, every admin call
needs ``Authorization: Bearer <admin token>``.

Browsers are kept out twice. A page on another site is refused by its ``Origin``/``Sec-Fetch-Site``;
a page whose DNS name was rebound to 127.0.0.1 (same-origin to the browser) is refused by its ``Host``:
the admin API answers only to loopback names, the address it is bound to and ``--allowed-host`` names.

Every input is checked before it changes anything: JSON bodies may hold only finite numbers (``NaN``,
``Infinity`` and out-of-range literals are refused while parsing), and each number has a range.

Service packages add their own admin routes (``POST /_emulator/vod/videos``) through ``ADMIN_ROUTES``;
the dashboard (``/_emulator/ui``, :mod:`pulumi_alicloud_ai.emulator.ui`) is mounted here too.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pulumi_alicloud_ai._bounded import load_json
from pulumi_alicloud_ai._version import __version__
from pulumi_alicloud_ai.client.errors import error_body
from pulumi_alicloud_ai.emulator.clock import MAX_OFFSET
from pulumi_alicloud_ai.emulator.faults import FaultRule, load_rules_file
from pulumi_alicloud_ai.emulator.hosts import host_name, served_host
from pulumi_alicloud_ai.emulator.routing import service_modules
from pulumi_alicloud_ai.emulator.ui import UI_ROUTES
from pulumi_alicloud_ai.emulator.verify import same_text

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

ADMIN_PREFIX = "/_emulator"
MAX_STS_SECONDS = 43_200
"""STS's longest credential life; the admin API also issues already-expired ones (negative)."""


def admin_error(code: str, message: str, status: int) -> JSONResponse:
    """An admin failure in the same body shape as API errors."""
    rid = secrets.token_hex(8).upper()
    return JSONResponse(
        error_body(code, message, request_id=rid, host_id="emulator", product="emulator"), status_code=status
    )


def emulator_state(request: Request) -> EmulatorState:
    """The emulator a request reached."""
    state: EmulatorState = request.app.state.emulator
    return state


async def read_json(request: Request) -> Any:
    """The JSON body, or None when empty; ValueError for bad JSON, JSON past the parser's bounds, and
    non-finite or overlong numbers: no admin input needs them, and a non-finite number stored once
    breaks every later read."""
    raw = await request.body()
    if not raw:
        return None
    return load_json(raw, what="The request body", finite=True)


def number_field(data: Any, name: str, default: float | None = None) -> float:
    """A JSON number member of an object body (not a string, a bool or null)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TypeError("the body must be a JSON object")
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    return float(value)


def _cross_site(request: Request) -> bool:
    """A browser request from another site (any web page the user visits can send one to 127.0.0.1).

    Browsers mark those with ``Sec-Fetch-Site`` and an ``Origin`` that is not this host; the dashboard's
    own requests are same-origin, and non-browser clients (tests, curl, the SDKs) send neither.
    """
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("host", "")


class _Guard(BaseHTTPMiddleware):
    """Refuse foreign Host names, Alibaba-signed and cross-site requests; require the admin token when
    one is set."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        config = emulator_state(request).config
        if not served_host(host_name(request.headers.get("host", "")), config.host, config.allowed_hosts):
            return admin_error(
                "Forbidden.Host",
                "The emulator's admin API answers only to loopback names, its bound address and "
                "--allowed-host names (a DNS-rebound name is refused).",
                403,
            )
        auth = request.headers.get("authorization", "")
        signed = auth.startswith(("ACS3-", "acs ")) or any(
            name.startswith("x-acs-") for name in request.headers
        )
        if signed or "Signature" in request.query_params:
            return admin_error(
                "Forbidden.AdminApi",
                "The emulator's admin API does not accept Alibaba Cloud signed requests.",
                403,
            )
        if _cross_site(request):
            return admin_error(
                "Forbidden.CrossOrigin",
                "The emulator's admin API refuses requests a web page from another origin sends.",
                403,
            )
        token = config.admin_token
        if token and not same_text(auth, f"Bearer {token}"):
            return admin_error(
                "Forbidden.AdminToken", "This admin API needs 'Authorization: Bearer <token>'.", 401
            )
        return await call_next(request)


async def health(request: Request) -> JSONResponse:
    """Liveness plus the settings a test may want to see."""
    state = emulator_state(request)
    return JSONResponse(
        {
            "status": "ok",
            "instance": state.instance_id,
            "version": __version__,
            "region": state.config.region,
            "time": state.clock.now(),
            "clockOffset": state.clock.offset,
            "timeScale": state.clock.time_scale,
        }
    )


async def reset(request: Request) -> JSONResponse:
    """Forget every entity, event, clock offset and added fault rule."""
    emulator_state(request).reset()
    return JSONResponse({"status": "reset"})


async def list_faults(request: Request) -> JSONResponse:
    """The active rules, with their remaining counts."""
    rules = [rule.model_dump(exclude_none=True) for rule in emulator_state(request).faults.rules]
    return JSONResponse({"rules": rules})


async def add_faults(request: Request) -> JSONResponse:
    """Add one rule (an object) or several (a list, or ``{"rules": [...]}``)."""
    try:
        data = await read_json(request)
        rules = (
            load_rules_file(data)
            if isinstance(data, list) or "rules" in (data or {})
            else [FaultRule.model_validate(data)]
        )
    except (ValueError, TypeError, ValidationError) as exc:
        return admin_error("InvalidParameter.FaultRule", str(exc), 400)
    faults = emulator_state(request).faults
    added = [faults.add(rule).model_dump(exclude_none=True) for rule in rules]
    return JSONResponse({"rules": added}, status_code=201)


async def delete_faults(request: Request) -> JSONResponse:
    """Remove one rule by id, or every rule."""
    rule_id = request.path_params.get("rule_id")
    removed = emulator_state(request).faults.remove(rule_id)
    if rule_id is not None and not removed:
        return admin_error("InvalidParameter.FaultRule", f"No fault rule has id {rule_id!r}.", 404)
    return JSONResponse({"removed": removed})


async def get_clock(request: Request) -> JSONResponse:
    """Emulated now, its offset from wall time, and the duration scale."""
    clock = emulator_state(request).clock
    return JSONResponse({"now": clock.now(), "offset": clock.offset, "timeScale": clock.time_scale})


async def advance_clock(request: Request) -> JSONResponse:
    """``{"seconds": N}`` moves emulated time forward, so pending transitions happen without sleeping."""
    try:
        seconds = number_field(await read_json(request), "seconds")
        now = emulator_state(request).clock.advance(seconds)
    except (ValueError, TypeError) as exc:
        return admin_error(
            "InvalidParameter.Seconds",
            f'Send {{"seconds": <number from 0 to {MAX_OFFSET:.0f} in all>}}: {exc}',
            400,
        )
    return JSONResponse({"now": now, "offset": emulator_state(request).clock.offset})


async def issue_sts(request: Request) -> JSONResponse:
    """Temporary credentials (``{"DurationSeconds": N}``, default 3600) that this emulator accepts."""
    try:
        duration = number_field(await read_json(request), "DurationSeconds", 3600)
        if abs(duration) > MAX_STS_SECONDS:
            raise ValueError(f"DurationSeconds must be from -{MAX_STS_SECONDS} to {MAX_STS_SECONDS}")
    except (ValueError, TypeError) as exc:
        return admin_error("InvalidParameter.DurationSeconds", str(exc), 400)
    return JSONResponse({"Credentials": emulator_state(request).issue_sts(duration)})


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client left before its body arrived: nothing was done, and nobody is there to answer."""
    return Response(status_code=400)


def _service_admin_routes() -> list[BaseRoute]:
    return [route for module in service_modules() for route in getattr(module, "ADMIN_ROUTES", [])]


def build_admin_app(state: EmulatorState) -> Starlette:
    """The Starlette app mounted at ``/_emulator``."""
    routes: list[BaseRoute] = [
        Route(f"{ADMIN_PREFIX}/health", health, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", list_faults, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", add_faults, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", delete_faults, methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/faults/{{rule_id}}", delete_faults, methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/clock", get_clock, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/clock", advance_clock, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/sts", issue_sts, methods=["POST"]),
        *UI_ROUTES,
        *_service_admin_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Guard)],
        exception_handlers={ClientDisconnect: _client_gone},
    )
    app.state.emulator = state
    return app
