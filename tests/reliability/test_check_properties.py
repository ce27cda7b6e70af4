"""Property tests of every provider's check: any input passes or fails naming a field; never raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc

from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobInputs, AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskInputs, AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceInputs, AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateInputs, VodAITemplateProvider

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.just(rpc.UNKNOWN),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=8,
)

# Plausible values per field, mixed with anything at all, so both passing and failing inputs occur.
APP_SERVICE_FIELDS: dict[str, Any] = {
    "service_name": st.one_of(st.from_regex(r"[a-z][a-z0-9_]{1,20}", fullmatch=True), VALUES),
    "region": st.one_of(st.sampled_from(["cn-shanghai", "cn-beijing", "ap-southeast-1"]), VALUES),
    "service_spec": st.one_of(st.sampled_from(["llama_7b_fp16", "chatglm_6b_int8"]), VALUES),
    "replicas": st.one_of(st.integers(min_value=-5, max_value=200), VALUES),
    "app_type": st.one_of(st.just("LLM"), VALUES),
    "config": st.one_of(
        st.fixed_dictionaries(
            {"ModelStorage": st.just("oss"), "OssPath": st.sampled_from(["oss://b-1/m/", "oss:/x"])}
        ),
        st.fixed_dictionaries({"ModelStorage": st.just("nas"), "NasPath": st.sampled_from(["/m", "m"])}),
        VALUES,
    ),
    "timeouts": st.one_of(st.fixed_dictionaries({"create": st.sampled_from(["30m", "soon", 5, -1])}), VALUES),
    "wait_for_ready": st.one_of(st.booleans(), VALUES),
}

VOD_REGIONS = st.one_of(st.sampled_from(["cn-shanghai", "cn-beijing", "ap-southeast-1", "cn-wuhan"]), VALUES)
TEMPLATE_FIELDS: dict[str, Any] = {
    "template_name": st.one_of(st.text(min_size=1, max_size=140), VALUES),
    "template_type": st.one_of(st.sampled_from(["AIImage", "AIMediaAudit", "Other"]), VALUES),
    "config": st.one_of(
        st.fixed_dictionaries({"Count": st.integers(min_value=-2, max_value=12)}),
        st.fixed_dictionaries({"AuditItem": st.sampled_from([["porn"], ["nope"], "porn"])}),
        VALUES,
    ),
    "is_default": st.one_of(st.booleans(), VALUES),
    "region": VOD_REGIONS,
}
JOB_FIELDS: dict[str, Any] = {
    "video_id": st.one_of(st.text(min_size=0, max_size=40), VALUES),
    "ai_template_id": st.one_of(st.text(min_size=0, max_size=40), VALUES),
    "user_data": st.one_of(
        st.fixed_dictionaries(
            {"Extend": st.dictionaries(st.text(max_size=8), st.text(max_size=200), max_size=4)}
        ),
        st.fixed_dictionaries(
            {
                "MessageCallback": st.fixed_dictionaries(
                    {"CallbackURL": st.sampled_from(["http://127.0.0.1:9/cb", "ftp://x", ""])}
                )
            }
        ),
        VALUES,
    ),
    "ai_pipeline_id": st.one_of(st.text(max_size=20), VALUES),
    "region": VOD_REGIONS,
    "wait_for_final": st.one_of(st.booleans(), VALUES),
    "timeouts": st.one_of(st.fixed_dictionaries({"create": st.sampled_from(["10m", "x", 0])}), VALUES),
}

TASK_FIELDS: dict[str, Any] = {
    "task_type": st.one_of(st.sampled_from(["GenerateTemplate", "FixTemplate", "Other"]), VALUES),
    "template_type": st.one_of(st.sampled_from(["ROS", "Terraform", "HCL"]), VALUES),
    "prompt": st.one_of(st.text(max_size=60), VALUES),
    "template": st.one_of(
        st.sampled_from(['{"ROSTemplateFormatVersion": "2015-09-01"}', 'resource "x" "y" {}', ""]),
        st.fixed_dictionaries({"ROSTemplateFormatVersion": st.just("2015-09-01")}),
        VALUES,
    ),
    "region": st.one_of(st.sampled_from(["cn-hangzhou", "cn-beijing", "mars-1"]), VALUES),
    "timeouts": st.one_of(st.fixed_dictionaries({"create": st.sampled_from(["5m", "later", 3])}), VALUES),
}


PROVIDERS: list[tuple[str, ResourceProvider, dict[str, Any], set[str]]] = [
    ("AppService", AppServiceProvider(), APP_SERVICE_FIELDS, set(AppServiceInputs.model_fields)),
    ("VodAITemplate", VodAITemplateProvider(), TEMPLATE_FIELDS, set(VodAITemplateInputs.model_fields)),
    ("AIImageJob", AIImageJobProvider(), JOB_FIELDS, set(AIImageJobInputs.model_fields)),
    ("AITask", AITaskProvider(), TASK_FIELDS, set(AITaskInputs.model_fields)),
]


def _inputs(fields: dict[str, Any]) -> Any:
    return st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda chosen: st.dictionaries(st.text(max_size=10), VALUES, max_size=2).map(
            lambda extra: {**extra, **chosen}
        )
    )


@pytest.mark.parametrize(("kind", "provider", "fields", "known"), PROVIDERS, ids=[p[0] for p in PROVIDERS])
def test_check_passes_or_names_a_field(
    kind: str, provider: ResourceProvider, fields: dict[str, Any], known: set[str]
) -> None:
    """Whatever the input, check returns; every failure names a property and gives a reason; what
    passes passes again unchanged (check's output is a valid input)."""

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_inputs(fields))
    def run(news: dict[str, Any]) -> None:
        result = provider.check({}, {**news, "__provider": "x"})
        for failure in result.failures:
            assert failure.reason, f"{kind}: empty reason for {failure.property}"
            named = failure.property in news or failure.property.split(".")[0] in known
            assert named or failure.property == "(input)", (kind, failure.property, news)
        if not result.failures:
            assert isinstance(result.inputs, dict)
            again = provider.check({}, result.inputs)
            assert again.failures == [], (kind, news, again.failures)
            assert again.inputs == result.inputs, (kind, news)

    run()


def test_valid_inputs_pass_and_are_stable() -> None:
    """A known-good AppService input passes, and checking its output again changes nothing."""
    provider = AppServiceProvider()
    news = {
        "service_name": "ok_llm",
        "region": "cn-shanghai",
        "service_spec": "llama_7b_fp16",
        "replicas": 2.0,
    }
    first = provider.check({}, news)
    assert first.failures == []
    again = provider.check({}, first.inputs)
    assert again.failures == []
    assert again.inputs == first.inputs
