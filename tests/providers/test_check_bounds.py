"""Every provider's check stays bounded: nested inputs too deep, templates past the parser's bounds and
wait limits that are not real durations fail naming the field; check never raises a traceback.

In-process calls cover values the Pulumi engine's protobuf could not even carry (100,000 levels); the
provider host covers what reaches a real ``pulumi preview`` (text inputs, ``timeouts`` strings).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider

from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._provider import PROVIDER_KEY
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.resources._waiting import DEFAULT_INTERVAL, interval
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env
from tests.deep_documents import billion_laughs, deep_json, nested

DEEP = 100_000


SERVICE = {"service_name": "bounded_svc", "service_spec": "llama_7b_fp16", "region": "cn-shanghai"}
TEMPLATE = {"template_name": "t", "template_type": "AIImage", "config": {"Count": 1}, "region": "cn-shanghai"}
JOB = {"video_id": "v-1", "ai_template_id": "t-1", "region": "cn-shanghai"}
FIX = {"task_type": "FixTemplate", "template": "Resources: {}\n", "region": "cn-hangzhou"}

# (provider, valid inputs, the field, a value for it past the bounds)
TOO_DEEP = {
    "app-service-config": (AppServiceProvider, SERVICE, "config", {"Extra": nested(DEEP)}),
    "app-service-config-one-past": (AppServiceProvider, SERVICE, "config", {"Extra": nested(64)}),
    "app-service-settings": (AppServiceProvider, SERVICE, "settings", {"endpoint": nested(DEEP)}),
    "app-service-connection": (AppServiceProvider, SERVICE, "connection", {"endpoint": nested(DEEP)}),
    "vod-template-config": (VodAITemplateProvider, TEMPLATE, "config", {"Count": 1, "X": nested(DEEP)}),
    "job-user-data-dict": (AIImageJobProvider, JOB, "user_data", {"Extend": nested(DEEP)}),
    "job-user-data-text": (AIImageJobProvider, JOB, "user_data", '{"Extend": ' + deep_json(DEEP) + "}"),
    "job-user-data-text-one-past": (
        AIImageJobProvider,
        JOB,
        "user_data",
        json.dumps({"Extend": nested(64)}),
    ),
    "task-template-dict": (AITaskProvider, FIX, "template", {"Resources": nested(DEEP)}),
    "task-template-json": (AITaskProvider, FIX, "template", '{"Resources": ' + deep_json(DEEP) + "}"),
    "task-template-lenient-json": (
        AITaskProvider,
        FIX,
        "template",
        '{"Resources": ' + deep_json(DEEP) + ",}",
    ),
    "task-template-yaml": (AITaskProvider, FIX, "template", "Resources: " + deep_json(DEEP)),
    "task-template-yaml-bomb": (
        AITaskProvider,
        FIX,
        "template",
        billion_laughs(6, head="ROSTemplateFormatVersion: '2015-09-01'") + "Resources: {}\n",
    ),
    "task-template-yaml-cycle": (AITaskProvider, FIX, "template", "Resources: &r\n  Loop: *r\n"),
    "task-template-hcl": (
        AITaskProvider,
        {**FIX, "template_type": "Terraform"},
        "template",
        "locals {\n  x = " + deep_json(DEEP) + "\n}\n",
    ),
    "task-template-hcl-chain": (
        AITaskProvider,
        {**FIX, "template_type": "Terraform"},
        "template",
        "locals {\n  x = a" + ".b" * 5000 + "\n}\n",
    ),
}


@pytest.mark.parametrize(("provider", "valid", "field", "value"), TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_inputs_past_the_bounds_fail_check_naming_the_field(
    provider: type[ResourceProvider], valid: dict[str, Any], field: str, value: Any
) -> None:
    """check returns one failure on the field, with the limit in its reason, and raises nothing. The
    serialized provider the host sends among the inputs comes first here: it is not judged, and the
    inputs after it are."""
    result = provider().check({}, {PROVIDER_KEY: "the pickled provider", **valid, field: value})
    assert [failure.property for failure in result.failures] == [field]
    reason = result.failures[0].reason
    assert "nests deeper than 64 levels" in reason or "aliases" in reason or "own anchor" in reason


@pytest.mark.parametrize(("provider", "valid"), [(AppServiceProvider, SERVICE), (VodAITemplateProvider, TEMPLATE),
                                                 (AIImageJobProvider, JOB), (AITaskProvider, FIX)])  # fmt: skip
def test_the_same_inputs_within_the_bounds_pass(
    provider: type[ResourceProvider], valid: dict[str, Any]
) -> None:
    """The valid inputs the cases above start from pass check: each failure is the deep field's."""
    assert provider().check({}, valid).failures == []


