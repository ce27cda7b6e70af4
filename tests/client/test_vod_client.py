"""``VodClient`` against the emulator: the template → job → wait → images lifecycle, typed errors, regions.

Our client keeps the regional ``Host`` header when pointed at the emulator, so one emulator serves every
region: ``cn-beijing`` reaches ``vod.cn-beijing.aliyuncs.com``, ``cn-wuhan`` the central
``vod.aliyuncs.com`` (no region, where AI features are not offered). Waiting tests inject a ``sleep``
that advances the emulator's clock instead of sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
)
from pulumi_alicloud_ai.client.retry import NO_RETRIES, RetryPolicy
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.vod import OPERATIONS, VodClient, wait_for_ai_image_job
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.routing import Call, Route, Router
from tests.conftest import EmulatorFactory

OpenVod = Callable[..., VodClient]


@pytest.fixture
def open_vod() -> Iterator[OpenVod]:
    """Open ``VodClient``s on an emulator for a region; all are closed after the test."""
    opened: list[VodClient] = []

    def open_(
        emulator: RunningEmulator, region: str = "cn-beijing", retry: RetryPolicy = NO_RETRIES
    ) -> VodClient:
        settings = ClientSettings(region=region, endpoint=emulator.url, retry=retry)
        client = VodClient(open_client(VOD, settings, StaticCredentialsProvider("test", "test")))
        opened.append(client)
        return client

    try:
        yield open_
    finally:
        for client in opened:
            client.api.close()


def _video(emulator: RunningEmulator, region: str = "cn-beijing", **extra: Any) -> str:
    body = {"Title": "clip", "Duration": 120, "Region": region, **extra}
    response = httpx.post(f"{emulator.url}/_emulator/vod/videos", json=body)
    response.raise_for_status()
    video_id: str = response.json()["VideoId"]
    return video_id


class EmulatedTime:
    """``clock`` and ``sleep`` for the waiter: sleeping advances the emulator's clock (or only ours)."""

    def __init__(self, emulator: RunningEmulator | None) -> None:
        self.emulator = emulator
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.emulator is not None:
            httpx.post(f"{self.emulator.url}/_emulator/clock", json={"seconds": seconds}).raise_for_status()


# --- the lifecycle -------------------------------------------------------------------------------------


