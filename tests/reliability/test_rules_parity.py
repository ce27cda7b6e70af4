"""The provider's ``check`` and the emulator judge every validated field alike.

The providers and the emulator keep their own copies of the services' rules, so that a wrong limit on
one side shows up as a disagreement here instead of being mirrored on the other. Each case is a
boundary value of one field, on top of inputs that are valid otherwise. It goes through the dynamic
provider's ``check`` (no network) and, as the official SDK sends it, to a real emulator over HTTP;
the two verdicts (accepted or refused) must be equal.

Boundaries come from fixed values and from both sides' own constants (each side's limit and one past
it), so moving a limit on one side only, in either direction, makes some case disagree.

Not compared, on purpose: the emulator's loopback-only rule for VOD callback URLs (its safety rule,
not the service's) and the region of an AI task (ROS has one central endpoint; the emulator does not
judge it).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701 import models as eas_models
from alibabacloud_ros20190910 import models as ros_models
from alibabacloud_vod20170321 import models as vod_models
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.client import eas_rules
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.eas import rules as emulator_eas_rules
from pulumi_alicloud_ai.emulator.ros import errors as emulator_ros_errors
from pulumi_alicloud_ai.emulator.vod import results as emulator_vod_results
from pulumi_alicloud_ai.emulator.vod import userdata as emulator_userdata
from pulumi_alicloud_ai.emulator.vod.rules import MAX_TEMPLATE_NAME_BYTES as EMULATOR_NAME_BYTES
from pulumi_alicloud_ai.resources import _ai_image_job_provider as job_provider
from pulumi_alicloud_ai.resources import _ai_task_provider as task_provider
from pulumi_alicloud_ai.resources import _app_service_provider as app_service_provider
from pulumi_alicloud_ai.resources import _vod_template_provider as template_provider
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client, ros_client, vod_client

_names = itertools.count()


@dataclass(frozen=True)
class Case:
    """One boundary value of one field."""

    field: str
    value: Any
    also: dict[str, Any] = field(default_factory=dict)
    """Other inputs the case needs (e.g. the template type a config is judged against)."""

    def __str__(self) -> str:
        shown = repr(self.value)
        shown = shown if len(shown) <= 40 else f"{shown[:30]}...({len(shown)} chars)"
        extra = "".join(f",{key}={value}" for key, value in self.also.items())
        return f"{self.field}={shown}{extra}"


def _around(*limits: int) -> list[int]:
    """Each limit and its two neighbours."""
    return sorted({value for limit in limits for value in (limit - 1, limit, limit + 1)})


def _sdk_verdict(send: Callable[[], Any]) -> tuple[bool, str]:
    """``(accepted, code)`` for one SDK call; an answer that is not a verdict on the input fails the test."""
    try:
        send()
    except TeaException as exc:
        refused: TeaException = exc
    else:
        return True, ""
    status = getattr(refused, "statusCode", None)
    assert status in (400, 403), f"not a validation answer: {status} {refused.code} {refused.message}"
    assert not str(refused.code).endswith("NotFound"), f"the case's fixtures are missing: {refused.code}"
    return False, str(refused.code)


def _check_verdict(provider: Any, inputs: dict[str, Any]) -> tuple[bool, str]:
    result = provider.check({}, inputs)
    return not result.failures, "; ".join(f"{f.property}: {f.reason}" for f in result.failures)


def _assert_agree(case: Case, provider: tuple[bool, str], emulator: tuple[bool, str]) -> None:
    def verdict(side: tuple[bool, str]) -> str:
        return "accepts" if side[0] else f"refuses ({side[1]})"

    assert provider[0] == emulator[0], (
        f"{case}: the provider's check {verdict(provider)} but the emulator {verdict(emulator)}"
    )


# --- EAS: CreateAppService --------------------------------------------------------------------------

BUCKET_3, BUCKET_63 = "abc", "a" + "b" * 61 + "c"
NAS = {
    "ModelStorage": "nas",
    "NasMountTarget": "317d14-abc.cn-shanghai.nas.aliyuncs.com",
    "NasPath": "/",
    "SecurityGroupID": "sg-uf6e50fazt4u7smt",
    "VpcID": "vpc-uf66zxxrlv0l4nj49",
    "VswitchID": "vsw-uf6fg76uu2bx84tci",
}
EAS_CASES = [
    *(Case("service_name", name) for name in ("a", "ab", "a" + "b" * 62, "a" + "b" * 63, "a" + "b" * 64)),
    *(
        Case("service_name", name)
        for name in ("Chat", "1chat", "chat-llm", "chat_llm\n", "chat llm", "_chat")
    ),
    *(
        Case("service_spec", spec)
        for spec in (*app_service_provider.SERVICE_SPECS, *emulator_eas_rules.SERVICE_SPECS)
    ),
    *(Case("service_spec", spec) for spec in ("gpt", "LLAMA_7B_FP16", "llama_7b_fp16\n", "")),
    *(Case("app_type", app_type) for app_type in (*app_service_provider.APP_TYPES, "llm", "CV", "LLM\n")),
    *(
        Case("replicas", replicas)
        for replicas in _around(
            eas_rules.MIN_REPLICAS,
            eas_rules.MAX_REPLICAS,
            emulator_eas_rules.REPLICAS_FLOOR,
            emulator_eas_rules.REPLICAS_CEILING,
            100,
        )
    ),
    Case("replicas", "3"),
    Case("replicas", True),
    Case("app_version", "v1"),
    Case("app_version", 1),
    Case("config", {}),
    Case("config", {"ModelStorage": "oss", "OssPath": f"oss://{BUCKET_3}/"}),
    Case("config", {"ModelStorage": "oss", "OssPath": f"oss://{BUCKET_63}/models/llama/"}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://ab/"}),
    Case("config", {"ModelStorage": "oss", "OssPath": f"oss://{BUCKET_63}x/"}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://Bucket/"}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://bucket"}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://bucket/models/\n"}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://bucket/two words/"}),
    Case("config", {"ModelStorage": "oss"}),
    Case("config", {"ModelStorage": "s3", "OssPath": "oss://bucket/"}),
    Case("config", {"oss": 1}),
    Case("config", {"ModelStorage": "oss", "OssPath": "oss://bucket/", "ossPath": "oss://bucket/"}),
    Case("config", NAS),
    Case("config", {**NAS, "NasPath": "models/"}),
    *(Case("config", {k: v for k, v in NAS.items() if k != key}) for key in NAS if key != "ModelStorage"),
    *(Case("config", {**NAS, key: "x-" + NAS[key]}) for key in ("SecurityGroupID", "VpcID", "VswitchID")),
]


def _eas_inputs(case: Case) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "service_name": f"parity_{next(_names)}",
        "service_spec": "llama_7b_fp16",
        "replicas": 1,
        "app_type": "LLM",
        "region": "cn-shanghai",
        **case.also,
    }
    inputs[case.field] = case.value
    return inputs


@pytest.fixture(scope="module")
def eas_sdk(module_emulators: EmulatorFactory) -> Any:
    """The official EAS SDK pointed at an emulator of this module's own."""
    return eas_client(module_emulators.start())


