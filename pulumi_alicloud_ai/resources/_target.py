"""Which cloud account or which emulator a resource lives in: recorded at create, checked before acting.

Every resource's outputs hold ``_target``: the cloud (the account STS ``GetCallerIdentity`` names, the
region, and the endpoint if one replaced the regional ones) or an emulator (its instance id, which
survives restarts of the same data directory and changes when it is wiped, plus its URL and account).

``read``, ``update`` and ``delete`` resolve the target the current settings point at and compare it with
the recorded one (:func:`compare`). On a mismatch they refuse, naming both targets and the setting that
chose the current one, so a service is never looked for (and found "missing") in the wrong place:

* a resource recorded in the cloud is never sent to an emulator, and the other way round;
* an emulator resource is only acted on in the emulator instance that has it;
* a cloud resource is only acted on with credentials of its account (when either side cannot tell the
  account, the endpoints must agree).

A NotFound counts as "already gone" only when the match is confirmed (:attr:`Guard.confirmed`).
State written before targets were recorded has none: the target is inferred from what the program
recorded (``connection``) and the current settings, and the provider says so once.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pulumi_alicloud_ai._net import is_loopback_url
from pulumi_alicloud_ai.client.errors import AlibabaCloudError

if TYPE_CHECKING:
    from pulumi_alicloud_ai.resources._connection import Connection
    from pulumi_alicloud_ai.resources._settings import Resolution

TARGET_KEY = "_target"
"""The outputs key holding the recorded target."""
Kind = Literal["cloud", "emulator"]
_MAX_FIELD = 512


class TargetMismatchError(AlibabaCloudError):
    """The current settings point somewhere other than where the resource was created (or cannot
    confirm that they point there)."""

    def __init__(self, message: str, *, code: str = "TargetMismatch") -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class Target:
    """Where a resource lives; safe to store and to show (no secret)."""

    kind: Kind
    region: str
    account: str | None = None
    endpoint: str | None = None
    """Cloud: the URL that replaced the regional endpoints, if any. Emulator: its URL."""
    instance: str | None = None
    """Emulator only: its instance id (``/_emulator/health``)."""

    def to_state(self) -> dict[str, str]:
        """The ``_target`` output."""
        fields = {
            "kind": self.kind,
            "region": self.region,
            "account": self.account,
            "endpoint": self.endpoint,
            "instance": self.instance,
        }
        return {key: value for key, value in fields.items() if value}

    @classmethod
    def from_state(cls, value: Any) -> Target | None:
        """A recorded target, or None when there is none (or it is not one we wrote)."""
        if not isinstance(value, Mapping) or value.get("kind") not in ("cloud", "emulator"):
            return None

        def text(key: str) -> str | None:
            item = value.get(key)
            return item[:_MAX_FIELD] if isinstance(item, str) and item else None

        return cls(value["kind"], text("region") or "", text("account"), text("endpoint"), text("instance"))

    def describe(self) -> str:
        """``Alibaba Cloud account 1234 (cn-shanghai)`` / ``the emulator emu-… at http://… (account …)``."""
        account = f"account {self.account}" if self.account else "an unknown account"
        if self.kind == "cloud":
            via = f" through {self.endpoint}" if self.endpoint else ""
            return f"Alibaba Cloud, {account} ({self.region}){via}"
        instance = self.instance or "(instance not recorded)"
        where = f" at {self.endpoint}" if self.endpoint else ""
        return f"the emulator {instance}{where}, {account} ({self.region})"


@dataclass(frozen=True)
class Guard:
    """The outcome of a successful comparison: the target to record, and whether a NotFound there
    proves the resource is gone."""

    current: Target
    confirmed: bool

    def gone_or_raise(self, what: str) -> None:
        """Call on NotFound: return when that means "gone", raise when the match was not confirmed."""
        if not self.confirmed:
            raise TargetMismatchError(
                f"{what} was not found in {self.current.describe()}, but the account could not be "
                "confirmed, so it is not treated as deleted. Check the credentials (and that STS "
                "GetCallerIdentity is reachable), or remove it from the state with `pulumi state delete`.",
                code="TargetNotConfirmed",
            )


