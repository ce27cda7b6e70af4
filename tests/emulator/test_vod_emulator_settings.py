"""Emulator settings the VOD service honours: remote completion callbacks, and a fault rule's failure code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.callback_receiver import Receiver, ReceiverFactory
from tests.conftest import EmulatorFactory
from tests.official_sdk import vod_client


def _video(emulator: RunningEmulator) -> str:
    response = httpx.post(f"{emulator.url}/_emulator/vod/videos", json={"Title": "clip", "Duration": 30})
    response.raise_for_status()
    video_id: str = response.json()["VideoId"]
    return video_id


def _submit(emulator: RunningEmulator, user_data: str | None = None) -> str:
    client = vod_client(emulator)
    template = vod.AddAITemplateRequest(template_name="t", template_type="AIImage", template_config="{}")
    template_id = client.add_aitemplate(template).body.template_id
    request = vod.SubmitAIImageJobRequest(
        video_id=_video(emulator), aitemplate_id=template_id, user_data=user_data
    )
    job_id: str = client.submit_aiimage_job(request).body.job_id
    return job_id


def _job(emulator: RunningEmulator, job_id: str) -> Any:
    request = vod.GetAIImageJobsRequest(job_ids=job_id)
    return vod_client(emulator).get_aiimage_jobs(request).body.aiimage_job_list[0]


@pytest.fixture
def receiver(receiver_factory: ReceiverFactory) -> Receiver:
    """A completion-event receiver on 127.0.0.1 that answers 204."""
    return receiver_factory([204])


def _non_loopback_url(receiver: Receiver) -> str:
    # 0.0.0.0 is not a loopback address to the URL check, yet on Linux a connection to it reaches this
    # machine: a "remote" URL the test can serve without leaving the host.
    return receiver.url.replace("127.0.0.1", "0.0.0.0")


def test_remote_callback_url_is_refused_by_default(
    fresh_emulator: RunningEmulator, receiver: Receiver
) -> None:
    """Without allow_remote_callbacks a non-loopback CallbackURL is InvalidParameter.UserData naming the flag."""
    user_data = json.dumps({"MessageCallback": {"CallbackURL": _non_loopback_url(receiver)}})
    with pytest.raises(TeaException) as info:
        _submit(fresh_emulator, user_data)
    assert info.value.code == "InvalidParameter.UserData"
    assert "--allow-remote-callbacks" in info.value.message


def test_allow_remote_callbacks_accepts_and_delivers(emulators: EmulatorFactory, receiver: Receiver) -> None:
    """With allow_remote_callbacks a non-loopback CallbackURL is accepted and the completion event is POSTed."""
    emulator = emulators.start(time_scale=0, allow_remote_callbacks=True)
    url = _non_loopback_url(receiver)
    job_id = _submit(emulator, json.dumps({"MessageCallback": {"CallbackURL": url}}))
    assert _job(emulator, job_id).status == "success"  # time scale 0: final at this read
    event = receiver.wait_for(1)[0]
    assert (event["JobId"], event["Status"]) == (job_id, "success")


def test_fault_rule_code_becomes_the_job_failure_code(fresh_emulator: RunningEmulator) -> None:
    """An effect: fail rule with a code makes the failed job report that code and the rule's message."""
    rule = {
        "product": "vod",
        "action": "SubmitAIImageJob",
        "effect": "fail",
        "code": "AIImage.ModelUnavailable",
        "message": "no model in this region",
    }
    httpx.post(f"{fresh_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    job_id = _submit(fresh_emulator)
    httpx.post(f"{fresh_emulator.url}/_emulator/clock", json={"seconds": 12}).raise_for_status()
    job = _job(fresh_emulator, job_id)
    assert (job.status, job.code, job.message) == (
        "fail",
        "AIImage.ModelUnavailable",
        "no model in this region",
    )
