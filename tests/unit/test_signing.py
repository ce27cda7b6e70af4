"""Every signing vector made with the official SDK, reproduced step by step (botocore's habit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from pulumi_alicloud_ai.client import signing

DATA = Path(__file__).parents[1] / "data"
VECTORS: list[dict[str, Any]] = [
    vector
    for name in ("signing_vectors.json", "signing_vectors_sm3.json")
    for vector in json.loads((DATA / name).read_text())["vectors"]
]
"""SHA-256 and legacy vectors, then ACS3-HMAC-SM3 ones (scripts/make_sm3_vectors.py)."""


def _by_algorithm(prefix: str) -> list[dict[str, Any]]:
    return [v for v in VECTORS if v["signature_algorithm"].startswith(prefix)]


def _body_bytes(vector: dict[str, Any]) -> bytes:
    body = vector["request"]["body"]
    return b"" if body is None else body.encode("utf-8")


@pytest.mark.parametrize("vector", _by_algorithm("ACS3"), ids=lambda v: v["name"])
def test_v3_vector_every_step(vector: dict[str, Any]) -> None:
    """Payload hash, canonical request, string to sign, signature and header all match the SDK."""
    request, expected, algorithm = vector["request"], vector["expected"], vector["signature_algorithm"]
    payload_hash = signing.payload_hash(_body_bytes(vector), algorithm)
    assert payload_hash == expected["x-acs-content-sha256"], "payload hash"
    result = signing.sign_v3(
        method=request["method"],
        pathname=request["pathname"],
        query=request["query"],
        headers=request["headers"],
        hashed_payload=payload_hash,
        access_key_id=vector["access_key_id"],
        access_key_secret=vector["access_key_secret"],
        algorithm=algorithm,
    )
    assert result.canonical_request == expected["canonical_request"], "canonical request"
    assert result.signed_headers == expected["signed_headers"], "signed headers"
    assert result.string_to_sign == expected["string_to_sign"], "string to sign"
    assert result.signature == expected["signature"], "signature"
    assert result.authorization == expected["authorization"], "authorization header"


@pytest.mark.parametrize("vector", _by_algorithm("ACS3"), ids=lambda v: v["name"])
def test_v3_vector_from_wire_query(vector: dict[str, Any]) -> None:
    """A verifier that decodes the wire URL's query (``+`` as space) rebuilds the same canonical query."""
    wire_query = dict(parse_qsl(urlsplit(vector["request"]["url"]).query, keep_blank_values=True))
    assert wire_query == vector["request"]["query"]
    canonical_query = vector["expected"]["canonical_request"].split("\n")[2]
    assert signing.canonical_query_string(wire_query) == canonical_query


@pytest.mark.parametrize("vector", _by_algorithm("ACS3"), ids=lambda v: v["name"])
def test_v3_authorization_round_trips(vector: dict[str, Any]) -> None:
    """Parsing the SDK's Authorization header gives back the key id, header list and signature."""
    parsed = signing.parse_v3_authorization(vector["expected"]["authorization"])
    assert parsed.access_key_id == vector["access_key_id"]
    assert ";".join(parsed.signed_headers) == vector["expected"]["signed_headers"]
    assert parsed.signature == vector["expected"]["signature"]


@pytest.mark.parametrize("vector", _by_algorithm("HMAC-SHA1 (legacy RPC"), ids=lambda v: v["name"])
def test_legacy_rpc_vector(vector: dict[str, Any]) -> None:
    """Legacy RPC HMAC-SHA1: canonicalized query, string to sign and signature match the SDK."""
    query, expected = vector["request"]["query"], vector["expected"]
    canonical = signing.rpc_v1_canonicalized_query(query)
    assert canonical == expected["canonicalized_query_string"]
    to_sign = signing.rpc_v1_string_to_sign(vector["request"]["method"], canonical)
    assert to_sign == expected["string_to_sign"]
    assert f"{vector['access_key_secret']}&" == expected["signing_key"]
    assert signing.rpc_v1_signature(vector["access_key_secret"], to_sign) == expected["Signature"]


