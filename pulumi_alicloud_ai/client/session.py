"""Open product clients from picklable settings and a credentials provider read at call time.

Resource providers keep only :class:`ClientSettings` (no secrets) and open a client per operation, so
nothing secret or stateful is captured when Pulumi pickles the provider.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pulumi_alicloud_ai.client.credentials import CredentialsProvider
from pulumi_alicloud_ai.client.endpoints import Product
from pulumi_alicloud_ai.client.ratelimit import shared_limiter
from pulumi_alicloud_ai.client.retry import RetryPolicy, policy_from_env
from pulumi_alicloud_ai.client.signing import ACS3_HMAC_SHA256
from pulumi_alicloud_ai.client.transport import OpenApiClient, emulator_aware_endpoint


@dataclass(frozen=True)
class ClientSettings:
    """Where to send calls and how to retry them; safe to pickle and to log."""

    region: str
    endpoint: str | None = None
    """A base URL that replaces every product's regional endpoint (an emulator, or a private endpoint)."""
    network: str | None = None
    retry: RetryPolicy = field(default_factory=policy_from_env)
    timeout: float = 30.0
    signature_algorithm: str = ACS3_HMAC_SHA256
    """``ACS3-HMAC-SHA256`` (the default) or ``ACS3-HMAC-SM3``, where a policy asks for the SM3 family."""


ADAPTIVE_RATE_ENV = "ALICLOUD_AI_ADAPTIVE_RATE"


def adaptive_rate_enabled() -> bool:
    """``ALICLOUD_AI_ADAPTIVE_RATE=off`` turns the rate limiter off (retries stay): for throttling that
    does not follow request rate, where slowing down would not help."""
    return os.environ.get(ADAPTIVE_RATE_ENV, "on").lower() not in {"off", "0", "false", "no"}


def open_client(
    product: Product, settings: ClientSettings, credentials: CredentialsProvider
) -> OpenApiClient:
    """An :class:`OpenApiClient` for ``product``, sharing the process's rate limiter for its endpoint."""
    endpoint = emulator_aware_endpoint(product, settings.region, settings.network, settings.endpoint)
    limiter = shared_limiter(f"{endpoint.base_url}|{endpoint.host}") if adaptive_rate_enabled() else None
    return OpenApiClient(
        product,
        region=settings.region,
        credentials=credentials,
        endpoint_override=settings.endpoint,
        network=settings.network,
        retry=settings.retry,
        limiter=limiter,
        timeout=settings.timeout,
        signature_algorithm=settings.signature_algorithm,
    )
