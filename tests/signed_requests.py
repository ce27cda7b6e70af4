"""Signed requests built by hand, for tests that send them byte for byte or alter them on the way."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import quote, urlencode

import httpx

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.auth import acs_date, sign_request
from pulumi_alicloud_ai.client.credentials import Credentials


def signed_eas_create(url: str, body: bytes, host: str = "pai-eas.cn-shanghai.aliyuncs.com") -> httpx.Request:
    """A CreateAppService call to the emulator at ``url`` with ``body``, V3-signed by key ``test``."""
    request = httpx.Request(
        "POST",
        f"{url}/api/v2/app_services",
        content=body,
        headers={
            "host": host,
            "content-type": "application/json; charset=utf-8",
            "x-acs-action": "CreateAppService",
            "x-acs-version": "2021-07-01",
        },
    )
    sign_request(request, Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    return request


def create_with_host(emulator_url: str, name: str, host: str) -> httpx.Response:
    """Send a CreateAppService for ``name``, signed by key ``test``, under the given ``Host`` header
    (the signature covers it, as a client that believes it talks to ``host`` would sign)."""
    body = json.dumps(
        {"AppType": "LLM", "Replicas": 1, "ServiceName": name, "ServiceSpec": "llama_7b_fp16"}
    ).encode()
    request = signed_eas_create(emulator_url, body, host=host)
    with httpx.Client(timeout=10) as client:
        return client.send(request)


def rpc_v1_query(secret: str = "test", **replaced: str) -> str:
    """The query of a GetCategories call signed with HMAC-SHA1 by key ``test``; ``replaced`` fields are
    set after signing (to send a wrong signature or token on purpose)."""
    params = {
        "Action": "GetCategories",
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
