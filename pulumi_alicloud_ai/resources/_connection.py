"""Where a provider call goes and with which credentials, decided at call time, never pickled.

The settings are resolved by :func:`._settings.resolve` (one precedence, documented there) from the
environment, the stack config the engine passed to the provider's ``configure`` (kept here, in the
provider process only, never on a provider object), the resource's settings object and what the
program recorded in its inputs. This module turns the result into a :class:`Connection`: client
settings and a credentials provider that fetches nothing until a request is signed.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._net import is_loopback_url
from pulumi_alicloud_ai._secret import Secret
from pulumi_alicloud_ai.client.errors import CredentialsError
from pulumi_alicloud_ai.resources import _setting_keys as keys
from pulumi_alicloud_ai.resources import _settings
from pulumi_alicloud_ai.resources._setting_keys import (
    DEFAULT_EMULATOR_KEY,
    EMULATOR_KEY_ENVS,
    ENDPOINT_ENV,
    MODE_ENV,
    MODES,
)
from pulumi_alicloud_ai.resources._settings import CredentialPlan, Placement, Resolution

if TYPE_CHECKING:  # the client stack is imported when a call is resolved, not with a program
    from pulumi.dynamic import ConfigureRequest

    from pulumi_alicloud_ai.client.credentials import CredentialsProvider
    from pulumi_alicloud_ai.client.session import ClientSettings

__all__ = [
    "ENDPOINT_ENV",
    "MODES",
    "MODE_ENV",
    "Connection",
    "ConnectionSettingsError",
    "chain_has_credentials",
    "chain_problem",
    "credentials_for",
    "default_region",
    "is_loopback_url",
    "preview_problems",
    "remember_config",
    "resolve",
    "resolve_settings",
    "stack_config",
    "sts_url_for",
]


class ConnectionSettingsError(CredentialsError):
    """The mode, endpoint or credentials cannot work together."""


@dataclass(frozen=True)
class Connection:
    """Resolved for one call: settings (safe to show) and a credentials provider (asked when signing)."""

    settings: ClientSettings
    credentials: CredentialsProvider
    emulated: bool
    resolution: Resolution | None = None
    sts_url: str | None = None
    """Where STS calls (AssumeRole, GetCallerIdentity) go: the emulator itself, or Alibaba's STS."""

    def describe(self) -> str:
        """A line for messages: which endpoint, never which key."""
        where = self.settings.endpoint or "Alibaba Cloud"
        return f"{'emulator at ' if self.emulated else ''}{where} ({self.settings.region})"


# --- the stack config the engine passed to `configure` --------------------------------------------

_CONFIG: dict[str, Any] | None = None
_CONFIG_LOCK = threading.Lock()


def remember_config(request: ConfigureRequest) -> None:
    """Keep the stack config of this provider process (called from the providers' ``configure``).

    The engine passes the whole stack config to dynamic providers, each key with its namespace and
    each value a string (an object as JSON text), secrets already unwrapped; only our two namespaces
    are kept, and the credential values are wrapped at once so that no repr or log can show them.
    """
    raw = getattr(request.config, "_props", None)
    if isinstance(raw, Mapping):
        items = dict(raw.items())
    else:  # an SDK without the raw mapping: ask for the keys we know
        items = {key: request.config.get(key) for key in keys.CONFIG_KEYS}
    kept: dict[str, Any] = {}
    for key, value in items.items():
        if (
            value is None
            or not isinstance(key, str)
            or key.split(":", 1)[0] not in ("alicloud", "alicloud-ai")
        ):
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        kept[key] = Secret(text) if key in keys.SECRET_CONFIG_KEYS else text
    global _CONFIG  # noqa: PLW0603 - one stack config per provider process, set by the engine
    with _CONFIG_LOCK:
        _CONFIG = kept


def stack_config() -> dict[str, Any] | None:
    """The stack config ``configure`` received, or None when the engine passed none (older CLIs)."""
    with _CONFIG_LOCK:
        return None if _CONFIG is None else dict(_CONFIG)


def forget_config() -> None:
    """Drop the remembered config (tests that play several stacks in one process)."""
    global _CONFIG  # noqa: PLW0603
    with _CONFIG_LOCK:
        _CONFIG = None


# --- resolving ------------------------------------------------------------------------------------


