"""The emulated EAS's own field rules: each refusal's code and message, as CreateAppService answers them."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_alicloud_ai.emulator.eas import rules
from pulumi_alicloud_ai.emulator.errors import ApiError

VALID = {"ServiceName": "chat_llm", "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1}
NAS = {
    "ModelStorage": "nas",
    "NasMountTarget": "m.nas.aliyuncs.com",
    "NasPath": "/models",
    "SecurityGroupID": "sg-1",
    "VpcID": "vpc-1",
    "VswitchID": "vsw-1",
}
KEYS = "ModelStorage, NasMountTarget, NasPath, OssPath, SecurityGroupID, VpcID, VswitchID"
SPECS = ", ".join(sorted(rules.SERVICE_SPECS))


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"ServiceName": None},
            "MissingParameter.ServiceName",
            "The input parameter 'ServiceName' that is mandatory for processing this request is not supplied.",
        ),
        ({"Replicas": ""}, "MissingParameter.Replicas", None),
        (
            {"ServiceName": "Chat"},
            "InvalidParameter.ServiceName",
            "The ServiceName 'Chat' is invalid: 2 to 64 lowercase letters, digits or underscores, "
            "starting with a letter.",
        ),
        (
            {"AppType": "CV"},
            "InvalidParameter.AppType",
            "The AppType 'CV' is not supported; allowed values: LLM.",
        ),
        (
            {"ServiceSpec": "gpt"},
            "InvalidParameter.ServiceSpec",
            f"The ServiceSpec 'gpt' is not supported; allowed values: {SPECS}.",
        ),
        (
            {"Replicas": 101},
            "InvalidParameter.Replicas",
            "The Replicas 101 is invalid: a whole number from 1 to 100.",
        ),
        ({"Replicas": True}, "InvalidParameter.Replicas", None),
        ({"AppType": ["LLM"]}, "InvalidParameter.AppType", None),
        ({"ServiceSpec": {"name": "llama_7b_fp16"}}, "InvalidParameter.ServiceSpec", None),
        ({"Config": {"ModelStorage": ["oss"]}}, "InvalidParameter.Config.ModelStorage", None),
        ({"Replicas": 0}, "InvalidParameter.Replicas", None),
        ({"AppVersion": 2}, "InvalidParameter.AppVersion", "The AppVersion must be a string."),
        ({"Config": []}, "InvalidParameter.Config", "The Config must be a JSON object."),
        (
            {"Config": {"oss": 1, "Model": "x"}},
            "InvalidParameter.Config",
            f"The Config has unknown keys Model, oss; allowed keys: {KEYS}.",
        ),
        (
            {"Config": {"ModelStorage": "s3"}},
            "InvalidParameter.Config.ModelStorage",
            "The ModelStorage 's3' is not supported; allowed values: oss, nas.",
        ),
        (
            {"Config": {"ModelStorage": "oss", "OssPath": "oss://b/"}},
            "InvalidParameter.Config.OssPath",
            "The OssPath 'oss://b/' is invalid: use oss://<bucket>/<path>/.",
        ),
        (
            {"Config": {**NAS, "VpcID": ""}},
            "InvalidParameter.Config.VpcID",
            "The VpcID is required when ModelStorage is nas.",
        ),
        (
            {"Config": {**NAS, "NasMountTarget": 5}},
            "InvalidParameter.Config.NasMountTarget",
            "The NasMountTarget is required when ModelStorage is nas.",
        ),
        (
            {"Config": {**NAS, "VswitchID": "v-1"}},
            "InvalidParameter.Config.VswitchID",
            "The VswitchID 'v-1' must start with 'vsw-'.",
        ),
        (
            {"Config": {**NAS, "NasPath": "models"}},
            "InvalidParameter.Config.NasPath",
            "The NasPath must be an absolute path starting with '/'.",
        ),
    ],
)
def test_each_refusal_names_its_field_and_what_is_allowed(
    change: dict[str, Any], code: str, message: str | None
) -> None:
    """A bad field is refused with ``InvalidParameter.<Field>`` (or ``MissingParameter``) and a message
    that says what is allowed."""
    body = {key: value for key, value in {**VALID, **change}.items() if value is not None}
    with pytest.raises(ApiError) as refused:
        rules.validate(body, creating=True)
    assert refused.value.code == code
    if message is not None:
        assert refused.value.message == message


@pytest.mark.parametrize(
    "body",
    [
        VALID,
        {**VALID, "Replicas": 100, "AppVersion": "v2"},
        {**VALID, "Config": {}},
        {**VALID, "Config": {"ModelStorage": "oss", "OssPath": "oss://abc/models/"}},
        {**VALID, "Config": NAS},
    ],
)
def test_valid_bodies_pass(body: dict[str, Any]) -> None:
    """What the reference allows passes: boundary replicas, an empty Config, an OSS and a NAS mount."""
    rules.validate(body, creating=True)


def test_an_update_needs_no_name_but_checks_what_it_sends() -> None:
    """UpdateAppService bodies are partial: no required fields, the same checks on what is there."""
    rules.validate({"Replicas": 3}, creating=False)
    with pytest.raises(ApiError) as refused:
        rules.validate({"ServiceSpec": "gpt"}, creating=False)
    assert refused.value.code == "InvalidParameter.ServiceSpec"
