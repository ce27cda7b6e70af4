"""UserData on SubmitAIJob and SubmitAIMediaAuditJob: checked like SubmitAIImageJob's, and a CallbackURL
in it gets the job's completion event (AIVideoTagComplete, AIMediaDNAComplete, AIMediaAuditComplete).

Driven by the official SDK; jobs move by advancing the emulator's clock through the admin API.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.vod.models import CALLBACK
from tests.callback_receiver import Receiver, ReceiverFactory
from tests.conftest import EmulatorFactory
from tests.official_sdk import vod_client

JOB_SECONDS = 12  # submitted 2 s + processing 10 s (states.py)
AUDIT = '{"AuditItem":["porn"],"AuditRange":["video"],"AuditContent":["screen"],"AuditAutoBlock":"no"}'


def _admin(emulator: RunningEmulator, method: str, path: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, f"{emulator.url}/_emulator{path}", json=body, timeout=10)


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    _admin(emulator, "POST", "/clock", {"seconds": seconds}).raise_for_status()


def _video(emulator: RunningEmulator, **extra: Any) -> str:
    response = _admin(emulator, "POST", "/vod/videos", {"Title": "clip", "Duration": 40, **extra})
    response.raise_for_status()
    return str(response.json()["VideoId"])


def _template(client: Any) -> str:
    request = vod.AddAITemplateRequest(
        template_name="review", template_type="AIMediaAudit", template_config=AUDIT
    )
    return str(client.add_aitemplate(request).body.template_id)


def _submit_ai_job(client: Any, video_id: str, types: str, user_data: str | None) -> list[str]:
    request = vod.SubmitAIJobRequest(media_id=video_id, types=types, user_data=user_data)
    return [job.job_id for job in client.submit_aijob(request).body.aijob_list.aijob]


def _submit_review(client: Any, video_id: str, template_id: str, user_data: str | None) -> str:
    request = vod.SubmitAIMediaAuditJobRequest(
        media_id=video_id, template_id=template_id, user_data=user_data
    )
    return str(client.submit_aimedia_audit_job(request).body.job_id)


def _callback(url: str, **extend: Any) -> str:
    user_data: dict[str, Any] = {"MessageCallback": {"CallbackURL": url}}
    if extend:
        user_data["Extend"] = extend
    return json.dumps(user_data)


def _delivery(emulator: RunningEmulator, job_id: str, attempts: int = 1) -> dict[str, Any]:
    """The job's delivery state once ``attempts`` outcomes are recorded (they are, right after a POST)."""
    for _ in range(1000):
        state: dict[str, Any] = _admin(emulator, "GET", f"/vod/jobs/{job_id}").json()["Callback"]
        if state["attempts"] >= attempts:
            return state
    raise AssertionError(f"attempt {attempts} was never recorded for {job_id}: {state}")


def _until(receiver: Receiver, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    with receiver.arrived:
        assert receiver.arrived.wait_for(lambda: done(receiver.bodies), 10), receiver.bodies
        return list(receiver.bodies)


def _fail_next(emulator: RunningEmulator, action: str, code: str, message: str) -> None:
    rule = {
        "product": "vod",
        "action": action,
        "effect": "fail",
        "count": 1,
        "code": code,
        "message": message,
    }
    _admin(emulator, "POST", "/faults", rule).raise_for_status()


def _jobs_submitted(client: Any, emulator: RunningEmulator) -> dict[str, int]:
    """DescribeVodAIData's counts for today and tomorrow: every job submitted, by AIType."""
    now = _admin(emulator, "GET", "/clock").json()["now"]
    start = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now))
    end = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now + 2 * 86_400))
    items = client.describe_vod_aidata(vod.DescribeVodAIDataRequest(start_time=start, end_time=end))
    counts: Counter[str] = Counter()
    for item in items.body.aidata.aidata_item:
        for value in item.data.data_item:
            counts[value.name] += int(value.value)
    return dict(counts)


BAD_USER_DATA = [
    ("not json", "not valid JSON"),
    (json.dumps({"Extend": {"pad": "x" * 520}}), "at most 512 bytes"),
    ('{"Other": 1}', "MessageCallback or Extend"),
    ('["Extend"]', "JSON object"),
    ('{"MessageCallback": {}}', "CallbackURL must be"),
    ('{"MessageCallback": {"CallbackURL": "ftp://127.0.0.1/x"}}', "http or https"),
    ('{"MessageCallback": {"CallbackURL": "https://example.com/hook"}}', "--allow-remote-callbacks"),
]
"""Malformed UserData, and a remote CallbackURL (refused unless the emulator allows remote callbacks)."""


