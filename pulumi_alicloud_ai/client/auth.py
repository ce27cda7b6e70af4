"""Sign an outgoing httpx request with ACS3-HMAC-SHA256 (or ACS3-HMAC-SM3), in place.

The transport calls :func:`sign_request` with credentials it reads at the moment of sending, so a
rotated STS token is picked up and nothing secret lives on the client object. The headers set here are
the SDK's; the signing steps themselves live in :mod:`pulumi_alicloud_ai.client.signing`.
"""

from __future__ import annotations

import time

import httpx

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.credentials import Credentials

# The headers we sign besides every x-acs-* header. The SDK signs every header it sends; we leave out
# the ones httpx manages on the connection (accept-encoding, connection, content-length), which a
# proxy may legitimately rewrite. The gateway verifies whatever SignedHeaders names.
_SIGNED_PLAIN_HEADERS = frozenset({"host", "accept", "user-agent", "content-type"})


def acs_date(epoch: float) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ``, the ``x-acs-date`` format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def sign_request(
    request: httpx.Request,
    credentials: Credentials,
    now: float,
    nonce: str,
    *,
    algorithm: str = signing.ACS3_HMAC_SHA256,
) -> None:
    """Set the V3 headers on ``request`` and sign it in place with ``algorithm``."""
    body = request.content
    payload_hash = signing.payload_hash(body, algorithm)
    request.headers["x-acs-date"] = acs_date(now)
    request.headers["x-acs-signature-nonce"] = nonce
    request.headers["x-acs-content-sha256"] = payload_hash
    request.headers["x-acs-credentials-provider"] = credentials.provider_name
    if credentials.security_token:
        request.headers["x-acs-accesskey-id"] = credentials.access_key_id
        request.headers["x-acs-security-token"] = credentials.security_token
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name in _SIGNED_PLAIN_HEADERS or name.startswith("x-acs-")
    ]
    query = dict(request.url.params.multi_items())
    signature = signing.sign_v3(
        method=request.method,
        pathname=request.url.raw_path.split(b"?", 1)[0].decode("ascii"),
        query=query,
        headers=headers,
        hashed_payload=payload_hash,
        access_key_id=credentials.access_key_id,
        access_key_secret=credentials.access_key_secret,
        algorithm=algorithm,
    )
    request.headers["Authorization"] = signature.authorization
