"""The client's exception tree and the one parser of Alibaba Cloud error bodies.

::

    AlibabaCloudError                 every failure a caller of the client can see
    ├── CredentialsError              no usable credentials (chain exhausted, bad file, STS refused)
    │   └── ConnectionSettingsError   mode, endpoint and credentials cannot work together
    │                                 (resources/_connection.py)
    ├── TransportError                no HTTP response at all (connection, timeout, TLS)
    ├── WaitTimeoutError              a resource did not reach a final state in time (waiter.py)
    └── ServiceError                  the service answered with an error body
        ├── ThrottlingError           flow control: Throttling*, x-acs-retry-after; transient
        ├── ServerError               5xx: InternalError, ServiceUnavailable; transient
        ├── AuthError                 signature, access key, STS token, permission
        ├── NotFoundError             the named thing does not exist
        ├── ConflictError             the thing exists already, or its state forbids the call
        └── InvalidParameterError     the request itself is wrong

The error *body* shape (``RequestId``, ``HostId``, ``Code``, ``Message``, ``Recommend``) is built by
:func:`error_body` and read by :func:`from_response`; the emulator renders its errors with the same
function, so both sides share one wire rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_alicloud_ai.client.models import decode_json

ERROR_CONTENT_TYPE = "application/json;charset=utf-8"


class AlibabaCloudError(Exception):
    """Base of every client error; ``str()`` is one complete line without secrets.

    :ivar code: the service's error code (``Throttling.User``), or a client code for local failures.
    :ivar message: the service's message.
    :ivar request_id: the ``RequestId`` to quote to Alibaba Cloud support, when there was a response.
    :ivar http_status: the HTTP status, or None without a response.
    :ivar action: the API action being called (``CreateAppService``).
    :ivar attempts: how many attempts were made before giving up.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        http_status: int | None = None,
        action: str | None = None,
        attempts: int = 1,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.action = action
        self.attempts = attempts
        self.data: dict[str, Any] = dict(data or {})
        super().__init__(self._line())

    def _line(self) -> str:
        where = f" when calling the {self.action} operation" if self.action else ""
        extras = []
        if self.http_status is not None:
            extras.append(f"HTTP {self.http_status}")
        if self.request_id:
            extras.append(f"RequestId: {self.request_id}")
        if self.attempts > 1:
            extras.append(f"after {self.attempts} attempts")
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"An error occurred ({self.code}){where}: {self.message}{tail}"

    def with_context(self, *, action: str | None = None, attempts: int | None = None) -> AlibabaCloudError:
        """Record the action and attempt count once they are known, refreshing ``str()``."""
        if action is not None:
            self.action = action
        if attempts is not None:
            self.attempts = attempts
        self.args = (self._line(),)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields survive pickling (the Pulumi host and multiprocessing both pickle errors).
        return (_rebuild, (type(self), self.code, self.message, self.__dict__.copy()))


