"""AppService waiting: timeouts name the service and its events; the next up picks it up again."""

from __future__ import annotations

import base64
import pickle
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alibabacloud_eas20210701.models import ListServicesRequest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.official_sdk import eas_client

INPUTS = {
    "service_name": "slow_llm",
    "region": "cn-shanghai",
    "service_spec": "llama_7b_fp16",
    "replicas": 1,
    "timeouts": {"create": 0.2},
}


@pytest.fixture
def real_time_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """Time scale 1: creation takes 30 emulated seconds unless the test advances the clock."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator")) as running:
        yield running


@pytest.fixture
def host(real_time_emulator: RunningEmulator, tmp_path: Path) -> Iterator[ProviderHost]:
    """A provider host for the real-time emulator."""
    running = ProviderHost(
        AppServiceProvider(),
        provider_env(real_time_emulator.url, str(tmp_path), ALICLOUD_AI_POLL_INTERVAL="0.05"),
    )
    try:
        running.configure({})
        yield running
    finally:
        running.close()


def test_create_timeout_names_the_service_and_events_then_next_up_adopts(
    host: ProviderHost, real_time_emulator: RunningEmulator
) -> None:
    """A create still Creating at its timeout fails clearly; after it runs, the next create adopts it."""
    checked = host.check("slow", INPUTS)
    with pytest.raises(ProviderCallError) as info:
        host.create("slow", checked.inputs)
    line = info.value.last_line
    assert "EAS service slow_llm in cn-shanghai was still Creating after" in line
    assert "run the operation again" in line
    assert "Last events:" in line
    assert "Created: service slow_llm created" in line

    httpx.post(f"{real_time_emulator.url}/_emulator/clock", json={"seconds": 31}).raise_for_status()
    resource_id, outs, _ = host.create("slow", checked.inputs)
    assert resource_id == "cn-shanghai/slow_llm"
    assert outs["status"] == "Running"
    listed = eas_client(real_time_emulator).list_services(ListServicesRequest(service_name="slow_llm")).body
    assert listed.total_count == 1  # adopted, not duplicated


def test_pickled_provider_holds_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider Pulumi pickles into state carries no credential, whatever the environment holds."""
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIplantedKeyId0001")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "planted-secret-value-0001")
    provider = AppServiceProvider()
    provider.check({}, dict(INPUTS))
    serialized = serialize_provider(provider)
    raw = pickle.dumps(provider)
    for blob in (serialized.encode(), raw, base64.b64decode(serialized)):
        assert b"planted-secret-value-0001" not in blob
        assert b"LTAIplantedKeyId0001" not in blob
