"""Requests signed with the legacy schemes the official SDK can still use (RPC signature version 1.0)."""

from __future__ import annotations

import time
import uuid
from urllib.parse import quote, urlencode

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.auth import acs_date


def rpc_v1_query(secret: str = "test", **replaced: str) -> str:
    """The query of a GetVideoInfo call signed with HMAC-SHA1 by key ``test``; ``replaced`` fields are
    set after signing (to send a wrong signature or token on purpose)."""
    params = {
        "Action": "GetVideoInfo",
        "Version": "2017-03-21",
        "Format": "JSON",
        "AccessKeyId": "test",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": acs_date(time.time()),
    }
    to_sign = signing.rpc_v1_string_to_sign("GET", signing.rpc_v1_canonicalized_query(params))
    params["Signature"] = signing.rpc_v1_signature(secret, to_sign)
    params.update(replaced)
    return urlencode(params, quote_via=quote)
