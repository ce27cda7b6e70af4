"""What every dynamic provider here shares: input checking, the diff table, errors, secrets.

Contracts (from the Pulumi Python dynamic-provider host, ``pulumi/dynamic/__main__.py``):

* ``check`` runs at ``pulumi preview`` and must not touch the network. Values not known yet
  (outputs of resources still to be created) arrive as ``Unknown`` and are not judged.
* ``diff`` gets old *outputs* and new inputs; the host drops ``stables`` and detailed diffs, so only
  ``changes``, ``replaces`` and ``delete_before_replace`` reach the engine.
* Any exception becomes gRPC ``UNKNOWN`` carrying ``traceback.format_exc()``; its last line is what
  users read, so errors raised here are one complete, secret-free line.
* Secret inputs arrive wrapped (``{sig: secret, value: ...}``); :func:`plain` unwraps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult
from pulumi.runtime import rpc
from pydantic import BaseModel, ValidationError

from pulumi_alicloud_ai._bounded import Bounds, BoundsError, check_depth
from pulumi_alicloud_ai.client.endpoints import Product
from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.session import open_client
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.waiter import Backoff
from pulumi_alicloud_ai.resources import _connection, _events, _target, _waiting

T = TypeVar("T")

PROVIDER_KEY = "__provider"
OUTPUTS_VERSION = 1
"""Written to every resource's outputs as ``_outputs_version`` so newer releases can read older state."""

OnChange = Literal["replace", "update"]

INPUT_BOUNDS = Bounds(max_depth=64)
"""How deep an input may nest (a secret wrapper adds a level); JSON given as text is read within it too."""


def is_unknown(value: Any) -> bool:
    """A value Pulumi does not know yet (during preview)."""
    return isinstance(value, pulumi.output.Unknown) or value == rpc.UNKNOWN


def plain(value: Any) -> Any:
    """Unwrap Pulumi's secret markers, recursively."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def user_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without the serialized provider, secrets unwrapped."""
    return {key: plain(value) for key, value in props.items() if key != PROVIDER_KEY}


def _loc(error: Mapping[str, Any]) -> str:
    """The input's dotted path (``timeouts.create``): the inputs models hold no unions, whose member
    tags pydantic would add to the path."""
    return ".".join(str(part) for part in error["loc"])


def _reason(error: Mapping[str, Any], field: str) -> str:
    """The message without pydantic's prefix and without the field's name: the engine shows the
    property beside the reason, so the field is named once."""
    return str(error["msg"]).removeprefix("Value error, ").removeprefix(f"{field} ")


def check_inputs(
    model: type[BaseModel], news: Mapping[str, Any], *, passthrough: tuple[str, ...] = ()
) -> CheckResult:
    """Validate ``news`` with ``model``; return normalised inputs or failures naming each field.

    Fields whose value is unknown are left out of validation (and out of "required" errors) and passed
    through unchanged; ``passthrough`` keys (captured settings) are kept as they are. A value nested
    deeper than the parser's bounds fails naming its field, before anything recursive reads it.
    """
    too_deep = _too_deep(news)
    if too_deep:
        return CheckResult({key: value for key, value in news.items() if key != PROVIDER_KEY}, too_deep)
    inputs = user_props(news)
    unknown = {key for key, value in inputs.items() if _contains_unknown(value)}
    known = {key: value for key, value in inputs.items() if key not in unknown and value is not None}
    try:
        model.model_validate(known)
    except ValidationError as exc:
        failures = [
            CheckFailure(_loc(error), _reason(error, _loc(error)))
            for error in exc.errors()
            if not (error.get("loc") and str(error["loc"][0]) in unknown)
        ]
        if failures:
            return CheckResult(inputs, failures)
        return CheckResult(inputs, [])
    if unknown:
        return CheckResult(inputs, [])
    normalised = model.model_validate(known).model_dump(mode="json", exclude_none=True)
    normalised.update({key: inputs[key] for key in passthrough if key in inputs})
    return CheckResult(normalised, [])


def _too_deep(news: Mapping[str, Any]) -> list[CheckFailure]:
    failures = []
    for key, value in news.items():
        if key == PROVIDER_KEY:
            continue
        try:
            check_depth(value, INPUT_BOUNDS, what=key)
        except BoundsError as exc:
            # The engine shows the property beside the reason: the reason does not name it again.
            reason = str(exc).removeprefix(f"{key} ")
            failures.append(
                CheckFailure(key, f"{reason}; nested inputs are limited to keep every reader safe")
            )
    return failures


def _contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(item) for item in value)
    return False