def test_template_job_wait_images_lifecycle(fresh_emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """A template, a job on a cn-beijing video, a wait that ends in success, its images, then clean-up."""
    vod = open_vod(fresh_emulator, "cn-beijing")
    video_id = _video(fresh_emulator)
    template_id = vod.add_ai_template("thumbs", "AIImage", {"Count": 2, "Format": "png"}).template_id
    template = vod.get_ai_template(template_id)
    assert (template.template_name, template.template_type, template.source) == (
        "thumbs",
        "AIImage",
        "Custom",
    )
    assert template.config() == {"Count": 2, "Format": "png"} and not template.default

    submitted = vod.submit_ai_image_job(video_id, template_id, user_data={"Extend": {"order": "o-1"}})
    assert submitted.request_id and len(submitted.job_id) == 32
    time = EmulatedTime(fresh_emulator)
    job = wait_for_ai_image_job(vod, submitted.job_id, timeout=600, clock=time.clock, sleep=time.sleep)
    assert job.succeeded and job.is_final
    assert (job.video_id, job.template_id, job.user_data) == (
        video_id,
        template_id,
        '{"Extend":{"order":"o-1"}}',
    )
    assert job.ai_image_result and job.ai_image_result.startswith("https://outin-emulator.oss-cn-beijing.")

    images = vod.list_ai_image_info(video_id).ai_image_info_list
    assert [(i.job_id, i.format) for i in images] == [(job.job_id, "png")] * 2
    vod.delete_ai_image_infos([i.ai_image_info_id for i in images])
    assert vod.list_ai_image_info(video_id).ai_image_info_list == []

    updated = vod.update_ai_template(template_id, "thumbs-v2", '{"Count": 1}')
    assert updated.template_id == template_id
    assert vod.get_ai_template(template_id).template_name == "thumbs-v2"
    assert template_id in {t.template_id for t in vod.list_ai_template("AIImage")}
    assert vod.delete_ai_template(template_id).template_id == template_id


def test_wait_polls_a_logarithmic_number_of_times(fresh_emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """A 12 s job polled from a 0.1 s base delay takes about log2(12 / 0.1) polls, not 120."""
    vod = open_vod(fresh_emulator)
    template_id = vod.add_ai_template("t", "AIImage", "{}").template_id
    job_id = vod.submit_ai_image_job(_video(fresh_emulator), template_id).job_id
    time = EmulatedTime(fresh_emulator)
    polls: list[str] = []
    job = wait_for_ai_image_job(
        vod,
        job_id,
        timeout=600,
        clock=time.clock,
        sleep=time.sleep,
        base_delay=0.1,
        on_poll=lambda j: polls.append(j.status),
    )
    assert job.succeeded
    assert len(polls) <= math.ceil(math.log2(12 / 0.1)) + 2
    assert polls[0] == "submitted" and "processing" in polls and polls[-1] == "success"
    assert time.sleeps == sorted(time.sleeps)


def test_wait_returns_a_failed_job_with_its_reason(
    fresh_emulator: RunningEmulator, open_vod: OpenVod
) -> None:
    """A job that ends ``fail`` is returned, not raised, carrying the service's Code and Message."""
    rule = {"product": "vod", "action": "SubmitAIImageJob", "effect": "fail", "message": "no frames"}
    httpx.post(f"{fresh_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    vod = open_vod(fresh_emulator)
    template_id = vod.add_ai_template("t", "AIImage", "{}").template_id
    job_id = vod.submit_ai_image_job(_video(fresh_emulator), template_id).job_id
    time = EmulatedTime(fresh_emulator)
    job = wait_for_ai_image_job(vod, job_id, timeout=600, clock=time.clock, sleep=time.sleep)
    assert (job.status, job.code, job.message, job.succeeded) == (
        "fail",
        "AIImage.ProcessFailed",
        "no frames",
        False,
    )


def test_wait_times_out_naming_the_job_and_its_status(emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """When the job outlasts the timeout, WaitTimeoutError names the job id and the status it was in."""
    vod = open_vod(emulator)
    template_id = vod.add_ai_template("t", "AIImage", "{}").template_id
    job_id = vod.submit_ai_image_job(_video(emulator), template_id).job_id
    time = EmulatedTime(None)  # our clock moves, the emulator's does not: the job stays submitted
    with pytest.raises(WaitTimeoutError) as info:
        wait_for_ai_image_job(vod, job_id, timeout=30, clock=time.clock, sleep=time.sleep, base_delay=1)
    assert info.value.last_status == "submitted"
    assert f"VOD AI image job {job_id} in cn-beijing was still submitted" in str(info.value)
    assert len(time.sleeps) <= math.ceil(math.log2(30)) + 1 and sum(time.sleeps) <= 30


def test_wait_for_an_unknown_job_is_not_found(emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """Waiting for a job id the service does not return is a NotFoundError, not an endless wait."""
    vod = open_vod(emulator)
    with pytest.raises(NotFoundError) as info:
        wait_for_ai_image_job(vod, "f" * 32, timeout=10, sleep=lambda _: None)
    assert info.value.code == "InvalidAIImageJob.NotFound"
    assert info.value.request_id and "f" * 32 in info.value.message


# --- typed errors ----------------------------------------------------------------------------------------


def test_not_found_error_carries_code_message_and_request_id(
    emulator: RunningEmulator, open_vod: OpenVod
) -> None:
    """An unknown template is a NotFoundError with the service's code, message, RequestId and status."""
    with pytest.raises(NotFoundError) as info:
        open_vod(emulator).get_ai_template("0" * 32)
    error = info.value
    assert (error.code, error.http_status, error.action) == (
        "InvalidAITemplate.NotFound",
        404,
        "GetAITemplate",
    )
    assert "0" * 32 in error.message and "cn-beijing" in error.message
    assert error.request_id and error.request_id in str(error)
    assert str(error).startswith(
        "An error occurred (InvalidAITemplate.NotFound) when calling the GetAITemplate"
    )


@pytest.mark.parametrize(
    ("call", "error_type", "code"),
    [
        (
            lambda vod, video: vod.add_ai_template("t", "AIVideoTag", "{}"),
            InvalidParameterError,
            "InvalidParameter.TemplateType",
        ),
        (
            lambda vod, video: vod.add_ai_template("t", "AIImage", "[]"),
            InvalidParameterError,
            "InvalidParameter.TemplateConfig",
        ),
        (
            lambda vod, video: vod.submit_ai_image_job("0" * 32, "1" * 32),
            NotFoundError,
            "InvalidVideo.NotFound",
        ),
        (
            lambda vod, video: vod.submit_ai_image_job(
                video, vod.add_ai_template("t", "AIImage", "{}").template_id, user_data={"Other": 1}
            ),
            InvalidParameterError,
            "InvalidParameter.UserData",
        ),
        (
            lambda vod, video: vod.get_ai_image_jobs([f"{i:032x}" for i in range(11)]),
            InvalidParameterError,
            "InvalidParameter.JobIds",
        ),
        (
            lambda vod, video: vod.get_default_ai_template("AIImage"),
            InvalidParameterError,
            "InvalidParameter.TemplateType",
        ),
    ],
    ids=["template-type", "template-config", "video", "user-data", "eleven-job-ids", "default-type"],
)
def test_errors_have_their_type(
    emulator: RunningEmulator,
    open_vod: OpenVod,
    call: Callable[[VodClient, str], Any],
    error_type: type[AlibabaCloudError],
    code: str,
) -> None:
    """Each refusal surfaces as the typed error its code and status call for."""
    vod = open_vod(emulator)
    video_id = _video(emulator)
    with pytest.raises(error_type) as info:
        call(vod, video_id)
    assert info.value.code == code and info.value.message and info.value.request_id


def test_deleting_the_default_template_is_a_conflict(
    fresh_emulator: RunningEmulator, open_vod: OpenVod
) -> None:
    """DeleteAITemplate on the default template is a ConflictError; GetDefaultAITemplate finds it."""
    vod = open_vod(fresh_emulator)
    template_id = vod.add_ai_template(
        "audit",
        "AIMediaAudit",
        {"AuditItem": ["porn"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"},
    ).template_id
    vod.set_default_ai_template(template_id)
    default = vod.get_default_ai_template()
    assert (default.template_id, default.default) == (template_id, True)
    with pytest.raises(ConflictError) as info:
        vod.delete_ai_template(template_id)
    assert info.value.code == "InvalidAITemplate.IsDefault" and info.value.http_status == 409


# --- regions -----------------------------------------------------------------------------------------------


def test_unsupported_region_is_refused(emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """cn-wuhan resolves to the central vod.aliyuncs.com, where AI templates and jobs are not offered (403)."""
    vod = open_vod(emulator, "cn-wuhan")
    assert vod.api.endpoint.host == "vod.aliyuncs.com"
    for call in (
        lambda: vod.add_ai_template("t", "AIImage", "{}"),
        lambda: vod.submit_ai_image_job("v", "t"),
    ):
        with pytest.raises(AlibabaCloudError) as info:
            call()
        assert (info.value.code, info.value.http_status) == ("Forbidden.RegionNotSupported", 403)
        assert "the central endpoint (no region)" in info.value.message
        assert info.value.request_id


def test_regions_keep_their_own_templates(emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """A cn-beijing template is unknown in cn-shanghai, while cn-hangzhou shares cn-shanghai's host and data."""
    beijing, shanghai, hangzhou = (
        open_vod(emulator, r) for r in ("cn-beijing", "cn-shanghai", "cn-hangzhou")
    )
    in_beijing = beijing.add_ai_template("b", "AIImage", "{}").template_id
    in_shanghai = shanghai.add_ai_template("s", "AIImage", "{}").template_id
    with pytest.raises(NotFoundError):
        shanghai.get_ai_template(in_beijing)
    assert hangzhou.get_ai_template(in_shanghai).template_name == "s"


# --- retries and the wire ------------------------------------------------------------------------------


def test_only_submit_and_add_are_not_idempotent() -> None:
    """Every action but SubmitAIImageJob and AddAITemplate may be re-sent after an ambiguous failure."""
    assert {op.action for op in OPERATIONS if not op.idempotent} == {"SubmitAIImageJob", "AddAITemplate"}
    assert all((op.method, op.path) == ("POST", "/") for op in OPERATIONS)


def test_server_error_is_retried_for_reads_only(fresh_emulator: RunningEmulator, open_vod: OpenVod) -> None:
    """A 500 on GetAIImageJobs is retried and succeeds; a 500 on SubmitAIImageJob is raised at once."""
    vod = open_vod(fresh_emulator, retry=RetryPolicy(sleep=lambda _: None))
    template_id = vod.add_ai_template("t", "AIImage", "{}").template_id
    video_id = _video(fresh_emulator)
    for action in ("SubmitAIImageJob", "GetAIImageJobs"):
        rule = {
            "id": action,
            "product": "vod",
            "action": action,
            "count": 1,
            "error": {"code": "InternalError"},
        }
        httpx.post(f"{fresh_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    with pytest.raises(ServerError) as info:
        vod.submit_ai_image_job(video_id, template_id)
    assert info.value.attempts == 1
    job_id = vod.submit_ai_image_job(video_id, template_id).job_id
    assert [job.job_id for job in vod.get_ai_image_jobs([job_id]).ai_image_job_list] == [job_id]
    counts = {
        r["id"]: r["count"] for r in httpx.get(f"{fresh_emulator.url}/_emulator/faults").json()["rules"]
    }
    assert counts == {"SubmitAIImageJob": 0, "GetAIImageJobs": 0}


CANNED: dict[str, dict[str, Any]] = {
    "SubmitAIImageJob": {"JobId": "j"},
    "GetAIImageJobs": {"AIImageJobList": []},
    "ListAIImageInfo": {"AIImageInfoList": []},
    "DeleteAIImageInfos": {},
    "AddAITemplate": {"TemplateId": "t"},
    "GetAITemplate": {"TemplateInfo": {"TemplateId": "t"}},
    "UpdateAITemplate": {"TemplateId": "t"},
    "DeleteAITemplate": {"TemplateId": "t"},
    "ListAITemplate": {"TemplateInfoList": []},
    "SetDefaultAITemplate": {"TemplateId": "t"},
    "GetDefaultAITemplate": {"TemplateInfo": {"TemplateId": "t"}},
}


@pytest.fixture(scope="module")
def recorder(module_emulators: EmulatorFactory) -> tuple[RunningEmulator, list[Call]]:
    """An emulator whose VOD actions record each call and answer a minimal valid body."""
    calls: list[Call] = []

    def record(call: Call) -> dict[str, Any]:
        calls.append(call)
        return CANNED[call.action]

    router = Router([Route.rpc("vod", action, record) for action in CANNED])
    return module_emulators.start(router=router), calls


@pytest.mark.parametrize(
    ("call", "action", "params"),
    [
        (
            lambda v: v.submit_ai_image_job(
                "vid", "tpl", user_data={"Extend": {"k": "é"}}, ai_pipeline_id="p"
            ),
            "SubmitAIImageJob",
            {
                "VideoId": "vid",
                "AITemplateId": "tpl",
                "UserData": '{"Extend":{"k":"é"}}',
                "AIPipelineId": "p",
            },
        ),
        (
            lambda v: v.submit_ai_image_job("vid", "tpl"),
            "SubmitAIImageJob",
            {"VideoId": "vid", "AITemplateId": "tpl"},
        ),
        (lambda v: v.get_ai_image_jobs(["a", "b"]), "GetAIImageJobs", {"JobIds": "a,b"}),
        (lambda v: v.list_ai_image_info("vid"), "ListAIImageInfo", {"VideoId": "vid"}),
        (lambda v: v.delete_ai_image_infos(["x", "y"]), "DeleteAIImageInfos", {"AIImageInfoIds": "x,y"}),
        (
            lambda v: v.add_ai_template("n", "AIImage", {"Count": 2}),
            "AddAITemplate",
            {"TemplateName": "n", "TemplateType": "AIImage", "TemplateConfig": '{"Count":2}'},
        ),
        (lambda v: v.get_ai_template("t"), "GetAITemplate", {"TemplateId": "t"}),
        (
            lambda v: v.update_ai_template("t", "n", '{"Count": 1}'),
            "UpdateAITemplate",
            {"TemplateId": "t", "TemplateName": "n", "TemplateConfig": '{"Count": 1}'},
        ),
        (lambda v: v.delete_ai_template("t"), "DeleteAITemplate", {"TemplateId": "t"}),
        (lambda v: v.list_ai_template("AIImage"), "ListAITemplate", {"TemplateType": "AIImage"}),
        (lambda v: v.set_default_ai_template("t"), "SetDefaultAITemplate", {"TemplateId": "t"}),
        (lambda v: v.get_default_ai_template(), "GetDefaultAITemplate", {"TemplateType": "AIMediaAudit"}),
    ],
    ids=[
        "submit-all",
        "submit-required",
        "get-jobs",
        "list-infos",
        "delete-infos",
        "add-template",
        "get-template",
        "update-template",
        "delete-template",
        "list-templates",
        "set-default",
        "get-default",
    ],
)
def test_every_parameter_goes_in_the_query(
    recorder: tuple[RunningEmulator, list[Call]],
    open_vod: OpenVod,
    call: Callable[[VodClient], Any],
    action: str,
    params: dict[str, str],
) -> None:
    """Each action is a signed POST / with its parameters as query strings and no body (vod.md)."""
    emulator, calls = recorder
    calls.clear()
    call(open_vod(emulator, "cn-shanghai"))
    [received] = calls
    assert (received.action, received.version, received.region) == (action, "2017-03-21", "cn-shanghai")
    assert received.params == params
    assert (received.body, received.content_type) == (b"", "")