@pytest.mark.parametrize("vector", _by_algorithm("HMAC-SHA1 (legacy ROA"), ids=lambda v: v["name"])
def test_legacy_roa_vector(vector: dict[str, Any]) -> None:
    """Legacy ROA ``acs AK:signature``: string to sign, signature and header match the SDK."""
    request, expected = vector["request"], vector["expected"]
    to_sign = signing.roa_v1_string_to_sign(
        request["method"], request["headers"], request["pathname"], request["query"]
    )
    assert to_sign == expected["string_to_sign"]
    signature = signing.roa_v1_signature(vector["access_key_secret"], to_sign)
    assert signature == expected["signature"]
    assert f"acs {vector['access_key_id']}:{signature}" == expected["authorization"]


def test_every_vector_is_exercised() -> None:
    """No vector in the files escapes the parametrised tests above (12 SHA-256 and legacy, 5 SM3)."""
    families = ("ACS3", "HMAC-SHA1 (legacy RPC", "HMAC-SHA1 (legacy ROA")
    assert sum(len(_by_algorithm(prefix)) for prefix in families) == len(VECTORS) == 12 + 5


class TestEncoding:
    """The RFC 3986 rule the canonical strings use."""

    @pytest.mark.parametrize(
        ("raw", "encoded"),
        [("a b", "a%20b"), ("*", "%2A"), ("~", "~"), ("/", "%2F"), ("é", "%C3%A9"), ("+", "%2B")],
    )
    def test_percent_encode(self, raw: str, encoded: str) -> None:
        """Spaces, stars, tildes, slashes and UTF-8 encode as the SDK does."""
        assert signing.percent_encode(raw) == encoded

    def test_repeated_header_values_join_sorted(self) -> None:
        """A header name sent twice is one canonical line with its sorted values joined by commas."""
        lines, signed = signing.canonical_headers([("X-B", " 2"), ("x-b", "1 "), ("A", "z")])
        assert lines == "a:z\nx-b:1,2\n"
        assert signed == "a;x-b"

    @pytest.mark.parametrize(
        "names",
        [
            ["host", "x-acs-date", "x-acs-version"],
            ["x-acs-version", "host", "x-acs-date"],
            ["host", "host", "x-acs-date"],
            ["host", "authorization"],
            ["Host", "x-acs-date"],
            ["host", "x-acs-padded"],
        ],
    )
    def test_a_verifier_rebuilds_the_same_canonical_headers(self, names: list[str]) -> None:
        """The verifier's shortcut over received (lower-case, unique) headers gives what the client's
        general form gives, including for repeated, upper-case and Authorization names."""
        received = {
            "host": "h",
            "Host": "H",
            "x-acs-date": "2024-05-01T00:00:00Z",
            "x-acs-version": "v",
            "x-acs-padded": "  spaced  ",
            "authorization": "secret",
        }
        general = signing.canonical_headers([(name, received[name]) for name in names])
        assert signing.canonical_headers_of(received, names) == general

    @pytest.mark.parametrize("vector", _by_algorithm("ACS3"), ids=lambda v: v["name"])
    def test_a_verifier_rebuilds_each_vector(self, vector: dict[str, Any]) -> None:
        """From the vector's headers as a server decodes them, the shortcut gives the SDK's strings."""
        received = {name.lower(): value for name, value in vector["request"]["headers"].items()}
        names = vector["expected"]["signed_headers"].split(";")
        lines, signed = signing.canonical_headers_of(received, names)
        request = vector["request"]
        canonical = signing.canonical_request_of(
            request["method"], request["pathname"], request["query"], lines, signed,
            vector["expected"]["x-acs-content-sha256"],
        )  # fmt: skip
        assert canonical == vector["expected"]["canonical_request"]

    def test_authorization_is_never_signed(self) -> None:
        """Authorization is left out of the canonical headers."""
        _, signed = signing.canonical_headers({"Authorization": "x", "host": "h"})
        assert signed == "host"

    @pytest.mark.parametrize(
        "value",
        ["", "ACS3-HMAC-SHA256", "Basic abc", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host"],
    )
    def test_malformed_authorization_is_rejected(self, value: str) -> None:
        """A header that is not a complete ACS3 signature raises ValueError."""
        with pytest.raises(ValueError, match="Authorization"):
            signing.parse_v3_authorization(value)