def canonical(value: Any) -> Any:
    """A form for semantic comparison: keys sorted, None values dropped, recursively."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value) if value[key] is not None}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


@dataclass(frozen=True)
class DiffTable:
    """How each input reacts to a change; ``update()`` walks the same table, so they cannot disagree."""

    fields: Mapping[str, OnChange]
    unique_key: tuple[str, ...] = ()
    """Inputs that name the resource uniquely (a name in a region): a replacement that keeps all of
    them would clash with the old resource, so the old one is deleted first."""

    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Input names whose value differs (a value not known yet differs from any recorded one)."""
        return [
            name
            for name in self.fields
            if canonical(plain(olds.get(name))) != canonical(plain(news.get(name)))
        ]

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """The engine's diff: what changed, and which of those force a replacement (no ``stables``:
        the host would drop them)."""
        changes = self.changed(olds, news)
        replaces = [name for name in changes if self.fields[name] == "replace"]
        return DiffResult(
            changes=bool(changes),
            replaces=replaces,
            delete_before_replace=bool(replaces)
            and bool(self.unique_key)
            and not set(replaces) & set(self.unique_key),
        )

    def in_place(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """The changed inputs an update applies in place."""
        return [name for name in self.changed(olds, news) if self.fields[name] == "update"]


class ProviderError(Exception):
    """A provider failure whose ``str()`` is the complete line the user reads (no secrets)."""


@dataclass(frozen=True)
class Session(Generic[T]):
    """One provider operation: its typed client and where its calls go."""

    api: T
    connection: _connection.Connection
    guard: _target.Guard
    """Where the resource lives now, and whether a NotFound there proves it gone (:mod:`._target`)."""

    @property
    def where(self) -> str:
        """Where calls go, for messages (never which key)."""
        return self.connection.describe()

    def pacing(self, timeout: float) -> Backoff:
        """The cadence of one wait of at most ``timeout`` seconds (see :mod:`._waiting`)."""
        emulator = self.connection.settings.endpoint if self.connection.emulated else None
        return _waiting.pacing(timeout, emulator)


def render(error: BaseException, where: str) -> str:
    """The one line a user reads for a failed operation: API errors and timeouts (the client's
    ``str()``: code, message, action, RequestId, what to do next) say where the call went."""
    if isinstance(error, AlibabaCloudError):
        return f"{error} [{where}]"
    return str(error)


@contextmanager
def product_client(
    product: Product,
    typed: Callable[[OpenApiClient], T],
    region: str,
    captured: Mapping[str, Any] | None,
    *,
    settings: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Any] | None = None,
    label: str = "",
) -> Iterator[Session[T]]:
    """A session for one provider operation, resolved now (credentials are never kept), closed after;
    every error leaves as a :class:`ProviderError` line from :func:`render`, except unexpected ones
    (bugs), which keep their own type and traceback.

    ``settings`` is the resource's settings object. With ``recorded`` (the properties of a resource that
    exists), the target they record must be where the current settings point, else the operation is
    refused before any call about the resource (:func:`._target.check`).

    Every operation is written to the stack's event log (:mod:`._events`): each API attempt, each
    status change and the outcome; errors raised to the engine end with ``(event log: PATH)``.
    """
    events = _events.open_operation(product.code, region, captured)
    try:
        connection = _connection.resolve(region, captured, resource=settings)
        guard = (
            _target.fresh(connection)
            if recorded is None
            else _target.check(recorded, connection, label or f"{product.code} resource")
        )
    except AlibabaCloudError as exc:
        error = ProviderError(events.named(str(exc)))
        events.start("unresolved")
        events.finish(error)
        raise error from None
    api = open_client(product, connection.settings, connection.credentials)
    api.observer = events.on_call
    if connection.emulated:  # the emulator's dashboard shows which resource made what; the cloud needs no URN
        api.origin = events.origin.urn
    events.start(connection.describe())
    try:
        yield Session(typed(api), connection, guard)
    except (AlibabaCloudError, ProviderError) as exc:
        error = ProviderError(events.named(render(exc, connection.describe())))
        events.finish(error)
        raise error from None
    except BaseException as exc:
        events.finish(exc)
        raise
    else:
        events.finish(None)
    finally:
        api.close()


def settings_failures(news: Mapping[str, Any]) -> list[CheckFailure]:
    """What about where the resource goes cannot work, found at ``pulumi preview`` (see
    :func:`._connection.preview_problems`), as check failures. Only ``settings`` and ``connection``
    are read, each within :data:`INPUT_BOUNDS` (``check_inputs`` names a deeper one)."""
    found: dict[str, Mapping[str, Any] | None] = {}
    for key in ("settings", "connection"):
        value = news.get(key)
        try:
            check_depth(value, INPUT_BOUNDS, what=key)
        except BoundsError:
            return []
        if _contains_unknown(value):
            return []  # judged once known, at `up`
        value = plain(value)
        found[key] = value if isinstance(value, Mapping) else None
    return [
        CheckFailure(key, reason)
        for key, reason in _connection.preview_problems(found["connection"], found["settings"])
    ]
