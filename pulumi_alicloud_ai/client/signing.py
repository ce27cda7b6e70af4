"""Request signing exactly as Alibaba Cloud's official Python SDK does it.

Pure functions over plain values: no httpx, no emulator. The client signs through ``client/auth.py``
and the emulator verifies through ``emulator/verify.py``; both call the step functions here, so the
rules exist once. Because a shared bug would be symmetric and invisible, ``tests/unit/test_signing.py``
checks every intermediate string against vectors made with the official SDK.

Four algorithms:

* ``ACS3-HMAC-SHA256`` (V3), the SDK default for RPC and ROA alike;
* ``ACS3-HMAC-SM3``, the same V3 steps with SM3 for every hash and the HMAC (the SDK's
  ``Config(signature_algorithm='ACS3-HMAC-SM3')``); SM3 comes from OpenSSL through :mod:`hashlib`;
* legacy RPC ``HMAC-SHA1`` (signature version 1.0), used by STS ``AssumeRole`` in the credential chain;
* legacy ROA ``acs AK:signature`` (HMAC-SHA1), only with ``signature_algorithm='v2'``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256"
ACS3_HMAC_SM3 = "ACS3-HMAC-SM3"
V3_ALGORITHMS = (ACS3_HMAC_SHA256, ACS3_HMAC_SM3)
"""The V3 algorithms we sign and verify. The SDK's third, ``ACS3-RSA-SHA256``, signs with a private
key whose public half no emulator can know, so it is not among them."""
EMPTY_PAYLOAD_HASH = hashlib.sha256(b"").hexdigest()


def _sm3(data: bytes = b"") -> Any:
    try:
        return hashlib.new("sm3", data)
    except ValueError:
        raise ValueError(
            f"{ACS3_HMAC_SM3} needs SM3, which this Python's OpenSSL does not provide (OpenSSL 1.1.1 and "
            "later build it by default)"
        ) from None


_HASHES: dict[str, Callable[..., Any]] = {ACS3_HMAC_SHA256: hashlib.sha256, ACS3_HMAC_SM3: _sm3}


def _hash_for(algorithm: str) -> Callable[..., Any]:
    found = _HASHES.get(algorithm)
    if found is None:
        raise ValueError(f"unknown signature algorithm {algorithm!r}; use one of: {', '.join(V3_ALGORITHMS)}")
    return found


HeaderItems = Mapping[str, str] | Iterable[tuple[str, str]]
"""Headers as a mapping, or as (name, value) pairs when a name may repeat."""


def hex_sha256(data: bytes) -> str:
    """Lower-case hex SHA-256, the payload hash of ``x-acs-content-sha256``."""
    return hashlib.sha256(data).hexdigest()


def payload_hash(data: bytes, algorithm: str = ACS3_HMAC_SHA256) -> str:
    """Lower-case hex digest of the body with the algorithm's hash (the header keeps its SHA-256 name)."""
    if algorithm == ACS3_HMAC_SHA256:
        return hashlib.sha256(data).hexdigest() if data else EMPTY_PAYLOAD_HASH
    return str(_hash_for(algorithm)(data).hexdigest())


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8: only ``A-Z a-z 0-9 - _ . ~`` stay; space is ``%20``, ``*`` is ``%2A``."""
    return quote(value, safe="-_.~")


def canonical_query_string(query: Mapping[str, str | None]) -> str:
    """Decoded parameters sorted by key, ``key=enc(value)`` joined by ``&``; None values are left out."""
    if not query:
        return ""
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}"
        for key, value in sorted(query.items())
        if value is not None
    )


def canonical_headers(headers: HeaderItems) -> tuple[str, str]:
    """Return ``(CanonicalHeaders, SignedHeaders)`` for every header given except Authorization.

    Names are lower-cased and sorted; values trimmed; a repeated name has its sorted values joined by
    ``,``. Each canonical line ends in ``\\n``. (Written for speed: the emulator runs it per request.)
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers if isinstance(headers, list) else _pairs(headers):
        lowered = name.lower()
        if lowered == "authorization":
            continue
        found = grouped.get(lowered)
        if found is None:
            grouped[lowered] = [value.strip()]
        else:
            found.append(value.strip())
    names = sorted(grouped)
    lines = "".join([f"{name}:{','.join(sorted(grouped[name]))}\n" for name in names])
    return lines, ";".join(names)


def canonical_headers_of(headers: Mapping[str, str], names: Sequence[str]) -> tuple[str, str]:
    """:func:`canonical_headers` of the ``names`` headers (``KeyError`` if one is absent): what a
    verifier rebuilds from ``SignedHeaders``. The emulator runs this per request, so when the names are
    lower case and unique, as they are there, it skips the grouping a client's headers need."""
    unique, signed = _plain_names(tuple(names))
    if not unique:
        return canonical_headers([(name, headers[name]) for name in names])
    return "".join([f"{name}:{headers[name].strip()}\n" for name in unique]), signed


