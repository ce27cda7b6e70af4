"""How an incoming call finds its handler: RPC by (version, action), ROA by (version, method, path).

Service packages declare their operations as :class:`Route` values (``emulator/eas/routes.py`` …);
the server collects them from :data:`SERVICE_MODULES`. A handler receives a :class:`Call` and returns
the response body (a dict; ``RequestId`` is added when absent) or raises :class:`ApiError`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._bounded import Bounds, BoundsError, load_json
from pulumi_alicloud_ai.emulator.errors import ApiError, missing_parameter, unknown_action
from pulumi_alicloud_ai.emulator.formats import json_bytes

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

SERVICE_MODULES = (
    "pulumi_alicloud_ai.emulator.eas.routes",
    "pulumi_alicloud_ai.emulator.vod.routes",
    "pulumi_alicloud_ai.emulator.ros.routes",
    "pulumi_alicloud_ai.emulator.sts.routes",
)
"""The service packages' route modules; each exposes ``ROUTES: list[Route]``."""

BODY_BOUNDS = Bounds(max_bytes=1 << 40)
"""JSON bodies are read within the parser's nesting limits; their size is ``--max-body``'s, checked as
the body arrives."""

# RPC products are told apart by API version; ROA (EAS) by its /api/ path.
RPC_VERSIONS = {"2017-03-21": "vod", "2019-09-10": "ros", "2015-04-01": "sts"}
ROA_VERSIONS = {"2021-07-01": "eas"}
_HOST_PRODUCTS = {
    "pai-eas": "eas",
    "eas": "eas",
    "eas-vpc": "eas",
    "vod": "vod",
    "vod-vpc": "vod",
    "ros": "ros",
}


def is_api_path(path: str) -> bool:
    """Whether a product could serve this path: RPC calls go to ``/``, ROA calls under ``/api/``."""
    return path == "/" or path.startswith("/api/")


def product_for(version: str, path: str, host: str) -> str:
    """The product a request is for, as far as it can be told before it is routed (for its errors):
    the API version, else an ROA path (EAS), else a product's host name; ``""`` when nothing says.

    The official SDK sends ``Host: 127.0.0.1:PORT``, so the host alone would name no product.
    """
    product = RPC_VERSIONS.get(version) or ROA_VERSIONS.get(version)
    if product:
        return product
    if path.startswith("/api/"):
        return "eas"
    return _HOST_PRODUCTS.get(host.split(".", 1)[0], "")


@dataclass
class Call:
    """One API call as a handler sees it."""

    product: str
    action: str
    version: str
    region: str
    request_id: str
    host: str
    params: dict[str, str]
    """Query parameters, merged with a form body's fields (RPC), decoded."""
    path_params: dict[str, str]
    body: bytes
    content_type: str
    access_key_id: str
    state: EmulatorState
    effect: Any = None
    """A matching ``effect`` fault rule (e.g. ``fail``), for handlers that honour it."""
    origin: str = ""
    """The Pulumi resource (URN) a provider call serves, from its ``x-alicloud-ai-origin`` header."""

    def param(self, name: str, *, required: bool = False) -> str | None:
        """A parameter's value; an empty string counts as absent."""
        value = self.params.get(name)
        if value in (None, ""):
            if required:
                raise missing_parameter(name)
            return None
        return value

    def require(self, name: str) -> str:
        """A required parameter, or ``MissingParameter.<Name>``."""
        value = self.param(name, required=True)
        assert value is not None
        return value

    def json_param(self, name: str) -> Any:
        """A parameter holding JSON text (``Labels``, ``Config``), decoded; None when absent, and
        ``InvalidParameter.<Name>`` when it is not JSON or is past the parser's bounds."""
        text = self.param(name)
        if text is None:
            return None
        try:
            return load_json(text, what=f"The parameter {name}")
        except BoundsError as exc:
            raise ApiError(f"InvalidParameter.{name}", f"{exc}.") from None
        except ValueError:
            raise ApiError(f"InvalidParameter.{name}", f"The parameter {name} is not valid JSON.") from None

    def json_body(self) -> dict[str, Any]:
        """The JSON object body of a ROA call; wrong type, bad JSON or JSON past the parser's bounds
        (nested deeper than 64 levels) is ``InvalidParameter.Body``."""
        if not self.body:
            return {}
        if "json" not in self.content_type:
            raise ApiError(
                "InvalidParameter.ContentType",
                f"The Content-Type {self.content_type or '(none)'!r} is not supported; send application/json.",
                415,
            )
        try:
            value = load_json(self.body, BODY_BOUNDS, what="The request body")
        except BoundsError as exc:
            raise ApiError("InvalidParameter.Body", f"{exc}.") from None
        except (ValueError, UnicodeDecodeError):
            raise ApiError("InvalidParameter.Body", "The request body is not valid JSON.") from None
        if not isinstance(value, dict):
            raise ApiError("InvalidParameter.Body", "The request body must be a JSON object.")
        return value


