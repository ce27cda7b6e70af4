"""The credential chain against real local HTTP servers: an STS that verifies signatures, an IMDS, a URI.

Nothing of ours is mocked. Servers are stdlib ``http.server`` on 127.0.0.1, port 0, in a thread that a
fixture stops in ``finally``; time is an injected clock that tests move, never sleep.
"""

from __future__ import annotations

import copy
import hmac
import json
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from pulumi_alicloud_ai.client import _credential_fetch, signing
from pulumi_alicloud_ai.client.credentials import (
    REFRESH_MARGIN_SECONDS,
    ChainProvider,
    CLIProfileProvider,
    Credentials,
    CredentialsURIProvider,
    EcsRamRoleProvider,
    EnvironmentProvider,
    OIDCRoleArnProvider,
    ProfileProvider,
    RamRoleArnProvider,
    StaticCredentialsProvider,
    default_chain,
)
from pulumi_alicloud_ai.client.errors import CredentialsError

START = 1_714_564_800.0  # 2024-05-01T12:00:00Z
SOURCE_ID = "LTAI5tSourceKeyId"
SOURCE_SECRET = "source-secret-Zq9+/%=value"  # '+', '/', '%' and '=' exercise every encoding step
ROLE_ARN = "acs:ram::1234567890:role/deployer"
OIDC_PROVIDER_ARN = "acs:ram::1234567890:oidc-provider/ack-rrsa"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.oidc-payload.signature"
IMDS_TOKEN = "imds-session-token-1"


