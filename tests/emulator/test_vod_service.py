"""The emulated VOD AI image service, driven by the official ``alibabacloud_vod20170321`` SDK.

Jobs move by advancing the emulator's clock through the admin API; nothing sleeps. The official SDK
reaches the emulator as ``127.0.0.1:PORT``, so its calls land in the emulator's ``--region``
(cn-shanghai unless a test starts its own emulator elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.vod.states import AI_IMAGE_JOB, FINAL
from tests.callback_receiver import ReceiverFactory
from tests.conftest import EmulatorFactory
from tests.official_sdk import vod_client

JOB_SECONDS = 12  # submitted 2 s + processing 10 s (states.py)


# --- helpers ---------------------------------------------------------------------------------------


def _raised(call: Callable[[], Any]) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def _admin(emulator: RunningEmulator, method: str, path: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, f"{emulator.url}/_emulator{path}", json=body, timeout=10)


def _video(emulator: RunningEmulator, title: str = "clip", duration: float = 60, **extra: Any) -> str:
    response = _admin(emulator, "POST", "/vod/videos", {"Title": title, "Duration": duration, **extra})
    assert response.status_code == 201, response.text
    video_id: str = response.json()["VideoId"]
    return video_id


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    _admin(emulator, "POST", "/clock", {"seconds": seconds}).raise_for_status()


AUDIT = '{"AuditItem":["porn"],"AuditRange":["video"],"AuditContent":["screen"],"AuditAutoBlock":"no"}'
"""The smallest AIMediaAudit config the emulator accepts (every key of the API reference's example)."""


def _template(client: Any, config: str = '{"Count": 3}', kind: str = "AIImage", name: str = "thumbs") -> str:
    request = vod.AddAITemplateRequest(template_name=name, template_type=kind, template_config=config)
    template_id: str = client.add_aitemplate(request).body.template_id
    return template_id


def _submit(client: Any, video_id: str, template_id: str, user_data: str | None = None) -> str:
    request = vod.SubmitAIImageJobRequest(video_id=video_id, aitemplate_id=template_id, user_data=user_data)
    job_id: str = client.submit_aiimage_job(request).body.job_id
    return job_id


def _job(client: Any, job_id: str) -> Any:
    jobs = client.get_aiimage_jobs(vod.GetAIImageJobsRequest(job_ids=job_id)).body.aiimage_job_list
    assert len(jobs) == 1
    return jobs[0]


def _infos(client: Any, video_id: str) -> list[Any]:
    infos: list[Any] = client.list_aiimage_info(
        vod.ListAIImageInfoRequest(video_id=video_id)
    ).body.aiimage_info_list
    return infos


def _info_key(info: Any) -> tuple[str, str, str]:
    return info.file_url, info.format, info.score


@pytest.fixture
def sdk(emulator: RunningEmulator) -> Any:
    """The official client against the shared emulator."""
    return vod_client(emulator)


@pytest.fixture
def fresh_sdk(fresh_emulator: RunningEmulator) -> Any:
    """The official client against this test's own emulator (its clock and faults are ours to change)."""
    return vod_client(fresh_emulator)


# --- the lifecycle table ------------------------------------------------------------------------------


def test_job_lifecycle_reaches_every_state_and_ends_in_success_or_fail() -> None:
    """Every job state is reachable from submitted; only success and fail are terminal."""
    table = AI_IMAGE_JOB
    reached, frontier = {table.initial}, [table.initial]
    while frontier:
        state = frontier.pop()
        targets = {step.to for source, step in table.steps.items() if source == state}
        targets |= {target for source, target in table.on_fault.items() if source == state}
        frontier.extend(targets - reached)
        reached |= targets
    assert reached == table.states
    assert {state for state in table.states if table.terminal(state)} == FINAL == {"success", "fail"}


# --- admin: videos -----------------------------------------------------------------------------------


def test_registered_video_is_listed_in_its_region(emulator: RunningEmulator) -> None:
    """POST /_emulator/vod/videos returns a VideoId, and GET lists the video under its region."""
    video_id = _video(emulator, "listed", 42.5, Region="cn-beijing")
    listed = _admin(emulator, "GET", "/vod/videos?Region=cn-beijing").json()["Videos"]
    video = next(v for v in listed if v["VideoId"] == video_id)
    assert video == {**video, "Title": "listed", "Duration": 42.5, "Region": "cn-beijing", "Corrupt": False}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"Duration": 10}, "Title"),
        ({"Title": "  ", "Duration": 10}, "Title must not be blank"),
        ({"Title": "x", "Duration": 0}, "greater than 0"),
        ({"Title": "x", "Duration": "10"}, "Duration"),
        ({"Title": "x", "Duration": 10, "Region": "Bad Region"}, "region id"),
        ({"Title": "x", "Duration": 10, "Region": "cn-beijing\n"}, "region id"),
        ({"Title": "x", "Duration": 10, "VideoId": "clip-0001\n"}, "VideoId must be 1 to 64"),
        ({"Title": "x", "Duration": 10, "Colour": "red"}, "Colour"),
        (None, "valid dictionary"),
    ],
)
def test_bad_video_is_a_clear_400(emulator: RunningEmulator, body: Any, fragment: str) -> None:
    """Registering a video without a non-empty Title or a positive Duration is a 400 saying what to send."""
    response = _admin(emulator, "POST", "/vod/videos", body)
    assert response.status_code == 400
    assert response.json()["Code"] == "InvalidParameter.Video"
    assert fragment in response.json()["Message"]


