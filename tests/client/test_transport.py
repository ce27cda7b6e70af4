"""Our client against a real emulator: encoding, signing, typed errors, retries and their limits.

Probe operations mounted on the emulator echo back what the server received and decoded, so these
tests prove the client and server agree on the wire, not just that the client sends something.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.endpoints import EAS, VOD, Product
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    AuthError,
    InvalidParameterError,
    ServerError,
    ThrottlingError,
    TransportError,
)
from pulumi_alicloud_ai.client.retry import RetryPolicy
from pulumi_alicloud_ai.client.transport import USER_AGENT, OpenApiClient, Operation
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.routing import Call, Route, Router
from tests.conftest import EmulatorFactory

ECHO_RPC = Operation("EchoRpc")
ECHO_RPC_IDEMPOTENT = Operation("EchoRpc", idempotent=True)
ECHO_ROA = Operation("EchoRoa", "PUT", "/api/v2/echo/{Name}")


def _echo(call: Call) -> dict[str, Any]:
    return {
        "Params": call.params,
        "PathParams": call.path_params,
        "Body": call.body.decode("utf-8"),
        "ContentType": call.content_type,
        "Host": call.host,
        "Region": call.region,
        "AccessKeyId": call.access_key_id,
    }


@pytest.fixture(scope="module")
def probe_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator serving only the echo probes."""
    router = Router(
        [Route.rpc("vod", "EchoRpc", _echo), Route.roa("eas", "EchoRoa", "PUT", "/api/v2/echo/{Name}", _echo)]
    )
    return module_emulators.start(router=router)


@pytest.fixture(autouse=True)
def _clear_faults(probe_emulator: RunningEmulator) -> Iterator[None]:
    yield
    httpx.delete(f"{probe_emulator.url}/_emulator/faults").raise_for_status()


class Sleeps(list[float]):
    """Records the backoff sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(
    emulator: RunningEmulator,
    product: Product = VOD,
    *,
    region: str = "cn-shanghai",
    secret: str = "test",
    retry: RetryPolicy | None = None,
    timeout: float = 10.0,
    endpoint: str | None = None,
) -> OpenApiClient:
    return OpenApiClient(
        product,
        region=region,
        credentials=StaticCredentialsProvider("test", secret),
        endpoint_override=endpoint or emulator.url,
        retry=retry or RetryPolicy(sleep=Sleeps(), random=lambda: 0.5),
        timeout=timeout,
    )


def _fault(emulator: RunningEmulator, **rule: Any) -> None:
    httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()


class TestWire:
    """What the server receives is what the caller meant."""

    def test_rpc_query_is_flattened_and_decoded(self, probe_emulator: RunningEmulator) -> None:
        """Lists, maps, booleans, spaces and stars arrive as the SDK would send them."""
        with _client(probe_emulator) as client:
            echoed = client.call(
                ECHO_RPC, query={"Text": "a b*~é", "List": [1, 2], "Map": {"k": "v"}, "Flag": True}
            )
        assert echoed["Params"] == {
            "Text": "a b*~é",
            "List.1": "1",
            "List.2": "2",
            "Map.k": "v",
            "Flag": "true",
        }
        assert echoed["Body"] == ""

    def test_form_body_fields_merge_with_the_query(self, probe_emulator: RunningEmulator) -> None:
        """A form body (ROS Template) is signed, sent and merged into the parameters."""
        template = '{"ROSTemplateFormatVersion": "2015-09-01", "Note": "a&b=c"}'
        with _client(probe_emulator) as client:
            echoed = client.call(ECHO_RPC, query={"TaskType": "FixTemplate"}, form={"Template": template})
        assert echoed["Params"] == {"TaskType": "FixTemplate", "Template": template}
        assert echoed["ContentType"] == "application/x-www-form-urlencoded"

    def test_roa_path_params_are_encoded_and_json_body_kept(self, probe_emulator: RunningEmulator) -> None:
        """A path value with spaces and slashes survives; the JSON body keeps UTF-8."""
        with _client(probe_emulator, EAS) as client:
            echoed = client.call(ECHO_ROA, path_params={"Name": "a b/c"}, json_body={"Note": "模型", "N": 1})
        assert echoed["PathParams"] == {"Name": "a b/c"}
        assert echoed["Body"] == '{"Note":"模型","N":1}'

    def test_requests_keep_the_regional_host_so_one_port_serves_every_region(
        self, probe_emulator: RunningEmulator
    ) -> None:
        """Pointed at a loopback emulator, the Host header still names the regional endpoint."""
        with _client(probe_emulator, region="cn-beijing") as client:
            echoed = client.call(ECHO_RPC)
        assert echoed["Host"] == "vod.cn-beijing.aliyuncs.com"
        assert echoed["Region"] == "cn-beijing"

    def test_user_agent_names_the_package(self) -> None:
        """Every request carries a User-Agent naming this package and its version (byte-level check)."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"RequestId": "r"})

        client = OpenApiClient(
            VOD,
            region="cn-shanghai",
            credentials=StaticCredentialsProvider("k", "s"),
            transport=httpx.MockTransport(handler),
        )
        client.call(ECHO_RPC)
        assert seen[0].headers["user-agent"] == USER_AGENT
        assert USER_AGENT.startswith("pulumi-alicloud-ai/")
        assert "user-agent" in seen[0].headers["authorization"]

    def test_sts_credentials_sign_in_their_token(self, probe_emulator: RunningEmulator) -> None:
        """Temporary credentials the emulator issued are accepted: the token is signed and sent."""
        sts = httpx.post(f"{probe_emulator.url}/_emulator/sts", json={}).json()["Credentials"]
        provider = StaticCredentialsProvider(sts["AccessKeyId"], sts["AccessKeySecret"], sts["SecurityToken"])
        with OpenApiClient(
            VOD, region="cn-shanghai", credentials=provider, endpoint_override=probe_emulator.url
        ) as c:
            assert c.call(ECHO_RPC)["AccessKeyId"] == sts["AccessKeyId"]


