"""Open product clients from picklable settings and a credentials provider read at call time.

Resource providers keep only :class:`ClientSettings` (no secrets) and open a client per operation, so
nothing secret or stateful is captured when Pulumi pickles the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pulumi_alicloud_ai.client.credentials import CredentialsProvider
from pulumi_alicloud_ai.client.endpoints import Product
from pulumi_alicloud_ai.client.ratelimit import shared_limiter
from pulumi_alicloud_ai.client.retry import RetryPolicy
from pulumi_alicloud_ai.client.transport import OpenApiClient, emulator_aware_endpoint


@dataclass(frozen=True)
class ClientSettings:
    """Where to send calls and how to retry them; safe to pickle and to log."""

    region: str
    endpoint: str | None = None
    """A base URL that replaces every product's regional endpoint (an emulator, or a private endpoint)."""
    network: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0


def open_client(
    product: Product, settings: ClientSettings, credentials: CredentialsProvider
) -> OpenApiClient:
    """An :class:`OpenApiClient` for ``product``, sharing the process's rate limiter for its endpoint."""
    endpoint = emulator_aware_endpoint(product, settings.region, settings.network, settings.endpoint)
    return OpenApiClient(
        product,
        region=settings.region,
        credentials=credentials,
        endpoint_override=settings.endpoint,
        network=settings.network,
        retry=settings.retry,
        limiter=shared_limiter(f"{endpoint.base_url}|{endpoint.host}"),
        timeout=settings.timeout,
    )