# --- templates ---------------------------------------------------------------------------------------


def test_template_round_trips_its_fields(sdk: Any) -> None:
    """AddAITemplate then GetAITemplate gives back name, type and config verbatim, Custom and NotDefault."""
    config = '{"Count": 2, "Format": "gif", "Style": {"crop": true}}'
    template_id = _template(sdk, config, name="round-trip")
    info = sdk.get_aitemplate(vod.GetAITemplateRequest(template_id=template_id)).body.template_info
    assert (info.template_id, info.template_name, info.template_type) == (
        template_id,
        "round-trip",
        "AIImage",
    )
    assert info.template_config == config
    assert (info.source, info.is_default) == ("Custom", "NotDefault")
    assert info.creation_time.endswith("Z") and len(info.creation_time) == len("2024-01-01T00:00:00Z")
    assert info.modify_time == info.creation_time


def test_update_replaces_name_and_config(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """UpdateAITemplate replaces name and config, keeps the type, and moves ModifyTime."""
    template_id = _template(fresh_sdk, '{"Count": 1}', name="before")
    _advance(fresh_emulator, 60)
    request = vod.UpdateAITemplateRequest(
        template_id=template_id, template_name="after", template_config='{"Format": "gif"}'
    )
    assert fresh_sdk.update_aitemplate(request).body.template_id == template_id
    info = fresh_sdk.get_aitemplate(vod.GetAITemplateRequest(template_id=template_id)).body.template_info
    assert (info.template_name, info.template_config, info.template_type) == (
        "after",
        '{"Format": "gif"}',
        "AIImage",
    )
    assert info.modify_time > info.creation_time


def test_list_returns_only_the_asked_type(sdk: Any) -> None:
    """ListAITemplate lists the templates of one TemplateType."""
    image_id = _template(sdk, name="listed-image")
    audit_id = _template(sdk, AUDIT, kind="AIMediaAudit", name="listed-audit")
    images = sdk.list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage")).body.template_info_list
    audits = sdk.list_aitemplate(
        vod.ListAITemplateRequest(template_type="AIMediaAudit")
    ).body.template_info_list
    assert image_id in {t.template_id for t in images} and audit_id not in {t.template_id for t in images}
    assert audit_id in {t.template_id for t in audits}
    assert {t.template_type for t in images} == {"AIImage"}


def test_default_template_moves_and_cannot_be_deleted(fresh_sdk: Any) -> None:
    """SetDefaultAITemplate makes one template of a type the default; deleting the default is refused."""
    first = _template(fresh_sdk, AUDIT, kind="AIMediaAudit", name="first")
    second = _template(fresh_sdk, AUDIT, kind="AIMediaAudit", name="second")
    missing = _raised(
        lambda: fresh_sdk.get_default_aitemplate(
            vod.GetDefaultAITemplateRequest(template_type="AIMediaAudit")
        )
    )
    assert (missing.code, missing.data["statusCode"]) == ("InvalidAITemplate.NotFound", 404)
    assert "SetDefaultAITemplate" in missing.message

    for chosen in (first, second):
        fresh_sdk.set_default_aitemplate(vod.SetDefaultAITemplateRequest(template_id=chosen))
        default = fresh_sdk.get_default_aitemplate(
            vod.GetDefaultAITemplateRequest(template_type="AIMediaAudit")
        ).body.template_info
        assert (default.template_id, default.is_default) == (chosen, "Default")
    other = fresh_sdk.get_aitemplate(vod.GetAITemplateRequest(template_id=first)).body.template_info
    assert other.is_default == "NotDefault"

    refused = _raised(lambda: fresh_sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=second)))
    assert (refused.code, refused.data["statusCode"]) == ("InvalidAITemplate.IsDefault", 409)
    assert "make another template the default first" in refused.message
    deleted = fresh_sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=first)).body
    assert deleted.template_id == first