class TestErrors:
    """Failures are typed and carry code, message, RequestId, status, action."""

    def test_unknown_action_is_invalid_parameter_with_everything(
        self, probe_emulator: RunningEmulator
    ) -> None:
        """A 404 InvalidAction.NotFound becomes InvalidParameterError with all its fields."""
        with _client(probe_emulator) as client, pytest.raises(InvalidParameterError) as info:
            client.call(Operation("NoSuchAction"))
        error = info.value
        assert (error.code, error.http_status, error.action, error.attempts) == (
            "InvalidAction.NotFound",
            404,
            "NoSuchAction",
            1,
        )
        assert error.request_id
        assert str(error).startswith(
            "An error occurred (InvalidAction.NotFound) when calling the NoSuchAction operation:"
        )
        assert f"RequestId: {error.request_id}" in str(error)

    def test_wrong_secret_is_an_auth_error_without_the_secret(self, probe_emulator: RunningEmulator) -> None:
        """SignatureDoesNotMatch is an AuthError and never shows the secret."""
        with _client(probe_emulator, secret="wrong-secret-value") as client, pytest.raises(AuthError) as info:
            client.call(ECHO_RPC)
        assert info.value.code == "SignatureDoesNotMatch"
        assert "wrong-secret-value" not in str(info.value)
        assert "wrong-secret-value" not in repr(info.value.data)


