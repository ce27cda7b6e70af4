"""AppService as a program uses it, under pulumi.runtime.set_mocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai import (
    AppService,
    AppServiceArgs,
    Autoscaling,
    CronScaling,
    CronSchedule,
    NasModelStorage,
    OssModelStorage,
    SafetyLock,
    ScaleBehavior,
    ScaleStrategy,
    ServiceSpec,
)
from pulumi_alicloud_ai._secret import Secret
from pulumi_alicloud_ai.resources import _program
from pulumi_alicloud_ai.resources._app_service_provider import SERVICE_SPECS
from tests.programs.conftest import RecordingMocks, run_program


@pulumi.runtime.test
def test_typed_args_become_wire_config_and_enum_values(mocks: RecordingMocks) -> Any:
    """Typed storage variants become the API's Config; enums become their values."""
    first = AppService(
        "llm",
        AppServiceArgs(
            service_name="chat_llm",
            service_spec=ServiceSpec.CHATGLM2_6B_FP16,
            replicas=2,
            config=OssModelStorage(oss_path="oss://models/glm/"),
            region="cn-beijing",
        ),
    )
    nas = NasModelStorage(
        mount_target="abc.cn-beijing.nas.aliyuncs.com",
        path="/models",
        security_group_id="sg-1",
        vpc_id="vpc-1",
        vswitch_id="vsw-1",
    )
    second = AppService(
        "nas",
        AppServiceArgs(service_name="nas_llm", service_spec="llama_7b_fp16", config=nas, region="cn-beijing"),
    )

    def verify(_: Any) -> None:
        inputs = {r.name: r.inputs for r in mocks.resources}
        assert inputs["llm"]["config"] == {"ModelStorage": "oss", "OssPath": "oss://models/glm/"}
        assert inputs["llm"]["service_spec"] == "chatglm2_6b_fp16"
        assert inputs["llm"]["app_type"] == "LLM"
        assert inputs["nas"]["config"]["SecurityGroupID"] == "sg-1"
        assert inputs["nas"]["config"]["VswitchID"] == "vsw-1"

    return pulumi.Output.all(first.urn, second.urn).apply(verify)


@pulumi.runtime.test
def test_scaling_labels_and_lock_become_the_provider_inputs(mocks: RecordingMocks) -> Any:
    """Typed autoscaling and cron scaling become plain nested inputs (unset fields left out); the
    lock enum becomes its value; the new outputs are declared."""
    service = AppService(
        "scaled",
        AppServiceArgs(
            service_name="scaled_llm",
            service_spec="llama_7b_fp16",
            region="cn-beijing",
            autoscaling=Autoscaling(
                min=1,
                max=5,
                strategies=[ScaleStrategy(metric_name="QPS", threshold=50)],
                behavior=ScaleBehavior(scale_down_stabilization_seconds=120),
            ),
            cron_scaling=CronScaling(schedules=[CronSchedule(schedule="0 0 8 * * *", target_size=3)]),
            labels={"team": "ml"},
            safety_lock=SafetyLock.DANGEROUS,
        ),
    )

    def verify(_: Any) -> None:
        inputs = mocks.resources[-1].inputs
        assert inputs["autoscaling"] == {
            "min": 1,
            "max": 5,
            "strategies": [{"metric_name": "QPS", "threshold": 50}],
            "behavior": {"scale_down_stabilization_seconds": 120},
        }
        assert inputs["cron_scaling"] == {"schedules": [{"schedule": "0 0 8 * * *", "target_size": 3}]}
        assert inputs["labels"] == {"team": "ml"}
        assert inputs["safety_lock"] == "dangerous"

    return service.urn.apply(verify)


@pytest.fixture
def stack_config() -> Iterator[Callable[[str, str], None]]:
    """Sets stack config keys (``alicloud:region`` ...) for one test."""
    keys: list[str] = []

    def set_key(key: str, value: str) -> None:
        pulumi.runtime.set_config(key, value)
        keys.append(key)

    try:
        yield set_key
    finally:
        for key in keys:
            pulumi.runtime.config.CONFIG.get().pop(key, None)


@pytest.fixture
def beijing_config(stack_config: Callable[[str, str], None]) -> None:
    """Stack config alicloud:region = ap-southeast-1 for one test."""
    stack_config("alicloud:region", "ap-southeast-1")