def test_get_default_accepts_only_media_audit(sdk: Any) -> None:
    """GetDefaultAITemplate with TemplateType AIImage is InvalidParameter.TemplateType (the doc allows AIMediaAudit)."""
    error = _raised(
        lambda: sdk.get_default_aitemplate(vod.GetDefaultAITemplateRequest(template_type="AIImage"))
    )
    assert error.code == "InvalidParameter.TemplateType"
    assert "allowed values: AIMediaAudit" in error.message


def test_deleted_template_is_gone(sdk: Any) -> None:
    """After DeleteAITemplate, GetAITemplate and a second delete are InvalidAITemplate.NotFound (404)."""
    template_id = _template(sdk, name="doomed")
    sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=template_id))
    for call in (
        lambda: sdk.get_aitemplate(vod.GetAITemplateRequest(template_id=template_id)),
        lambda: sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=template_id)),
    ):
        error = _raised(call)
        assert (error.code, error.data["statusCode"]) == ("InvalidAITemplate.NotFound", 404)
        assert template_id in error.message


@pytest.mark.parametrize(
    ("name", "kind", "config", "code", "fragment"),
    [
        ("t", "AIVideoTag", "{}", "InvalidParameter.TemplateType", "allowed values: AIMediaAudit, AIImage"),
        ("n" * 129, "AIImage", "{}", "InvalidParameter.TemplateName", "at most 128 bytes"),
        ("图" * 43, "AIImage", "{}", "InvalidParameter.TemplateName", "129 bytes"),
        ("t", "AIImage", "{not json", "InvalidParameter.TemplateConfig", "not valid JSON"),
        ("t", "AIImage", "[1, 2]", "InvalidParameter.TemplateConfig", "JSON object"),
        (
            "t",
            "AIImage",
            '{"Count": 0}',
            "InvalidParameter.TemplateConfig",
            "Count must be an integer from 1",
        ),
        ("t", "AIImage", '{"Format": "jpg"}', "InvalidParameter.TemplateConfig", "png, gif"),
        ("t", "AIImage", "", "MissingParameter.TemplateConfig", "TemplateConfig"),
    ],
)
def test_bad_template_is_refused(
    sdk: Any, name: str, kind: str, config: str, code: str, fragment: str
) -> None:
    """AddAITemplate checks type, name length in bytes, and that the config is a usable JSON object."""
    error = _raised(lambda: _template(sdk, config, kind=kind, name=name))
    assert (error.code, error.data["statusCode"]) == (code, 400)
    assert fragment in error.message