@pytest.mark.parametrize("case", EAS_CASES, ids=str)
def test_app_service_check_and_emulator_agree(case: Case, eas_sdk: Any) -> None:
    """CreateAppService: the AppService check and the emulator accept and refuse the same values."""
    inputs = _eas_inputs(case)
    provider = _check_verdict(AppServiceProvider(), inputs)
    request = eas_models.CreateAppServiceRequest(
        service_name=inputs["service_name"],
        app_type=inputs["app_type"],
        app_version=inputs.get("app_version"),
        service_spec=inputs["service_spec"],
        replicas=inputs["replicas"],
        config=inputs.get("config"),
    )
    _assert_agree(case, provider, _sdk_verdict(lambda: eas_sdk.create_app_service(request)))


# --- VOD: AddAITemplate -----------------------------------------------------------------------------

AUDIT = {
    "AuditItem": ["terrorism", "porn"],
    "AuditRange": ["image-cover", "text-title", "video"],
    "AuditContent": ["screen"],
    "AuditAutoBlock": "yes",
}
IMAGE, AUDIT_TYPE = {"template_type": "AIImage"}, {"template_type": "AIMediaAudit"}
NAME_LIMITS = (template_provider.MAX_NAME_BYTES, EMULATOR_NAME_BYTES, 128)
COUNT_LIMITS = (template_provider.AI_IMAGE_MAX_COUNT, emulator_vod_results.MAX_COUNT, 1)
TEMPLATE_CASES = [
    *(Case("template_name", "n" * size) for size in _around(*NAME_LIMITS) if size > 0),
    *(Case("template_name", "模" * (size // 3)) for size in _around(*NAME_LIMITS)),
    *(Case("template_name", name) for name in ("", "   ", "a", "name with spaces")),
    *(Case("template_type", kind) for kind in ("AIImage", "AIMediaAudit", "aiimage", "AIVideoTag", "")),
    *(Case("config", {"Count": count}, IMAGE) for count in _around(*COUNT_LIMITS)),
    *(Case("config", {"Count": count}, IMAGE) for count in (True, "3")),
    *(Case("config", {"Format": fmt}, IMAGE) for fmt in ("png", "gif", "jpg", "PNG", "")),
    Case("config", {}, IMAGE),
    Case("config", {"Count": 2, "Format": "gif", "Style": "any"}, IMAGE),
    Case("config", AUDIT, AUDIT_TYPE),
    Case("config", {**AUDIT, "AuditRange": ["video"]}, AUDIT_TYPE),
    Case("config", {}, AUDIT_TYPE),
    *(Case("config", {k: v for k, v in AUDIT.items() if k != key}, AUDIT_TYPE) for key in AUDIT),
    *(Case("config", {**AUDIT, key: []}, AUDIT_TYPE) for key in ("AuditItem", "AuditRange", "AuditContent")),
    Case("config", {**AUDIT, "AuditItem": ["ads"]}, AUDIT_TYPE),
    Case("config", {**AUDIT, "AuditRange": ["video", "audio"]}, AUDIT_TYPE),
    Case("config", {**AUDIT, "AuditContent": "screen"}, AUDIT_TYPE),
    *(Case("config", {**AUDIT, "AuditAutoBlock": value}, AUDIT_TYPE) for value in ("no", "maybe", True)),
]
VOD_REGIONS = ("cn-beijing", "cn-shanghai", "ap-southeast-1", "cn-hangzhou", "us-west-1")
TEMPLATE_CASES += [Case("region", region) for region in VOD_REGIONS]


@pytest.fixture(scope="module")
def vod_emulators(module_emulators: EmulatorFactory) -> Callable[[str], RunningEmulator]:
    """An emulator per region (the official SDK reaches 127.0.0.1, so the emulator's --region decides)."""
    started: dict[str, RunningEmulator] = {}

    def in_region(region: str) -> RunningEmulator:
        if region not in started:
            started[region] = module_emulators.start(region=region)
        return started[region]

    return in_region


def _template_inputs(case: Case) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "template_name": f"parity-{next(_names)}",
        "template_type": "AIImage",
        "config": {"Count": 2},
        "region": "cn-shanghai",
        **case.also,
    }
    inputs[case.field] = case.value
    return inputs


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("case", TEMPLATE_CASES, ids=str)
def test_ai_template_check_and_emulator_agree(
    case: Case, vod_emulators: Callable[[str], RunningEmulator]
) -> None:
    """AddAITemplate: the VodAITemplate check and the emulator accept and refuse the same values."""
    inputs = _template_inputs(case)
    provider = _check_verdict(VodAITemplateProvider(), inputs)
    sdk = vod_client(vod_emulators(inputs["region"]))
    request = vod_models.AddAITemplateRequest(
        template_name=inputs["template_name"],
        template_type=inputs["template_type"],
        template_config=_compact(inputs["config"]),
    )
    _assert_agree(case, provider, _sdk_verdict(lambda: sdk.add_aitemplate(request)))


# --- VOD: SubmitAIImageJob --------------------------------------------------------------------------

USER_DATA_LIMITS = (job_provider.MAX_USER_DATA_BYTES, emulator_userdata.MAX_USER_DATA_BYTES, 512)
CALLBACK = "http://127.0.0.1:9/vod-callback"
"""Loopback (the emulator's own safety rule); the jobs never finish here, so nothing is ever sent."""


def _extend_of_size(size: int, *, wide: bool = False) -> dict[str, Any]:
    """``{"Extend": {"pad": "..."}}`` whose compact UTF-8 JSON is exactly ``size`` bytes."""
    empty = len(_compact({"Extend": {"pad": ""}}).encode("utf-8"))
    room = size - empty
    pad = "é" * (room // 2) + "x" * (room % 2) if wide else "x" * room
    value = {"Extend": {"pad": pad}}
    assert len(_compact(value).encode("utf-8")) == size
    return value


JOB_CASES = [
    Case("user_data", None),
    Case("user_data", {"Extend": {"order": 7}}),
    Case("user_data", {"MessageCallback": {"CallbackURL": CALLBACK}}),
    Case("user_data", {"MessageCallback": {"CallbackURL": CALLBACK}, "Extend": {"a": "b"}}),
    Case("user_data", {}),
    Case("user_data", {"Other": 1}),
    Case("user_data", {"MessageCallback": CALLBACK}),
    Case("user_data", {"MessageCallback": {}}),
    Case("user_data", {"MessageCallback": {"CallbackURL": ""}}),
    Case("user_data", {"MessageCallback": {"CallbackURL": "ftp://127.0.0.1/cb"}}),
    Case("user_data", {"MessageCallback": {"CallbackURL": "127.0.0.1:9/cb"}}),
    *(Case("user_data", _extend_of_size(size)) for size in _around(*USER_DATA_LIMITS)),
    *(Case("user_data", _extend_of_size(size, wide=True)) for size in _around(*USER_DATA_LIMITS)),
    Case("video_id", ""),
    Case("ai_template_id", ""),
    *(Case("region", region) for region in VOD_REGIONS),
]


@pytest.fixture(scope="module")
def job_fixtures(vod_emulators: Callable[[str], RunningEmulator]) -> Callable[[str], tuple[str, str]]:
    """A video and an AIImage template in each region that offers templates, made once."""
    made: dict[str, tuple[str, str]] = {}

    def in_region(region: str) -> tuple[str, str]:
        if region not in made:
            emulator = vod_emulators(region)
            response = httpx.post(
                f"{emulator.url}/_emulator/vod/videos", json={"Title": "parity", "Duration": 60}
            )
            response.raise_for_status()
            template_id = "t-none"
            if region in template_provider.TEMPLATE_REGIONS:
                request = vod_models.AddAITemplateRequest(
                    template_name="parity", template_type="AIImage", template_config='{"Count":1}'
                )
                template_id = vod_client(emulator).add_aitemplate(request).body.template_id
            made[region] = (response.json()["VideoId"], template_id)
        return made[region]

    return in_region


@pytest.mark.parametrize("case", JOB_CASES, ids=str)
def test_ai_image_job_check_and_emulator_agree(
    case: Case,
    vod_emulators: Callable[[str], RunningEmulator],
    job_fixtures: Callable[[str], tuple[str, str]],
) -> None:
    """SubmitAIImageJob: the AIImageJob check and the emulator accept and refuse the same values."""
    region = case.value if case.field == "region" else "cn-shanghai"
    video_id, template_id = job_fixtures(region)
    inputs: dict[str, Any] = {"video_id": video_id, "ai_template_id": template_id, "region": region}
    inputs[case.field] = case.value
    if inputs.get("user_data") is None:
        inputs.pop("user_data", None)
    provider = _check_verdict(AIImageJobProvider(), inputs)
    sdk = vod_client(vod_emulators(region))
    request = vod_models.SubmitAIImageJobRequest(
        video_id=inputs["video_id"],
        aitemplate_id=inputs["ai_template_id"],
        user_data=_compact(inputs["user_data"]) if "user_data" in inputs else None,
    )
    _assert_agree(case, provider, _sdk_verdict(lambda: sdk.submit_aiimage_job(request)))


# --- ROS: CreateAITask ------------------------------------------------------------------------------

TEMPLATE_LIMITS = (task_provider.MAX_TEMPLATE_BYTES, emulator_ros_errors.MAX_TEMPLATE_BYTES, 524288)
FIX = {"task_type": "FixTemplate", "template_type": "ROS"}


def _ros_template_of_size(size: int) -> str:
    """A ROS template (JSON) of exactly ``size`` UTF-8 bytes, padded in its Description."""
    body = {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Description": "",
        "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}}},
    }
    empty = len(_compact(body).encode("utf-8"))
    body["Description"] = "x" * (size - empty)
    text = _compact(body)
    assert len(text.encode("utf-8")) == size
    return text


SMALL_TEMPLATE = _ros_template_of_size(200)
TASK_CASES = [
    *(Case("task_type", kind) for kind in ("GenerateTemplate", "generatetemplate", "Other", "")),
    Case("task_type", "FixTemplate", {"template": SMALL_TEMPLATE}),
    # An empty RPC parameter counts as absent on the wire, so TemplateType "" is not compared.
    *(Case("template_type", kind) for kind in ("ROS", "Terraform", "ros", "HCL")),
    *(Case("prompt", prompt) for prompt in ("A VPC with one vSwitch", None, "", "   ")),
    Case("prompt", None, {"task_type": "FixTemplate", "template": SMALL_TEMPLATE}),
    Case("template", SMALL_TEMPLATE),
    Case("template", None, FIX),
    Case("template", "", FIX),
    *(Case("template", _ros_template_of_size(size), FIX) for size in _around(*TEMPLATE_LIMITS)),
]


@pytest.fixture(scope="module")
def ros_sdk(module_emulators: EmulatorFactory) -> Any:
    """The official ROS SDK pointed at an emulator of this module's own."""
    return ros_client(module_emulators.start())


@pytest.mark.parametrize("case", TASK_CASES, ids=str)
def test_ai_task_check_and_emulator_agree(case: Case, ros_sdk: Any) -> None:
    """CreateAITask: the AITask check and the emulator accept and refuse the same values."""
    inputs: dict[str, Any] = {
        "task_type": "GenerateTemplate",
        "template_type": "ROS",
        "prompt": "A VPC",
        "region": "cn-hangzhou",
        **case.also,
    }
    inputs[case.field] = case.value
    inputs = {key: value for key, value in inputs.items() if value is not None}
    provider = _check_verdict(AITaskProvider(), inputs)
    request = ros_models.CreateAITaskRequest(
        task_type=inputs.get("task_type"),
        template_type=inputs.get("template_type"),
        prompt=inputs.get("prompt"),
        template=inputs.get("template"),
    )
    _assert_agree(case, provider, _sdk_verdict(lambda: ros_sdk.create_aitask(request)))


# --- Values both sides must refuse, whatever the other does ----------------------------------------


@pytest.mark.parametrize(
    ("provider", "inputs", "field"),
    [
        (AppServiceProvider(), {"service_name": "chat_llm\n"}, "service_name"),
        (AppServiceProvider(), {"region": "cn-shanghai\n"}, "region"),
        (AppServiceProvider(), {"config": {"ModelStorage": "oss", "OssPath": "oss://b-1/m/\n"}}, "config"),
        (AIImageJobProvider(), {"video_id": "v", "ai_template_id": "t", "region": "cn-beijing\n"}, "region"),
    ],
    ids=["service_name", "region", "oss_path", "job_region"],
)
def test_check_refuses_a_trailing_newline(provider: Any, inputs: dict[str, Any], field: str) -> None:
    """Patterns match the whole value: a trailing newline is not a valid name, region or path."""
    base = {"service_name": "chat_llm", "service_spec": "llama_7b_fp16", "region": "cn-shanghai"}
    news = {**base, **inputs} if isinstance(provider, AppServiceProvider) else inputs
    failures = provider.check({}, news).failures
    assert [failure.property for failure in failures] == [field]


def test_emulator_refuses_a_trailing_newline_in_a_service_name(eas_sdk: Any) -> None:
    """CreateAppService with ``chat_llm\\n`` is InvalidParameter.ServiceName, not a created service."""
    request = eas_models.CreateAppServiceRequest(
        service_name="chat_llm\n", app_type="LLM", service_spec="llama_7b_fp16", replicas=1
    )
    with pytest.raises(TeaException) as refused:
        eas_sdk.create_app_service(request)
    assert refused.value.code == "InvalidParameter.ServiceName"


ACCEPTED_KEYS = (
    "ModelStorage",
    "OssPath",
    "NasMountTarget",
    "NasPath",
    "SecurityGroupID",
    "VpcID",
    "VswitchID",
)


def test_unknown_config_keys_are_refused_naming_the_keys_eas_accepts(eas_sdk: Any) -> None:
    """``config={"oss": 1}`` fails the check and the emulator alike; both messages list the accepted keys."""
    inputs = {"service_name": "no_model", "service_spec": "llama_7b_fp16", "region": "cn-shanghai"}
    failures = AppServiceProvider().check({}, {**inputs, "config": {"oss": 1}}).failures
    assert [failure.property for failure in failures] == ["config"]
    request = eas_models.CreateAppServiceRequest(
        service_name="no_model", app_type="LLM", service_spec="llama_7b_fp16", replicas=1, config={"oss": 1}
    )
    with pytest.raises(TeaException) as refused:
        eas_sdk.create_app_service(request)
    assert refused.value.code == "InvalidParameter.Config"
    for message in (failures[0].reason, refused.value.message):
        assert "oss" in message
        assert all(key in message for key in ACCEPTED_KEYS), message
