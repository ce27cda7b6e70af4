"""The one module that owns an ``httpx.Client``: build, sign, send, retry and decode an API call.

Every product call is ``(operation, path params, query, body)`` against a product's endpoint. RPC calls
are ``POST /`` with parameters in the query; ROA calls use the operation's method and path with a JSON
body. The action and version travel in ``x-acs-action`` / ``x-acs-version`` for both (V3 signing).
"""

from __future__ import annotations

import ipaddress
import json
import platform
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from pulumi_alicloud_ai._version import __version__
from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import CredentialsProvider
from pulumi_alicloud_ai.client.endpoints import Endpoint, Product, resolve_endpoint
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    ThrottlingError,
    TransportError,
    from_response,
)
from pulumi_alicloud_ai.client.models import decode_json
from pulumi_alicloud_ai.client.ratelimit import AdaptiveRateLimiter
from pulumi_alicloud_ai.client.retry import RetryPolicy

ORIGIN_HEADER = "x-alicloud-ai-origin"
"""Names the Pulumi resource a provider call serves (its URN, percent-encoded UTF-8). Not signed and
sent to emulators only, whose dashboard shows which stack and resource made each entity."""

USER_AGENT = (
    f"pulumi-alicloud-ai/{__version__} (Python/{platform.python_version()}; {sys.platform}) "
    f"httpx/{httpx.__version__}"
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One API action: where it goes, and whether sending it twice is harmless."""

    action: str
    method: str = "POST"
    path: str = "/"
    idempotent: bool = False


QueryValue = str | int | float | bool | None | list[Any] | dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP attempt as an observer sees it: which action, what came back, how long it took.

    ``body`` is the decoded success body. It may hold secrets (an EAS ``AccessToken``), so an observer
    picks the fields it needs and never records it whole.
    """

    product: str
    region: str
    action: str
    attempt: int
    status: int | None
    """The HTTP status; None when no response came (``code`` is then ``NetworkError``)."""
    request_id: str
    code: str
    """The error code; empty on success."""
    seconds: float
    body: Mapping[str, Any] | None = None


CallObserver = Callable[[CallRecord], None]
"""Told about every attempt, after it ends, on the calling thread; it should be quick and not raise."""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested RPC parameters as the SDK does: ``a.b`` for maps, ``a.1`` (1-based) for lists."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat.update(flatten({str(i): item for i, item in enumerate(value, 1)}, f"{name}."))
        else:
            flat[name] = _scalar(value)
    return flat


def compact_json(value: Any) -> bytes:
    """The SDK's JSON body: no spaces, UTF-8 kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# httpx failures that happen before a request could reach the server, most specific first.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


def emulator_aware_endpoint(
    product: Product, region: str, network: str | None, override: str | None
) -> Endpoint:
    """Where to connect, and which host to name in the ``Host`` header.

    An override that is an IP address or ``localhost`` (an emulator) changes only where requests go:
    they still name the regional host, as a hosts-file entry would, so one emulator port can tell
    regions apart. Any other override (a VPC or private endpoint name) is used as the host too.
    """
    if not override:
        return resolve_endpoint(product, region, network=network)
    target = resolve_endpoint(product, region, override=override)
    hostname = target.host.rsplit(":", 1)[0].strip("[]")
    if hostname == "localhost" or _is_ip(hostname):
        return Endpoint(
            base_url=target.base_url, host=resolve_endpoint(product, region, network=network).host
        )
    return target


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class OpenApiClient:
    """A signed, retrying client for one product in one region.

    It holds no credentials: ``credentials`` is a provider asked at each send. Close it (or use it as a
    context manager) to release connections.
    """

    def __init__(
        self,
        product: Product,
        *,
        region: str,
        credentials: CredentialsProvider,
        endpoint_override: str | None = None,
        network: str | None = None,
        retry: RetryPolicy | None = None,
        limiter: AdaptiveRateLimiter | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        observer: CallObserver | None = None,
        signature_algorithm: str = signing.ACS3_HMAC_SHA256,
    ) -> None:
        if signature_algorithm not in signing.V3_ALGORITHMS:
            raise ValueError(
                f"signature_algorithm {signature_algorithm!r} is not supported; "
                f"allowed values: {', '.join(signing.V3_ALGORITHMS)}"
            )
        self.signature_algorithm = signature_algorithm
        """``ACS3-HMAC-SHA256`` (the default, as the SDK's) or ``ACS3-HMAC-SM3``."""
        self.product = product
        self.observer = observer
        """Optional: called with a :class:`CallRecord` after each attempt (the provider event log)."""
        self.origin = ""
        """Optional: the URN of the Pulumi resource these calls serve, sent as :data:`ORIGIN_HEADER`."""
        self.region = region
        self.endpoint: Endpoint = emulator_aware_endpoint(product, region, network, endpoint_override)
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        # A connection pool, not an httpx.Client: signing is our own function, and the client's
        # URL merging, cookie jar and auth-flow machinery cost more per call than signing does
        # (bench/client_overhead.py). No proxy variables are read (trust_env off, as before).
        self._pool: httpx.BaseTransport = transport or httpx.HTTPTransport()
        self._credentials = credentials
        self._clock = clock
        self._timeout = httpx.Timeout(timeout).as_dict()
        self._headers = {
            "host": self.endpoint.host,
            "accept": "application/json",
            "user-agent": USER_AGENT,
            "x-acs-version": product.version,
        }

    def _sign(self, request: httpx.Request) -> None:
        """Sign with credentials read now, a fresh nonce, and this client's algorithm."""
        sign_request(
            request,
            self._credentials.get_credentials(),
            self._clock(),
            uuid.uuid4().hex,
            algorithm=self.signature_algorithm,
        )

    def __enter__(self) -> OpenApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections."""
        self._pool.close()

    def call(
        self,
        operation: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        json_body: Any = None,
        raw_json: str | None = None,
        form: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send ``operation`` and return the decoded JSON body; raise a typed error on failure.

        ``json_body`` is serialised compactly; ``raw_json`` is sent verbatim (EAS UpdateService);
        ``form`` becomes an ``application/x-www-form-urlencoded`` body (ROS CreateAITask ``Template``).
        """
        request = self._build(operation, path_params, query, json_body, raw_json, form)
        # The first attempt goes out directly: a retry controller per call costs more than the call's
        # own signing, and most calls succeed. Only a retryable failure enters the retry loop.
        try:
            return self._send_once(operation, request, 1)
        except AlibabaCloudError as error:
            if self.retry.max_attempts < 2 or not self.retry.is_retryable(
                error, idempotent=operation.idempotent
            ):
                raise error.with_context(action=operation.action, attempts=1) from None
            first_failure = error
        self.retry.sleep(self.retry.backoff(1, first_failure))
        attempt = 1
        try:
            for try_ in self.retry.retrying(idempotent=operation.idempotent, after=1):
                with try_:
                    attempt = try_.retry_state.attempt_number + 1
                    return self._send_once(operation, request, attempt)
        except AlibabaCloudError as error:
            raise error.with_context(action=operation.action, attempts=attempt) from None
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    def prepare(
        self,
        operation: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> httpx.Request:
        """A request for ``operation``, signed now but not sent: for tools that measure or replay
        exactly what :meth:`call` would send (``bench/``)."""
        request = self._build(operation, path_params, query, None, None, None)
        self._sign(request)
        return request

    def _build(
        self,
        operation: Operation,
        path_params: Mapping[str, str] | None,
        query: Mapping[str, Any] | None,
        json_body: Any,
        raw_json: str | None,
        form: Mapping[str, Any] | None,
    ) -> httpx.Request:
        path = operation.path
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", quote(str(value), safe="~"))
        headers = {"x-acs-action": operation.action}
        if self.origin:
            headers[ORIGIN_HEADER] = quote(self.origin, safe=":/$")
        content: bytes | None = None
        if raw_json is not None:
            content = raw_json.encode("utf-8")
            headers["content-type"] = "application/json; charset=utf-8"
        elif json_body is not None:
            content = compact_json(json_body)
            headers["content-type"] = "application/json; charset=utf-8"
        elif form:
            content = urlencode(sorted(flatten(form).items())).encode("ascii")
            headers["content-type"] = "application/x-www-form-urlencoded"
        params = flatten(query or {})
        url = httpx.URL(self.endpoint.base_url + path, params=params or None)
        request = httpx.Request(operation.method, url, content=content, headers={**self._headers, **headers})
        request.extensions["timeout"] = self._timeout
        return request

    def _send_once(self, operation: Operation, request: httpx.Request, attempt: int) -> dict[str, Any]:
        if attempt > 1:
            request.headers["x-acs-retry-attempts"] = str(attempt - 1)
        if self.limiter is not None:
            self.limiter.acquire()
        started = time.perf_counter()
        try:
            decoded = self._exchange(operation, request)
        except AlibabaCloudError as error:
            if self.observer is not None:
                self._observe(operation, attempt, started, error.http_status, error.request_id, error.code)
            raise
        if self.observer is not None:
            rid = decoded.get("RequestId")
            self._observe(
                operation, attempt, started, 200, rid if isinstance(rid, str) else None, "", decoded
            )
        return decoded

    def _observe(
        self,
        operation: Operation,
        attempt: int,
        started: float,
        status: int | None,
        request_id: str | None,
        code: str,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        assert self.observer is not None
        record = CallRecord(
            product=self.product.code,
            region=self.region,
            action=operation.action,
            attempt=attempt,
            status=status,
            request_id=request_id or "",
            code=code,
            seconds=time.perf_counter() - started,
            body=body,
        )
        self.observer(record)

    def _exchange(self, operation: Operation, request: httpx.Request) -> dict[str, Any]:
        # Signed at each attempt, with credentials read now: a fresh date and nonce per attempt, and a
        # rotated STS token is picked up.
        self._sign(request)
        try:
            response = self._pool.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.TransportError as exc:
            maybe_sent = not isinstance(exc, _NOT_SENT)
            raise TransportError(
                f"{type(exc).__name__} talking to {self.endpoint.host}: {exc}",
                maybe_sent=maybe_sent,
                action=operation.action,
            ) from exc
        if response.status_code >= 400:
            error = from_response(
                response.status_code, response.content, response.headers, action=operation.action
            )
            if self.limiter is not None:
                hint = error.retry_after if isinstance(error, ThrottlingError) else None
                self.limiter.record(throttled=isinstance(error, ThrottlingError), retry_after=hint)
            raise error
        if self.limiter is not None:
            self.limiter.record(throttled=False)
        if not response.content:
            return {}
        try:
            decoded = decode_json(response.content)
        except ValueError as exc:
            raise AlibabaCloudError(
                "InvalidResponse",
                f"{self.endpoint.host} answered HTTP {response.status_code} with a body that is not JSON",
                http_status=response.status_code,
                action=operation.action,
            ) from exc
        if not isinstance(decoded, dict):
            raise AlibabaCloudError(
                "InvalidResponse", "the response body is not a JSON object", action=operation.action
            )
        return decoded
