"""ACS3-HMAC-SM3 beyond the step-by-step vectors (tests/unit/test_signing.py runs those): the hash
itself, our client's headers on the SDK's requests, and unknown algorithms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "data" / "signing_vectors_sm3.json").read_text()
)["vectors"]


def _body(vector: dict[str, Any]) -> bytes:
    body = vector["request"]["body"]
    return b"" if body is None else body.encode("utf-8")


def test_sm3_is_the_standard_hash() -> None:
    """SM3("abc") is the example value of GB/T 32905-2016."""
    assert signing.payload_hash(b"abc", signing.ACS3_HMAC_SM3) == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_our_client_signs_what_the_sdk_signs(vector: dict[str, Any]) -> None:
    """``sign_request`` with SM3 on the same wire request gives the SDK's Authorization."""
    wire, headers = vector["request"], vector["request"]["headers"]
    request = httpx.Request(
        wire["method"],
        f"http://{headers['host']}{wire['url']}",
        content=_body(vector),
        headers={name: value for name, value in headers.items() if not name.startswith("x-acs-")}
        | {"x-acs-action": headers["x-acs-action"], "x-acs-version": headers["x-acs-version"]},
    )
    epoch = 1714564800.0  # the vectors' x-acs-date, 2024-05-01T12:00:00Z
    credentials = Credentials(vector["access_key_id"], vector["access_key_secret"], provider_name="static_ak")
    nonce = headers["x-acs-signature-nonce"]
    sign_request(request, credentials, epoch, nonce, algorithm=signing.ACS3_HMAC_SM3)
    assert request.headers["Authorization"] == vector["expected"]["authorization"]


def test_unknown_algorithm_is_refused_by_name() -> None:
    """Asking for an algorithm we do not implement names the ones we do."""
    with pytest.raises(ValueError, match="ACS3-HMAC-SM3"):
        signing.payload_hash(b"", "ACS3-RSA-SHA256")