@pytest.mark.parametrize(
    ("action", "counted"),
    [("SubmitAIJob", ("AIVideoTag", "AIVideoFPShot")), ("SubmitAIMediaAuditJob", ("AIVideoCensor",))],
)
def test_bad_user_data_is_refused_and_makes_no_job(
    fresh_emulator: RunningEmulator, action: str, counted: tuple[str, ...]
) -> None:
    """Each bad UserData is a 400 InvalidParameter.UserData saying why, and no job is counted after it;
    a good one then makes the jobs the count sees."""
    client = vod_client(fresh_emulator)
    video_id, template_id = _video(fresh_emulator), _template(client)
    submit: dict[str, Callable[[str], object]] = {
        "SubmitAIJob": lambda text: _submit_ai_job(client, video_id, "AIVideoTag,AIMediaDNA", text),
        "SubmitAIMediaAuditJob": lambda text: _submit_review(client, video_id, template_id, text),
    }
    for user_data, fragment in BAD_USER_DATA:
        with pytest.raises(TeaException) as info:
            submit[action](user_data)
        assert (info.value.code, info.value.data["statusCode"]) == ("InvalidParameter.UserData", 400)
        assert fragment in info.value.message
    none = {"AIVideoTag": 0, "AIVideoFPShot": 0, "AIVideoCensor": 0}
    assert _jobs_submitted(client, fresh_emulator) == none
    submit[action]('{"Extend": {"ok": true}}')
    assert _jobs_submitted(client, fresh_emulator) == {**none, **dict.fromkeys(counted, 1)}


def test_each_job_sends_exactly_one_event_with_its_result(
    fresh_emulator: RunningEmulator, receiver_factory: ReceiverFactory
) -> None:
    """Tagging, fingerprint and review jobs each POST their own event once final, with Data and Extend."""
    receiver = receiver_factory([204])
    client = vod_client(fresh_emulator)
    video_id = _video(fresh_emulator)
    tag_id, dna_id = _submit_ai_job(
        client, video_id, "AIVideoTag,AIMediaDNA", _callback(receiver.url, order=7)
    )
    review_id = _submit_review(client, video_id, _template(client), _callback(receiver.url, order=8))
    _advance(fresh_emulator, JOB_SECONDS)

    events = {event["JobId"]: event for event in receiver.wait_for(3)}
    listed = client.list_aijob(vod.ListAIJobRequest(job_ids=f"{tag_id},{dna_id}")).body.aijob_list.aijob
    review = client.get_aimedia_audit_job(
        vod.GetAIMediaAuditJobRequest(job_id=review_id)
    ).body.media_audit_job
    expected = {
        tag_id: ("AIVideoTagComplete", listed[0].complete_time, listed[0].data, {"order": 7}),
        dna_id: ("AIMediaDNAComplete", listed[1].complete_time, listed[1].data, {"order": 7}),
        review_id: ("AIMediaAuditComplete", review.complete_time, None, {"order": 8}),
    }
    assert set(events) == set(expected)
    for job_id, (event_type, finished, data, extend) in expected.items():
        event = events[job_id]
        assert event == {
            "EventType": event_type,
            "EventTime": finished,
            "JobId": job_id,
            "MediaId": video_id,
            "Status": "success",
            "Data": event["Data"] if data is None else data,
            "Extend": extend,
            **({"CompleteTime": listed[1].complete_time} if job_id == dna_id else {}),
        }
        assert isinstance(event["Data"], str) and json.loads(event["Data"])
        state = _delivery(fresh_emulator, job_id)
        assert (state["delivered"], state["attempts"]) == (True, 1)
    assert json.loads(events[review_id]["Data"]) == review.data.to_map()
    assert json.loads(events[tag_id]["Data"])["Category"]  # the tags GetAIVideoTagResult gives

    # A later job's event arrives after any repeat of the first three would have: none came.
    _advance(fresh_emulator, 60)
    [later] = _submit_ai_job(client, video_id, "AIMediaDNA", _callback(receiver.url))
    _advance(fresh_emulator, JOB_SECONDS)
    bodies = _until(receiver, lambda bodies: any(body["JobId"] == later for body in bodies))
    assert Counter(body["JobId"] for body in bodies) == {tag_id: 1, dna_id: 1, review_id: 1, later: 1}


def test_failed_jobs_send_fail_with_code_and_message(
    fresh_emulator: RunningEmulator, receiver_factory: ReceiverFactory
) -> None:
    """A job failed by a fault rule sends Status fail with the rule's Code and Message and no Data."""
    receiver = receiver_factory([200])
    client = vod_client(fresh_emulator)
    video_id = _video(fresh_emulator)
    _fail_next(fresh_emulator, "SubmitAIJob", "AIMediaDNA.NoLibrary", "no fingerprint library")
    _fail_next(fresh_emulator, "SubmitAIMediaAuditJob", "Audit.Unavailable", "no reviewer")
    [dna_id] = _submit_ai_job(client, video_id, "AIMediaDNA", _callback(receiver.url))
    review_id = _submit_review(client, video_id, _template(client), _callback(receiver.url, ref="r1"))
    _advance(fresh_emulator, JOB_SECONDS)
    events = {event["JobId"]: event for event in receiver.wait_for(2)}
    common = {"MediaId": video_id, "Status": "fail", "Data": ""}
    assert events[dna_id] == {
        **common,
        "EventType": "AIMediaDNAComplete",
        "EventTime": events[dna_id]["EventTime"],
        "JobId": dna_id,
        "Code": "AIMediaDNA.NoLibrary",
        "Message": "no fingerprint library",
        "CompleteTime": events[dna_id]["EventTime"],
    }
    assert events[review_id] == {
        **common,
        "EventType": "AIMediaAuditComplete",
        "EventTime": events[review_id]["EventTime"],
        "JobId": review_id,
        "Code": "Audit.Unavailable",
        "Message": "no reviewer",
        "Extend": {"ref": "r1"},
    }


