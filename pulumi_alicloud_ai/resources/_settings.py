"""Stack settings a resource reads when the program runs, recorded in its (non-secret) inputs.

The provider process does not reliably see stack config, so each resource captures what it needs:
the region (``alicloud:region``, the key pulumi-alicloud users already set, then
``ALIBABA_CLOUD_REGION_ID``) and the connection (``alicloud-ai:endpoint``, ``alicloud-ai:mode``).
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
    """What resources of this program record about where they live."""

    region: str | None
    connection: dict[str, str] = field(default_factory=dict)
    embedded: bool = False


def _uses_embedded_emulator(connection: dict[str, str]) -> bool:
    mode = os.environ.get(_connection.MODE_ENV) or connection.get("mode") or "auto"
    endpoint = os.environ.get(_connection.ENDPOINT_ENV) or connection.get("endpoint")
    if endpoint:
        return False
    return mode == "emulator" or (mode == "auto" and not _connection.chain_has_credentials())


@functools.cache
def stack_settings() -> StackSettings:
    """Read once per program run."""
    ai_config = pulumi.Config("alicloud-ai")
    connection = {key: value for key in ("endpoint", "mode") if (value := ai_config.get(key))}
    region = pulumi.Config("alicloud").get("region") or os.environ.get(_connection.REGION_ENV)
    embedded = _uses_embedded_emulator(connection)
    if embedded:
        region = region or EMULATOR_DEFAULT_REGION
        pulumi.log.warn(
            "pulumi-alicloud-ai: no Alibaba Cloud credentials or endpoint are configured, so these "
            "resources are created in the LOCAL EMULATOR, not in Alibaba Cloud. Set credentials "
            "(e.g. ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET) or `pulumi config set alicloud-ai:mode cloud` "
            "to deploy to the cloud."
        )
    return StackSettings(region=region, connection=connection, embedded=embedded)