def chain_has_credentials(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Alibaba's default chain finds credentials (the auto-mode question)."""
    return chain_problem(environ) is None


def chain_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why Alibaba's default chain finds no credentials (None when it does)."""
    from pulumi_alicloud_ai.client.credentials import default_chain

    try:
        default_chain(environ).get_credentials()
    except CredentialsError as exc:
        return exc.message
    return None


@functools.lru_cache(maxsize=16)
def _cached_chain_problem(snapshot: frozenset[tuple[str, str]]) -> str | None:
    return chain_problem(dict(snapshot))


def preview_problems(
    captured: Mapping[str, Any] | None,
    resource: Mapping[str, Any] | None,
    environ: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """``(setting, reason)`` for each reason the resource's calls could not go anywhere, found without
    calling any API (``check`` runs this at ``pulumi preview``): a bad setting, or the cloud chosen
    (``alicloud-ai:mode cloud``, or an endpoint that is not an emulator) with no credentials at all.
    The default chain's answer is kept per process: it reads files and may probe the ECS metadata
    service, and ``check`` runs once per resource."""
    env = os.environ if environ is None else environ
    snapshot = frozenset((k, v) for k, v in env.items() if k.startswith(("ALIBABA_CLOUD_", "HOME")))
    resolution = _settings.resolve(
        environ=env,
        config=stack_config(),
        resource=resource,
        recorded=captured,
        has_credentials=lambda _plan: _cached_chain_problem(snapshot) is None,
    )
    problems = [(problem.key, problem.message) for problem in resolution.problems]
    placement = resolution.placement
    if problems or placement.emulated or resolution.credentials.explicit:
        return problems
    if resolution.mode == "cloud" or placement.endpoint:
        reason = _cached_chain_problem(snapshot)
        if reason is not None:
            chosen = (
                f"{resolution.mode_key} is cloud"
                if resolution.mode == "cloud"
                else (f"{resolution.endpoint_key} {placement.endpoint} is not an emulator")
            )
            return [
                (
                    "credentials",
                    f"{chosen}, but no Alibaba Cloud credentials were found ({reason}); set "
                    "alicloud:accessKey and alicloud:secretKey (`pulumi config set --secret`), "
                    "ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY, a profile (alicloud:profile), or "
                    "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                )
            ]
    return problems


def resolve_settings(
    captured: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    resource: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Resolution:
    """Every setting as the pure rule resolves it, with this process's environment and stack config."""
    env = os.environ if environ is None else environ
    return _settings.resolve(
        environ=env,
        config=stack_config() if config is None else config,
        resource=resource,
        recorded=captured,
        has_credentials=lambda _plan: chain_has_credentials(environ),
    )


def default_region(
    captured: Mapping[str, Any] | None = None,
    resource: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The region a setting names, for a resource without one of its own (``pulumi import`` of an id
    that does not carry it): the settings', else ``alicloud:region``, ``ALICLOUD_REGION``,
    ``ALIBABA_CLOUD_REGION_ID``; None when none does (an emulator's default is not a choice)."""
    resolution = resolve_settings(captured, environ, resource=resource)
    return resolution.region if resolution.region_key in keys.REGION_KEYS else None


def _emulator_keys(environ: Mapping[str, str]) -> tuple[str, str, str | None]:
    key_id, secret = (environ.get(name) for name in EMULATOR_KEY_ENVS)
    return (key_id or DEFAULT_EMULATOR_KEY, secret or DEFAULT_EMULATOR_KEY, None)


def credentials_for(
    plan: CredentialPlan, environ: Mapping[str, str] | None, sts_url: str | None
) -> CredentialsProvider:
    """The credentials provider a plan describes (nothing is fetched yet)."""
    from pulumi_alicloud_ai.client.credentials import configured_provider

    env = os.environ if environ is None else environ
    static: tuple[str, str, str | None] | None = None
    if plan.emulator_keys:
        static = _emulator_keys(env)
    elif plan.static is not None:
        token = plan.static.security_token
        static = (
            plan.static.access_key_id.reveal(),
            plan.static.access_key_secret.reveal(),
            token.reveal() if token is not None else None,
        )
    role = plan.assume_role
    return configured_provider(
        static=static,
        profile=plan.profile.name if plan.profile else None,
        profile_path=plan.profile.path if plan.profile else None,
        role_arn=role.role_arn if role else None,
        role_session_name=role.session_name if role else None,
        role_duration_seconds=role.session_expiration if role else None,
        role_policy=role.policy if role else None,
        environ=environ,
        sts_endpoint=sts_url,
    )


def sts_url_for(placement: Placement, region: str, environ: Mapping[str, str] | None = None) -> str:
    """Where STS calls go: an emulator or another endpoint on this machine answers them itself; any
    other target uses Alibaba's STS (``sts.<region>.aliyuncs.com``)."""
    from pulumi_alicloud_ai.client.credentials import sts_base_url

    if placement.endpoint and (placement.emulated or is_loopback_url(placement.endpoint)):
        return placement.endpoint
    return sts_base_url(os.environ if environ is None else environ, region=region)


def _first_problem(resolution: Resolution) -> None:
    if resolution.problems:
        problem = resolution.problems[0]
        raise ConnectionSettingsError(problem.message)


def resolve(
    region: str,
    captured: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    resource: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Connection:
    """Decide where this call goes, starting the embedded emulator if that is where."""
    from pulumi_alicloud_ai.client.session import ClientSettings
    from pulumi_alicloud_ai.resources import _embedded

    resolution = resolve_settings(captured, environ, resource=resource, config=config)
    _first_problem(resolution)
    placement = resolution.placement
    if placement.emulated:
        url = placement.endpoint or _embedded.ensure_running()
        credentials = credentials_for(resolution.credentials, environ, url)
        return Connection(ClientSettings(region=region, endpoint=url), credentials, True, resolution, url)
    sts_url = sts_url_for(placement, region, environ)
    credentials = credentials_for(resolution.credentials, environ, sts_url)
    if resolution.mode == "cloud" or placement.endpoint:
        try:
            credentials.get_credentials()
        except CredentialsError as exc:
            raise ConnectionSettingsError(
                f"alicloud-ai:mode is {resolution.mode} but no Alibaba Cloud credentials were found "
                f"({resolution.credentials.describe()}): {exc.message}"
            ) from None
    settings = ClientSettings(region=region, endpoint=placement.endpoint)
    return Connection(settings, credentials, False, resolution, sts_url)
