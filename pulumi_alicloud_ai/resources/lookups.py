"""Lookups: the live state of something a program does not manage, as pulumi-alicloud's ``get_*``.

``get_app_service("chat_llm")`` reads a PAI-EAS app service when the program runs (at ``preview`` and
``up``) and returns its outputs; nothing is recorded in the stack, nothing is ever changed. It resolves
settings exactly as a resource does (``settings=`` first, then stack config, then environment), so it
reads from the same account, region or emulator a resource with those settings would use.

To keep a read-only copy in the stack's state instead (refreshed by ``pulumi refresh``), use
``AppService.get(name, "<region>/<service_name>")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings


@dataclass(frozen=True)
class AppServiceInfo:
    """A live app service, as ``DescribeService`` reports it."""

    service_name: str
    region: str
    service_id: str
    status: str
    service_spec: str | None
    replicas: int | None
    app_type: str | None
    app_version: str | None
    internet_endpoint: str | None
    intranet_endpoint: str | None
    access_token: pulumi.Output[str]
    """The token to call the service with, as a Pulumi secret."""
    target: str
    """Where it was read: the account and region, or the emulator."""


def get_app_service(
    service_name: str, region: str | None = None, *, settings: ProviderSettings | None = None
) -> AppServiceInfo:
    """The live service ``service_name`` (in ``region``, else the resolved one); ``LookupError`` when
    there is none there."""
    from pulumi_alicloud_ai.client.eas import EasClient
    from pulumi_alicloud_ai.client.endpoints import EAS
    from pulumi_alicloud_ai.client.errors import NotFoundError
    from pulumi_alicloud_ai.client.session import open_client
    from pulumi_alicloud_ai.resources import _connection, _program, _target

    resource = settings.to_inputs() if settings is not None else None
    chosen = region or _program.stack_settings(resource).region
    if not chosen:
        raise ValueError(
            "get_app_service needs a region: pass region=, set `pulumi config set alicloud:region ...` "
            "or ALICLOUD_REGION"
        )
    connection = _connection.resolve(chosen, resource=resource, config=_program.program_config())
    where = _target.current_target(connection).describe()
    with open_client(EAS, connection.settings, connection.credentials) as api:
        eas = EasClient(api)
        try:
            service = eas.describe_service(chosen, service_name)
        except NotFoundError:
            raise LookupError(f"no EAS service {service_name!r} in {where}") from None
        token = service.access_token or eas.describe_service_endpoints(chosen, service_name).access_token
    return AppServiceInfo(
        service_name=service.service_name,
        region=chosen,
        service_id=service.service_id or "",
        status=service.status,
        service_spec=service.app_spec_name or None,
        replicas=service.configured_replicas(),
        app_type=service.app_type or None,
        app_version=service.app_version or None,
        internet_endpoint=service.internet_endpoint,
        intranet_endpoint=service.intranet_endpoint,
        access_token=pulumi.Output.secret(token or ""),
        target=where,
    )
