"""ProviderSettings as programs use it: what a resource records, components passing it to their
children, and the mistakes refused when the program runs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai import (
    AppService,
    AppServiceArgs,
    AssumeRole,
    GeneratedTemplate,
    GeneratedTemplateArgs,
    LlmService,
    LlmServiceArgs,
    OssModelStorage,
    ProviderSettings,
    VideoAIImages,
    VideoAIImagesArgs,
)
from tests.programs.conftest import RecordingMocks

PROD = ProviderSettings(
    region="cn-hangzhou",
    profile="prod",
    shared_credentials_file="/etc/aliyun/config.json",
    assume_role=AssumeRole(
        role_arn="acs:ram::1234:role/deployer", session_name="ci", session_expiration=1800
    ),
    endpoint="https://pai-eas-vpc.cn-hangzhou.aliyuncs.com",
)
RECORDED = {
    "region": "cn-hangzhou",
    "profile": "prod",
    "shared_credentials_file": "/etc/aliyun/config.json",
    "assume_role": {
        "role_arn": "acs:ram::1234:role/deployer",
        "session_name": "ci",
        "session_expiration": 1800,
    },
    "endpoint": "https://pai-eas-vpc.cn-hangzhou.aliyuncs.com",
}


@pulumi.runtime.test
def test_a_resource_records_its_settings_and_takes_their_region(mocks: RecordingMocks) -> Any:
    """The settings object is recorded as references; its region is the default region; the
    resource's own region input still wins."""
    first = AppService("first", AppServiceArgs(service_name="a", service_spec="llama_7b_fp16"), settings=PROD)
    second = AppService(
        "second",
        AppServiceArgs(service_name="b", service_spec="llama_7b_fp16", region="cn-beijing"),
        settings=PROD,
    )

    def verify(_: Any) -> None:
        inputs = {r.name: r.inputs for r in mocks.resources}
        assert inputs["first"]["settings"] == RECORDED
        assert inputs["first"]["region"] == "cn-hangzhou"
        assert inputs["second"]["region"] == "cn-beijing"

    return pulumi.Output.all(first.urn, second.urn).apply(verify)


@pulumi.runtime.test
def test_components_pass_their_settings_to_every_child(mocks: RecordingMocks) -> Any:
    """LlmService, VideoAIImages and GeneratedTemplate hand settings= to the resources they make."""
    llm = LlmService(
        "chat",
        LlmServiceArgs(
            service_name="chat", service_spec="llama_7b_fp16", model=OssModelStorage(oss_path="oss://m/")
        ),
        settings=PROD,
    )
    images = VideoAIImages("thumbs", VideoAIImagesArgs(video_ids=["v1", "v2"]), settings=PROD)
    template = GeneratedTemplate("vpc", GeneratedTemplateArgs(prompt="A VPC"), settings=PROD)

    def verify(_: Any) -> None:
        children = [r for r in mocks.resources if r.typ.startswith("pulumi-python:dynamic")]
        assert {r.name for r in children} >= {
            "chat-service",
            "thumbs-template",
            "thumbs-v1",
            "thumbs-v2",
            "vpc-generate",
        }
        assert all(r.inputs["settings"] == RECORDED for r in children)

    urns = [
        llm.service.urn,
        images.template.urn,
        *(job.urn for job in images.jobs.values()),
        template.generate.urn,
    ]
    return pulumi.Output.all(*urns).apply(verify)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: ProviderSettings(endpoint="ftp://host"), r"endpoint must be an http\(s\) URL"),
        (lambda: ProviderSettings(region=""), "region must be a non-empty string"),
        (lambda: AssumeRole(role_arn="acs:ram::1:role/r", session_expiration=60), "from 900 to 3600"),
        (lambda: ProviderSettings(assume_role={"role_arn": "x"}), "assume_role must be an AssumeRole"),  # type: ignore[arg-type]
    ],
    ids=["endpoint", "region", "expiration", "untyped-role"],
)
def test_a_bad_settings_object_is_refused_when_the_program_runs(make: Any, words: str) -> None:
    """Mistakes are caught where they are written, naming the field and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=words):
        make()


def test_a_settings_object_holds_no_field_for_a_key() -> None:
    """There is nowhere to put a secret: keys come from a profile, the stack or the environment."""
    with pytest.raises(TypeError):
        ProviderSettings(access_key="LTAI...")  # type: ignore[call-arg]
