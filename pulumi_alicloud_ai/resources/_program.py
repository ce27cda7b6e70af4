"""What a resource records, when the program runs, about where it lives (never a secret).

Each resource records the non-secret stack settings it saw (``alicloud-ai:endpoint``, ``alicloud-ai:mode``
and the project and stack names, which name the provider event log) in its ``connection`` input, and
takes its default region from the same resolution the providers use (:mod:`._settings`). Providers
prefer the stack config the engine passes them; the recorded values fill the gaps (older engines pass
none). When neither credentials nor an endpoint are configured, resources go to the embedded emulator,
and the program says so loudly once.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider
from pulumi.runtime import get_config

from pulumi_alicloud_ai._secret import Secret
from pulumi_alicloud_ai.resources import _setting_keys as keys
from pulumi_alicloud_ai.resources import _settings

if TYPE_CHECKING:
    from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings

EMULATOR_DEFAULT_REGION = keys.EMULATOR_DEFAULT_REGION


@dataclass(frozen=True)
class StackSettings:
    """What resources of this program record about where they live. Against an emulator (embedded
    or a loopback endpoint) the region defaults to the emulator's ``cn-shanghai``."""

    region: str | None
    connection: dict[str, str] = field(default_factory=dict)
    embedded: bool = False


def program_config() -> dict[str, Any]:
    """The stack config keys the resolution reads, as the program sees them (credentials wrapped)."""
    found: dict[str, Any] = {}
    for key in keys.CONFIG_KEYS:
        value = get_config(key)
        if value is not None:
            found[key] = Secret(value) if key in keys.SECRET_CONFIG_KEYS else value
    return found


@functools.cache
def _chain_has_credentials() -> bool:
    """Asked once per process: the credential chain reads files and may probe the metadata service."""
    from pulumi_alicloud_ai.resources._connection import chain_has_credentials

    return chain_has_credentials()


@functools.cache
def _warn_embedded() -> None:
    pulumi.log.warn(
        "pulumi-alicloud-ai: no Alibaba Cloud credentials or endpoint are configured, so these "
        "resources are created in the LOCAL EMULATOR, not in Alibaba Cloud. Set credentials "
        "(e.g. `pulumi config set --secret alicloud:secretKey ...` or ALICLOUD_ACCESS_KEY/SECRET_KEY) "
        "or `pulumi config set alicloud-ai:mode cloud` to deploy to the cloud."
    )


def stack_settings(resource: dict[str, Any] | None = None) -> StackSettings:
    """Read for each resource, so a changed config is seen; the embedded-emulator warning shows once.

    ``resource`` is the resource's own settings object as recorded (``ProviderSettings.to_inputs()``).
    """
    config = program_config()
    resolution = _settings.resolve(
        environ=os.environ,
        config=config,
        resource=resource,
        has_credentials=lambda _plan: _chain_has_credentials(),
    )
    connection = {
        key.split(":", 1)[1]: str(config[key]) for key in (keys.ENDPOINT_KEY, keys.MODE_KEY) if key in config
    }
    # Names the provider's event log (resources/_events.py) when the host's request is not at hand.
    connection.update(project=pulumi.get_project(), stack=pulumi.get_stack())
    embedded = resolution.placement.embedded
    if embedded:
        _warn_embedded()
    return StackSettings(region=resolution.region, connection=connection, embedded=embedded)


def reset_cache() -> None:
    """Forget the once-per-process answers (tests that change credentials or endpoints)."""
    _chain_has_credentials.cache_clear()
    _warn_embedded.cache_clear()


def placement(settings: ProviderSettings | None, region: Any) -> dict[str, Any]:
    """The inputs every resource records about where it lives: ``region`` (its own input, else the
    settings', stack's or environment's), ``connection`` (stack values, for older engines) and
    ``settings`` (the resource's references, if any)."""
    resource = settings.to_inputs() if settings is not None else None
    stack = stack_settings(resource)
    return {"region": region or stack.region, "connection": stack.connection or None, "settings": resource}


R = TypeVar("R", bound=Resource)


def read_existing(
    cls: type[R],
    provider: ResourceProvider,
    resource_name: str,
    resource_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None,
    *,
    fields: tuple[str, ...],
    settings: ProviderSettings | None,
    region: Any = None,
) -> R:
    """A resource of ``cls`` read from the live service by id and not managed: the engine reads it
    (the provider's ``read``) and never creates, updates or deletes it. ``fields`` are the properties
    the resource exposes; the region and settings say where to read."""
    props = {**dict.fromkeys(fields), **placement(settings, region)}
    resource = cls.__new__(cls)
    read = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=resource_id))
    Resource.__init__(resource, provider, resource_name, props, read)
    return resource
