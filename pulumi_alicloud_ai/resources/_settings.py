"""Every setting that decides where a resource's calls go, resolved in one pure function.

:func:`resolve` takes the environment, the stack configuration, a resource's own settings object
(:class:`~pulumi_alicloud_ai.resources.provider_settings.ProviderSettings`, references only) and the
settings recorded in its state, and returns a :class:`Resolution`: the mode, endpoint, region and
credential plan, plus every setting it saw, where it came from, and why each one it did not use was
ignored (what ``doctor`` prints). It reads no file and makes no call; the one question that needs the
machine ("does the default credential chain find anything?") is asked through a callback, only when
the answer matters. :func:`decide` is the mode-and-endpoint rule on its own.

Precedence, highest first, for every setting:

1. the resource's ``settings=`` object (region, endpoint, profile, shared_credentials_file, assume_role);
2. stack config: ``alicloud-ai:mode``, ``alicloud-ai:endpoint``, ``alicloud:*``; values the engine did
   not pass fall back to the ones the program recorded in the resource's state;
3. environment: ``ALICLOUD_AI_*``, ``ALICLOUD_*``, then ``ALIBABA_CLOUD_REGION_ID``.

Credentials, in pulumi-alicloud's order (the first complete source wins; an assume-role setting then
assumes that role with it):

1. the profile named by the resource's settings;
2. ``alicloud:accessKey`` + ``alicloud:secretKey`` (+ ``alicloud:securityToken``);
3. ``ALICLOUD_ACCESS_KEY`` + ``ALICLOUD_SECRET_KEY`` (+ ``ALICLOUD_SECURITY_TOKEN``);
4. the profile named by ``alicloud:profile`` / ``ALICLOUD_PROFILE``, in ``sharedCredentialsFile``
   (default ``~/.aliyun/config.json``);
5. Alibaba's default chain (``ALIBABA_CLOUD_*`` variables, OIDC, the CLI's current profile,
   ``credentials.ini``, the ECS RAM role, a credentials URI).

An emulator is never sent cloud credentials: against one, calls are signed with the emulator keys
(``ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID`` / ``_SECRET``, default ``test``/``test``), unless the resource's
own settings name a profile or a role, which are used as they would be in the cloud (so several
accounts can be tested against one emulator).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pulumi_alicloud_ai._bounded import Bounds, load_json
from pulumi_alicloud_ai._net import is_loopback_url
from pulumi_alicloud_ai._secret import MASK, Secret
from pulumi_alicloud_ai.resources._setting_keys import (
    ACCESS_KEY_ENV,
    ACCESS_KEY_KEY,
    ASSUME_ROLE_KEY,
    CHAIN_ENVS,
    CONFIG_KEYS,
    EMULATOR_DEFAULT_REGION,
    EMULATOR_KEY_ENVS,
    ENDPOINT_ENV,
    ENDPOINT_KEY,
    MODE_ENV,
    MODE_KEY,
    MODES,
    PROFILE_ENV,
    PROFILE_KEY,
    REGION_ENVS,
    REGION_KEY,
    ROLE_ARN_ENV,
    SECRET_CONFIG_KEYS,
    SECRET_ENVS,
    SECRET_KEY_ENV,
    SECRET_KEY_KEY,
    SESSION_EXPIRATION_ENV,
    SESSION_NAME_ENV,
    SHARED_FILE_ENV,
    SHARED_FILE_KEY,
    TOKEN_ENV,
    TOKEN_KEY,
)
from pulumi_alicloud_ai.resources.provider_settings import SESSION_EXPIRATION_RANGE

SETTING_BOUNDS = Bounds(max_bytes=16 * 1024, max_depth=8)
"""An object setting (``alicloud:assumeRole``) is a few short fields and a policy."""

STACK, ENV, RESOURCE, RECORDED = "stack config", "environment", "resource settings", "recorded in state"


@dataclass(frozen=True)
class Seen:
    """One setting found somewhere: where, its value as it may be shown, and whether it was used."""

    key: str
    source: str
    shown: str
    used: bool
    why: str = ""

    def line(self) -> str:
        """``alicloud:region = cn-beijing (stack config): ignored, overridden by ...``."""
        state = "used" if self.used else f"ignored, {self.why}"
        return f"{self.key} = {self.shown} ({self.source}): {state}"


@dataclass(frozen=True)
class AssumeRoleSpec:
    """A role to assume with the base credentials (pulumi-alicloud's ``assumeRole`` block)."""

    role_arn: str
    session_name: str | None = None
    session_expiration: int | None = None
    policy: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class StaticKeys:
    """An access key given as settings (never in state: the values are :class:`Secret`)."""

    access_key_id: Secret
    access_key_secret: Secret
    security_token: Secret | None
    origin: str


@dataclass(frozen=True)
class ProfileRef:
    """A named profile of a shared credentials file (``None`` path: ``~/.aliyun/config.json``)."""

    name: str
    path: str | None
    origin: str


@dataclass(frozen=True)
class CredentialPlan:
    """Which credentials sign the calls; resolved into a provider at call time (``_connection``)."""

    static: StaticKeys | None = None
    profile: ProfileRef | None = None
    assume_role: AssumeRoleSpec | None = None
    emulator_keys: bool = False

    @property
    def explicit(self) -> bool:
        """Whether a setting names the credentials (so the default chain need not be asked)."""
        return self.static is not None or self.profile is not None or self.emulator_keys

    def base(self) -> str:
        """Where the credentials (before any assumed role) come from, never what they are."""
        if self.emulator_keys:
            return "the emulator keys"
        if self.static is not None:
            return self.static.origin
        if self.profile is not None:
            return f"profile {self.profile.name!r} ({self.profile.origin})"
        return "Alibaba's default credential chain"

    def describe(self) -> str:
        """The base credentials and the role assumed with them, if any."""
        role = self.assume_role
        return self.base() + (f", assuming {role.role_arn} ({role.origin})" if role is not None else "")


@dataclass(frozen=True)
class Placement:
    """The mode-and-endpoint decision: an emulator (embedded when no endpoint is set) or the cloud."""

    emulated: bool
    endpoint: str | None

    @property
    def embedded(self) -> bool:
        """The embedded emulator, started on demand."""
        return self.emulated and self.endpoint is None


@dataclass(frozen=True)
class Problem:
    """A setting that cannot be used as given; ``key`` names it as the user wrote it."""

    key: str
    message: str


@dataclass(frozen=True)
class Resolution:
    """Everything :func:`resolve` decided, and what it saw on the way."""

    mode: str
    placement: Placement
    region: str | None
    credentials: CredentialPlan
    seen: tuple[Seen, ...] = ()
    problems: tuple[Problem, ...] = ()
    region_key: str = ""
    """Which setting gave the region (for messages), empty when none did."""
    mode_key: str = ""
    endpoint_key: str = ""

    @property
    def endpoint(self) -> str | None:
        """Where calls go instead of the regional endpoints, if anywhere."""
        return self.placement.endpoint


def decide(mode: str, endpoint: str | None, has_credentials: Callable[[], bool]) -> Placement:
    """The mode-and-endpoint rule.

    ``emulator``: an emulator (the configured endpoint, else the embedded one). ``cloud``: the cloud
    (the endpoint, if set, replaces the regional ones). ``auto``: a loopback endpoint is an emulator,
    any other endpoint the cloud; with no endpoint, credentials mean the cloud and none the embedded
    emulator. ``has_credentials`` is asked only in that last case.
    """
    if mode == "emulator":
        return Placement(True, endpoint)
    if mode == "cloud":
        return Placement(False, endpoint)
    if endpoint:
        return Placement(is_loopback_url(endpoint), endpoint)
    return Placement(not has_credentials(), None)


# --- reading the sources ------------------------------------------------------------------------------


@dataclass
class _Sources:
    """The settings found, with bookkeeping of what was seen."""

    environ: Mapping[str, str]
    config: Mapping[str, Any]
    recorded: Mapping[str, Any]
    resource: Mapping[str, Any]
    seen: list[Seen] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def config_value(self, key: str) -> tuple[Any, str] | None:
        """The stack value of ``key`` (live, else recorded), with its source label."""
        if self.config.get(key) not in (None, ""):
            return self.config[key], STACK
        short = key.split(":", 1)[1]
        if self.recorded.get(short) not in (None, ""):
            return self.recorded[short], RECORDED
        return None


def _shown(key: str, value: Any) -> str:
    if isinstance(value, Secret) or key in SECRET_CONFIG_KEYS or key in SECRET_ENVS:
        return MASK
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."


def _first(
    sources: _Sources, candidates: list[tuple[str, str, Any]], *, ignore_all: str = ""
) -> tuple[Any, str] | None:
    """The first present candidate ``(key, source, value)`` wins and the others are recorded as
    ignored; with ``ignore_all`` (the reason) none wins."""
    winner: tuple[Any, str] | None = None
    for key, source, value in candidates:
        if value in (None, ""):
            continue
        if winner is None and not ignore_all:
            winner = (value, key)
            sources.seen.append(Seen(key, source, _shown(key, value), used=True))
        else:
            why = ignore_all or f"overridden by {winner[1] if winner else ''}"
            sources.seen.append(Seen(key, source, _shown(key, value), used=False, why=why))
    return winner


def _stack(sources: _Sources, key: str) -> tuple[str, str, Any]:
    found = sources.config_value(key)
    return (key, found[1], found[0]) if found else (key, STACK, None)


def _env(sources: _Sources, name: str) -> tuple[str, str, Any]:
    value = sources.environ.get(name)
    if value and name in SECRET_ENVS:
        return (name, ENV, Secret(value))
    return (name, ENV, value or None)


def _res(sources: _Sources, name: str) -> tuple[str, str, Any]:
    return (f"settings.{name}", RESOURCE, sources.resource.get(name))


def _text(value: Any) -> str:
    return value.reveal() if isinstance(value, Secret) else str(value)


def _mode(sources: _Sources) -> tuple[str, str]:
    found = _first(sources, [_stack(sources, MODE_KEY), _env(sources, MODE_ENV)])
    if found is None:
        return "auto", ""
    mode, key = _text(found[0]).strip().lower(), found[1]
    if mode not in MODES:
        sources.problems.append(
            Problem(key, f"{key} {found[0]!r} is not supported; allowed values: {', '.join(MODES)}")
        )
        return "auto", key
    return mode, key


def _endpoint(sources: _Sources) -> tuple[str | None, str]:
    found = _first(
        sources, [_res(sources, "endpoint"), _stack(sources, ENDPOINT_KEY), _env(sources, ENDPOINT_ENV)]
    )
    if found is None:
        return None, ""
    endpoint, key = _text(found[0]).strip().rstrip("/"), found[1]
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        sources.problems.append(
            Problem(key, f"{key} {endpoint!r} is not a URL such as http://127.0.0.1:8123 or https://host")
        )
        return None, key
    return (endpoint if "://" in endpoint else f"http://{endpoint}"), key


def _region(sources: _Sources) -> tuple[str | None, str]:
    found = _first(
        sources,
        [
            _res(sources, "region"),
            _stack(sources, REGION_KEY),
            *(_env(sources, name) for name in REGION_ENVS),
        ],
    )
    return (_text(found[0]).strip(), found[1]) if found else (None, "")


def _static_keys(sources: _Sources, emulated: bool, outranked_by: str) -> StaticKeys | None:
    """Keys from stack config, else from ``ALICLOUD_*``; the pair must be complete."""
    chosen: StaticKeys | None = None
    for id_key, secret_key, token_key, lookup in (
        (ACCESS_KEY_KEY, SECRET_KEY_KEY, TOKEN_KEY, _stack),
        (ACCESS_KEY_ENV, SECRET_KEY_ENV, TOKEN_ENV, _env),
    ):
        parts = [lookup(sources, key) for key in (id_key, secret_key, token_key)]
        present = [part for part in parts if part[2] not in (None, "")]
        if not present:
            continue
        complete = parts[0][2] not in (None, "") and parts[1][2] not in (None, "")
        if emulated:
            why = "the target is an emulator, which is never sent cloud credentials"
        elif outranked_by:
            why = f"overridden by {outranked_by}"
        elif chosen is not None:
            why = f"overridden by {chosen.origin}"
        elif not complete:
            missing = id_key if parts[0][2] in (None, "") else secret_key
            why = f"incomplete without {missing}"
            sources.problems.append(Problem(missing, f"{present[0][0]} is set but {missing} is not"))
        else:
            why = ""
        for key, source, _value in present:
            sources.seen.append(Seen(key, source, MASK, used=not why, why=why))
        if not why:
            token = parts[2][2]
            chosen = StaticKeys(
                Secret(_text(parts[0][2])),
                Secret(_text(parts[1][2])),
                Secret(_text(token)) if token not in (None, "") else None,
                f"{id_key}/{secret_key} ({present[0][1]})",
            )
    return chosen


def _profile(sources: _Sources, *, resource_only: bool, outranked_by: str) -> ProfileRef | None:
    """The profile the resource's settings name, else (in the cloud) the stack's or environment's."""
    if resource_only:
        candidates = [_res(sources, "profile")]
        ignored = [_stack(sources, PROFILE_KEY), _env(sources, PROFILE_ENV)]
    else:
        candidates = [_res(sources, "profile"), _stack(sources, PROFILE_KEY), _env(sources, PROFILE_ENV)]
        ignored = []
    resource_named = sources.resource.get("profile") not in (None, "")
    outranked = f"overridden by {outranked_by}" if outranked_by and not resource_named else ""
    found = _first(sources, candidates, ignore_all=outranked)
    why = "the target is an emulator, which is never sent the stack's credentials"
    for key, source, value in ignored:
        if value not in (None, ""):
            sources.seen.append(Seen(key, source, _shown(key, value), used=False, why=why))
    files = [
        _res(sources, "shared_credentials_file"),
        _stack(sources, SHARED_FILE_KEY),
        _env(sources, SHARED_FILE_ENV),
    ]
    if found is None:
        _first(sources, files, ignore_all="no profile is used, so no shared credentials file is read")
        return None
    path = _first(sources, files)
    return ProfileRef(_text(found[0]), _text(path[0]) if path else None, found[1])


def _expiration(sources: _Sources, key: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    low, high = SESSION_EXPIRATION_RANGE
    try:
        number = float(_text(value))  # Pulumi sends numbers as floats
    except ValueError:
        number = 0.0
    seconds = int(number) if number.is_integer() else 0
    if not low <= seconds <= high:
        sources.problems.append(Problem(key, f"{key} {value!r} must be whole seconds from {low} to {high}"))
        return None
    return seconds


def _role_object(sources: _Sources, key: str, value: Any) -> dict[str, Any] | None:
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = load_json(_text(value), SETTING_BOUNDS, what=key)
    except ValueError:  # BoundsError included
        parsed = None
    if not isinstance(parsed, dict):
        sources.problems.append(
            Problem(key, f"{key} must be an object with roleArn, sessionName, sessionExpiration, policy")
        )
        return None
    return parsed


def _assume_role(sources: _Sources, *, resource_only: bool) -> AssumeRoleSpec | None:
    """The resource's ``assume_role``, else ``alicloud:assumeRole``, else ``ALICLOUD_ASSUME_ROLE_*``."""
    candidates: list[tuple[str, str, dict[str, Any] | None]] = []
    resource_role = sources.resource.get("assume_role")
    if resource_role:
        candidates.append(("settings.assume_role", RESOURCE, dict(resource_role)))
    stack = sources.config_value(ASSUME_ROLE_KEY)
    if stack is not None:
        candidates.append((ASSUME_ROLE_KEY, stack[1], _role_object(sources, ASSUME_ROLE_KEY, stack[0])))
    if sources.environ.get(ROLE_ARN_ENV):
        candidates.append((ROLE_ARN_ENV, ENV, {"roleArn": sources.environ[ROLE_ARN_ENV]}))
    chosen: AssumeRoleSpec | None = None
    for key, source, role in candidates:
        shown = _shown(key, role) if role is not None else "(invalid)"
        if role is None:
            sources.seen.append(Seen(key, source, shown, used=False, why="not a valid assumeRole object"))
            continue
        arn = role.get("role_arn") or role.get("roleArn")
        if resource_only and source != RESOURCE:
            why = "the target is an emulator, which is never sent the stack's credentials"
        elif chosen is not None:
            why = f"overridden by {chosen.origin}"
        elif not arn:
            why = "it has no roleArn"
            sources.problems.append(Problem(key, f"{key} needs a roleArn"))
        else:
            why = ""
        sources.seen.append(Seen(key, source, shown, used=not why, why=why))
        if why:
            continue
        session = role.get("session_name") or role.get("sessionName") or sources.environ.get(SESSION_NAME_ENV)
        expiration_raw = role.get("session_expiration") or role.get("sessionExpiration")
        expiration_key = f"{key}.session_expiration" if source == RESOURCE else f"{key}.sessionExpiration"
        if expiration_raw in (None, "") and sources.environ.get(SESSION_EXPIRATION_ENV):
            expiration_raw, expiration_key = sources.environ[SESSION_EXPIRATION_ENV], SESSION_EXPIRATION_ENV
        chosen = AssumeRoleSpec(
            role_arn=str(arn),
            session_name=str(session) if session else None,
            session_expiration=_expiration(sources, expiration_key, expiration_raw),
            policy=_policy_text(role.get("policy")),
            origin=key,
        )
    return chosen


def _policy_text(policy: Any) -> str | None:
    if policy in (None, ""):
        return None
    return policy if isinstance(policy, str) else json.dumps(policy, separators=(",", ":"))


def _report_unused(sources: _Sources, emulated: bool, credentials: CredentialPlan) -> None:
    """The default chain's variables and emulator keys, and unknown keys of our two namespaces."""
    chain_used = not emulated and not credentials.explicit
    why_chain = (
        "the target is an emulator, which is never sent cloud credentials"
        if emulated
        else f"overridden by {credentials.base()}"
    )
    for name in CHAIN_ENVS:
        value = sources.environ.get(name)
        if value:
            sources.seen.append(
                Seen(name, ENV, _shown(name, value), used=chain_used, why="" if chain_used else why_chain)
            )
    for name in EMULATOR_KEY_ENVS:
        value = sources.environ.get(name)
        if value:
            used = credentials.emulator_keys
            why = (
                ""
                if used
                else (
                    "the resource's settings name its credentials" if emulated else "the target is the cloud"
                )
            )
            sources.seen.append(Seen(name, ENV, _shown(name, value), used=used, why=why))
    for key, value in sources.config.items():
        namespace = key.split(":", 1)[0]
        if namespace in ("alicloud", "alicloud-ai") and key not in CONFIG_KEYS:
            sources.seen.append(
                Seen(key, STACK, _shown(key, value), used=False, why="not a setting pulumi-alicloud-ai reads")
            )


def _plan(sources: _Sources, *, emulated: bool) -> CredentialPlan:
    """Which credentials sign: the resource's profile, else the stack's keys, ALICLOUD_* keys, a
    named profile, else the default chain (against an emulator: its keys unless the resource names
    a profile); with an assume-role setting on top."""
    resource_profile = sources.resource.get("profile") not in (None, "")
    static = _static_keys(sources, emulated, f"settings.profile ({RESOURCE})" if resource_profile else "")
    profile = _profile(
        sources, resource_only=emulated, outranked_by=static.origin if static is not None else ""
    )
    role = _assume_role(sources, resource_only=emulated)
    return CredentialPlan(static, profile, role, emulator_keys=emulated and profile is None)


def resolve(
    *,
    environ: Mapping[str, str],
    config: Mapping[str, Any] | None = None,
    resource: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Any] | None = None,
    has_credentials: Callable[[CredentialPlan], bool],
) -> Resolution:
    """Resolve every setting with the precedence in this module's docstring.

    ``config`` is the stack config (``alicloud:accessKey`` ...), ``resource`` the resource's settings
    object as recorded in its inputs, ``recorded`` the ``connection`` the program recorded (stack
    values the engine did not pass). ``has_credentials(plan)`` answers whether the default chain finds
    credentials; it is asked only in auto mode with no endpoint and no credential setting.
    """
    sources = _Sources(environ, config or {}, recorded or {}, resource or {})
    mode, mode_key = _mode(sources)
    endpoint, endpoint_key = _endpoint(sources)
    region, region_key = _region(sources)

    # The credential settings are read once for the decision, without recording what was seen.
    preview = _plan(_Sources(environ, sources.config, sources.recorded, sources.resource), emulated=False)
    placement = decide(mode, endpoint, lambda: preview.explicit or has_credentials(preview))
    credentials = _plan(sources, emulated=placement.emulated)
    if placement.emulated and region is None:
        region, region_key = EMULATOR_DEFAULT_REGION, "the emulator's default region"
    _report_unused(sources, placement.emulated, credentials)
    return Resolution(
        mode=mode,
        placement=placement,
        region=region,
        credentials=credentials,
        seen=tuple(sources.seen),
        problems=tuple(sources.problems),
        region_key=region_key,
        mode_key=mode_key,
        endpoint_key=endpoint_key,
    )
