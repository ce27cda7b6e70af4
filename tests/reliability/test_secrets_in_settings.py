"""Credentials given as pulumi-alicloud settings (a stack-config secret key, an ALICLOUD_* variable, an
assumed role's temporary keys) are found nowhere: not in state, the pickled provider, the event log,
the host's output or the errors a user reads."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.runtime import rpc

from pulumi_alicloud_ai.emulator import EmulatorConfig, serve_in_thread
from pulumi_alicloud_ai.emulator.keys import KeyPair
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env, secret

STACK_KEY, STACK_SECRET = "planted-stack-key-31", "PLANTED-stack-secret-9d1e"
ENV_KEY, ENV_SECRET = "planted-env-key-52", "PLANTED-env-secret-4c7a"


def _flatten(value: Any) -> str:
    """Every string in a property tree, leaving out values wrapped as Pulumi secrets."""
    if rpc.is_rpc_secret(value):
        return ""
    if isinstance(value, dict):
        return " ".join(f"{k} {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return str(value)


@pytest.mark.parametrize("role", [False, True], ids=["stack-keys", "assumed-role"])
def test_planted_credentials_are_found_nowhere(tmp_path: Path, role: bool) -> None:
    """A whole lifecycle, a refused update and a failing one, with planted keys in stack config and in
    ALICLOUD_* (outranked); with ``role`` the calls are signed by STS keys the emulator issued."""
    keys = [KeyPair(STACK_KEY, STACK_SECRET), KeyPair(ENV_KEY, ENV_SECRET)]
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0, keys=keys)) as emulator:
        env = provider_env(
            emulator.url,
            str(tmp_path / "home"),
            ALICLOUD_AI_MODE="cloud",
            ALICLOUD_ACCESS_KEY=ENV_KEY,
            ALICLOUD_SECRET_KEY=ENV_SECRET,
        )
        config: dict[str, Any] = {"alicloud:accessKey": STACK_KEY, "alicloud:secretKey": secret(STACK_SECRET)}
        if role:
            config["alicloud:assumeRole"] = json.dumps({"roleArn": "acs:ram::5555:role/deployer"})
        host = ProviderHost(AppServiceProvider(), env)
        seen: list[str] = []
        try:
            host.configure(config)
            checked = host.check(
                "leak", {"service_name": "leak", "service_spec": "llama_7b_fp16", "region": "cn-shanghai"}
            )
            resource_id, outs, struct = host.create("leak", checked.inputs)
            _, read_outs, read_inputs = host.read("leak", resource_id, outs, checked.inputs)
            updated = host.update("leak", resource_id, outs, {**checked.inputs, "replicas": 2})
            seen += [_flatten(props) for props in (checked.inputs, outs, read_outs, read_inputs, updated)]
            rule = {
                "action": "UpdateAppService",
                "error": {"code": "Forbidden.RAM", "status": 403, "message": "no"},
            }
            httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()
            with pytest.raises(ProviderCallError) as failed:
                host.update("leak", resource_id, updated, {**checked.inputs, "replicas": 3})
            elsewhere = {**updated, "_target": {"kind": "cloud", "region": "cn-shanghai", "account": "1"}}
            with pytest.raises(ProviderCallError) as refused:
                host.delete("leak", resource_id, elsewhere)
            host.delete("leak", resource_id, updated)
            seen += [failed.value.details, refused.value.details, host.logs()]
        finally:
            host.close()
        issued = [
            key["accessKeyId"]
            for key in httpx.get(f"{emulator.url}/_emulator/keys").json()["keys"]
            if key["temporary"] and key["presented"]
        ]
        temporary = [part for key_id in issued for part in (emulator.state.store.sts_key(key_id) or ())[:2]]
    assert bool(temporary) is role  # the role case really signed with issued keys
    seen += [path.read_text() for path in (tmp_path / "home").rglob("*.jsonl*")]
    text = "\n".join(seen)
    blobs = [
        struct.SerializeToString(),
        base64.b64decode(host.serialized or ""),
        (host.serialized or "").encode(),
    ]
    for planted in (STACK_SECRET, ENV_SECRET, *map(str, temporary)):
        assert planted not in text
        assert not any(planted.encode() in blob for blob in blobs)
    assert "Forbidden.RAM" in failed.value.last_line  # the scan looked at a real error
    assert "TargetMismatch" in refused.value.last_line
    assert any(path.name.endswith(".jsonl") for path in (tmp_path / "home").rglob("*"))  # and a real log