def test_user_data_without_a_callback_url_is_accepted_and_owes_no_event(
    fresh_emulator: RunningEmulator,
) -> None:
    """An Extend-only UserData is accepted; the job owes no event (its delivery state is null)."""
    client = vod_client(fresh_emulator)
    review_id = _submit_review(client, _video(fresh_emulator), _template(client), '{"Extend": {"a": 1}}')
    _advance(fresh_emulator, JOB_SECONDS)
    shown = _admin(fresh_emulator, "GET", f"/vod/jobs/{review_id}").json()
    assert (shown["Job"]["Status"], shown["Callback"]) == ("success", None)


def test_remote_callback_url_is_delivered_when_allowed(
    emulators: EmulatorFactory, receiver_factory: ReceiverFactory
) -> None:
    """With allow_remote_callbacks a review job's non-loopback CallbackURL is accepted and called."""
    receiver = receiver_factory([204])
    emulator = emulators.start(time_scale=0, allow_remote_callbacks=True)
    client = vod_client(emulator)
    # 0.0.0.0 is not loopback to the URL check, yet on Linux it reaches this machine.
    url = receiver.url.replace("127.0.0.1", "0.0.0.0")
    review_id = _submit_review(client, _video(emulator), _template(client), _callback(url))
    event = receiver.wait_for(1)[0]
    assert (event["EventType"], event["JobId"]) == ("AIMediaAuditComplete", review_id)


def test_a_review_event_is_retried_after_a_restart(
    emulators: EmulatorFactory, tmp_path: Path, receiver_factory: ReceiverFactory
) -> None:
    """A review job's owed event survives a restart: the retry is sent by the new emulator."""
    receiver = receiver_factory([500, 200])
    first = emulators.start(data_dir=tmp_path / "restart")
    client = vod_client(first)
    review_id = _submit_review(client, _video(first), _template(client), _callback(receiver.url))
    _advance(first, JOB_SECONDS)
    receiver.wait_for(1)
    assert _delivery(first, review_id)["last_error"] == "HTTP 500"
    emulators.stop(first)
    second = emulators.start(data_dir=tmp_path / "restart")
    _advance(second, 1)
    retried = receiver.wait_for(2)[1]
    assert _delivery(second, review_id, 2)["delivered"] is True
    assert (retried["EventType"], retried["JobId"], retried["Status"]) == (
        "AIMediaAuditComplete",
        review_id,
        "success",
    )
    events = _admin(second, "GET", f"/vod/jobs/{review_id}").json()["Events"]
    assert [e["Reason"] for e in events][-2:] == ["CallbackFailed", "CallbackDelivered"]


def test_an_owed_event_stored_without_a_job_kind_is_an_image_jobs(
    emulators: EmulatorFactory, tmp_path: Path, receiver_factory: ReceiverFactory
) -> None:
    """Data directories written before other jobs called back hold owed-event entries with no kind:
    they are read as AI image jobs', so their events are still sent."""
    receiver = receiver_factory([204])
    data_dir = tmp_path / "older"
    first = emulators.start(data_dir=data_dir)
    client = vod_client(first)
    template = vod.AddAITemplateRequest(template_name="t", template_type="AIImage", template_config="{}")
    template_id = client.add_aitemplate(template).body.template_id
    request = vod.SubmitAIImageJobRequest(
        video_id=_video(first), aitemplate_id=template_id, user_data=_callback(receiver.url)
    )
    job_id = client.submit_aiimage_job(request).body.job_id
    emulators.stop(first)
    with sqlite3.connect(data_dir / "emulator.sqlite3") as database:
        changed = database.execute(
            "UPDATE entities SET data = '{}' WHERE product = 'vod' AND kind = ? AND id = ?",
            (CALLBACK, job_id),
        ).rowcount
    assert changed == 1
    second = emulators.start(data_dir=data_dir)
    _advance(second, JOB_SECONDS)
    event = receiver.wait_for(1)[0]
    assert (event["EventType"], event["JobId"], event["Status"]) == ("AIImageComplete", job_id, "success")