def _rebuild(cls: type[AlibabaCloudError], code: str, message: str, state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    error.args = (error._line(),)
    return error


class CredentialsError(AlibabaCloudError):
    """No credentials could be found or refreshed; the message lists what each source said."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(kwargs.pop("code", "InvalidCredentials"), message, **kwargs)


class TransportError(AlibabaCloudError):
    """The request got no HTTP response: refused connection, DNS failure, timeout.

    :ivar maybe_sent: False when the connection was never made, so the server cannot have acted.
    """

    def __init__(self, message: str, *, maybe_sent: bool, **kwargs: Any) -> None:
        self.maybe_sent = maybe_sent
        super().__init__(kwargs.pop("code", "NetworkError"), message, **kwargs)


class ServiceError(AlibabaCloudError):
    """The service answered with an error body."""


class ThrottlingError(ServiceError):
    """Flow control refused the call; retry after ``retry_after`` seconds when the service said so.

    :ivar retry_after: seconds from ``x-acs-retry-after`` (ms on the wire) or ``Retry-After``.
    """

    retry_after: float | None = None


class ServerError(ServiceError):
    """A 5xx answer; usually transient."""


class AuthError(ServiceError):
    """Signature, access key, STS token or permission problems; never retried."""


class NotFoundError(ServiceError):
    """The named resource does not exist (any ``*.NotFound`` / ``*NotExist*`` code or HTTP 404)."""


class ConflictError(ServiceError):
    """The resource exists already, or its current state forbids the operation."""


class InvalidParameterError(ServiceError):
    """The request itself is wrong: a missing or invalid parameter."""


# Most specific first: the first matching prefix wins. Codes not listed fall back on HTTP status.
_CODE_PREFIXES: tuple[tuple[str, type[ServiceError]], ...] = (
    ("Throttling", ThrottlingError),
    ("ServiceUnavailable.Throttling", ThrottlingError),
    ("ServiceUnavailable", ServerError),
    ("InternalError", ServerError),
    ("InternalFailure", ServerError),
    ("UnknownError", ServerError),
    ("SignatureDoesNotMatch", AuthError),
    ("SignatureNonceUsed", AuthError),
    ("IncompleteSignature", AuthError),
    ("InvalidAccessKeyId", AuthError),
    ("InvalidSecurityToken", AuthError),
    ("InvalidTimeStamp", AuthError),
    ("Forbidden.RegionNotSupported", InvalidParameterError),  # a wrong region, not a permission problem
    ("Forbidden", AuthError),
    ("NoPermission", AuthError),
    ("InvalidAction.NotFound", InvalidParameterError),
    ("InvalidVersion", InvalidParameterError),
    ("MissingParameter", InvalidParameterError),
    ("InvalidParameter", InvalidParameterError),
)


def error_class(code: str, http_status: int) -> type[ServiceError]:
    """Pick the exception class for a code and status: code first, then status."""
    for prefix, cls in _CODE_PREFIXES:
        if code.startswith(prefix):
            return cls
    lowered = code.lower()
    if "notfound" in lowered or "notexist" in lowered or http_status == 404:
        return NotFoundError
    if "alreadyexist" in lowered or "conflict" in lowered or "invalidstatus" in lowered or http_status == 409:
        return ConflictError
    if http_status in (401, 403):
        return AuthError
    if http_status == 429:
        return ThrottlingError
    if http_status >= 500:
        return ServerError
    return ServiceError


def error_body(
    code: str, message: str, *, request_id: str, host_id: str, product: str, **extra: Any
) -> dict[str, Any]:
    """The JSON error body Alibaba Cloud gateways return (errors.md); the emulator renders with this."""
    body: dict[str, Any] = {"RequestId": request_id, "HostId": host_id, "Code": code, "Message": message}
    product_part = f"&product={product}" if product else ""  # unknown: better none than a wrong one
    body["Recommend"] = f"https://api.aliyun.com/troubleshoot?q={code}{product_part}&requestId={request_id}"
    body.update(extra)
    return body


def _first(body: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if body.get(key) not in (None, ""):
            return body[key]
    return None


def from_response(
    http_status: int, content: bytes, headers: Mapping[str, str], *, action: str | None = None
) -> ServiceError:
    """Turn an error response into the right :class:`ServiceError` subclass.

    Reads either capitalisation of ``Code``/``Message``/``RequestId`` as the SDK does; a body that is
    not JSON still yields a typed error carrying the status and a snippet of the text.
    """
    try:
        parsed = decode_json(content) if content else {}
    except (ValueError, UnicodeDecodeError):
        parsed = None
    lowered = {name.lower(): value for name, value in headers.items()}
    if not isinstance(parsed, dict):
        snippet = content[:200].decode("utf-8", "replace")
        parsed = {"Code": f"HTTP{http_status}", "Message": f"non-JSON error body: {snippet!r}"}
    code = str(_first(parsed, "Code", "code") or f"HTTP{http_status}")
    message = str(_first(parsed, "Message", "message") or "")
    request_id = _first(parsed, "RequestId", "requestId") or lowered.get("x-acs-request-id")
    cls = error_class(code, http_status)
    retry_after = _retry_after_seconds(lowered)
    if retry_after is not None and http_status >= 400:
        cls = ThrottlingError
    error = cls(code, message, request_id=request_id, http_status=http_status, action=action, data=parsed)
    if isinstance(error, ThrottlingError):
        error.retry_after = retry_after
    return error


def _retry_after_seconds(lowered_headers: Mapping[str, str]) -> float | None:
    """``x-acs-retry-after`` is milliseconds (the SDK compares it with ms delays); ``Retry-After`` seconds."""
    for name, scale in (("x-acs-retry-after", 1000.0), ("retry-after", 1.0)):
        raw = lowered_headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) / scale
        except ValueError:
            continue
        if value > 0:
            return value
    return None
