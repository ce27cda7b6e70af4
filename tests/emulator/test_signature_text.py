"""Non-ASCII text in any signature field is a 4xx, never a 500.

Header values arrive as bytes (the emulator reads them as Latin-1) and query values are percent-decoded
UTF-8, so a signature, a body hash, a security token or an admin token can hold any character. Each
field below gets several such values, in every signing scheme the emulator verifies.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.emulator.test_official_sdk_protocol import _issue_sts
from tests.signed_requests import rpc_v1_query

TEXTS = ["é", "☃", "😀", "ÿ", "abc\x80def", "Ω" * 64]
"""Characters a client or an attacker may put where hex or base64 belongs."""


def _header_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def _with_header(request: httpx.Request, name: str, value: str) -> httpx.Request:
    """A copy of a signed request with one header replaced by raw UTF-8 bytes."""
    headers = [(key, raw) for key, raw in request.headers.raw if key.decode().lower() != name]
    headers.append((name.encode(), _header_bytes(value)))
    return httpx.Request(request.method, request.url, headers=headers, content=request.content)


def _signed_v3(emulator: RunningEmulator, credentials: Credentials | None = None) -> httpx.Request:
    request = httpx.Request(
        "POST",
        f"{emulator.url}/",
        headers={
            "host": f"127.0.0.1:{emulator.port}",
            "x-acs-action": "GetCategories",
            "x-acs-version": "2017-03-21",
        },
    )
    sign_request(request, credentials or Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    return request


def _assert_client_error(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert body["Code"] and body["RequestId"]


def _send(request: httpx.Request) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.send(request)


@pytest.mark.parametrize("text", TEXTS)
def test_v3_signature(emulator: RunningEmulator, text: str) -> None:
    """``Signature=`` in an ACS3 Authorization header."""
    request = _signed_v3(emulator)
    auth = request.headers["authorization"]
    _assert_client_error(
        _send(_with_header(request, "authorization", auth[: auth.index("Signature=") + 10] + text))
    )


@pytest.mark.parametrize("text", TEXTS)
def test_v3_content_sha256(emulator: RunningEmulator, text: str) -> None:
    """``x-acs-content-sha256`` (compared with the body's hash before the signature)."""
    request = _signed_v3(emulator)
    _assert_client_error(_send(_with_header(request, "x-acs-content-sha256", text)))


@pytest.mark.parametrize("text", TEXTS)
def test_v3_security_token(emulator: RunningEmulator, text: str) -> None:
    """``x-acs-security-token`` of temporary credentials the emulator issued."""
    sts = _issue_sts(emulator, 900)
    request = _signed_v3(
        emulator, Credentials(sts["AccessKeyId"], sts["AccessKeySecret"], sts["SecurityToken"])
    )
    _assert_client_error(_send(_with_header(request, "x-acs-security-token", text)))


def _rpc_v1(emulator: RunningEmulator, **replaced: str) -> httpx.Response:
    return httpx.get(f"{emulator.url}/?{rpc_v1_query(**replaced)}", timeout=10)


@pytest.mark.parametrize("text", TEXTS)
def test_rpc_v1_signature(emulator: RunningEmulator, text: str) -> None:
    """The legacy RPC ``Signature`` query parameter (percent-encoded UTF-8)."""
    _assert_client_error(_rpc_v1(emulator, Signature=text))


@pytest.mark.parametrize("text", TEXTS)
def test_rpc_v1_security_token(emulator: RunningEmulator, text: str) -> None:
    """The legacy RPC ``SecurityToken`` query parameter with an issued STS key."""
    sts = _issue_sts(emulator, 900)
    _assert_client_error(_rpc_v1(emulator, AccessKeyId=sts["AccessKeyId"], SecurityToken=text))


@pytest.mark.parametrize("text", TEXTS)
def test_roa_v1_signature(emulator: RunningEmulator, text: str) -> None:
    """The legacy ROA ``Authorization: acs AK:signature`` header."""
    response = httpx.get(
        f"{emulator.url}/api/v2/services",
        headers={
            "authorization": _header_bytes(f"acs test:{text}"),
            "date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
            "x-acs-version": "2021-07-01",
            "x-acs-signature-nonce": uuid.uuid4().hex,
        },
        timeout=10,
    )
    _assert_client_error(response)


@pytest.mark.parametrize("text", TEXTS)
def test_roa_v1_security_token(emulator: RunningEmulator, text: str) -> None:
    """The legacy ROA scheme's ``x-acs-security-token`` with an issued STS key."""
    sts = _issue_sts(emulator, 900)
    response = httpx.get(
        f"{emulator.url}/api/v2/services",
        headers={
            "authorization": f"acs {sts['AccessKeyId']}:c2lnbmF0dXJl",
            "date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
            "x-acs-version": "2021-07-01",
            "x-acs-security-token": _header_bytes(text),
        },
        timeout=10,
    )
    _assert_client_error(response)


@pytest.fixture
def token_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator whose admin API needs a Bearer token."""
    with serve_in_thread(
        EmulatorConfig(data_dir=tmp_path / "emulator", admin_token="right-token")
    ) as running:
        yield running


def test_admin_bearer_token(token_emulator: RunningEmulator) -> None:
    """``Authorization: Bearer <token>`` on the admin API: 401 for any wrong text, 200 for the right one."""
    for text in TEXTS:
        response = httpx.post(
            f"{token_emulator.url}/_emulator/reset",
            headers={"authorization": _header_bytes(f"Bearer {text}")},
            timeout=10,
        )
        assert response.status_code == 401, (text, response.text)
    ok = httpx.get(f"{token_emulator.url}/_emulator/health", headers={"authorization": "Bearer right-token"})
    assert ok.status_code == 200