def _host(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")


def compare(recorded: Target, current: Target) -> str | None:
    """Why ``current`` is not where ``recorded`` lives, or None when it is."""
    if recorded.kind != current.kind:
        return "one is the cloud and the other an emulator"
    both_accounts = recorded.account is not None and current.account is not None
    if both_accounts and recorded.account != current.account:
        return "the accounts differ"
    if recorded.kind == "emulator":
        if recorded.instance and current.instance and recorded.instance != current.instance:
            return "they are different emulator instances (a wiped or another emulator)"
        return None
    recorded_local = bool(recorded.endpoint) and is_loopback_url(recorded.endpoint or "")
    current_local = bool(current.endpoint) and is_loopback_url(current.endpoint or "")
    if recorded_local != current_local:
        return "one endpoint is on this machine and the other is not"
    if not both_accounts and _host(recorded.endpoint) != _host(current.endpoint):
        return "the endpoints differ and the account cannot tell them apart"
    return None


def confirmed(recorded: Target, current: Target) -> bool:
    """Whether a match is proven (so a NotFound there means gone), not merely not refuted."""
    if recorded.kind == "emulator":
        return bool(recorded.instance and current.instance) or not (recorded.account and not current.account)
    return not (recorded.account and not current.account)


# --- the current target ------------------------------------------------------------------------------

_ACCOUNTS: dict[tuple[str, str], str | None] = {}
"""Per STS endpoint and key id: the account, or None when STS could not tell (asked once per process,
so an unreachable STS costs one timeout per key, not one per operation)."""
_ACCOUNTS_LOCK = threading.Lock()


def _account(connection: Connection) -> str | None:
    """The account the connection's credentials act for (STS GetCallerIdentity), cached per key."""
    from pulumi_alicloud_ai.client.credentials import caller_identity
    from pulumi_alicloud_ai.client.errors import CredentialsError

    if connection.sts_url is None:
        return None
    try:
        key_id = connection.credentials.get_credentials().access_key_id
    except CredentialsError:
        return None
    cache_key = (connection.sts_url, key_id)
    with _ACCOUNTS_LOCK:
        if cache_key in _ACCOUNTS:
            return _ACCOUNTS[cache_key]
    try:
        account: str | None = caller_identity(connection.credentials, connection.sts_url)["AccountId"]
    except CredentialsError:
        account = None  # STS unreachable or refused: the target is matched on what else is known
    with _ACCOUNTS_LOCK:
        _ACCOUNTS[cache_key] = account
    return account


def emulator_instance(url: str) -> str:
    """The instance id an emulator reports on its health check."""
    import httpx

    from pulumi_alicloud_ai.resources._connection import ConnectionSettingsError

    try:
        answer = httpx.get(f"{url.rstrip('/')}/_emulator/health", timeout=10.0, trust_env=False)
        health = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        health = None
    instance = health.get("instance") if isinstance(health, dict) else None
    if not isinstance(instance, str) or not instance:
        raise ConnectionSettingsError(
            f"the emulator at {url} does not answer its health check with an instance id; "
            "start it (or update it), or point alicloud-ai:endpoint / ALICLOUD_AI_ENDPOINT elsewhere"
        )
    return instance[:_MAX_FIELD]


def current_target(connection: Connection) -> Target:
    """Where the connection's calls go now (asks the emulator's health, and STS for the account)."""
    region = connection.settings.region
    if connection.emulated:
        url = connection.settings.endpoint or ""
        return Target("emulator", region, _account(connection), url, emulator_instance(url))
    return Target("cloud", region, _account(connection), connection.settings.endpoint)


# --- recorded, inferred, checked ------------------------------------------------------------------------


def infer(captured: Mapping[str, Any] | None, current: Target) -> Target:
    """The target of a resource written before targets were recorded, from what its program recorded."""
    captured = captured or {}
    endpoint = captured.get("endpoint") if isinstance(captured.get("endpoint"), str) else None
    mode = captured.get("mode")
    if mode == "emulator" or (mode != "cloud" and endpoint and is_loopback_url(endpoint)):
        return Target("emulator", current.region, None, endpoint or current.endpoint)
    if mode == "cloud" or endpoint:
        return Target("cloud", current.region, None, endpoint)
    return Target(current.kind, current.region, None, current.endpoint)


@functools.cache
def _say_once(what: str, described: str) -> str:
    message = (
        f"{what} has no recorded target (state written by an older pulumi-alicloud-ai); assuming it "
        f"lives in {described}. Its next update or refresh records it."
    )
    print(f"warning: {message}", file=sys.stderr)  # the engine shows a provider's stderr
    return message


def _chosen_by(resolution: Resolution | None) -> str:
    """Which settings chose the current target, as the user would look for them."""
    if resolution is None:
        return "the current settings"
    placement = resolution.placement
    if placement.endpoint:
        return f"{resolution.endpoint_key} is {placement.endpoint}"
    if resolution.mode != "auto":
        return f"{resolution.mode_key} is {resolution.mode}"
    if placement.emulated:
        return "no credentials and no endpoint are set, so the embedded emulator is used"
    return f"the credentials come from {resolution.credentials.describe()}"


def fix_hint(recorded: Target, current: Target, resolution: Resolution | None) -> str:
    """What to change so the settings point at ``recorded`` again, naming the setting in charge now."""
    now = f"(now: {_chosen_by(resolution)})"
    if recorded.kind == "cloud" and current.kind == "emulator":
        return (
            "To act on it, configure credentials of that account (alicloud:accessKey/secretKey, "
            f"alicloud:profile, ALICLOUD_ACCESS_KEY/SECRET_KEY ...) or `alicloud-ai:mode cloud` {now}."
        )
    if recorded.kind == "emulator" and current.kind == "cloud":
        where = f" ({recorded.endpoint})" if recorded.endpoint else ""
        return (
            f"To act on it, set alicloud-ai:endpoint or ALICLOUD_AI_ENDPOINT to that emulator{where} {now}."
        )
    if recorded.account and current.account and recorded.account != current.account:
        plan = resolution.credentials.describe() if resolution else "the current credentials"
        return f"To act on it, use credentials of account {recorded.account} (now {plan})."
    if recorded.kind == "emulator":
        return (
            f"To act on it, point alicloud-ai:endpoint or ALICLOUD_AI_ENDPOINT at the emulator "
            f"{recorded.instance} (the one started on its data directory) {now}."
        )
    key = resolution.endpoint_key if resolution and resolution.endpoint_key else "alicloud-ai:endpoint"
    return f"To act on it, set {key} back to {recorded.endpoint or 'nothing (the regional endpoints)'} {now}."


def check(outputs: Mapping[str, Any], connection: Connection, what: str) -> Guard:
    """Compare the recorded target with the current one; raise :class:`TargetMismatchError` on a
    mismatch, else return the :class:`Guard` for the operation.

    ``outputs`` are the resource's recorded properties; ``what`` names it in messages
    (``AppService cn-shanghai/chat_llm``).
    """
    current = current_target(connection)
    recorded = Target.from_state(outputs.get(TARGET_KEY))
    inferred = False
    if recorded is None:
        if TARGET_KEY not in outputs and "_outputs_version" not in outputs:
            return Guard(current, confirmed=True)  # an import: nothing recorded yet, it is read here
        captured = outputs.get("connection")
        recorded = infer(captured if isinstance(captured, Mapping) else None, current)
        inferred = True
    reason = compare(recorded, current)
    if reason is not None:
        hint = " " + fix_hint(recorded, current, connection.resolution)
        raise TargetMismatchError(
            f"{what} was created in {recorded.describe()}, but the current settings point at "
            f"{current.describe()} ({reason}); refusing to act on it there.{hint} If it really is gone, "
            "remove it from the state with `pulumi state delete`."
        )
    if inferred:
        _say_once(what, recorded.describe())
        return Guard(current, confirmed=True)
    return Guard(current, confirmed=confirmed(recorded, current))


def fresh(connection: Connection) -> Guard:
    """The guard of an operation that makes the resource (nothing recorded yet): its target is now's."""
    return Guard(current_target(connection), confirmed=True)