class Encoded(dict[str, Any]):
    """An answer that carries its JSON (``json``, without the RequestId): the server sends those bytes
    instead of encoding the dict again. Handlers keep one per stored entity with ``Store.memo``."""

    __slots__ = ("json",)

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.json = json_bytes(body)


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """One operation. RPC routes leave ``method``/``path`` unset."""

    product: str
    action: str
    handler: Handler
    method: str | None = None
    path: str | None = None
    pattern: re.Pattern[str] | None = field(default=None, compare=False)

    @classmethod
    def rpc(cls, product: str, action: str, handler: Handler) -> Route:
        """An RPC operation (``POST /``, named by ``x-acs-action``)."""
        return cls(product, action, handler)

    @classmethod
    def roa(cls, product: str, action: str, method: str, path: str, handler: Handler) -> Route:
        """A ROA operation; ``{Name}`` segments in ``path`` become path parameters."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        return cls(product, action, handler, method, path, re.compile(regex))


class Router:
    """Finds the route for a call, or answers with the gateway's not-found errors."""

    def __init__(self, routes: list[Route]) -> None:
        self._rpc: dict[tuple[str, str], Route] = {}
        self._roa: dict[str, list[Route]] = {}
        for route in routes:
            if route.path is None:
                self._rpc[(route.product, route.action)] = route
            else:
                assert route.method is not None
                self._roa.setdefault(route.method, []).append(route)

    @classmethod
    def from_service_modules(cls, modules: tuple[str, ...] = SERVICE_MODULES) -> Router:
        """Collect ``ROUTES`` from every service module."""
        return cls([route for module in service_modules(modules) for route in module.ROUTES])

    def rpc(self, version: str, action: str) -> Route:
        """The RPC route for a version and action."""
        product = RPC_VERSIONS.get(version)
        if product is None:
            raise ApiError("InvalidVersion", f"Specified parameter Version {version!r} is not valid.", 400)
        route = self._rpc.get((product, action))
        if route is None:
            raise unknown_action(action, version)
        return route

    def roa(self, version: str, method: str, path: str, action: str) -> tuple[Route, dict[str, str]]:
        """The ROA route for a method and decoded path, with its path parameters."""
        if version not in ROA_VERSIONS:
            raise ApiError("InvalidVersion", f"Specified parameter Version {version!r} is not valid.", 400)
        for route in self._roa.get(method, []):
            assert route.pattern is not None
            found = route.pattern.fullmatch(path)
            if found:
                return route, found.groupdict()
        raise unknown_action(action or f"{method} {path}", version)


def service_modules(modules: tuple[str, ...] = SERVICE_MODULES) -> list[ModuleType]:
    """The service modules, imported. Each has ``ROUTES``; optionally ``ADMIN_ROUTES`` (Starlette routes
    under ``/_emulator/``) and ``BACKGROUND_TASKS`` (``async def task(state)`` run for the server's
    lifetime, e.g. VOD's completion callbacks). One that fails to import stops the emulator from
    starting: an emulator silently missing a product would answer its calls as unknown actions."""
    return [importlib.import_module(name) for name in modules]


def merged_params(query: Mapping[str, str], form: Mapping[str, str]) -> dict[str, str]:
    """RPC parameters: the query, then form-body fields (the SDK splits long ones into the body)."""
    merged = dict(query)
    merged.update(form)
    return merged
