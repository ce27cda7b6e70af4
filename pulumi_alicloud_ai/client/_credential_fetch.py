"""The network half of the credential chain: STS ``AssumeRole``/``AssumeRoleWithOIDC``, ECS IMDS, a URI.

Functions here take plain values and return the temporary-credential JSON object once its shape is
checked; :mod:`pulumi_alicloud_ai.client.credentials` turns it into ``Credentials`` and decides when to
ask again. Nothing here logs, and no error message quotes a response body, a URL query or a key: the
only far-side text that can appear is an STS error's code, message and request id.
"""

from __future__ import annotations

import calendar
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.errors import CredentialsError, from_response

STS_VERSION = "2015-04-01"
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The SDK's timeouts: STS and URI 5 s connect / 10 s read; IMDS 1 s / 1 s (it is link-local or absent).
STS_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
URI_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
IMDS_TIMEOUT = httpx.Timeout(1.0, connect=1.0)
IMDS_SESSION_TTL_SECONDS = "21600"
_IMDS_ROLE_PATH = "/latest/meta-data/ram/security-credentials/"
_TEMPORARY_FIELDS = ("AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration")


def sts_base_url(
    environ: Mapping[str, str], *, override: str | None, region: str | None, enable_vpc: bool | None
) -> str:
    """The STS base URL as the SDK picks it: override, else ``sts[-vpc].{region}``, else ``sts.aliyuncs.com``.

    Region and VPC come from the arguments (profile keys) first, then ``ALIBABA_CLOUD_STS_REGION`` and
    ``ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED``. Without a region the VPC switch has no effect, as in the SDK.
    """
    if override:
        return override.rstrip("/")
    if enable_vpc is None:
        enable_vpc = environ.get("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "").lower() == "true"
    region = region or environ.get("ALIBABA_CLOUD_STS_REGION")
    if region:
        return f"https://{'sts-vpc' if enable_vpc else 'sts'}.{region}.aliyuncs.com"
    return "https://sts.aliyuncs.com"


def parse_expiration(text: str, what: str) -> float:
    """Epoch seconds of an ``Expiration`` such as ``2024-05-01T12:00:00Z`` (UTC)."""
    try:
        return float(calendar.timegm(time.strptime(text, EXPIRATION_FORMAT)))
    except ValueError:
        raise CredentialsError(f"{what} returned an Expiration not in {EXPIRATION_FORMAT} form") from None


def _host(url: str) -> str:
    """Scheme and host only: a URL's path or query may carry a token, so messages never show them."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "(unparseable URL)"


def _request(
    http: httpx.Client | None,
    method: str,
    url: str,
    *,
    what: str,
    timeout: httpx.Timeout,
    headers: Mapping[str, str] | None = None,
    trust_env: bool = True,
) -> httpx.Response:
    """Send one request on the injected client, or on a short-lived one; map transport failures once."""
    try:
        if http is not None:
            return http.request(method, url, headers=headers, timeout=timeout)
        with httpx.Client(trust_env=trust_env) as client:
            return client.request(method, url, headers=headers, timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise CredentialsError(f"could not reach {what}: {type(exc).__name__}") from exc


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        parsed = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise CredentialsError(f"{what} answered with a body that is not a JSON object")
    return parsed


def _temporary(obj: object, what: str) -> dict[str, str]:
    """The four temporary-credential fields, or an error naming (only) the missing ones."""
    if not isinstance(obj, dict):
        raise CredentialsError(f"{what} returned no Credentials object")
    missing = [key for key in _TEMPORARY_FIELDS if not isinstance(obj.get(key), str) or not obj[key]]
    if missing:
        raise CredentialsError(f"{what} returned credentials without {', '.join(missing)}")
    return {key: obj[key] for key in _TEMPORARY_FIELDS}


# --- STS ------------------------------------------------------------------------------------------


def _call_sts(
    http: httpx.Client | None, base_url: str, action: str, params: Mapping[str, str]
) -> dict[str, Any]:
    """Send one STS call; the JSON object it answered, or a :class:`CredentialsError` with STS's code."""
    # The query is encoded with the same RFC 3986 rule the signature used, so no layer re-encodes
    # ``+`` or ``/`` of the base64 Signature differently from what was signed.
    query = "&".join(f"{signing.percent_encode(k)}={signing.percent_encode(v)}" for k, v in params.items())
    what = f"STS at {_host(base_url)}"
    response = _request(http, "GET", f"{base_url}/?{query}", what=what, timeout=STS_TIMEOUT)
    if response.status_code != 200:
        error = from_response(response.status_code, response.content, response.headers, action=action)
        raise CredentialsError(
            f"{what} refused the request: {error.message}",
            code=error.code,
            request_id=error.request_id,
            http_status=error.http_status,
            action=action,
        ) from error
    return _json_object(response, what)


def _signed(
    params: dict[str, str], access_key_id: str, access_key_secret: str, security_token: str | None
) -> dict[str, str]:
    """``params`` signed with legacy RPC HMAC-SHA1, as the SDK signs STS calls."""
    params = params | {
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "AccessKeyId": access_key_id,
    }
    if security_token:
        params["SecurityToken"] = security_token
    to_sign = signing.rpc_v1_string_to_sign("GET", signing.rpc_v1_canonicalized_query(params))
    params["Signature"] = signing.rpc_v1_signature(access_key_secret, to_sign)
    return params


def _sts_params(action: str, now: float, role_arn: str, session_name: str, duration: int) -> dict[str, str]:
    return {
        "Action": action,
        "Format": "JSON",
        "Version": STS_VERSION,
        "Timestamp": time.strftime(EXPIRATION_FORMAT, time.gmtime(now)),
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": str(duration),
    }


def assume_role(
    http: httpx.Client | None,
    base_url: str,
    *,
    access_key_id: str,
    access_key_secret: str,
    security_token: str | None,
    role_arn: str,
    session_name: str,
    duration: int,
    policy: str | None,
    external_id: str | None,
    now: float,
) -> dict[str, str]:
    """STS ``AssumeRole`` as a GET signed with legacy RPC HMAC-SHA1 (the SDK's choice for this call)."""
    params = _sts_params("AssumeRole", now, role_arn, session_name, duration)
    if policy:
        params["Policy"] = policy
    if external_id:
        params["ExternalId"] = external_id
    signed = _signed(params, access_key_id, access_key_secret, security_token)
    body = _call_sts(http, base_url, "AssumeRole", signed)
    return _temporary(body.get("Credentials"), f"STS at {_host(base_url)}")


def caller_identity(
    http: httpx.Client | None,
    base_url: str,
    *,
    access_key_id: str,
    access_key_secret: str,
    security_token: str | None,
    now: float,
) -> dict[str, str]:
    """STS ``GetCallerIdentity``: which account (``AccountId``) and principal (``Arn``) a key acts for."""
    params = {
        "Action": "GetCallerIdentity",
        "Format": "JSON",
        "Version": STS_VERSION,
        "Timestamp": time.strftime(EXPIRATION_FORMAT, time.gmtime(now)),
    }
    signed = _signed(params, access_key_id, access_key_secret, security_token)
    body = _call_sts(http, base_url, "GetCallerIdentity", signed)
    account = body.get("AccountId")
    if not isinstance(account, str) or not account:
        raise CredentialsError(f"STS at {_host(base_url)} answered GetCallerIdentity without an AccountId")
    return {key: str(body[key]) for key in ("AccountId", "Arn", "IdentityType") if key in body}


def assume_role_with_oidc(
    http: httpx.Client | None,
    base_url: str,
    *,
    role_arn: str,
    oidc_provider_arn: str,
    oidc_token: str,
    session_name: str,
    duration: int,
    policy: str | None,
    now: float,
) -> dict[str, str]:
    """STS ``AssumeRoleWithOIDC``: unsigned, the OIDC token is the proof of identity."""
    params = _sts_params("AssumeRoleWithOIDC", now, role_arn, session_name, duration)
    params |= {"OIDCProviderArn": oidc_provider_arn, "OIDCToken": oidc_token}
    if policy:
        params["Policy"] = policy
    body = _call_sts(http, base_url, "AssumeRoleWithOIDC", params)
    return _temporary(body.get("Credentials"), f"STS at {_host(base_url)}")


# --- ECS instance metadata (IMDS) -----------------------------------------------------------------


def _imds_token(http: httpx.Client | None, endpoint: str, *, disable_v1: bool) -> str | None:
    """An IMDSv2 session token, or None to go on in v1 mode (unless v1 is disabled)."""
    what = f"the ECS metadata service at {_host(endpoint)}"
    try:
        response = _request(
            http,
            "PUT",
            f"{endpoint}/latest/api/token",
            what=what,
            timeout=IMDS_TIMEOUT,
            headers={"X-aliyun-ecs-metadata-token-ttl-seconds": IMDS_SESSION_TTL_SECONDS},
            trust_env=False,
        )
        if response.status_code != 200:
            raise CredentialsError(f"{what} gave no IMDSv2 token (HTTP {response.status_code})")
    except CredentialsError as exc:
        if disable_v1:
            raise CredentialsError(
                f"{exc.message}, and IMDSv1 fallback is disabled (ALIBABA_CLOUD_IMDSV1_DISABLED)"
            ) from exc
        return None
    return response.text.strip()


def _imds_get(http: httpx.Client | None, endpoint: str, path: str, token: str | None) -> httpx.Response:
    what = f"the ECS metadata service at {_host(endpoint)}"
    headers = {"X-aliyun-ecs-metadata-token": token} if token else None
    response = _request(
        http, "GET", endpoint + path, what=what, timeout=IMDS_TIMEOUT, headers=headers, trust_env=False
    )
    if response.status_code != 200:
        raise CredentialsError(f"{what} answered HTTP {response.status_code} for {path}")
    return response


def _imds_get_with_fallback(
    http: httpx.Client | None, endpoint: str, path: str, token: str | None, *, disable_v1: bool
) -> httpx.Response:
    """GET with the token; if that fails and v1 is allowed, once more without it (the SDK's fallback)."""
    try:
        return _imds_get(http, endpoint, path, token)
    except CredentialsError:
        if token is None or disable_v1:
            raise
        return _imds_get(http, endpoint, path, None)


def ecs_role_credentials(
    http: httpx.Client | None, endpoint: str, role_name: str | None, *, disable_v1: bool
) -> dict[str, str]:
    """The RAM role's temporary credentials from IMDS, discovering the role name when none is given."""
    endpoint = endpoint.rstrip("/")
    token = _imds_token(http, endpoint, disable_v1=disable_v1)
    what = f"the ECS metadata service at {_host(endpoint)}"
    if not role_name:
        listed = _imds_get_with_fallback(http, endpoint, _IMDS_ROLE_PATH, token, disable_v1=disable_v1)
        role_name = listed.text.strip()
        if not role_name:
            raise CredentialsError(f"{what} lists no RAM role attached to this instance")
    path = _IMDS_ROLE_PATH + quote(role_name, safe="")
    body = _json_object(_imds_get_with_fallback(http, endpoint, path, token, disable_v1=disable_v1), what)
    if body.get("Code") != "Success":
        raise CredentialsError(f"{what} answered Code={body.get('Code')!r} for role {role_name!r}")
    return _temporary(body, what)


# --- credentials URI ------------------------------------------------------------------------------


def uri_credentials(http: httpx.Client | None, uri: str) -> dict[str, str]:
    """GET the credentials URI (``http`` when it names no scheme) and check ``Code == "Success"``."""
    if "://" not in uri:
        uri = "http://" + uri
    what = f"the credentials URI {_host(uri)}"
    response = _request(http, "GET", uri, what=what, timeout=URI_TIMEOUT)
    if response.status_code != 200:
        raise CredentialsError(
            f"{what} answered HTTP {response.status_code}", http_status=response.status_code
        )
    body = _json_object(response, what)
    if body.get("Code") != "Success":
        raise CredentialsError(f"{what} answered Code={body.get('Code')!r}")
    return _temporary(body, what)
