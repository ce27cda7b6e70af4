"""Crashes: a provider killed mid-create, an emulator killed mid-burst. Nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701.models import ListServicesRequest
from alibabacloud_vod20170321.models import ListAITemplateRequest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import CreateAppServiceRequest, EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.retry import RetryPolicy
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client, vod_client
from tests.processes import emulator_process, wait_until


@pytest.fixture
def instant_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """Transitions happen at the next read."""
    return emulators.start(time_scale=0)


def _services_named(emulator: RunningEmulator, name: str) -> int:
    return int(eas_client(emulator).list_services(ListServicesRequest(service_name=name)).body.total_count)


def _templates_named(emulator: RunningEmulator, name: str) -> int:
    listed = vod_client(emulator).list_aitemplate(ListAITemplateRequest(template_type="AIImage")).body
    return sum(1 for template in listed.template_info_list if template.template_name == name)


CASES = {
    "AppService": (
        AppServiceProvider,
        {"service_name": "crashy", "region": "cn-shanghai", "service_spec": "llama_7b_fp16", "replicas": 2},
        ("eas", "CreateAppService"),
        lambda emulator: _services_named(emulator, "crashy"),
    ),
    "VodAITemplate": (
        VodAITemplateProvider,
        {
            "template_name": "crashy",
            "template_type": "AIImage",
            "config": {"Count": 4},
            "region": "cn-shanghai",
        },
        ("vod", "AddAITemplate"),
        lambda emulator: _templates_named(emulator, "crashy"),
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_provider_killed_after_create_reached_the_service_adopts_on_next_up(
    instant_emulator: RunningEmulator, tmp_path: Path, kind: str
) -> None:
    """Kill -9 the provider while the create's answer is in flight; the next create adopts, no twin."""
    provider_class, inputs, (product, action), count = CASES[kind]
    rule = {
        "product": product,
        "action": action,
        "latency_ms": 30000,
        "latency_phase": "response",
        "count": 1,
    }
    httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    env = provider_env(instant_emulator.url, str(tmp_path))
    first = ProviderHost(provider_class(), env)
    first.configure({})
    checked = first.check("crashy", inputs).inputs
    outcome: list[BaseException] = []
    caller = threading.Thread(target=lambda: _capture(outcome, lambda: first.create("crashy", checked)))
    caller.start()
    wait_until(lambda: count(instant_emulator) == 1, what="the create to be committed")
    first.kill()  # the answer never reaches the provider
    caller.join(timeout=30)
    first.close()
    assert isinstance(outcome[0], ProviderCallError)

    second = ProviderHost(provider_class(), env)
    try:
        second.configure({})
        resource_id, _, _ = second.create("crashy", checked)
    finally:
        second.close()
    assert resource_id
    assert count(instant_emulator) == 1


def _capture(box: list[BaseException], action: Any) -> None:
    try:
        action()
    except BaseException as exc:  # the test inspects whatever happened
        box.append(exc)


def test_emulator_kill_9_mid_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """Creates acknowledged before SIGKILL exist after restart, and their pending transitions go on."""
    data = ["--data-dir", str(tmp_path / "data")]
    acknowledged: list[str] = []
    lock = threading.Lock()
    with emulator_process(data) as (process, url):
        stop = threading.Event()
        enough = threading.Event()

        def writer(worker: int) -> None:
            settings = ClientSettings(region="cn-shanghai", endpoint=url, retry=RetryPolicy(max_attempts=1))
            with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
                eas = EasClient(api)
                for i in range(200):
                    if stop.is_set():
                        return
                    name = f"burst_{worker}_{i}"
                    try:
                        eas.create_app_service(
                            CreateAppServiceRequest(
                                service_name=name, app_type="LLM", service_spec="llama_7b_fp16", replicas=1
                            )
                        )
                    except AlibabaCloudError:
                        return  # the emulator died under us
                    with lock:
                        acknowledged.append(name)
                        if len(acknowledged) >= 40:
                            enough.set()

        workers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        assert enough.wait(timeout=30), "40 creates were not acknowledged in time"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert len(acknowledged) >= 40
    with emulator_process(data) as (_, url):
        httpx.post(f"{url}/_emulator/clock", json={"seconds": 31}).raise_for_status()
        port = int(url.rsplit(":", 1)[1])
        sdk = eas_client(type("Emu", (), {"port": port})())
        listed = sdk.list_services(ListServicesRequest(filter="burst_", page_size=100))
        total = listed.body.total_count
        for name in acknowledged:
            try:
                service = sdk.describe_service("cn-shanghai", name).body
            except TeaException as exc:  # pragma: no cover - the assertion below reports it
                raise AssertionError(f"acknowledged service {name} was lost: {exc}") from None
            assert service.status == "Running"  # Creating continued to Running after the restart
    assert total >= len(acknowledged)
