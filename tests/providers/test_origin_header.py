"""Provider calls tell an emulator which Pulumi resource they serve; the cloud is told nothing.

The dynamic-provider host receives each resource's URN; the provider sends it with every call to an
emulator (``x-alicloud-ai-origin``), whose dashboard shows which stack and resource made each entity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env


def _inputs(name: str) -> dict[str, Any]:
    return {
        "service_name": name,
        "region": "cn-shanghai",
        "service_spec": "llama_7b_fp16",
        "replicas": 1,
        "config": {"OssPath": "oss://models/llama/", "ModelStorage": "oss"},
    }


def _origin(emulator: RunningEmulator, name: str) -> Any:
    feed = httpx.get(f"{emulator.url}/_emulator/ui/feed").json()
    services = next(group["entities"] for group in feed["groups"] if group["key"] == "eas-service")
    return next(service for service in services if service["name"] == name)["origin"]


def test_a_resource_created_through_the_provider_host_is_named_on_the_dashboard(
    eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """The URN the engine sent with Create reaches the emulator: stack, resource name and type."""
    name = f"origin_{unique}"
    urn = f"urn:pulumi:staging::webshop::pulumi-python:dynamic:Resource::{name}"
    checked = eas_host.check(urn, _inputs(name))
    eas_host.create(urn, checked.inputs)
    assert _origin(instant_emulator, name) == {
        "urn": urn,
        "stack": "staging",
        "project": "webshop",
        "type": "pulumi-python:dynamic:Resource",
        "resource": name,
    }


@pytest.fixture
def cloud_mode_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """A provider host in ``mode=cloud`` (real credentials from the environment) whose endpoint happens
    to be the emulator: it must behave exactly as towards Alibaba Cloud."""
    env = provider_env(
        instant_emulator.url,
        str(tmp_path_factory.mktemp("home")),
        ALICLOUD_AI_MODE="cloud",
        ALIBABA_CLOUD_ACCESS_KEY_ID="test",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="test",
    )
    host = ProviderHost(AppServiceProvider(), env)
    try:
        host.configure({})
        yield host
    finally:
        host.close()


def test_calls_to_the_cloud_carry_no_origin(
    cloud_mode_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """Outside emulator mode the URN (project, stack and resource names) is not sent anywhere."""
    name = f"cloud_{unique}"
    checked = cloud_mode_host.check(name, _inputs(name))
    cloud_mode_host.create(name, checked.inputs)
    assert _origin(instant_emulator, name) is None
