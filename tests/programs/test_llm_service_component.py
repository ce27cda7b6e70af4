"""LlmService: children, names, options and outputs as Pulumi users expect (under set_mocks)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import rpc

from pulumi_alicloud_ai.resources.app_service import NasModelStorage, OssModelStorage
from pulumi_alicloud_ai.resources.llm_service import LlmService, LlmServiceArgs, Network
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts
from tests.programs.conftest import RecordingMocks, run_program


@pulumi.runtime.test
def test_child_is_named_from_the_component_and_parented(mocks: RecordingMocks) -> Any:
    """The AppService is '<name>-service', a child of the component, with the model as its config."""
    llm = LlmService(
        "chat",
        LlmServiceArgs(
            service_name="chat_llm", model=OssModelStorage("oss://m/llama/"), region="cn-hangzhou"
        ),
    )

    def verify(urns: list[str]) -> None:
        component_urn, child_urn = urns
        assert component_urn.endswith("alicloud-ai:index:LlmService::chat")
        assert (
            "alicloud-ai:index:LlmService$pulumi-python:dynamic/alicloud-ai:AppService::chat-service"
            in child_urn
        )
        request = mocks.monitor.requests["chat-service"]
        assert request.parent == component_urn
        child = next(r for r in mocks.resources if r.name == "chat-service")
        assert child.inputs["config"] == {"ModelStorage": "oss", "OssPath": "oss://m/llama/"}
        assert child.inputs["service_spec"] == "llama_7b_fp16"

    return pulumi.Output.all(llm.urn, llm.service.urn).apply(verify)


@pulumi.runtime.test
def test_protect_and_depends_on_flow_to_the_child(mocks: RecordingMocks) -> Any:
    """protect and depends_on given to the component reach the AppService it creates."""
    first = LlmService(
        "first",
        LlmServiceArgs(service_name="first_llm", model=OssModelStorage("oss://m/a/"), region="cn-hangzhou"),
    )
    second = LlmService(
        "second",
        LlmServiceArgs(service_name="second_llm", model=OssModelStorage("oss://m/b/"), region="cn-hangzhou"),
        pulumi.ResourceOptions(protect=True, depends_on=[first]),
    )

    def verify(urns: list[str]) -> None:
        first_service_urn, _ = urns
        request = mocks.monitor.requests["second-service"]
        assert request.protect is True
        # Pulumi expands a dependency on a component into its children.
        assert list(request.dependencies) == [first_service_urn]

    return pulumi.Output.all(first.service.urn, second.service.urn).apply(verify)


@pulumi.runtime.test
def test_outputs_are_ready_for_an_application(mocks: RecordingMocks) -> Any:
    """The intranet choice exposes the intranet endpoint; the token output is a secret."""
    nas = NasModelStorage("t.nas.aliyuncs.com", "/models", "sg-1", "vpc-1", "vsw-1")
    llm = LlmService(
        "vpc",
        LlmServiceArgs(service_name="vpc_llm", model=nas, network=Network.INTRANET, region="cn-hangzhou"),
    )

    async def secret_flag() -> bool:
        return await llm.token.is_secret()

    def verify(values: list[Any]) -> None:
        status, is_secret, token, endpoint, service_id = values
        assert status == "Running"
        assert is_secret is True
        assert token == "token-value"
        assert endpoint == "http://vpc-service.intranet.example"
        assert service_id == "eas-m-mock"
        child = next(r for r in mocks.resources if r.name == "vpc-service")
        assert child.inputs["config"]["ModelStorage"] == "nas"

    return pulumi.Output.all(
        llm.status, pulumi.Output.from_input(secret_flag()), llm.token, llm.endpoint, llm.service_id
    ).apply(verify)


@pulumi.runtime.test
def test_the_internet_endpoint_is_the_default(mocks: RecordingMocks) -> Any:
    """Without a network choice the application is given the internet endpoint, and the child's settings
    come from the arguments: sizing, placement, timeouts and the account settings."""
    llm = LlmService(
        "web",
        LlmServiceArgs(
            service_name="web_llm",
            model=OssModelStorage("oss://m/web/"),
            replicas=3,
            app_version="v2",
            workspace_id="ws-1",
            quota_id="quota-1",
            region="cn-beijing",
            timeouts=Timeouts(create="20m", delete=300),
        ),
        settings=ProviderSettings(profile="staging"),
    )

    def verify(endpoint: str) -> None:
        assert endpoint == "http://web-service.internet.example"
        child = next(r for r in mocks.resources if r.name == "web-service")
        expected = {
            "replicas": 3,
            "app_version": "v2",
            "workspace_id": "ws-1",
            "quota_id": "quota-1",
            "region": "cn-beijing",
            "timeouts": {"create": "20m", "delete": 300},
            "settings": {"profile": "staging"},
        }
        assert {key: child.inputs[key] for key in expected} == expected

    return llm.endpoint.apply(verify)


def test_the_component_registers_its_outputs(mocks: RecordingMocks) -> None:
    """The engine records the component's outputs under the names the docs give, the token as a secret,
    with the values of the AppService it holds."""

    def program() -> None:
        LlmService(
            "api",
            LlmServiceArgs(
                service_name="api_llm", model=OssModelStorage("oss://m/api/"), region="cn-beijing"
            ),
        )

    run_program(program)
    registered = mocks.monitor.outputs["api"]
    assert rpc.is_rpc_secret(registered["token"])
    assert {**registered, "token": rpc.unwrap_rpc_secret(registered["token"])} == {
        "endpoint": "http://api-service.internet.example",
        "token": "token-value",
        "status": "Running",
        "service_id": "eas-m-mock",
    }
