"""Every error names the product the call was for, in its ``Recommend`` link.

The official SDK sends ``Host: 127.0.0.1:PORT``, so the product cannot come from the host; it comes
from the API version (and, for EAS, the ``/api/`` path). Errors raised before a call is routed (an
unknown action, a missing or wrong signature, an expired timestamp) used to say ``product=ros``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import RunningEmulator

PRODUCTS = {
    "eas": ("2021-07-01", "PUT", "/api/v2/services/cn-shanghai/x/nothing-here"),
    "vod": ("2017-03-21", "POST", "/"),
    "ros": ("2019-09-10", "POST", "/"),
}


def _request(emulator: RunningEmulator, product: str, host: str) -> httpx.Request:
    version, method, path = PRODUCTS[product]
    return httpx.Request(
        method,
        f"{emulator.url}{path}",
        headers={"host": host, "x-acs-action": "NoSuchAction", "x-acs-version": version},
    )


def _signed(secret: str = "test", now: float | None = None) -> Callable[[httpx.Request], None]:
    def sign(request: httpx.Request) -> None:
        sign_request(
            request, Credentials("test", secret), time.time() if now is None else now, uuid.uuid4().hex
        )

    return sign


def _unsigned(request: httpx.Request) -> None:
    return None


CASES = {
    "unknown action": (_signed(), "InvalidAction.NotFound"),
    "not signed": (_unsigned, "MissingParameter.AccessKeyId"),
    "wrong secret": (_signed("wrong"), "SignatureDoesNotMatch"),
    "expired": (_signed(now=time.time() - 3600), "InvalidTimeStamp.Expired"),
}


def _recommended_product(response: httpx.Response) -> str:
    recommend = response.json()["Recommend"]
    return parse_qs(urlsplit(recommend).query).get("product", [""])[0]


@pytest.mark.parametrize("product", list(PRODUCTS))
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("host", ["sdk", "cloud"])
def test_errors_before_routing_name_the_calls_product(
    emulator: RunningEmulator, product: str, case: str, host: str
) -> None:
    """Whatever failed, and whichever Host the client sent, Recommend names the call's own product."""
    cloud_hosts = {
        "eas": "pai-eas.cn-shanghai.aliyuncs.com",
        "vod": "vod.cn-shanghai.aliyuncs.com",
        "ros": "ros.aliyuncs.com",
    }
    request = _request(
        emulator, product, f"127.0.0.1:{emulator.port}" if host == "sdk" else cloud_hosts[product]
    )
    sign, code = CASES[case]
    sign(request)
    with httpx.Client(timeout=10) as client:
        response = client.send(request)
    assert response.json()["Code"] == code
    assert _recommended_product(response) == product


def test_an_api_version_no_product_has_names_no_product(emulator: RunningEmulator) -> None:
    """A version the emulator does not serve is InvalidVersion, and the link does not guess a product."""
    request = httpx.Request(
        "POST",
        f"{emulator.url}/",
        headers={"host": f"127.0.0.1:{emulator.port}", "x-acs-action": "X", "x-acs-version": "2000-01-01"},
    )
    _signed()(request)
    with httpx.Client(timeout=10) as client:
        response = client.send(request)
    assert response.json()["Code"] == "InvalidVersion"
    assert _recommended_product(response) == ""
