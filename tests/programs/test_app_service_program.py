"""AppService as a program uses it, under pulumi.runtime.set_mocks."""

from __future__ import annotations

from collections.abc import Iterator
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
from pulumi_alicloud_ai.resources import _program
from pulumi_alicloud_ai.resources._app_service_provider import SERVICE_SPECS
from tests.programs.conftest import RecordingMocks


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
def beijing_config() -> Iterator[None]:
    """Stack config alicloud:region = ap-southeast-1 for one test."""
    pulumi.runtime.set_config("alicloud:region", "ap-southeast-1")
    try:
        yield
    finally:
        pulumi.runtime.config.CONFIG.get().pop("alicloud:region", None)


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


@pytest.mark.parametrize("member", list(ServiceSpec))
def test_service_spec_enum_matches_the_api_values(member: ServiceSpec) -> None:
    """Every ServiceSpec member is a value the API accepts, and the enum covers them all."""
    assert member.value in SERVICE_SPECS
    assert len(ServiceSpec) == len(SERVICE_SPECS)
