"""VodAITemplate and AIImageJob as a program uses them, under pulumi.runtime.set_mocks."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai import (
    AIImageFormat,
    AIImageJob,
    AIImageJobArgs,
    AIImageJobTimeouts,
    AIImageTemplateConfig,
    AIMediaAuditTemplateConfig,
    AITemplateType,
    AuditAutoBlock,
    AuditContent,
    AuditItem,
    AuditRange,
    VodAITemplate,
    VodAITemplateArgs,
)
from pulumi_alicloud_ai.resources import _vod_template_provider as rules
from tests.programs.conftest import RecordingMocks


@pytest.fixture
def vod_mocks(mocks: RecordingMocks) -> RecordingMocks:
    """The recording mocks, answering a template's ``template_id`` output with its id, as VOD would."""
    echo = mocks.new_resource

    def new_resource(args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = echo(args)
        if "template_name" in outputs:
            outputs["template_id"] = resource_id
        return resource_id, outputs

    mocks.new_resource = new_resource  # type: ignore[method-assign]
    return mocks


@pulumi.runtime.test
def test_typed_configs_become_the_wire_template_config(vod_mocks: RecordingMocks) -> Any:
    """Typed configs become the API's TemplateConfig keys, and the template type is inferred from them."""
    thumbs = VodAITemplate(
        "thumbs",
        VodAITemplateArgs(
            template_name="thumbs",
            config=AIImageTemplateConfig(count=4, format=AIImageFormat.GIF, extra={"Style": "face"}),
            region="cn-beijing",
        ),
    )
    audit = VodAITemplate(
        "audit",
        VodAITemplateArgs(
            template_name="audit",
            config=AIMediaAuditTemplateConfig(
                audit_items=[AuditItem.PORN, "terrorism"],
                audit_range=[AuditRange.VIDEO, AuditRange.IMAGE_COVER],
                auto_block=True,
            ),
            is_default=True,
        ),
    )

    def verify(_: Any) -> None:
        inputs = {r.name: r.inputs for r in vod_mocks.resources}
        assert inputs["thumbs"]["config"] == {"Style": "face", "Count": 4, "Format": "gif"}
        assert (inputs["thumbs"]["template_type"], inputs["thumbs"]["is_default"]) == ("AIImage", False)
        assert inputs["audit"]["template_type"] == "AIMediaAudit"
        assert inputs["audit"]["config"] == {
            "AuditItem": ["porn", "terrorism"],
            "AuditRange": ["video", "image-cover"],
            "AuditContent": ["screen"],
            "AuditAutoBlock": "yes",
        }
        assert inputs["audit"]["is_default"] is True

    return pulumi.Output.all(thumbs.urn, audit.urn).apply(verify)


@pulumi.runtime.test
def test_job_takes_the_template_id_output(vod_mocks: RecordingMocks) -> Any:
    """The job's ai_template_id is the template's template_id output; user_data and timeouts pass as dicts."""
    thumbs = VodAITemplate(
        "thumbs",
        VodAITemplateArgs(
            template_name="thumbs", config=AIImageTemplateConfig(count=2), region="cn-shanghai"
        ),
    )
    job = AIImageJob(
        "intro",
        AIImageJobArgs(
            video_id="video-1",
            ai_template_id=thumbs.template_id,
            user_data={"Extend": {"ref": "intro"}},
            region="cn-shanghai",
            timeouts=AIImageJobTimeouts(create="20m"),
        ),
    )

    def verify(_: Any) -> None:
        inputs = {r.name: r.inputs for r in vod_mocks.resources}["intro"]
        assert inputs["ai_template_id"] == "thumbs_id"
        assert inputs["user_data"] == {"Extend": {"ref": "intro"}}
        assert (inputs["timeouts"], inputs["wait_for_final"]) == ({"create": "20m"}, True)

    return pulumi.Output.all(thumbs.urn, job.urn).apply(verify)


@pytest.mark.parametrize(
    ("enum", "allowed"),
    [
        (AITemplateType, rules.TEMPLATE_TYPES),
        (AIImageFormat, rules.AI_IMAGE_FORMATS),
        (AuditItem, rules.AUDIT_ITEMS),
        (AuditRange, rules.AUDIT_RANGES),
        (AuditContent, rules.AUDIT_CONTENTS),
        (AuditAutoBlock, rules.AUDIT_AUTO_BLOCK),
    ],
)
def test_enums_match_the_values_check_allows(enum: type[StrEnum], allowed: tuple[str, ...]) -> None:
    """Each enum offers exactly the values the provider's check accepts."""
    assert sorted(member.value for member in enum) == sorted(allowed)
