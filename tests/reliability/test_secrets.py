"""No access key secret, STS token or service token leaks: recognisable secrets are planted, then
everything Pulumi would store or show is scanned (state, the pickled provider, logs, errors, reprs)."""

from __future__ import annotations

import base64
import pickle
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from pulumi_alicloud_ai.client.credentials import Credentials, EnvironmentProvider, StaticCredentialsProvider
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.retry import RetryPolicy
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.conftest import EmulatorFactory

KEY_ID = "LTAIplantedKeyId7Q"
SECRET = "PLANTED-secret-3f9c1e"


@pytest.fixture
def planted_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator whose only key is the planted one."""
    return emulators.start(time_scale=0, access_key_id=KEY_ID, access_key_secret=SECRET)


def _sts(emulator: RunningEmulator) -> dict[str, str]:
    response = httpx.post(f"{emulator.url}/_emulator/sts", json={"DurationSeconds": 3600})
    response.raise_for_status()
    creds: dict[str, str] = response.json()["Credentials"]
    return creds


def _flatten(value: Any, *, drop_secrets: bool) -> str:
    """Every string in a property tree; with ``drop_secrets``, values wrapped as Pulumi secrets are left out."""
    if rpc.is_rpc_secret(value):
        return "" if drop_secrets else _flatten(value["value"], drop_secrets=drop_secrets)
    if isinstance(value, dict):
        return " ".join(f"{k} {_flatten(v, drop_secrets=drop_secrets)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_flatten(v, drop_secrets=drop_secrets) for v in value)
    return str(value)


def test_nothing_secret_reaches_state_logs_or_errors(
    planted_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """With planted STS credentials in the environment, a whole lifecycle leaks none of them; the
    service token appears in outputs only as a Pulumi secret."""
    sts = _sts(planted_emulator)
    env = provider_env(
        planted_emulator.url,
        str(tmp_path),
        ALICLOUD_AI_MODE="cloud",  # use the credential chain (the environment), not emulator keys
        ALIBABA_CLOUD_ACCESS_KEY_ID=sts["AccessKeyId"],
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=sts["AccessKeySecret"],
        ALIBABA_CLOUD_SECURITY_TOKEN=sts["SecurityToken"],
    )
    planted = [sts["AccessKeySecret"], sts["SecurityToken"], SECRET]
    host = ProviderHost(AppServiceProvider(), env)
    seen: list[str] = []
    raw: list[bytes] = [base64.b64decode(host.serialized or ""), (host.serialized or "").encode()]
    try:
        host.configure({})
        inputs = {"service_name": "leaky", "region": "cn-shanghai", "service_spec": "llama_7b_fp16"}
        checked = host.check("leaky", inputs).inputs
        resource_id, outs, struct = host.create("leaky", checked)
        raw.append(struct.SerializeToString())
        token = rpc.unwrap_rpc_secret(outs["access_token"])
        assert rpc.is_rpc_secret(outs["access_token"])
        _, read_outs, read_inputs = host.read("leaky", resource_id, outs, checked)
        updated = host.update("leaky", resource_id, outs, {**checked, "replicas": 2})
        for props in (checked, outs, read_outs, read_inputs, updated):
            seen.append(_flatten(props, drop_secrets=True))
        rule = {
            "action": "UpdateAppService",
            "error": {"code": "Forbidden.RAM", "status": 403, "message": "denied"},
        }
        httpx.post(f"{planted_emulator.url}/_emulator/faults", json=rule).raise_for_status()
        with pytest.raises(ProviderCallError) as failure:
            host.update("leaky", resource_id, updated, {**checked, "replicas": 3})
        seen += [failure.value.details, repr(failure.value)]
        host.delete("leaky", resource_id, updated)
        seen.append(host.logs())
    finally:
        host.close()
    text = "\n".join(seen)
    for secret in [*planted, token]:
        assert secret not in text, "a secret outside a Pulumi secret wrapper"
    for secret in planted:  # credentials are nowhere at all, wrapped or not
        assert not any(secret.encode() in blob for blob in raw)
    assert "Forbidden.RAM" in failure.value.last_line  # the scan looked at a real error


def test_client_errors_and_credentials_never_show_the_secret(planted_emulator: RunningEmulator) -> None:
    """A signature failure's error, its repr and pickled form, and the credentials' repr hold no secret."""
    credentials = StaticCredentialsProvider(KEY_ID, "WRONG-" + SECRET)
    with (
        OpenApiClient(
            EAS,
            region="cn-shanghai",
            credentials=credentials,
            endpoint_override=planted_emulator.url,
            retry=RetryPolicy(max_attempts=1),
        ) as client,
        pytest.raises(AlibabaCloudError) as info,
    ):
        client.call(Operation("DescribeService", "GET", "/api/v2/services/cn-shanghai/x"))
    error = info.value
    assert error.code == "SignatureDoesNotMatch"
    for text in (str(error), repr(error), repr(error.data), str(pickle.loads(pickle.dumps(error)))):
        assert SECRET not in text
    shown = repr(Credentials(KEY_ID, SECRET, "token-ABC")) + str(Credentials(KEY_ID, SECRET, "token-ABC"))
    assert SECRET not in shown
    assert "token-ABC" not in shown
    with pytest.raises(TypeError):
        pickle.dumps(Credentials(KEY_ID, SECRET))


def test_environment_credentials_are_not_captured_by_the_pickled_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Credentials read during a call leave nothing in the provider Pulumi pickles into state."""
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    assert EnvironmentProvider().get_credentials().access_key_secret == SECRET
    provider = AppServiceProvider()
    assert SECRET.encode() not in base64.b64decode(serialize_provider(provider))


def test_admin_api_needs_its_token_when_one_is_set(emulators: EmulatorFactory) -> None:
    """Beyond loopback the admin API needs a token; with one set, calls without it are refused."""
    running = emulators.start(admin_token="admin-token-xyz")
    assert httpx.get(f"{running.url}/_emulator/health").status_code == 401
    authorised = httpx.get(
        f"{running.url}/_emulator/health", headers={"Authorization": "Bearer admin-token-xyz"}
    )
    assert authorised.status_code == 200
    remote = EmulatorConfig(host="0.0.0.0", allow_remote=True)
    remote.check_bind()
    assert remote.admin_token  # generated when none was given
    with pytest.raises(ValueError, match="--allow-remote"):
        EmulatorConfig(host="10.1.2.3").check_bind()