def test_template_name_of_exactly_128_bytes_is_accepted(sdk: Any) -> None:
    """The name limit is inclusive: 128 bytes is fine."""
    template_id = _template(sdk, name="n" * 128)
    info = sdk.get_aitemplate(vod.GetAITemplateRequest(template_id=template_id)).body.template_info
    assert info.template_name == "n" * 128


def test_update_of_unknown_template_is_not_found(sdk: Any) -> None:
    """UpdateAITemplate on an id that does not exist is InvalidAITemplate.NotFound."""
    request = vod.UpdateAITemplateRequest(template_id="0" * 32, template_name="x", template_config="{}")
    error = _raised(lambda: sdk.update_aitemplate(request))
    assert error.code == "InvalidAITemplate.NotFound"


# --- jobs ------------------------------------------------------------------------------------------------


def test_job_runs_through_its_states_as_the_clock_moves(
    fresh_emulator: RunningEmulator, fresh_sdk: Any
) -> None:
    """A job reads submitted, then processing after 2 s, then success after 10 s more, with its images."""
    video_id = _video(fresh_emulator, duration=90)
    template_id = _template(fresh_sdk, '{"Count": 4, "Format": "gif"}')
    job_id = _submit(fresh_sdk, video_id, template_id, '{"Extend": {"ref": "r-1"}}')

    job = _job(fresh_sdk, job_id)
    assert (job.status, job.video_id, job.template_id) == ("submitted", video_id, template_id)
    assert job.template_config == '{"Count": 4, "Format": "gif"}'
    assert job.user_data == '{"Extend": {"ref": "r-1"}}'
    assert job.aiimage_result is None and job.code is None
    assert _infos(fresh_sdk, video_id) == []

    _advance(fresh_emulator, 2)
    assert _job(fresh_sdk, job_id).status == "processing"
    _advance(fresh_emulator, 10)
    job = _job(fresh_sdk, job_id)
    assert job.status == "success"
    assert job.aiimage_result.startswith("https://outin-emulator.oss-cn-shanghai.aliyuncs.com/aiimage/")
    assert job.code is None

    infos = _infos(fresh_sdk, video_id)
    assert len(infos) == 4
    assert {(i.job_id, i.video_id, i.format, i.version) for i in infos} == {(job_id, video_id, "gif", "1")}
    offsets = [int(i.file_url.rsplit("-", 1)[1].removesuffix("ms.gif")) for i in infos]
    assert offsets == sorted(offsets) and offsets[0] >= 0 and offsets[-1] < 90_000
    assert all(0.5 <= float(i.score) <= 1.0 for i in infos)