class TestRetries:
    """Transient failures are retried with backoff, within bounds, never repeating a side effect."""

    def test_throttling_is_retried_with_backoff_then_succeeds(self, probe_emulator: RunningEmulator) -> None:
        """Two Throttling.User answers, then success; the waits grow exponentially (full jitter)."""
        _fault(probe_emulator, action="EchoRpc", count=2, error={"code": "Throttling.User", "status": 400})
        sleeps = Sleeps()
        retry = RetryPolicy(sleep=sleeps, random=lambda: 1.0, base_delay=0.5)
        with _client(probe_emulator, retry=retry) as client:
            assert client.call(ECHO_RPC)["Params"] == {}
        assert sleeps == [0.5, 1.0]

    def test_retry_after_header_is_honoured(self, probe_emulator: RunningEmulator) -> None:
        """x-acs-retry-after (milliseconds) sets the wait."""
        _fault(
            probe_emulator,
            action="EchoRpc",
            count=1,
            error={"code": "Throttling.Api", "status": 400, "retry_after_ms": 1500},
        )
        sleeps = Sleeps()
        with _client(probe_emulator, retry=RetryPolicy(sleep=sleeps)) as client:
            client.call(ECHO_RPC)
        assert sleeps == [1.5]

    def test_5xx_is_retried_only_when_idempotent(self, probe_emulator: RunningEmulator) -> None:
        """An InternalError is retried for a read, but not for a create the server may have done."""
        _fault(probe_emulator, action="EchoRpc", count=1, error={"code": "InternalError", "status": 500})
        with _client(probe_emulator) as client:
            assert client.call(ECHO_RPC_IDEMPOTENT)["Params"] == {}
        _fault(probe_emulator, action="EchoRpc", count=1, error={"code": "InternalError", "status": 500})
        with _client(probe_emulator) as client, pytest.raises(ServerError) as info:
            client.call(ECHO_RPC)
        assert info.value.attempts == 1

    def test_attempts_are_bounded(self, probe_emulator: RunningEmulator) -> None:
        """Endless throttling gives up after max_attempts with a ThrottlingError saying how many."""
        _fault(probe_emulator, action="EchoRpc", error={"code": "Throttling.User", "status": 400})
        sleeps = Sleeps()
        with (
            _client(
                probe_emulator, retry=RetryPolicy(max_attempts=3, sleep=sleeps, random=lambda: 0)
            ) as client,
            pytest.raises(ThrottlingError) as info,
        ):
            client.call(ECHO_RPC)
        assert info.value.attempts == 3
        assert len(sleeps) == 2
        assert "after 3 attempts" in str(info.value)

    def test_refused_connection_is_retried_even_for_a_create(self) -> None:
        """A connection that was never made cannot have created anything, so creates retry it."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        retry = RetryPolicy(max_attempts=3, sleep=Sleeps(), random=lambda: 0)
        client = OpenApiClient(
            VOD,
            region="cn-shanghai",
            credentials=StaticCredentialsProvider("test", "test"),
            endpoint_override=f"http://127.0.0.1:{closed_port}",
            retry=retry,
        )
        with client, pytest.raises(TransportError) as info:
            client.call(ECHO_RPC)
        assert info.value.maybe_sent is False
        assert info.value.attempts == 3

    def test_timeout_after_sending_is_not_retried_for_a_create(self, probe_emulator: RunningEmulator) -> None:
        """A read timeout may hide a done create: not retried when not idempotent, retried when it is."""
        _fault(probe_emulator, action="EchoRpc", latency_ms=400)
        with _client(probe_emulator, timeout=0.1) as client, pytest.raises(TransportError) as info:
            client.call(ECHO_RPC)
        assert info.value.maybe_sent is True
        assert info.value.attempts == 1
        retry = RetryPolicy(max_attempts=2, sleep=Sleeps(), random=lambda: 0)
        with (
            _client(probe_emulator, timeout=0.1, retry=retry) as client,
            pytest.raises(TransportError) as info,
        ):
            client.call(ECHO_RPC_IDEMPOTENT)
        assert info.value.attempts == 2


def test_credentials_are_read_at_each_call(probe_emulator: RunningEmulator, tmp_path: Path) -> None:
    """Rotating the credentials source takes effect on the next call, no new client needed."""
    from pulumi_alicloud_ai.client.credentials import EnvironmentProvider

    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "test", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "test"}
    client = OpenApiClient(
        VOD,
        region="cn-shanghai",
        credentials=EnvironmentProvider(environ),
        endpoint_override=probe_emulator.url,
        retry=RetryPolicy(max_attempts=1),
    )
    with client:
        client.call(ECHO_RPC)
        environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "rotated-wrong"
        with pytest.raises(AlibabaCloudError) as info:
            client.call(ECHO_RPC)
    assert info.value.code == "SignatureDoesNotMatch"