@pulumi.runtime.test
def test_region_comes_from_alicloud_config(mocks: RecordingMocks, beijing_config: None) -> Any:
    """Without a region input, alicloud:region (the pulumi-alicloud key) is used."""
    service = AppService("llm", AppServiceArgs(service_name="chat_llm", service_spec="llama_7b_fp16"))

    def verify(_: Any) -> None:
        assert mocks.resources[-1].inputs["region"] == "ap-southeast-1"

    return service.urn.apply(verify)


@pulumi.runtime.test
def test_embedded_emulator_default_region_and_warning(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """With no credentials and no endpoint the resource targets the embedded emulator's region."""
    monkeypatch.delenv("ALICLOUD_AI_ENDPOINT")
    _program.reset_cache()
    service = AppService("llm", AppServiceArgs(service_name="chat_llm", service_spec="llama_7b_fp16"))
    assert _program.stack_settings().embedded

    def verify(_: Any) -> None:
        assert mocks.resources[-1].inputs["region"] == _program.EMULATOR_DEFAULT_REGION

    return service.urn.apply(verify)


def test_credentials_in_the_default_chain_keep_resources_in_the_cloud(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no endpoint but credentials the default chain finds (here in the environment), resources
    go to Alibaba Cloud: no embedded emulator, and no emulator region filled in for them."""
    monkeypatch.delenv("ALICLOUD_AI_ENDPOINT")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-chain-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "chain-secret-value")
    _program.reset_cache()

    run_program(
        lambda: AppService("llm", AppServiceArgs(service_name="chat_llm", service_spec="llama_7b_fp16"))
    )
    assert not _program.stack_settings().embedded
    assert mocks.resources[-1].inputs.get("region") is None


def test_the_stack_endpoint_and_mode_are_recorded_for_the_provider(
    mocks: RecordingMocks, stack_config: Callable[[str, str], None]
) -> None:
    """alicloud-ai:endpoint and alicloud-ai:mode, under their short names, with the project and stack,
    go into the resource's ``connection`` input (for engines that do not pass the provider the config)."""
    stack_config("alicloud-ai:endpoint", "http://127.0.0.1:9")
    stack_config("alicloud-ai:mode", "emulator")

    run_program(
        lambda: AppService("llm", AppServiceArgs(service_name="chat_llm", service_spec="llama_7b_fp16"))
    )
    assert mocks.resources[-1].inputs["connection"] == {
        "endpoint": "http://127.0.0.1:9",
        "mode": "emulator",
        "project": "project",
        "stack": "test",
    }


def test_stack_credentials_are_read_masked(stack_config: Callable[[str, str], None]) -> None:
    """The program reads the stack's access key as secrets (masked when shown) and the other keys as
    they are."""
    stack_config("alicloud:accessKey", "LTAI-stack-id")
    stack_config("alicloud:secretKey", "stack-secret-value")
    stack_config("alicloud:region", "cn-beijing")

    config = _program.program_config()
    assert "stack-secret-value" not in repr(config) and "LTAI-stack-id" not in repr(config)
    assert isinstance(config["alicloud:secretKey"], Secret)
    assert config["alicloud:secretKey"].reveal() == "stack-secret-value"
    assert config["alicloud:region"] == "cn-beijing"


def test_a_service_read_by_id_keeps_its_token_secret(mocks: RecordingMocks) -> None:
    """AppService.get asks the engine to keep the read service's access token secret, and keeps the
    options given (here its parent)."""

    def program() -> None:
        owner = AppService("owner", AppServiceArgs(service_name="owner_llm", service_spec="llama_7b_fp16"))
        AppService.get("found", "cn-shanghai/lookup_me", pulumi.ResourceOptions(parent=owner))

    run_program(program)
    read = mocks.monitor.requests["found"]
    assert (read.id, list(read.additionalSecretOutputs)) == ("cn-shanghai/lookup_me", ["access_token"])
    assert read.parent.endswith("::owner")


@pytest.mark.parametrize("member", list(ServiceSpec))
def test_service_spec_enum_matches_the_api_values(member: ServiceSpec) -> None:
    """Every ServiceSpec member is a value the API accepts, and the enum covers them all."""
    assert member.value in SERVICE_SPECS
    assert len(ServiceSpec) == len(SERVICE_SPECS)