def test_results_depend_only_on_video_and_config(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """Equal configs (any key order) on the same video give identical images; another video differs."""
    video_a, video_b = _video(fresh_emulator, "a"), _video(fresh_emulator, "b")
    one = _template(fresh_sdk, '{"Count": 2, "Format": "png"}', name="one")
    two = _template(fresh_sdk, '{ "Format":"png","Count":2 }', name="two")
    _submit(fresh_sdk, video_a, one)
    _submit(fresh_sdk, video_a, two)
    _submit(fresh_sdk, video_b, one)
    _advance(fresh_emulator, JOB_SECONDS)

    images_a = [_info_key(i) for i in _infos(fresh_sdk, video_a)]
    images_b = [_info_key(i) for i in _infos(fresh_sdk, video_b)]
    assert len(images_a) == 4 and images_a[:2] == images_a[2:]
    assert len(images_b) == 2 and not set(images_a) & set(images_b)


def test_results_are_the_same_on_another_emulator(emulators: EmulatorFactory) -> None:
    """A second emulator produces identical results for a video registered with the same VideoId."""
    results = []
    for emulator in (emulators.start(), emulators.start()):
        client = vod_client(emulator)
        video_id = _video(emulator, VideoId="fixed-video-0001")
        _submit(client, video_id, _template(client, '{"Count": 2}'))
        _advance(emulator, JOB_SECONDS)
        results.append([_info_key(info) for info in _infos(client, video_id)])
    assert len(results[0]) == 2
    assert results[0] == results[1]


def test_video_id_can_be_chosen_once(emulator: RunningEmulator) -> None:
    """A chosen VideoId is used as given; registering it twice is a 409."""
    assert _video(emulator, VideoId="chosen-once") == "chosen-once"
    response = _admin(
        emulator, "POST", "/vod/videos", {"Title": "again", "Duration": 1, "VideoId": "chosen-once"}
    )
    assert (response.status_code, response.json()["Code"]) == (409, "InvalidVideo.AlreadyExists")


def test_fault_rule_fails_the_job_with_its_message(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """An effect: fail rule on SubmitAIImageJob makes the job end fail with AIImage.ProcessFailed and the rule's message."""
    rule = {"product": "vod", "action": "SubmitAIImageJob", "effect": "fail", "message": "GPU pool exhausted"}
    _admin(fresh_emulator, "POST", "/faults", rule).raise_for_status()
    video_id = _video(fresh_emulator)
    job_id = _submit(fresh_sdk, video_id, _template(fresh_sdk))
    _advance(fresh_emulator, 2)
    assert _job(fresh_sdk, job_id).status == "processing"
    _advance(fresh_emulator, 10)
    job = _job(fresh_sdk, job_id)
    assert (job.status, job.code, job.message) == ("fail", "AIImage.ProcessFailed", "GPU pool exhausted")
    assert job.aiimage_result is None
    assert _infos(fresh_sdk, video_id) == []


def test_corrupt_video_fails_every_job(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """A video registered with Corrupt true makes its jobs fail with InvalidVideo.DecodeFailed."""
    video_id = _video(fresh_emulator, Corrupt=True)
    job_id = _submit(fresh_sdk, video_id, _template(fresh_sdk))
    _advance(fresh_emulator, JOB_SECONDS)
    job = _job(fresh_sdk, job_id)
    assert (job.status, job.code) == ("fail", "InvalidVideo.DecodeFailed")
    assert video_id in job.message


def test_job_in_progress_keeps_its_template(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """DeleteAITemplate is refused while a job using it runs, and allowed once the job is final."""
    template_id = _template(fresh_sdk)
    job_id = _submit(fresh_sdk, _video(fresh_emulator), template_id)
    error = _raised(lambda: fresh_sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=template_id)))
    assert (error.code, error.data["statusCode"]) == ("InvalidAITemplate.InUse", 409)
    assert job_id in error.message
    _advance(fresh_emulator, JOB_SECONDS)
    fresh_sdk.delete_aitemplate(vod.DeleteAITemplateRequest(template_id=template_id))
    assert _job(fresh_sdk, job_id).template_id == template_id  # the job keeps its snapshot


def test_deleted_image_infos_are_gone(fresh_emulator: RunningEmulator, fresh_sdk: Any) -> None:
    """DeleteAIImageInfos removes the named records only; deleting them again is harmless."""
    video_id = _video(fresh_emulator)
    _submit(fresh_sdk, video_id, _template(fresh_sdk, '{"Count": 3}'))
    _advance(fresh_emulator, JOB_SECONDS)
    ids = [i.aiimage_info_id for i in _infos(fresh_sdk, video_id)]
    request = vod.DeleteAIImageInfosRequest(aiimage_info_ids=",".join(ids[:2]))
    assert fresh_sdk.delete_aiimage_infos(request).body.request_id
    assert [i.aiimage_info_id for i in _infos(fresh_sdk, video_id)] == ids[2:]
    fresh_sdk.delete_aiimage_infos(request)


def test_get_jobs_keeps_order_and_leaves_out_unknown_ids(emulator: RunningEmulator, sdk: Any) -> None:
    """GetAIImageJobs answers the known ids of a comma list in the order asked."""
    video_id, template_id = _video(emulator), _template(sdk)
    first, second = _submit(sdk, video_id, template_id), _submit(sdk, video_id, template_id)
    request = vod.GetAIImageJobsRequest(job_ids=f"{second}, {'f' * 32},{first}")
    jobs = sdk.get_aiimage_jobs(request).body.aiimage_job_list
    assert [job.job_id for job in jobs] == [second, first]


ELEVEN_IDS = ",".join(f"{i:032x}" for i in range(11))


@pytest.mark.parametrize(
    ("method", "request_", "code", "fragment"),
    [
        (
            "get_aiimage_jobs",
            vod.GetAIImageJobsRequest(job_ids=ELEVEN_IDS),
            "InvalidParameter.JobIds",
            "lists 11 ids; at most 10",
        ),
        (
            "get_aiimage_jobs",
            vod.GetAIImageJobsRequest(job_ids=" , "),
            "InvalidParameter.JobIds",
            "at least one id",
        ),
        ("get_aiimage_jobs", vod.GetAIImageJobsRequest(), "MissingParameter.JobIds", "JobIds"),
        (
            "delete_aiimage_infos",
            vod.DeleteAIImageInfosRequest(aiimage_info_ids=ELEVEN_IDS),
            "InvalidParameter.AIImageInfoIds",
            "lists 11 ids; at most 10",
        ),
    ],
)
def test_id_lists_are_limited_to_ten(sdk: Any, method: str, request_: Any, code: str, fragment: str) -> None:
    """Comma lists of ids hold one to ten ids."""
    error = _raised(lambda: getattr(sdk, method)(request_))
    assert (error.code, error.data["statusCode"]) == (code, 400)
    assert fragment in error.message


@pytest.mark.parametrize(
    ("case", "user_data", "code", "fragment"),
    [
        ("unknown video", None, "InvalidVideo.NotFound", "does not exist in region cn-shanghai"),
        ("unknown template", None, "InvalidAITemplate.NotFound", "does not exist"),
        ("audit template", None, "InvalidParameter.AITemplateId", "needs an AIImage template"),
        ("ok", "not json", "InvalidParameter.UserData", "not valid JSON"),
        ("ok", json.dumps({"Extend": {"pad": "x" * 520}}), "InvalidParameter.UserData", "at most 512 bytes"),
        ("ok", '{"Other": 1}', "InvalidParameter.UserData", "MessageCallback or Extend"),
        ("ok", '["Extend"]', "InvalidParameter.UserData", "JSON object"),
        ("ok", '{"MessageCallback": {}}', "InvalidParameter.UserData", "CallbackURL must be"),
        (
            "ok",
            '{"MessageCallback": {"CallbackURL": "ftp://127.0.0.1/x"}}',
            "InvalidParameter.UserData",
            "http or https",
        ),
        (
            "ok",
            '{"MessageCallback": {"CallbackURL": "https://example.com/hook"}}',
            "InvalidParameter.UserData",
            "not a loopback address",
        ),
    ],
)
def test_bad_submit_is_refused(
    emulator: RunningEmulator, sdk: Any, case: str, user_data: str | None, code: str, fragment: str
) -> None:
    """SubmitAIImageJob checks the video, the template and its type, and VOD's UserData rules."""
    video_id = "0" * 32 if case == "unknown video" else _video(emulator)
    template_id = {
        "unknown template": "1" * 32,
        "audit template": _template(sdk, AUDIT, kind="AIMediaAudit", name="audit"),
    }.get(case) or _template(sdk)
    error = _raised(lambda: _submit(sdk, video_id, template_id, user_data))
    assert error.code == code
    assert fragment in error.message
    assert error.data["statusCode"] == (404 if code.endswith("NotFound") else 400)


def test_submit_needs_video_and_template(sdk: Any) -> None:
    """SubmitAIImageJob without VideoId is MissingParameter.VideoId."""
    error = _raised(lambda: sdk.submit_aiimage_job(vod.SubmitAIImageJobRequest(aitemplate_id="x")))
    assert (error.code, error.data["statusCode"]) == ("MissingParameter.VideoId", 400)


# --- regions -----------------------------------------------------------------------------------------------


@pytest.fixture
def singapore(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator whose --region is ap-southeast-1: templates are offered there, AI image jobs are not."""
    return emulators.start(region="ap-southeast-1")


def test_region_without_ai_image_jobs_refuses_them(singapore: RunningEmulator) -> None:
    """In ap-southeast-1 AddAITemplate works but SubmitAIImageJob is a 403 Forbidden.RegionNotSupported."""
    client = vod_client(singapore)
    template_id = _template(client)
    error = _raised(lambda: _submit(client, _video(singapore), template_id))
    assert (error.code, error.data["statusCode"]) == ("Forbidden.RegionNotSupported", 403)
    assert "SubmitAIImageJob is not supported in region ap-southeast-1" in error.message
    assert "cn-beijing, cn-shanghai" in error.message


def test_video_of_another_region_is_not_found(emulator: RunningEmulator, sdk: Any) -> None:
    """Videos are regional: one registered in cn-beijing is unknown to a cn-shanghai call."""
    video_id = _video(emulator, Region="cn-beijing")
    error = _raised(lambda: _submit(sdk, video_id, _template(sdk)))
    assert error.code == "InvalidVideo.NotFound"


# --- completion callbacks --------------------------------------------------------------------------------


def _callback_state(emulator: RunningEmulator, job_id: str, attempts: int) -> dict[str, Any]:
    """The job's delivery state once ``attempts`` outcomes are recorded (they are, right after a delivery)."""
    for _ in range(1000):
        state: dict[str, Any] = _admin(emulator, "GET", f"/vod/jobs/{job_id}").json()["Callback"]
        if state["attempts"] >= attempts:
            return state
    raise AssertionError(f"attempt {attempts} was never recorded: {state}")


def test_completion_event_is_retried_until_delivered(
    fresh_emulator: RunningEmulator, fresh_sdk: Any, receiver_factory: ReceiverFactory
) -> None:
    """A failed delivery (HTTP 500) is retried 1 s of emulated time later, with the same event."""
    receiver = receiver_factory([500, 204])
    video_id = _video(fresh_emulator)
    user_data = json.dumps({"MessageCallback": {"CallbackURL": receiver.url}, "Extend": {"order": 7}})
    job_id = _submit(fresh_sdk, video_id, _template(fresh_sdk), user_data)
    _advance(fresh_emulator, JOB_SECONDS)

    first = receiver.wait_for(1)[0]
    state = _callback_state(fresh_emulator, job_id, 1)
    assert (state["delivered"], state["last_error"]) == (False, "HTTP 500")
    _advance(fresh_emulator, 1)
    second = receiver.wait_for(2)[1]

    job = _job(fresh_sdk, job_id)
    assert (
        first
        == second
        == {
            "EventType": "AIImageComplete",
            "EventTime": first["EventTime"],
            "JobId": job_id,
            "VideoId": video_id,
            "Status": "success",
            "Code": "",
            "Message": "",
            "AIImageResult": job.aiimage_result,
            "Extend": {"order": 7},
        }
    )
    state = _callback_state(fresh_emulator, job_id, 2)
    assert (state["delivered"], state["attempts"], state["last_error"]) == (True, 2, None)
    events = _admin(fresh_emulator, "GET", f"/vod/jobs/{job_id}").json()["Events"]
    assert [e["Reason"] for e in events][-2:] == ["CallbackFailed", "CallbackDelivered"]


def test_failed_job_event_carries_code_and_message(
    fresh_emulator: RunningEmulator, fresh_sdk: Any, receiver_factory: ReceiverFactory
) -> None:
    """A job that fails sends Status fail with its Code and Message and no AIImageResult."""
    receiver = receiver_factory([200])
    user_data = json.dumps(
        {"MessageCallback": {"CallbackURL": receiver.url.replace("127.0.0.1", "localhost")}}
    )
    job_id = _submit(fresh_sdk, _video(fresh_emulator, Corrupt=True), _template(fresh_sdk), user_data)
    _advance(fresh_emulator, JOB_SECONDS)
    event = receiver.wait_for(1)[0]
    assert (event["JobId"], event["Status"], event["Code"]) == (job_id, "fail", "InvalidVideo.DecodeFailed")
    assert event["AIImageResult"] == "" and "Extend" not in event


def test_delivery_gives_up_after_five_attempts(
    fresh_emulator: RunningEmulator, fresh_sdk: Any, receiver_factory: ReceiverFactory
) -> None:
    """A receiver that always fails gets five attempts, 1, 2, 4 and 8 s apart, then none."""
    receiver = receiver_factory([503])
    user_data = json.dumps({"MessageCallback": {"CallbackURL": receiver.url}})
    job_id = _submit(fresh_sdk, _video(fresh_emulator), _template(fresh_sdk), user_data)
    _advance(fresh_emulator, JOB_SECONDS)
    for attempt, delay in enumerate([1, 2, 4, 8], start=1):
        receiver.wait_for(attempt)
        _callback_state(fresh_emulator, job_id, attempt)
        _advance(fresh_emulator, delay)
    receiver.wait_for(5)
    state = _callback_state(fresh_emulator, job_id, 5)
    assert (state["gave_up"], state["delivered"], state["attempts"]) == (True, False, 5)
    events = _admin(fresh_emulator, "GET", f"/vod/jobs/{job_id}").json()["Events"]
    assert events[-1]["Reason"] == "CallbackAbandoned" and "after 5 attempts" in events[-1]["Message"]


def test_no_event_before_the_job_is_final(
    fresh_emulator: RunningEmulator, fresh_sdk: Any, receiver_factory: ReceiverFactory
) -> None:
    """Nothing is delivered while the job runs: the first event names the final status."""
    receiver = receiver_factory([200])
    user_data = json.dumps({"MessageCallback": {"CallbackURL": receiver.url}})
    job_id = _submit(fresh_sdk, _video(fresh_emulator), _template(fresh_sdk), user_data)
    _advance(fresh_emulator, 2)
    assert _job(fresh_sdk, job_id).status == "processing"
    assert _callback_state(fresh_emulator, job_id, 0)["attempts"] == 0
    _advance(fresh_emulator, 10)
    assert receiver.wait_for(1)[0]["Status"] == "success"


def test_delivery_resumes_after_a_restart(
    emulators: EmulatorFactory, tmp_path: Path, receiver_factory: ReceiverFactory
) -> None:
    """The delivery state lives in the job, so a restarted emulator makes the retry the first one scheduled."""
    receiver = receiver_factory([500, 200])
    first = emulators.start(data_dir=tmp_path / "restart")
    client = vod_client(first)
    user_data = json.dumps({"MessageCallback": {"CallbackURL": receiver.url}})
    job_id = _submit(client, _video(first), _template(client), user_data)
    _advance(first, JOB_SECONDS)
    receiver.wait_for(1)
    _callback_state(first, job_id, 1)
    emulators.stop(first)
    second = emulators.start(data_dir=tmp_path / "restart")
    _advance(second, 1)
    bodies = receiver.wait_for(2)
    state = _callback_state(second, job_id, 2)
    assert bodies[1]["JobId"] == job_id and bodies[1]["Status"] == "success"
    assert (state["delivered"], state["attempts"]) == (True, 2)
