"""The emulated VOD's own field rules: template names, types and configs, id lists, regions."""

from __future__ import annotations

import json

import pytest

from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.vod import rules

AUDIT = {"AuditItem": ["porn"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}


def _refusal(call: object) -> ApiError:
    assert callable(call)
    with pytest.raises(ApiError) as refused:
        call()
    return refused.value


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**AUDIT, "AuditItem": []}, "AuditItem must be a non-empty list of porn, terrorism."),
        (
            {**AUDIT, "AuditRange": "video"},
            "AuditRange must be a non-empty list of image-cover, text-title, video.",
        ),
        (
            {k: v for k, v in AUDIT.items() if k != "AuditContent"},
            "AuditContent must be a non-empty list of screen.",
        ),
        ({**AUDIT, "AuditItem": ["porn", "ads"]}, "AuditItem has ['ads']; allowed values: porn, terrorism."),
        ({**AUDIT, "AuditAutoBlock": "maybe"}, "AuditAutoBlock must be yes or no, got 'maybe'."),
        ({**AUDIT, "AuditAutoBlock": None}, "AuditAutoBlock must be yes or no, got None."),
        ({**AUDIT, "AuditAutoBlock": ["yes"]}, "AuditAutoBlock must be yes or no, got ['yes']."),
        (
            {**AUDIT, "AuditItem": [{"porn": 1}]},
            "AuditItem has [{'porn': 1}]; allowed values: porn, terrorism.",
        ),
    ],
)
def test_audit_configs_need_every_key_with_allowed_values(config: dict[str, object], message: str) -> None:
    """An AIMediaAudit config is refused naming the key and the values the API reference allows."""
    refused = _refusal(lambda: rules.template_config(json.dumps(config), rules.AI_MEDIA_AUDIT))
    assert (refused.code, refused.message) == (
        "InvalidParameter.TemplateConfig",
        f"The TemplateConfig is invalid: {message}",
    )


@pytest.mark.parametrize("auto_block", ["yes", "no"])
def test_a_complete_audit_config_is_kept_verbatim(auto_block: str) -> None:
    """Valid configs come back as the text that was sent."""
    text = json.dumps({**AUDIT, "AuditAutoBlock": auto_block, "AuditItem": ["terrorism", "porn"]})
    assert rules.template_config(text, rules.AI_MEDIA_AUDIT) == text


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("{", rules.AI_IMAGE, "The TemplateConfig is not valid JSON."),
        ("[1]", rules.AI_MEDIA_AUDIT, "The TemplateConfig must be a JSON object."),
        (
            '{"Count": 11}',
            rules.AI_IMAGE,
            "The TemplateConfig is invalid: Count must be an integer from 1 to 10, got 11.",
        ),
    ],
)
def test_configs_that_are_not_usable_objects_are_refused(text: str, kind: str, message: str) -> None:
    """Not JSON, not an object, or an AIImage Count out of range."""
    refused = _refusal(lambda: rules.template_config(text, kind))
    assert (refused.code, refused.message) == ("InvalidParameter.TemplateConfig", message)


def test_template_names_are_not_blank_and_at_most_128_bytes() -> None:
    """128 bytes of UTF-8 pass; 129, or only blanks, are refused."""
    assert rules.template_name("é" * 64) == "é" * 64
    too_long = _refusal(lambda: rules.template_name("é" * 64 + "x"))
    assert too_long.message == "The TemplateName is 129 bytes long; at most 128 bytes are allowed."
    blank = _refusal(lambda: rules.template_name(" \t"))
    assert (blank.code, blank.message) == (
        "InvalidParameter.TemplateName",
        "The TemplateName must not be blank.",
    )


def test_template_types_and_the_default_lookup() -> None:
    """Both types are templates; only AIMediaAudit has a default to look up."""
    assert [rules.template_type(kind) for kind in ("AIImage", "AIMediaAudit")] == ["AIImage", "AIMediaAudit"]
    refused = _refusal(lambda: rules.template_type("AIImage", rules.DEFAULT_LOOKUP_TYPES))
    assert refused.message == "The TemplateType 'AIImage' is not valid; allowed values: AIMediaAudit."


def test_id_lists_hold_one_to_ten_ids() -> None:
    """Blanks and repeats are dropped, order kept; none or more than ten is refused."""
    assert rules.split_ids("JobIds", " b, a,,b ,c") == ["b", "a", "c"]
    assert len(rules.split_ids("JobIds", ",".join(str(n) for n in range(10)))) == 10
    eleven = _refusal(lambda: rules.split_ids("JobIds", ",".join(str(n) for n in range(11))))
    assert (eleven.code, eleven.message) == (
        "InvalidParameter.JobIds",
        "The parameter JobIds lists 11 ids; at most 10 are allowed per call.",
    )
    empty = _refusal(lambda: rules.split_ids("AIImageInfoIds", " , "))
    assert empty.message == "The parameter AIImageInfoIds must list at least one id."


def test_actions_run_only_where_vod_offers_them() -> None:
    """Templates in Beijing, Shanghai and Singapore; AI image jobs only in Beijing and Shanghai."""
    rules.check_region("AddAITemplate", "ap-southeast-1")
    rules.check_region("SubmitAIImageJob", "cn-beijing")
    refused = _refusal(lambda: rules.check_region("SubmitAIImageJob", "ap-southeast-1"))
    assert refused.code == "Forbidden.RegionNotSupported"
