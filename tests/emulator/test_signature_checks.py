"""Each way a signed request can be wrong is rejected with the gateway's code and status.

Requests are signed with the client's own auth hook, then altered on the way, as an attacker or a
broken proxy would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.verify import _checked, _parse, _plan

CREDENTIALS = Credentials("test", "test")


def _signed(
    emulator: RunningEmulator,
    *,
    method: str = "POST",
    path: str = "/",
    params: dict[str, str] | None = None,
    content: bytes | None = None,
    now: float | None = None,
    nonce: str | None = None,
    action: str = "GetCategories",
    version: str = "2017-03-21",
) -> httpx.Request:
    request = httpx.Request(
        method,
        f"{emulator.url}{path}",
        params=params,
        content=content,
        headers={
            "host": f"127.0.0.1:{emulator.port}",
            "accept": "application/json",
            "x-acs-action": action,
            "x-acs-version": version,
            **({"content-type": "application/json; charset=utf-8"} if content else {}),
        },
    )
    sign_request(request, CREDENTIALS, time.time() if now is None else now, nonce or uuid.uuid4().hex)
    return request


def _send(request: httpx.Request) -> httpx.Response:
    with httpx.Client() as client:
        return client.send(request)


def _code(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["RequestId"]
    return response.status_code, body["Code"]


def test_a_correct_request_passes_the_signature_check(emulator: RunningEmulator) -> None:
    """The baseline: signed correctly, the request reaches routing (an unimplemented action)."""
    assert _code(_send(_signed(emulator))) == (404, "InvalidAction.NotFound")


def test_tampered_query_is_rejected(emulator: RunningEmulator) -> None:
    """Changing a query value after signing breaks the signature."""
    request = _signed(emulator, params={"VideoId": "v1"})
    tampered = httpx.Request(
        "POST", str(request.url).replace("VideoId=v1", "VideoId=v2"), headers=request.headers
    )
    assert _code(_send(tampered)) == (400, "SignatureDoesNotMatch")


def test_tampered_body_is_rejected(emulator: RunningEmulator) -> None:
    """A body that no longer matches x-acs-content-sha256 is refused."""
    request = _signed(
        emulator,
        method="PUT",
        path="/api/v2/services/cn-shanghai/x",
        content=b'{"Replicas":1}',
        action="UpdateService",
        version="2021-07-01",
    )
    tampered = httpx.Request("PUT", request.url, headers=request.headers, content=b'{"Replicas":9}')
    response = _send(tampered)
    assert _code(response) == (400, "SignatureDoesNotMatch")
    assert "x-acs-content-sha256" in response.json()["Message"]


def test_tampered_signed_header_is_rejected(emulator: RunningEmulator) -> None:
    """Changing a signed header (the action) after signing breaks the signature."""
    request = _signed(emulator)
    request.headers["x-acs-action"] = "DeleteVideo"
    assert _code(_send(request)) == (400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("skew", [-16 * 60, 16 * 60])
def test_timestamp_outside_15_minutes_is_rejected(emulator: RunningEmulator, skew: int) -> None:
    """A request dated more than 15 minutes from the server's clock, either way, is expired."""
    assert _code(_send(_signed(emulator, now=time.time() + skew))) == (400, "InvalidTimeStamp.Expired")


def test_timestamp_within_the_window_passes(emulator: RunningEmulator) -> None:
    """14 minutes of skew is tolerated."""
    assert _code(_send(_signed(emulator, now=time.time() - 14 * 60)))[1] == "InvalidAction.NotFound"


def test_replayed_nonce_is_rejected(emulator: RunningEmulator) -> None:
    """The same signed request sent twice: the second is a replay."""
    request = _signed(emulator, nonce=uuid.uuid4().hex)
    assert _code(_send(request))[1] == "InvalidAction.NotFound"
    assert _code(_send(request)) == (400, "SignatureNonceUsed")


def test_bad_date_format_is_rejected(emulator: RunningEmulator) -> None:
    """A malformed x-acs-date is InvalidTimeStamp.Format (the header is signed, so re-sign it)."""
    request = _signed(emulator)
    request.headers["x-acs-date"] = "yesterday"
    assert _code(_send(request)) == (400, "InvalidTimeStamp.Format")


Mutation = Callable[[httpx.Request], None]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.headers.pop("authorization"), (400, "MissingParameter.AccessKeyId")),
        (
            lambda r: r.headers.__setitem__("authorization", "ACS3-HMAC-SHA256 Credential=test"),
            (400, "IncompleteSignature"),
        ),
        (lambda r: r.headers.__setitem__("authorization", "Bearer abc"), (400, "IncompleteSignature")),
        (
            lambda r: r.headers.__setitem__(
                "authorization", r.headers["authorization"].replace("ACS3-HMAC-SHA256", "ACS3-RSA-SHA256")
            ),
            (400, "IncompleteSignature"),
        ),
        (
            lambda r: r.headers.__setitem__(
                "authorization", r.headers["authorization"].replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")
            ),
            (400, "SignatureDoesNotMatch"),
        ),
        (
            lambda r: r.headers.__setitem__(
                "authorization", r.headers["authorization"].replace("x-acs-date;", "")
            ),
            (400, "IncompleteSignature"),
        ),
    ],
    ids=[
        "no-auth",
        "missing-parts",
        "other-scheme",
        "unsupported-algorithm",
        "relabelled-sm3",
        "date-not-signed",
    ],
)
def test_malformed_authorization_is_rejected(
    emulator: RunningEmulator, mutate: Mutation, expected: tuple[int, str]
) -> None:
    """Missing or malformed signature parts get the gateway's error, never a 500."""
    request = _signed(emulator)
    mutate(request)
    assert _code(_send(request)) == expected


HEAD = "ACS3-HMAC-SHA256 Credential=test,SignedHeaders=host;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce"


@pytest.mark.parametrize(
    "header",
    [
        f"{HEAD},Signature=abc123",
        f"  {HEAD},Signature=abc123  ",
        f"{HEAD},Signature=a=b",
        f"{HEAD},Signature=abc,Credential=other",
        f"{HEAD},Signature= abc",
        f"{HEAD},Signature=",
        "ACS3-HMAC-SHA256 Credential=test,Signature=one,SignedHeaders=host,Signature=two",
        "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=abc",
        "Basic Credential=test,SignedHeaders=host,Signature=abc",
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=test,SignedHeaders=host;x-acs-date,Signature=abc",
        "ACS3-RSA-SHA256 Credential=test,SignedHeaders=host;x-acs-date,Signature=abc",
    ],
)
def test_the_parsed_once_authorization_head_changes_no_answer(header: str) -> None:
    """The verifier's memo of the part before ``Signature=`` gives exactly what parsing and checking
    the whole header gives, errors included."""
    for _ in range(2):  # the second time from the memo
        try:
            parsed = _parse(header)
            expected: object = (_checked(parsed), parsed.signature)
        except ApiError as exc:
            expected = (exc.code, exc.message)
        try:
            got: object = _plan(header)
        except ApiError as exc:
            got = (exc.code, exc.message)
        assert got == expected