NOT_DURATIONS = [
    math.nan,
    math.inf,
    -math.inf,
    "nan",
    "NaN",
    "inf",
    "-inf",
    "infinity",
    "nanm",
    "1e400",
    "1e400h",
    1e308,
    "1e306h",
    0,
    -1,
    "-5m",
    86_401,
    "25h",
    "1441m",
]
TIMEOUTS = {
    "app-service": (AppServiceProvider, SERVICE, ("create", "update", "delete")),
    "ai-image-job": (AIImageJobProvider, JOB, ("create", "delete")),
    "ai-task": (AITaskProvider, FIX, ("create",)),
}


@pytest.mark.parametrize("value", NOT_DURATIONS, ids=[repr(value) for value in NOT_DURATIONS])
@pytest.mark.parametrize(("provider", "valid", "operations"), TIMEOUTS.values(), ids=TIMEOUTS.keys())
def test_timeouts_that_would_never_end_a_wait_fail_check(
    provider: type[ResourceProvider], valid: dict[str, Any], operations: tuple[str, ...], value: Any
) -> None:
    """NaN (which no elapsed time exceeds), infinity, zero, negatives and more than a day are refused
    for every operation's timeout, naming it."""
    for operation in operations:
        result = provider().check({}, {**valid, "timeouts": {operation: value}})
        assert [failure.property for failure in result.failures] == [f"timeouts.{operation}"], value
        assert "at most 86400" in result.failures[0].reason or "not a duration" in result.failures[0].reason


@pytest.mark.parametrize("value", ["24h", 86_400, "1440m", "90s", 0.5, "30m"])
def test_real_durations_up_to_a_day_pass(value: Any) -> None:
    """Durations from half a second to a day are accepted and normalised to seconds."""
    result = AppServiceProvider().check({}, {**SERVICE, "timeouts": {"create": value}})
    assert result.failures == []
    assert 0 < result.inputs["timeouts"]["create"] <= 86_400


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e400", "soon"])
def test_a_poll_interval_that_is_not_a_duration_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """ALICLOUD_AI_POLL_INTERVAL=nan would make every sleep fail; it is ignored like any bad value."""
    monkeypatch.setenv("ALICLOUD_AI_POLL_INTERVAL", value)
    assert interval() == DEFAULT_INTERVAL


@pytest.mark.parametrize(("value", "seconds"), [("0.0001", 0.001), ("0.25", 0.25), ("100", 30.0)])
def test_a_poll_interval_is_kept_within_1_ms_and_30_s(
    monkeypatch: pytest.MonkeyPatch, value: str, seconds: float
) -> None:
    """A tiny interval would poll in a busy loop, a long one would miss the end of a wait by minutes."""
    monkeypatch.setenv("ALICLOUD_AI_POLL_INTERVAL", value)
    assert interval() == seconds


@pytest.fixture(scope="module")
def job_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHost]:
    """The real dynamic-provider host (check makes no network call, so no emulator is needed)."""
    home = tmp_path_factory.mktemp("home")
    host = ProviderHost(AIImageJobProvider(), provider_env("http://127.0.0.1:9", str(home)))
    try:
        host.configure({})
        yield host
    finally:
        host.close()


@pytest.fixture(scope="module")
def task_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHost]:
    """The real dynamic-provider host for AITask."""
    home = Path(tmp_path_factory.mktemp("home"))
    host = ProviderHost(AITaskProvider(), provider_env("http://127.0.0.1:9", str(home)))
    try:
        host.configure({})
        yield host
    finally:
        host.close()


def test_preview_of_a_deep_user_data_text_names_user_data(job_host: ProviderHost) -> None:
    """Through the engine's own gRPC Check: a failure on user_data, not an UNKNOWN with a traceback."""
    outcome = job_host.check("job", {**JOB, "user_data": '{"Extend": ' + deep_json(DEEP) + "}"})
    assert list(outcome.failures) == ["user_data"]
    assert "nests deeper than 64 levels" in outcome.failures["user_data"]


def test_preview_of_nan_timeouts_names_the_timeout(job_host: ProviderHost) -> None:
    """``timeouts={"create": "nan"}`` fails at preview instead of removing the wait limit."""
    outcome = job_host.check("job", {**JOB, "timeouts": {"create": "nan"}})
    assert list(outcome.failures) == ["timeouts.create"]


def test_preview_of_an_alias_bomb_names_template(task_host: ProviderHost) -> None:
    """A YAML alias bomb given to FixTemplate fails at preview, naming template and the limit."""
    outcome = task_host.check(
        "task",
        {
            **FIX,
            "template": billion_laughs(6, head="ROSTemplateFormatVersion: '2015-09-01'") + "Resources: {}\n",
        },
    )
    assert list(outcome.failures) == ["template"]
    assert "once its aliases are resolved" in outcome.failures["template"]
