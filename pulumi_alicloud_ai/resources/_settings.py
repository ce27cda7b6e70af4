"""Stack settings a resource reads when the program runs, recorded in its (non-secret) inputs.

The provider process does not reliably see stack config, so each resource captures what it needs:
the region (``alicloud:region``, the key pulumi-alicloud users already set, then
``ALIBABA_CLOUD_REGION_ID``) and the connection (``alicloud-ai:endpoint``, ``alicloud-ai:mode``, and
the project and stack names, which name the provider event log).
When neither credentials nor an endpoint are configured, resources go to the embedded emulator, and
the program says so loudly once.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

import pulumi

from pulumi_alicloud_ai.resources import _connection

EMULATOR_DEFAULT_REGION = "cn-shanghai"


@dataclass(frozen=True)
class StackSettings:
    """What resources of this program record about where they live. Against an emulator (embedded
    or a loopback endpoint) the region defaults to the emulator's ``cn-shanghai``."""

    region: str | None
    connection: dict[str, str] = field(default_factory=dict)
    embedded: bool = False


@functools.cache
def _uses_embedded_emulator(mode: str, endpoint: str | None) -> bool:
    """Asked once per process: the credential chain reads files and may probe the metadata service."""
    if endpoint:
        return False
    return mode == "emulator" or (mode == "auto" and not _connection.chain_has_credentials())


def _targets_an_emulator(mode: str, endpoint: str | None) -> bool:
    if endpoint:
        return mode != "cloud" and (mode == "emulator" or _connection.is_loopback_url(endpoint))
    return _uses_embedded_emulator(mode, endpoint)


@functools.cache
def _warn_embedded() -> None:
    pulumi.log.warn(
        "pulumi-alicloud-ai: no Alibaba Cloud credentials or endpoint are configured, so these "
        "resources are created in the LOCAL EMULATOR, not in Alibaba Cloud. Set credentials "
        "(e.g. ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET) or `pulumi config set alicloud-ai:mode cloud` "
        "to deploy to the cloud."
    )


def stack_settings() -> StackSettings:
    """Read for each resource, so a changed config is seen; the embedded-emulator warning shows once."""
    ai_config = pulumi.Config("alicloud-ai")
    connection = {key: value for key in ("endpoint", "mode") if (value := ai_config.get(key))}
    # Names the provider's event log (resources/_events.py) when the host's request is not at hand.
    connection.update(project=pulumi.get_project(), stack=pulumi.get_stack())
    region = pulumi.Config("alicloud").get("region") or os.environ.get(_connection.REGION_ENV)
    mode = os.environ.get(_connection.MODE_ENV) or connection.get("mode") or "auto"
    endpoint = os.environ.get(_connection.ENDPOINT_ENV) or connection.get("endpoint")
    embedded = _uses_embedded_emulator(mode, endpoint)
    if _targets_an_emulator(mode, endpoint):
        region = region or EMULATOR_DEFAULT_REGION
    if embedded:
        _warn_embedded()
    return StackSettings(region=region, connection=connection, embedded=embedded)


def reset_cache() -> None:
    """Forget the once-per-process answers (tests that change credentials or endpoints)."""
    _uses_embedded_emulator.cache_clear()
    _warn_embedded.cache_clear()
