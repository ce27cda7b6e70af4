"""What the two VOD job providers send, read from the emulator's request recording (``record=``): the
parts VOD never shows back. GetAIImageJobs does not return a job's pipeline and GetAIMediaAuditJob no
UserData, so only the calls themselves tell whether those inputs reached VOD."""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from alibabacloud_vod20170321 import models as vod

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_media_audit_job_provider import AIMediaAuditJobProvider
from tests.conftest import EmulatorFactory
from tests.official_sdk import vod_client
from tests.providers.test_vod_resources import _create, _host, _video

AUDIT = {"AuditItem": ["porn"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}
IMAGE_USER_DATA = {"Extend": {"n": 1}}
REVIEW_USER_DATA = {"Extend": {"order": 7}}


@dataclass
class Session:
    """The recorded API calls of one image job's create, refresh and delete, and of two reviews' creates
    (with and without UserData)."""

    calls: list[dict[str, Any]]
    image_ids: list[str]
    refreshed_inputs: dict[str, Any]

    def sent(self, action: str) -> list[dict[str, str]]:
        """The parameters of each call of ``action``, in order (query and form body together)."""
        found = []
        for call in self.calls:
            params = {**call["query"], **dict(call["body"].get("form", []))}
            if action in (params.get("Action"), call["headers"].get("x-acs-action")):
                found.append(params)
        return found


def _template(emulator: RunningEmulator, template_type: str, config: dict[str, Any]) -> str:
    request = vod.AddAITemplateRequest(
        template_name=f"sent-{template_type}", template_type=template_type, template_config=json.dumps(config)
    )
    return str(vod_client(emulator).add_aitemplate(request).body.template_id)


def _record(emulators: EmulatorFactory, tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Both jobs run against a recording emulator, which is then stopped so that the file is complete."""
    record = tmp_path_factory.mktemp("recorded") / "calls.jsonl"
    emulator = emulators.start(time_scale=0, record=record)
    with ExitStack() as cleanup:  # hosts closed, then the emulator stopped
        cleanup.callback(emulators.stop, emulator)
        images = _host(AIImageJobProvider(), emulator, tmp_path_factory)
        cleanup.callback(images.close)
        reviews = _host(AIMediaAuditJobProvider(), emulator, tmp_path_factory)
        cleanup.callback(reviews.close)
        image_inputs = {
            "video_id": _video(emulator),
            "ai_template_id": _template(emulator, "AIImage", {"Count": 3}),
            "user_data": IMAGE_USER_DATA,
            "ai_pipeline_id": "pipeline-1",
            "region": "cn-shanghai",
        }
        image_job_id, outs, inputs = _create(images, "job", image_inputs)
        _, outs, refreshed_inputs = images.read("job", image_job_id, outs, inputs)
        images.delete("job", image_job_id, outs)
        review_inputs = {
            "video_id": _video(emulator),
            "ai_template_id": _template(emulator, "AIMediaAudit", AUDIT),
            "user_data": REVIEW_USER_DATA,
            "region": "cn-shanghai",
        }
        _create(reviews, "review", review_inputs)
        _create(reviews, "review", {**review_inputs, "user_data": None})
    calls = [line for line in map(json.loads, record.read_text().splitlines()) if line["type"] == "api"]
    image_ids = [image["id"] for image in outs["images"]]
    return Session(calls, image_ids, refreshed_inputs)


def test_what_vod_never_shows_back_reaches_it(
    emulators: EmulatorFactory, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One recorded session, checked in one test (mutation testing maps calls made in a shared fixture
    to the module's first test only):

    - SubmitAIImageJob carries the pipeline and the UserData as compact JSON;
    - a refresh keeps the pipeline, which GetAIImageJobs does not return, rather than showing a drift;
    - delete removes the job's images in one DeleteAIImageInfos call (a job has at most ten images, the
      call takes ten ids);
    - a review's UserData reaches SubmitAIMediaAuditJob, and a review without one sends none.
    """
    session = _record(emulators, tmp_path_factory)

    [submitted] = session.sent("SubmitAIImageJob")
    assert submitted["AIPipelineId"] == "pipeline-1"
    assert submitted["UserData"] == '{"Extend":{"n":1}}'  # compact, and 1 stays a whole number
    assert session.refreshed_inputs["ai_pipeline_id"] == "pipeline-1"

    assert len(session.image_ids) == 3
    assert [call["AIImageInfoIds"] for call in session.sent("DeleteAIImageInfos")] == [
        ",".join(session.image_ids)
    ]

    [with_user_data, without] = session.sent("SubmitAIMediaAuditJob")
    assert with_user_data["UserData"] == '{"Extend":{"order":7}}'
    assert "UserData" not in without
    assert (with_user_data["MediaType"], without["MediaType"]) == ("video", "video")
