"""The endpoints family: each product's host, whether it answers, the clock skew against its ``Date``
header (more than 15 minutes makes signatures fail with ``InvalidTimeStamp.Expired``), and whether a
signed read-only call is accepted (proving the endpoint, the signature and the key together)."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD, Product
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, AuthError, CredentialsError
from pulumi_alicloud_ai.client.retry import NO_RETRIES
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation, emulator_aware_endpoint
from pulumi_alicloud_ai.doctor._report import Check, Settings, Target

SKEW_LIMIT = 15 * 60
"""The gateway refuses signatures dated further than this from its clock."""
SKEW_WARN = 60
PROBES: dict[str, tuple[Product, Operation, dict[str, Any]]] = {
    "eas": (EAS, Operation("ListServices", "GET", "/api/v2/services", idempotent=True), {"PageSize": "1"}),
    "vod": (VOD, Operation("ListAITemplate", idempotent=True), {"TemplateType": "AIImage"}),
    "ros": (ROS, Operation("ListAITasks", idempotent=True), {"MaxResults": "1"}),
}
"""A read-only call per product: it proves the endpoint, the signature and the key together."""
AUTH_ADVICE = {
    "SignatureDoesNotMatch": "the secret does not belong to this key id: check the secret of the source above",
    "InvalidAccessKeyId.NotFound": "the key id is unknown here: check the key id (or the endpoint)",
    "InvalidAccessKeyId.Inactive": "the key is disabled: enable it or use another one in the RAM console",
    "InvalidTimeStamp.Expired": "this machine's clock is off: sync it (e.g. `sudo timedatectl set-ntp true`)",
    "InvalidSecurityToken.Expired": "the STS token expired: refresh the temporary credentials",
}


def _skew(response: httpx.Response, now: float) -> float | None:
    date = response.headers.get("date")
    if not date:
        return None
    try:
        return now - parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None


def check_endpoints(
    settings: Settings, target: Target, clock: Callable[[], float], timeout: float = 5.0
) -> list[Check]:
    """Resolve, reach, measure skew, and make one signed read-only call per product."""
    checks: list[Check] = []
    reached: dict[str, httpx.Response | str] = {}
    if target.emulated and target.endpoint is None:
        return checks
    for code, (product, operation, query) in PROBES.items():
        name = f"endpoint {code}"
        try:
            endpoint = emulator_aware_endpoint(product, settings.region, None, target.endpoint)
        except ValueError as exc:
            checks.append(Check(name, False, str(exc), "fix the region or alicloud-ai:endpoint"))
            continue
        shown = endpoint.base_url + (
            f" (as {endpoint.host})" if endpoint.host not in endpoint.base_url else ""
        )
        if endpoint.base_url not in reached:
            try:
                reached[endpoint.base_url] = httpx.get(
                    endpoint.base_url + "/", timeout=timeout, trust_env=False
                )
            except httpx.HTTPError as exc:
                reached[endpoint.base_url] = f"{type(exc).__name__}: {exc}"
        answer = reached[endpoint.base_url]
        if isinstance(answer, str):
            checks.append(
                Check(
                    name, False, f"{shown} does not answer ({answer})", "check the network, proxy or endpoint"
                )
            )
            continue
        checks.append(Check(name, True, f"{shown} answers"))
        skew = _skew(answer, clock())
        if skew is not None:
            checks.append(_skew_check(code, skew))
        if target.credentials is not None:
            checks.append(_probe(code, product, operation, query, settings, target))
    return checks


def _skew_check(code: str, skew: float) -> Check:
    text = f"this machine is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} the {code} endpoint"
    if abs(skew) > SKEW_LIMIT:
        return Check(
            f"clock {code}",
            False,
            text + "; signatures will fail with InvalidTimeStamp.Expired",
            "sync the clock (e.g. `sudo timedatectl set-ntp true`)",
        )
    if abs(skew) > SKEW_WARN:
        return Check(f"clock {code}", None, text, "sync the clock before it drifts past 15 minutes")
    return Check(f"clock {code}", True, f"skew {skew:+.1f}s")


def _probe(
    code: str,
    product: Product,
    operation: Operation,
    query: dict[str, Any],
    settings: Settings,
    target: Target,
) -> Check:
    name = f"signed call {code}"
    client = OpenApiClient(
        product,
        region=settings.region,
        credentials=target.credentials,
        endpoint_override=target.endpoint,
        retry=NO_RETRIES,
        timeout=10.0,
    )
    try:
        body = client.call(operation, query=query)
    except AuthError as exc:
        advice = AUTH_ADVICE.get(exc.code, "give the key's RAM user permission for this read-only call")
        return Check(
            name, False, f"{operation.action} refused: {exc.code} (RequestId {exc.request_id})", advice
        )
    except CredentialsError as exc:
        return Check(name, False, f"no credentials to sign with: {exc.message}", "see the credentials line")
    except AlibabaCloudError as exc:
        rid = f" (RequestId {exc.request_id})" if exc.request_id else ""
        return Check(name, None, f"{operation.action} answered {exc.code}{rid}: {exc.message}", "")
    finally:
        client.close()
    return Check(name, True, f"{operation.action} accepted (RequestId {body.get('RequestId', '?')})")
