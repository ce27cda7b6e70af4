"""Where a provider call goes and with which credentials, decided at call time, never pickled.

Inputs (highest first): environment variables, then the stack config the resource captured when the
program ran (``alicloud-ai:endpoint``, ``alicloud-ai:mode``; never secrets).

* ``mode=cloud``: Alibaba Cloud; missing credentials are an error that lists what each source said.
* ``mode=emulator``: an emulator, at the configured endpoint or the embedded one, with emulator keys.
* ``mode=auto`` (default): an endpoint on loopback means an emulator; any other endpoint, or no
  endpoint with credentials found by the standard chain, means the cloud; no credentials at all means
  the embedded emulator, and the resource says so loudly at ``pulumi preview``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._net import is_loopback_url
from pulumi_alicloud_ai.client.errors import CredentialsError

if TYPE_CHECKING:  # the client stack is imported when a call is resolved, not with a program
    from pulumi_alicloud_ai.client.credentials import CredentialsProvider, StaticCredentialsProvider
    from pulumi_alicloud_ai.client.session import ClientSettings

__all__ = [
    "ENDPOINT_ENV",
    "MODES",
    "MODE_ENV",
    "REGION_ENV",
    "Connection",
    "ConnectionSettingsError",
    "chain_has_credentials",
    "is_loopback_url",
    "resolve",
]

MODES = ("auto", "cloud", "emulator")
ENDPOINT_ENV = "ALICLOUD_AI_ENDPOINT"
MODE_ENV = "ALICLOUD_AI_MODE"
REGION_ENV = "ALIBABA_CLOUD_REGION_ID"
EMULATOR_KEY_ENV = ("ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID", "ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET")


class ConnectionSettingsError(CredentialsError):
    """The mode, endpoint or credentials cannot work together."""


@dataclass(frozen=True)
class Connection:
    """Resolved for one call: settings (safe to show) and a credentials provider (asked when signing)."""

    settings: ClientSettings
    credentials: CredentialsProvider
    emulated: bool

    def describe(self) -> str:
        """A line for messages: which endpoint, never which key."""
        where = self.settings.endpoint or "Alibaba Cloud"
        return f"{'emulator at ' if self.emulated else ''}{where} ({self.settings.region})"


def _emulator_keys(environ: Mapping[str, str]) -> StaticCredentialsProvider:
    from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider

    key_id, secret = (environ.get(name) for name in EMULATOR_KEY_ENV)
    return StaticCredentialsProvider(key_id or "test", secret or "test")


def chain_has_credentials(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the standard chain finds credentials (the auto-mode question)."""
    from pulumi_alicloud_ai.client.credentials import default_chain

    try:
        default_chain(environ).get_credentials()
    except CredentialsError:
        return False
    return True


def resolve(
    region: str, captured: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Connection:
    """Decide where this call goes."""
    from pulumi_alicloud_ai.client.credentials import default_chain
    from pulumi_alicloud_ai.client.session import ClientSettings
    from pulumi_alicloud_ai.resources import _embedded

    env = os.environ if environ is None else environ
    captured = captured or {}
    mode = env.get(MODE_ENV) or captured.get("mode") or "auto"
    if mode not in MODES:
        raise ConnectionSettingsError(
            f"alicloud-ai:mode {mode!r} is not supported; allowed values: {', '.join(MODES)}"
        )
    endpoint = env.get(ENDPOINT_ENV) or captured.get("endpoint") or None
    if mode == "emulator" or (mode == "auto" and endpoint and is_loopback_url(endpoint)):
        url = endpoint or _embedded.ensure_running()
        return Connection(ClientSettings(region=region, endpoint=url), _emulator_keys(env), emulated=True)
    chain = default_chain(environ)
    if mode == "cloud" or endpoint:
        try:
            chain.get_credentials()
        except CredentialsError as exc:
            raise ConnectionSettingsError(
                f"alicloud-ai:mode is {mode} but no Alibaba Cloud credentials were found: {exc.message}"
            ) from None
        return Connection(ClientSettings(region=region, endpoint=endpoint), chain, emulated=False)
    try:
        chain.get_credentials()
    except CredentialsError:
        url = _embedded.ensure_running()
        return Connection(ClientSettings(region=region, endpoint=url), _emulator_keys(env), emulated=True)
    return Connection(ClientSettings(region=region), chain, emulated=False)