@functools.lru_cache(maxsize=64)
def _plain_names(names: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """``(sorted names, SignedHeaders)`` when the names are lower case, unique and without
    Authorization, else ``((), "")``: the same for every request of a client, so worked out once."""
    unique = tuple(sorted(set(names)))
    signed = ";".join(unique)
    if len(unique) != len(names) or signed != signed.lower() or "authorization" in unique:
        return (), ""
    return unique, signed


def _pairs(headers: HeaderItems) -> Iterable[tuple[str, str]]:
    return headers.items() if isinstance(headers, Mapping) else headers


def canonical_request(
    method: str,
    pathname: str,
    query: Mapping[str, str | None],
    headers: HeaderItems,
    hashed_payload: str,
) -> tuple[str, str]:
    """Return ``(CanonicalRequest, SignedHeaders)``; the path is used exactly as sent."""
    header_lines, signed = canonical_headers(headers)
    return canonical_request_of(method, pathname, query, header_lines, signed, hashed_payload), signed


def canonical_request_of(
    method: str,
    pathname: str,
    query: Mapping[str, str | None],
    header_lines: str,
    signed_headers: str,
    hashed_payload: str,
) -> str:
    """The CanonicalRequest from headers already in canonical form (:func:`canonical_headers`)."""
    return "\n".join(
        [
            method.upper(),
            pathname,
            canonical_query_string(query),
            header_lines,
            signed_headers,
            hashed_payload,
        ]
    )


def string_to_sign(canonical: str, algorithm: str = ACS3_HMAC_SHA256) -> str:
    """``algorithm \\n hex(hash(CanonicalRequest))``, the hash being the algorithm's."""
    return f"{algorithm}\n{payload_hash(canonical.encode('utf-8'), algorithm)}"


def v3_signature(access_key_secret: str, to_sign: str, algorithm: str = ACS3_HMAC_SHA256) -> str:
    """Lower-case hex HMAC (with the algorithm's hash) keyed with the raw secret."""
    key, message = access_key_secret.encode("utf-8"), to_sign.encode("utf-8")
    if algorithm == ACS3_HMAC_SHA256:
        return hmac.digest(key, message, "sha256").hex()
    return hmac.new(key, message, _hash_for(algorithm)).hexdigest()


def authorization_header(
    access_key_id: str, signed_headers: str, signature: str, algorithm: str = ACS3_HMAC_SHA256
) -> str:
    """The ``Authorization`` value; no spaces after the commas, as the SDK writes it."""
    return f"{algorithm} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"


@dataclass(frozen=True, slots=True)
class V3Signature:
    """Every intermediate string of one V3 signature, so a mismatch can name the step."""

    canonical_request: str
    string_to_sign: str
    signed_headers: str
    signature: str
    authorization: str


def sign_v3(
    *,
    method: str,
    pathname: str,
    query: Mapping[str, str | None],
    headers: HeaderItems,
    hashed_payload: str,
    access_key_id: str,
    access_key_secret: str,
    algorithm: str = ACS3_HMAC_SHA256,
) -> V3Signature:
    """Sign a request whose headers (``x-acs-content-sha256`` included) are already set."""
    canonical, signed = canonical_request(method, pathname, query, headers, hashed_payload)
    to_sign = string_to_sign(canonical, algorithm)
    signature = v3_signature(access_key_secret, to_sign, algorithm)
    return V3Signature(
        canonical_request=canonical,
        string_to_sign=to_sign,
        signed_headers=signed,
        signature=signature,
        authorization=authorization_header(access_key_id, signed, signature, algorithm),
    )


@dataclass(frozen=True, slots=True)
class ParsedAuthorization:
    """The parts of a V3 ``Authorization`` header."""

    algorithm: str
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_v3_authorization(value: str) -> ParsedAuthorization:
    """Split ``ALGO Credential=..,SignedHeaders=..,Signature=..``; ValueError names the missing part."""
    algorithm, _, rest = value.strip().partition(" ")
    if not algorithm.startswith("ACS3-") or not rest:
        raise ValueError("the Authorization header is not an ACS3 signature")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key] = val
    missing = [key for key in ("Credential", "SignedHeaders", "Signature") if not parts.get(key)]
    if missing:
        raise ValueError(f"the Authorization header lacks {', '.join(missing)}")
    return ParsedAuthorization(
        algorithm=algorithm,
        access_key_id=parts["Credential"],
        signed_headers=tuple(parts["SignedHeaders"].split(";")),
        signature=parts["Signature"],
    )


# --- legacy RPC HMAC-SHA1 (signature version 1.0) -------------------------------------------------


def rpc_v1_canonicalized_query(params: Mapping[str, str]) -> str:
    """All parameters but ``Signature``, sorted, each side percent-encoded."""
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}"
        for key, value in sorted(params.items())
        if key != "Signature"
    )


def rpc_v1_string_to_sign(method: str, canonicalized: str) -> str:
    """``METHOD&%2F&enc(canonicalized)``."""
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonicalized)}"


def rpc_v1_signature(access_key_secret: str, to_sign: str) -> str:
    """Base64 HMAC-SHA1 keyed with ``secret + '&'``."""
    key = f"{access_key_secret}&".encode()
    return base64.b64encode(hmac.new(key, to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()


# --- legacy ROA HMAC-SHA1 ("acs AK:signature") ----------------------------------------------------


def roa_v1_string_to_sign(
    method: str, headers: Mapping[str, str], pathname: str, query: Mapping[str, str | None]
) -> str:
    """The SDK's ROA string: fixed headers, sorted ``x-acs-*`` lines, then the unencoded resource."""
    lower = {name.lower(): value for name, value in headers.items()}
    acs_lines = "".join(
        f"{name}:{lower[name].strip()}\n" for name in sorted(lower) if name.startswith("x-acs-")
    )
    resource = pathname
    params = sorted((key, value) for key, value in query.items() if value is not None)
    if params:
        resource += "?" + "&".join(f"{key}={value}" if value else key for key, value in params)
    fixed = [lower.get(name, "") for name in ("accept", "content-md5", "content-type", "date")]
    return "\n".join([method.upper(), *fixed]) + "\n" + acs_lines + resource


def roa_v1_signature(access_key_secret: str, to_sign: str) -> str:
    """Base64 HMAC-SHA1 keyed with the raw secret."""
    key = access_key_secret.encode("utf-8")
    return base64.b64encode(hmac.new(key, to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()