def fmt(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


Reply = tuple[int, dict[str, Any] | str]


@dataclass
class LocalServer:
    url: str
    requests: list[Req] = field(default_factory=list)


@contextmanager
def serve(handle: Callable[[Req], Reply]) -> Iterator[LocalServer]:
    """Run ``handle`` behind a real HTTP server on 127.0.0.1 until the block ends."""
    requests: list[Req] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urlsplit(self.path)
            req = Req(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                {k.lower(): v for k, v in self.headers.items()},
            )
            requests.append(req)
            status, body = handle(req)
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._any()

        def do_PUT(self) -> None:
            self._any()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LocalServer(f"http://127.0.0.1:{server.server_address[1]}", requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# --- a local STS that checks the legacy RPC HMAC-SHA1 signature -------------------------------------


class FakeSts:
    """Knows the source key and every key it issued; issues keys valid for DurationSeconds."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.keys: dict[str, tuple[str, str | None]] = {SOURCE_ID: (SOURCE_SECRET, None)}
        self.issued = 0
        self.oidc_token = OIDC_TOKEN

    def _issue(self, duration: str) -> Reply:
        self.issued += 1
        key_id, secret, token = (
            f"STS.issued{self.issued}",
            f"issued-secret-{self.issued}",
            f"CAIS-tok-{self.issued}",
        )
        self.keys[key_id] = (secret, token)
        expiration = fmt(self.clock.now + int(duration))
        creds = {
            "AccessKeyId": key_id,
            "AccessKeySecret": secret,
            "SecurityToken": token,
            "Expiration": expiration,
        }
        return 200, {"RequestId": f"req-{self.issued}", "Credentials": creds}

    @staticmethod
    def _error(status: int, code: str, message: str) -> Reply:
        return status, {
            "RequestId": "req-err-1",
            "HostId": "sts.aliyuncs.com",
            "Code": code,
            "Message": message,
        }

    def handle(self, req: Req) -> Reply:
        q = req.query
        common = {"Format": "JSON", "Version": "2015-04-01"}
        if any(q.get(k) != v for k, v in common.items()) or req.method != "GET":
            return self._error(400, "InvalidParameter", "bad common parameters")
        time.strptime(q["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        if q.get("Action") == "AssumeRoleWithOIDC":
            if "Signature" in q or "AccessKeyId" in q:
                return self._error(400, "InvalidParameter", "AssumeRoleWithOIDC is not signed")
            if q.get("OIDCToken") != self.oidc_token or q.get("OIDCProviderArn") != OIDC_PROVIDER_ARN:
                return self._error(400, "AuthenticationFail.OIDCToken.Invalid", "bad OIDC token")
            return self._issue(q["DurationSeconds"])
        if q.get("Action") != "AssumeRole":
            return self._error(404, "InvalidAction.NotFound", "unknown action")
        if q.get("SignatureMethod") != "HMAC-SHA1" or q.get("SignatureVersion") != "1.0":
            return self._error(400, "InvalidParameter", "bad signature method")
        if not q.get("SignatureNonce") or not q.get("RoleArn") or not q.get("RoleSessionName"):
            return self._error(400, "MissingParameter", "missing parameter")
        known = self.keys.get(q.get("AccessKeyId", ""))
        if known is None:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        secret, token = known
        if token is not None and q.get("SecurityToken") != token:
            return self._error(400, "InvalidSecurityToken.MismatchWithAccessKey", "token mismatch")
        to_sign = signing.rpc_v1_string_to_sign("GET", signing.rpc_v1_canonicalized_query(q))
        if not hmac.compare_digest(signing.rpc_v1_signature(secret, to_sign), q.get("Signature", "")):
            return self._error(
                400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
            )
        return self._issue(q["DurationSeconds"])


@pytest.fixture
def sts(clock: FakeClock) -> Iterator[tuple[FakeSts, LocalServer]]:
    fake = FakeSts(clock)
    with serve(fake.handle) as server:
        yield fake, server


# --- a local ECS metadata service ---------------------------------------------------------------------


@dataclass
class FakeImds:
    clock: FakeClock
    v2: bool = True  # the token endpoint works
    require_token: bool = False  # v1 requests are refused
    failing: bool = False
    issued: int = 0

    def handle(self, req: Req) -> Reply:
        if req.method == "PUT" and req.path == "/latest/api/token":
            if not self.v2 or req.headers.get("x-aliyun-ecs-metadata-token-ttl-seconds") != "21600":
                return 404, "not found"
            return 200, IMDS_TOKEN
        token = req.headers.get("x-aliyun-ecs-metadata-token")
        if (
            self.failing
            or (token is not None and token != IMDS_TOKEN)
            or (self.require_token and token is None)
        ):
            return 401 if not self.failing else 500, "refused"
        if req.path == "/latest/meta-data/ram/security-credentials/":
            return 200, "EcsRole"
        if req.path == "/latest/meta-data/ram/security-credentials/EcsRole":
            self.issued += 1
            return 200, {
                "Code": "Success",
                "AccessKeyId": f"STS.ecs{self.issued}",
                "AccessKeySecret": f"ecs-secret-{self.issued}",
                "SecurityToken": f"ecs-token-{self.issued}",
                "Expiration": fmt(self.clock.now + 6 * 3600),
                "LastUpdated": fmt(self.clock.now),
            }
        return 404, "not found"


@pytest.fixture
def imds(clock: FakeClock) -> Iterator[tuple[FakeImds, LocalServer]]:
    fake = FakeImds(clock)
    with serve(fake.handle) as server:
        yield fake, server


@pytest.fixture
def nothing() -> Iterator[LocalServer]:
    """A server that answers 404 to everything: an IMDS that is not there."""
    with serve(lambda req: (404, "not found")) as server:
        yield server


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def cli_config(home: Path, current: str, *profiles: dict[str, Any]) -> str:
    return write(
        home / ".aliyun" / "config.json", json.dumps({"current": current, "profiles": list(profiles)})
    )


# --- the Credentials value --------------------------------------------------------------------------


class TestCredentialsValue:
    def test_repr_redacts(self) -> None:
        """repr and str show four characters of the key id and never the secret or token."""
        creds = Credentials("LTAI5tExample", "very-secret", "token-value", "env")
        for text in (repr(creds), str(creds), f"{creds}"):
            assert "LTAI****" in text
            assert "very-secret" not in text
            assert "token-value" not in text
            assert "5tExample" not in text

    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    def test_pickling_refused(self, protocol: int) -> None:
        """pickle.dumps raises TypeError for every protocol, so credentials never reach Pulumi state."""
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(Credentials("LTAI5tExample", "very-secret"), protocol=protocol)

    def test_provider_holding_credentials_cannot_be_pickled(self) -> None:
        """An object that captured credentials fails to pickle too."""
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(StaticCredentialsProvider("LTAI5tExample", "very-secret"))

    def test_copy_returns_same_value(self) -> None:
        """copy and deepcopy still work on the immutable value."""
        creds = Credentials("LTAI5tExample", "very-secret")
        assert copy.copy(creds) is creds
        assert copy.deepcopy(creds) is creds


# --- static and environment ---------------------------------------------------------------------------


def test_static_provider_names() -> None:
    """Static keys are static_ak, or static_sts with a token; empty keys are refused."""
    assert StaticCredentialsProvider("id", "secret").get_credentials().provider_name == "static_ak"
    sts = StaticCredentialsProvider("id", "secret", "tok").get_credentials()
    assert (sts.provider_name, sts.security_token) == ("static_sts", "tok")
    with pytest.raises(CredentialsError, match="must not be empty"):
        StaticCredentialsProvider("id", "").get_credentials()


def test_env_without_token() -> None:
    """Environment keys without a token give long-lived credentials named env."""
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"}
    creds = EnvironmentProvider(env).get_credentials()
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == (
        "LTAIenv",
        "env-secret",
        None,
    )
    assert creds.provider_name == "env"
    assert creds.expiration is None


def test_env_with_token() -> None:
    """ALIBABA_CLOUD_SECURITY_TOKEN is carried along; the name stays env as in the SDK."""
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.env",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token",
    }
    creds = EnvironmentProvider(env).get_credentials()
    assert (creds.security_token, creds.provider_name) == ("env-token", "env")


def test_env_read_at_call_time() -> None:
    """Variables set after the provider was built are seen by the next call."""
    env: dict[str, str] = {}
    provider = EnvironmentProvider(env)
    with pytest.raises(
        CredentialsError, match="ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    ):
        provider.get_credentials()
    env.update(ALIBABA_CLOUD_ACCESS_KEY_ID="LTAIlate", ALIBABA_CLOUD_ACCESS_KEY_SECRET="late-secret")
    assert provider.get_credentials().access_key_id == "LTAIlate"


def test_env_missing_secret_not_echoed() -> None:
    """A half-set environment names the missing variable and not the value that is set."""
    with pytest.raises(CredentialsError) as info:
        EnvironmentProvider({"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "half-secret"}).get_credentials()
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID not set" in str(info.value)
    assert "half-secret" not in str(info.value)


# --- STS AssumeRole -----------------------------------------------------------------------------------


def role_provider(
    server: LocalServer, clock: FakeClock, secret: str = SOURCE_SECRET, **kw: Any
) -> RamRoleArnProvider:
    return RamRoleArnProvider(
        StaticCredentialsProvider(SOURCE_ID, secret),
        ROLE_ARN,
        sts_endpoint=server.url,
        clock=clock,
        environ={},
        **kw,
    )


def test_assume_role_signed_and_issued(sts: tuple[FakeSts, LocalServer], clock: FakeClock) -> None:
    """AssumeRole is signed with HMAC-SHA1 over the source key and returns expiring STS credentials."""
    _, server = sts
    provider = role_provider(
        server, clock, policy='{"Version":"1"}', external_id="ext-1", role_session_name="s1"
    )
    creds = provider.get_credentials()
    assert creds.access_key_id == "STS.issued1"
    assert creds.security_token == "CAIS-tok-1"
    assert creds.provider_name == "ram_role_arn/static_ak"
    assert creds.expiration == START + 3600
    q = server.requests[0].query
    assert q["RoleArn"] == ROLE_ARN
    assert (q["RoleSessionName"], q["DurationSeconds"], q["ExternalId"]) == ("s1", "3600", "ext-1")
    assert q["Policy"] == '{"Version":"1"}'
    assert q["Timestamp"] == fmt(START)
    assert SOURCE_SECRET not in json.dumps(q)


def test_assume_role_wrong_secret_rejected(sts: tuple[FakeSts, LocalServer], clock: FakeClock) -> None:
    """A wrong secret fails verification; the error carries code and request id and no secret."""
    _, server = sts
    with pytest.raises(CredentialsError) as info:
        role_provider(server, clock, secret="wrong-secret-123").get_credentials()
    error = info.value
    assert error.code == "SignatureDoesNotMatch"
    assert error.request_id == "req-err-1"
    assert error.action == "AssumeRole"
    assert "not matched" in str(error)
    assert "wrong-secret-123" not in str(error)
    assert "wrong-secret-123" not in repr(error)


def test_assume_role_cached_then_refreshed(sts: tuple[FakeSts, LocalServer], clock: FakeClock) -> None:
    """Credentials are reused until 15 minutes before Expiration, then fetched again."""
    fake, server = sts
    provider = role_provider(server, clock)
    first = provider.get_credentials()
    clock.now = first.expiration - REFRESH_MARGIN_SECONDS - 1  # type: ignore[operator]
    assert provider.get_credentials() is first
    assert fake.issued == 1
    clock.now += 2
    second = provider.get_credentials()
    assert fake.issued == 2
    assert second.access_key_id == "STS.issued2"
    assert second.expiration == clock.now + 3600


def test_assume_role_arn_from_environment(sts: tuple[FakeSts, LocalServer], clock: FakeClock) -> None:
    """Without role_arn the provider reads ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_ROLE_SESSION_NAME."""
    _, server = sts
    env = {"ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN, "ALIBABA_CLOUD_ROLE_SESSION_NAME": "from-env"}
    provider = RamRoleArnProvider(
        StaticCredentialsProvider(SOURCE_ID, SOURCE_SECRET), sts_endpoint=server.url, environ=env, clock=clock
    )
    provider.get_credentials()
    assert server.requests[0].query["RoleSessionName"] == "from-env"
    with pytest.raises(CredentialsError, match="ALIBABA_CLOUD_ROLE_ARN"):
        RamRoleArnProvider(StaticCredentialsProvider(SOURCE_ID, SOURCE_SECRET), environ={}).get_credentials()


def test_short_duration_refused() -> None:
    """A session shorter than 900 seconds is a programming error, as in the SDK."""
    with pytest.raises(ValueError, match="900"):
        RamRoleArnProvider(StaticCredentialsProvider("a", "b"), ROLE_ARN, duration_seconds=899)


@pytest.mark.parametrize(
    ("env", "region", "vpc", "expected"),
    [
        ({}, None, None, "https://sts.aliyuncs.com"),
        ({"ALIBABA_CLOUD_STS_REGION": "cn-shanghai"}, None, None, "https://sts.cn-shanghai.aliyuncs.com"),
        (
            {"ALIBABA_CLOUD_STS_REGION": "cn-shanghai", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "true"},
            None,
            None,
            "https://sts-vpc.cn-shanghai.aliyuncs.com",
        ),
        ({"ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "true"}, None, None, "https://sts.aliyuncs.com"),
        (
            {"ALIBABA_CLOUD_STS_REGION": "cn-beijing"},
            "ap-southeast-1",
            True,
            "https://sts-vpc.ap-southeast-1.aliyuncs.com",
        ),
    ],
)
def test_sts_endpoint_choice(
    env: dict[str, str], region: str | None, vpc: bool | None, expected: str
) -> None:
    """The STS host follows profile keys, then ALIBABA_CLOUD_STS_REGION / _VPC_ENDPOINT_ENABLED."""
    assert _credential_fetch.sts_base_url(env, override=None, region=region, enable_vpc=vpc) == expected


# --- OIDC (RRSA) -----------------------------------------------------------------------------------------


def oidc_env(tmp_path: Path, token: str = OIDC_TOKEN) -> dict[str, str]:
    return {
        "ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN,
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": OIDC_PROVIDER_ARN,
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE": write(tmp_path / "token", token + "\n"),
    }


def test_oidc_with_token_file(sts: tuple[FakeSts, LocalServer], clock: FakeClock, tmp_path: Path) -> None:
    """AssumeRoleWithOIDC sends the token file's content unsigned and returns oidc_role_arn credentials."""
    _, server = sts
    provider = OIDCRoleArnProvider(environ=oidc_env(tmp_path), sts_endpoint=server.url, clock=clock)
    creds = provider.get_credentials()
    assert (creds.provider_name, creds.expiration) == ("oidc_role_arn", START + 3600)
    q = server.requests[0].query
    assert (q["Action"], q["OIDCToken"], q["RoleArn"]) == ("AssumeRoleWithOIDC", OIDC_TOKEN, ROLE_ARN)
    assert q["RoleSessionName"]
    assert "Signature" not in q


def test_oidc_rereads_rotated_token(
    sts: tuple[FakeSts, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """A refresh reads the token file again, so a rotated token is used."""
    fake, server = sts
    env = oidc_env(tmp_path)
    provider = OIDCRoleArnProvider(environ=env, sts_endpoint=server.url, clock=clock)
    provider.get_credentials()
    fake.oidc_token = "eyJ.rotated.token"
    Path(env["ALIBABA_CLOUD_OIDC_TOKEN_FILE"]).write_text(fake.oidc_token)
    clock.now += 3600 - REFRESH_MARGIN_SECONDS
    assert provider.get_credentials().access_key_id == "STS.issued2"
    assert server.requests[1].query["OIDCToken"] == "eyJ.rotated.token"


def test_oidc_names_missing_variables() -> None:
    """Without the three variables the error lists the ones missing."""
    with pytest.raises(CredentialsError) as info:
        OIDCRoleArnProvider(environ={"ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN}).get_credentials()
    assert "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE not set" in str(info.value)


def test_oidc_unreadable_token_file(clock: FakeClock, tmp_path: Path) -> None:
    """A missing token file is a CredentialsError naming the path."""
    env = oidc_env(tmp_path)
    env["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = str(tmp_path / "absent")
    with pytest.raises(CredentialsError, match="cannot read the OIDC token file"):
        OIDCRoleArnProvider(environ=env, clock=clock).get_credentials()


# --- ECS metadata (IMDS) ---------------------------------------------------------------------------------


def test_imds_v2_token_sent(imds: tuple[FakeImds, LocalServer], clock: FakeClock) -> None:
    """IMDSv2: a PUT for a session token, then every GET carries it."""
    fake, server = imds
    fake.require_token = True
    creds = EcsRamRoleProvider(endpoint=server.url, environ={}, clock=clock).get_credentials()
    assert (creds.access_key_id, creds.provider_name) == ("STS.ecs1", "ecs_ram_role")
    assert creds.expiration == START + 6 * 3600
    put, *gets = server.requests
    assert (put.method, put.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]) == ("PUT", "21600")
    assert [g.path.rsplit("/", 1)[-1] for g in gets] == ["", "EcsRole"]
    assert all(g.headers.get("x-aliyun-ecs-metadata-token") == IMDS_TOKEN for g in gets)


def test_imds_v1_fallback(imds: tuple[FakeImds, LocalServer], clock: FakeClock) -> None:
    """Without a token endpoint the provider goes on in v1 mode, with no token header."""
    fake, server = imds
    fake.v2 = False
    creds = EcsRamRoleProvider(endpoint=server.url, environ={}, clock=clock).get_credentials()
    assert creds.access_key_id == "STS.ecs1"
    gets = [r for r in server.requests if r.method == "GET"]
    assert gets
    assert all("x-aliyun-ecs-metadata-token" not in g.headers for g in gets)


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_imds_v1_disabled_fails(imds: tuple[FakeImds, LocalServer], clock: FakeClock, how: str) -> None:
    """With IMDSv1 disabled, a missing token is an error and no v1 request is made."""
    fake, server = imds
    fake.v2 = False
    if how == "argument":
        provider = EcsRamRoleProvider(disable_imds_v1=True, endpoint=server.url, environ={}, clock=clock)
    else:
        env = {"ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}
        provider = EcsRamRoleProvider(endpoint=server.url, environ=env, clock=clock)
    with pytest.raises(CredentialsError, match="IMDSv1 fallback is disabled"):
        provider.get_credentials()
    assert [r.method for r in server.requests] == ["PUT"]


def test_imds_role_from_environment(imds: tuple[FakeImds, LocalServer], clock: FakeClock) -> None:
    """ALIBABA_CLOUD_ECS_METADATA names the role, so the role list is not fetched."""
    _, server = imds
    env = {"ALIBABA_CLOUD_ECS_METADATA": "EcsRole"}
    EcsRamRoleProvider(endpoint=server.url, environ=env, clock=clock).get_credentials()
    assert [r.path for r in server.requests] == [
        "/latest/api/token",
        "/latest/meta-data/ram/security-credentials/EcsRole",
    ]


def test_imds_disabled_by_environment(imds: tuple[FakeImds, LocalServer], clock: FakeClock) -> None:
    """ALIBABA_CLOUD_ECS_METADATA_DISABLED=true refuses without any request."""
    _, server = imds
    env = {"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "TRUE"}
    with pytest.raises(CredentialsError, match="ECS_METADATA_DISABLED"):
        EcsRamRoleProvider(endpoint=server.url, environ=env, clock=clock).get_credentials()
    assert server.requests == []


def test_imds_refresh_and_stale_fallback(imds: tuple[FakeImds, LocalServer], clock: FakeClock) -> None:
    """IMDS credentials refresh near expiry; a failed refresh serves the unexpired value, then fails."""
    fake, server = imds
    provider = EcsRamRoleProvider(endpoint=server.url, environ={}, clock=clock)
    first = provider.get_credentials()
    assert first.expiration is not None
    clock.now = first.expiration - REFRESH_MARGIN_SECONDS
    second = provider.get_credentials()
    assert second.access_key_id == "STS.ecs2"
    assert second.expiration is not None
    fake.failing = True
    clock.now = second.expiration - 60
    assert provider.get_credentials() is second
    clock.now = second.expiration + 1
    with pytest.raises(CredentialsError, match="HTTP 500"):
        provider.get_credentials()


# --- credentials URI ---------------------------------------------------------------------------------------


def uri_reply(req: Req) -> Reply:
    if req.path != "/creds" or req.query.get("role") != "app":
        return 500, {"Message": "uri-body-secret-should-not-leak"}
    return 200, {
        "Code": "Success",
        "AccessKeyId": "STS.uri",
        "AccessKeySecret": "uri-secret",
        "SecurityToken": "uri-token",
        "Expiration": fmt(START + 3600),
    }


def test_credentials_uri(clock: FakeClock) -> None:
    """GET on ALIBABA_CLOUD_CREDENTIALS_URI yields credential_uri credentials with their expiration."""
    with serve(uri_reply) as server:
        env = {"ALIBABA_CLOUD_CREDENTIALS_URI": server.url + "/creds?role=app"}
        creds = CredentialsURIProvider(environ=env, clock=clock).get_credentials()
    assert (creds.access_key_id, creds.provider_name, creds.expiration) == (
        "STS.uri",
        "credential_uri",
        START + 3600,
    )


def test_credentials_uri_error_hides_body(clock: FakeClock) -> None:
    """A failing URI reports the status and host, never the body or the query."""
    with serve(uri_reply) as server:
        provider = CredentialsURIProvider(
            server.url.removeprefix("http://") + "/other?sig=q-secret", clock=clock
        )
        with pytest.raises(CredentialsError) as info:
            provider.get_credentials()
    assert "HTTP 500" in str(info.value)
    assert "uri-body-secret" not in str(info.value)
    assert "q-secret" not in str(info.value)


# --- INI profile ---------------------------------------------------------------------------------------------


INI = f"""
[default]
type = access_key
access_key_id = LTAIdefault
access_key_secret = default%secret

[roled]
type = ram_role_arn
access_key_id = {SOURCE_ID}
access_key_secret = {SOURCE_SECRET.replace("%", "%")}
role_arn = {ROLE_ARN}
role_session_name = ini-session

[instance]
type = ecs_ram_role
role_name = EcsRole

[pod]
type = oidc_role_arn
role_arn = {ROLE_ARN}
oidc_provider_arn = {OIDC_PROVIDER_ARN}
oidc_token_file_path = TOKEN_PATH

[rsa]
type = rsa_key_pair
public_key_id = pk
private_key_file = /nowhere
"""


def ini_file(tmp_path: Path) -> str:
    token = write(tmp_path / "token", OIDC_TOKEN)
    return write(tmp_path / ".alibabacloud" / "credentials.ini", INI.replace("TOKEN_PATH", token))


def test_ini_default_section(tmp_path: Path) -> None:
    """Without ALIBABA_CLOUD_PROFILE the [default] section of ~/.alibabacloud/credentials.ini is used."""
    ini_file(tmp_path)
    creds = ProfileProvider(environ={}, home=str(tmp_path)).get_credentials()
    assert (creds.access_key_id, creds.access_key_secret) == ("LTAIdefault", "default%secret")
    assert creds.provider_name == "profile/static_ak"


def test_ini_profile_from_environment(
    sts: tuple[FakeSts, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """ALIBABA_CLOUD_PROFILE picks the section; a ram_role_arn section assumes the role via STS."""
    _, server = sts
    env = {"ALIBABA_CLOUD_PROFILE": "roled", "HOME": str(tmp_path)}
    ini_file(tmp_path)
    creds = ProfileProvider(environ=env, sts_endpoint=server.url, clock=clock).get_credentials()
    assert creds.provider_name == "profile/ram_role_arn/static_ak"
    assert server.requests[0].query["RoleSessionName"] == "ini-session"


def test_ini_file_from_environment_and_other_types(
    sts: tuple[FakeSts, LocalServer], imds: tuple[FakeImds, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """ALIBABA_CLOUD_CREDENTIALS_FILE names the file; ecs_ram_role and oidc_role_arn sections work."""
    path = ini_file(tmp_path / "elsewhere")
    env = {"ALIBABA_CLOUD_CREDENTIALS_FILE": path}
    shared: dict[str, Any] = {"environ": env, "home": str(tmp_path), "clock": clock}
    ecs = ProfileProvider("instance", imds_endpoint=imds[1].url, **shared).get_credentials()
    assert ecs.provider_name == "profile/ecs_ram_role"
    oidc = ProfileProvider("pod", sts_endpoint=sts[1].url, **shared).get_credentials()
    assert oidc.provider_name == "profile/oidc_role_arn"


def test_ini_rsa_key_pair_unsupported(tmp_path: Path) -> None:
    """rsa_key_pair sections are refused with a clear message."""
    ini_file(tmp_path)
    with pytest.raises(CredentialsError, match="unsupported credential type 'rsa_key_pair'"):
        ProfileProvider("rsa", environ={}, home=str(tmp_path)).get_credentials()


def test_ini_missing_file_and_section(tmp_path: Path) -> None:
    """An absent file or section is a CredentialsError naming it."""
    with pytest.raises(CredentialsError, match="cannot read"):
        ProfileProvider(environ={}, home=str(tmp_path)).get_credentials()
    ini_file(tmp_path)
    with pytest.raises(CredentialsError, match=r"no section \[ghost\]"):
        ProfileProvider("ghost", environ={}, home=str(tmp_path)).get_credentials()


# --- CLI profile (~/.aliyun/config.json) ----------------------------------------------------------------------


AK_PROFILE = {"name": "main", "mode": "AK", "access_key_id": "LTAIcli", "access_key_secret": "cli-secret"}


def test_cli_current_profile(tmp_path: Path) -> None:
    """The file's current profile is used; AK mode gives cli_profile/static_ak."""
    other = {**AK_PROFILE, "name": "other", "access_key_id": "LTAIother"}
    cli_config(tmp_path, "main", other, AK_PROFILE)
    creds = CLIProfileProvider(environ={}, home=str(tmp_path)).get_credentials()
    assert (creds.access_key_id, creds.provider_name) == ("LTAIcli", "cli_profile/static_ak")


def test_cli_profile_env_overrides_current(tmp_path: Path) -> None:
    """ALIBABA_CLOUD_PROFILE beats current; StsToken mode carries the token as static_sts."""
    sts_profile = {
        "name": "tok",
        "mode": "StsToken",
        "access_key_id": "STS.cli",
        "access_key_secret": "s",
        "sts_token": "cli-token",
    }
    cli_config(tmp_path, "main", AK_PROFILE, sts_profile)
    env = {"ALIBABA_CLOUD_PROFILE": "tok", "HOME": str(tmp_path)}
    creds = CLIProfileProvider(environ=env).get_credentials()
    assert (creds.security_token, creds.provider_name) == ("cli-token", "cli_profile/static_sts")


def test_cli_ram_role_arn_and_chainable(
    sts: tuple[FakeSts, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """RamRoleArn assumes a role; ChainableRamRoleArn assumes another with the first role's STS keys."""
    _, server = sts
    role = {
        "name": "role",
        "mode": "RamRoleArn",
        "access_key_id": SOURCE_ID,
        "access_key_secret": SOURCE_SECRET,
        "ram_role_arn": ROLE_ARN,
        "ram_session_name": "cli-session",
        "expired_seconds": 900,
        "external_id": "ext",
    }
    chained = {
        "name": "chained",
        "mode": "ChainableRamRoleArn",
        "source_profile": "role",
        "ram_role_arn": ROLE_ARN + "2",
    }
    cli_config(tmp_path, "chained", role, chained)
    creds = CLIProfileProvider(
        environ={}, home=str(tmp_path), sts_endpoint=server.url, clock=clock
    ).get_credentials()
    assert creds.provider_name == "cli_profile/ram_role_arn/ram_role_arn/static_ak"
    first, second = (r.query for r in server.requests)
    assert (first["DurationSeconds"], first["ExternalId"], first["RoleSessionName"]) == (
        "900",
        "ext",
        "cli-session",
    )
    assert (second["AccessKeyId"], second["SecurityToken"]) == ("STS.issued1", "CAIS-tok-1")
    assert second["RoleArn"] == ROLE_ARN + "2"
    assert creds.access_key_id == "STS.issued2"


def test_cli_ecs_and_oidc_modes(
    sts: tuple[FakeSts, LocalServer], imds: tuple[FakeImds, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """EcsRamRole and OIDC modes use IMDS and AssumeRoleWithOIDC."""
    oidc = {
        "name": "oidc",
        "mode": "OIDC",
        "ram_role_arn": ROLE_ARN,
        "oidc_provider_arn": OIDC_PROVIDER_ARN,
        "oidc_token_file": write(tmp_path / "token", OIDC_TOKEN),
        "role_session_name": "pod",
    }
    ecs = {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRole"}
    cli_config(tmp_path, "ecs", ecs, oidc)
    kw: dict[str, Any] = {
        "home": str(tmp_path),
        "clock": clock,
        "imds_endpoint": imds[1].url,
        "sts_endpoint": sts[1].url,
    }
    assert CLIProfileProvider(environ={}, **kw).get_credentials().provider_name == "cli_profile/ecs_ram_role"
    creds = CLIProfileProvider("oidc", environ={}, **kw).get_credentials()
    assert creds.provider_name == "cli_profile/oidc_role_arn"
    assert sts[1].requests[0].query["RoleSessionName"] == "pod"


@pytest.mark.parametrize("mode", ["CloudSSO", "OAuth", "External", "Bogus"])
def test_cli_unsupported_mode(tmp_path: Path, mode: str) -> None:
    """Modes outside scope fail with 'unsupported profile mode' and leak no key."""
    cli_config(tmp_path, "x", {"name": "x", "mode": mode, "access_key_secret": "leaky-secret"})
    with pytest.raises(CredentialsError, match=f"unsupported profile mode '{mode}'") as info:
        CLIProfileProvider(environ={}, home=str(tmp_path)).get_credentials()
    assert "leaky-secret" not in str(info.value)


def test_cli_disabled_and_reloaded(tmp_path: Path) -> None:
    """ALIBABA_CLOUD_CLI_PROFILE_DISABLED turns the source off; an edited file is picked up."""
    cli_config(tmp_path, "main", AK_PROFILE)
    env = {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}
    provider = CLIProfileProvider(environ=env, home=str(tmp_path))
    with pytest.raises(CredentialsError, match="disabled"):
        provider.get_credentials()
    env.clear()
    assert provider.get_credentials().access_key_id == "LTAIcli"
    cli_config(tmp_path, "main", {**AK_PROFILE, "access_key_id": "LTAIrotated"})
    assert provider.get_credentials().access_key_id == "LTAIrotated"


# --- the default chain ----------------------------------------------------------------------------------------


ENV_KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"}


def test_chain_env_beats_profiles(tmp_path: Path, nothing: LocalServer) -> None:
    """The environment wins over CLI and INI profiles; names are prefixed default/."""
    cli_config(tmp_path, "main", AK_PROFILE)
    ini_file(tmp_path)
    creds = default_chain({**ENV_KEYS, "HOME": str(tmp_path)}, imds_endpoint=nothing.url).get_credentials()
    assert (creds.access_key_id, creds.provider_name) == ("LTAIenv", "default/env")


def test_chain_cli_beats_ini(tmp_path: Path, nothing: LocalServer) -> None:
    """Without env keys the CLI profile wins over credentials.ini."""
    cli_config(tmp_path, "main", AK_PROFILE)
    ini_file(tmp_path)
    creds = default_chain({}, home=str(tmp_path), imds_endpoint=nothing.url).get_credentials()
    assert creds.provider_name == "default/cli_profile/static_ak"


def test_chain_ini_and_remembered(tmp_path: Path, nothing: LocalServer) -> None:
    """The INI profile answers as default/profile/static_ak and stays chosen when env keys appear."""
    ini_file(tmp_path)
    env: dict[str, str] = {"HOME": str(tmp_path)}
    chain = default_chain(env, imds_endpoint=nothing.url)
    assert chain.get_credentials().provider_name == "default/profile/static_ak"
    env.update(ENV_KEYS)
    assert chain.get_credentials().provider_name == "default/profile/static_ak"
    assert default_chain(env, imds_endpoint=nothing.url).get_credentials().provider_name == "default/env"


def test_chain_oidc_before_profiles(
    sts: tuple[FakeSts, LocalServer], clock: FakeClock, tmp_path: Path
) -> None:
    """With the three OIDC variables set, OIDC answers before the profile files."""
    cli_config(tmp_path, "main", AK_PROFILE)
    chain = default_chain(oidc_env(tmp_path), home=str(tmp_path), sts_endpoint=sts[1].url, clock=clock)
    assert chain.get_credentials().provider_name == "default/oidc_role_arn"


def test_chain_imds_then_uri(imds: tuple[FakeImds, LocalServer], clock: FakeClock, tmp_path: Path) -> None:
    """IMDS answers when no keys or files exist; with IMDS disabled the credentials URI does."""
    chain = default_chain({}, home=str(tmp_path), imds_endpoint=imds[1].url, clock=clock)
    assert chain.get_credentials().provider_name == "default/ecs_ram_role"
    with serve(uri_reply) as server:
        env = {
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "ALIBABA_CLOUD_CREDENTIALS_URI": server.url + "/creds?role=app",
        }
        creds = default_chain(
            env, home=str(tmp_path), imds_endpoint=imds[1].url, clock=clock
        ).get_credentials()
    assert creds.provider_name == "default/credential_uri"


def test_chain_exhausted_lists_sources_without_secrets(tmp_path: Path, nothing: LocalServer) -> None:
    """When every source fails the error names each one with its reason and quotes no secret."""
    cli_config(tmp_path, "x", {"name": "x", "mode": "CloudSSO", "access_key_secret": "cli-leak-secret"})
    write(
        tmp_path / ".alibabacloud" / "credentials.ini",
        "[default]\ntype = rsa_key_pair\nprivate_key_file = ini-leak\n",
    )
    with serve(uri_reply) as uri:
        env = {
            "HOME": str(tmp_path),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-leak-secret",
            "ALIBABA_CLOUD_CREDENTIALS_URI": uri.url + "/bad?token=uri-leak-token",
        }
        with pytest.raises(CredentialsError) as info:
            default_chain(env, imds_endpoint=nothing.url).get_credentials()
    text = str(info.value)
    assert "unable to load credentials from any of the providers in the chain" in text
    for name in ("env:", "oidc_role_arn:", "cli_profile:", "profile:", "ecs_ram_role:", "credential_uri:"):
        assert name in text
    assert "unsupported profile mode 'CloudSSO'" in text
    assert "rsa_key_pair" in text
    for secret in ("env-leak-secret", "cli-leak-secret", "uri-leak-token", "uri-body-secret"):
        assert secret not in text


def test_chain_of_custom_providers() -> None:
    """ChainProvider takes any providers and prefixes its own name."""
    chain = ChainProvider([EnvironmentProvider({}), StaticCredentialsProvider("id", "s")], name="mine")
    assert chain.get_credentials().provider_name == "mine/static_ak"
