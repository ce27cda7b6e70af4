"""The official VOD SDK walks every AI operation and video basic its client declares against the emulator.

The operation list comes from ``alibabacloud_vod20170321/client.py`` (every action with the word
``AI`` in its name, plus the video basics the jobs work on), so an operation the SDK gains and the
emulator lacks fails here. Each call must succeed; the operations added for the whole AI surface must
also fill every field of their response model. Time scale 0: jobs finish at the next read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.official_sdk import vod_client
from tests.sdk_surface import VIDEO_BASICS, missing_fields, vod_ai_operations

VIDEO, REFERENCE = "walkvideo0001", "walk-reference-1"
AUDIT_CONFIG = {
    "AuditItem": ["porn", "terrorism"],
    "AuditRange": ["video", "image-cover", "text-title"],
    "AuditContent": ["screen"],
    "AuditAutoBlock": "no",
}
PARTLY_SHAPED = {"GetAIImageJobs"}
"""Answers that leave out fields by design (docs/vod.md): a job's Code and Message only when it failed,
its UserData only when one was sent. They must still succeed."""

Context = dict[str, str]
Step = tuple[str, Callable[[Any, Context], Any], Callable[[Any, Context], None] | None]


def _keep(key: str, read: Callable[[Any], str]) -> Callable[[Any, Context], None]:
    def keep(body: Any, context: Context) -> None:
        context[key] = read(body)

    return keep


def _walk() -> list[Step]:
    return [
        (
            "AddAITemplate",
            lambda m, c: m.AddAITemplateRequest(
                template_name="images", template_type="AIImage", template_config='{"Count": 2}'
            ),
            _keep("image_template", lambda b: b.template_id),
        ),
        (
            "AddAITemplate",
            lambda m, c: m.AddAITemplateRequest(
                template_name="audit", template_type="AIMediaAudit", template_config=json.dumps(AUDIT_CONFIG)
            ),
            _keep("audit_template", lambda b: b.template_id),
        ),
        ("GetAITemplate", lambda m, c: m.GetAITemplateRequest(template_id=c["audit_template"]), None),
        (
            "UpdateAITemplate",
            lambda m, c: m.UpdateAITemplateRequest(
                template_id=c["audit_template"],
                template_name="audit2",
                template_config=json.dumps(AUDIT_CONFIG),
            ),
            None,
        ),
        ("ListAITemplate", lambda m, c: m.ListAITemplateRequest(template_type="AIMediaAudit"), None),
        (
            "SetDefaultAITemplate",
            lambda m, c: m.SetDefaultAITemplateRequest(template_id=c["audit_template"]),
            None,
        ),
        (
            "GetDefaultAITemplate",
            lambda m, c: m.GetDefaultAITemplateRequest(template_type="AIMediaAudit"),
            None,
        ),
        (
            "SubmitAIImageJob",
            lambda m, c: m.SubmitAIImageJobRequest(video_id=VIDEO, aitemplate_id=c["image_template"]),
            _keep("image_job", lambda b: b.job_id),
        ),
        (
            "SubmitAIJob",
            lambda m, c: m.SubmitAIJobRequest(media_id=VIDEO, types="AIVideoTag,AIMediaDNA"),
            _keep("ai_jobs", lambda b: ",".join(job.job_id for job in b.aijob_list.aijob)),
        ),
        (
            "SubmitAIMediaAuditJob",
            lambda m, c: m.SubmitAIMediaAuditJobRequest(media_id=VIDEO, media_type="video"),
            _keep("audit_job", lambda b: b.job_id),
        ),
        (
            "SubmitAIImageAuditJob",
            lambda m, c: m.SubmitAIImageAuditJobRequest(media_id=VIDEO, template_id=c["audit_template"]),
            None,
        ),
        ("GetAIImageJobs", lambda m, c: m.GetAIImageJobsRequest(job_ids=c["image_job"]), None),
        (
            "ListAIImageInfo",
            lambda m, c: m.ListAIImageInfoRequest(video_id=VIDEO),
            _keep("image_info", lambda b: b.aiimage_info_list[0].aiimage_info_id),
        ),
        (
            "DeleteAIImageInfos",
            lambda m, c: m.DeleteAIImageInfosRequest(aiimage_info_ids=c["image_info"]),
            None,
        ),
        ("ListAIJob", lambda m, c: m.ListAIJobRequest(job_ids=c["ai_jobs"]), None),
        ("GetAIVideoTagResult", lambda m, c: m.GetAIVideoTagResultRequest(media_id=VIDEO), None),
        ("GetAIMediaAuditJob", lambda m, c: m.GetAIMediaAuditJobRequest(job_id=c["audit_job"]), None),
        (
            "DescribeVodAIData",
            lambda m, c: m.DescribeVodAIDataRequest(start_time=c["today"], end_time=c["tomorrow"]),
            None,
        ),
        ("GetVideoInfo", lambda m, c: m.GetVideoInfoRequest(video_id=VIDEO), None),
        (
            "GetVideoInfos",
            lambda m, c: m.GetVideoInfosRequest(video_ids=f"{VIDEO},nosuchvideo", reference_ids="nosuchref"),
            None,
        ),
        ("GetVideoList", lambda m, c: m.GetVideoListRequest(page_no=1, page_size=10), None),
        ("GetPlayInfo", lambda m, c: m.GetPlayInfoRequest(video_id=VIDEO, formats="mp4,m3u8"), None),
        (
            "GetMezzanineInfo",
            lambda m, c: m.GetMezzanineInfoRequest(video_id=VIDEO, addition_type="video,audio"),
            None,
        ),
        ("DeleteAITemplate", lambda m, c: m.DeleteAITemplateRequest(template_id=c["image_template"]), None),
    ]


@pytest.fixture
def instant_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator whose jobs finish at the next read, with one registered video."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0)) as running:
        video = {"Title": "walk", "Duration": 30, "VideoId": VIDEO, "ReferenceId": REFERENCE}
        httpx.post(f"{running.url}/_emulator/vod/videos", json=video).raise_for_status()
        yield running


def test_the_walk_covers_every_ai_operation_of_the_sdk() -> None:
    """The walk names exactly the AI operations and video basics the SDK client declares."""
    assert {action for action, _, _ in _walk()} == set(vod_ai_operations())
    assert set(VIDEO_BASICS) <= set(vod_ai_operations())


def test_every_sdk_ai_operation_answers(instant_emulator: RunningEmulator) -> None:
    """Each operation succeeds (none is InvalidAction.NotFound) and the new ones fill their models."""
    from alibabacloud_vod20170321 import models

    client, operations = vod_client(instant_emulator), vod_ai_operations()
    now = httpx.get(f"{instant_emulator.url}/_emulator/clock").json()["now"]
    context: Context = {
        "today": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now)),
        "tomorrow": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now + 86_400)),
    }
    failed: dict[str, str] = {}
    incomplete: dict[str, list[str]] = {}
    for action, build, keep in _walk():
        method = getattr(client, operations[action][0])
        try:
            body = method(build(models, context)).body
        except TeaException as error:
            failed[action] = f"{error.code}: {error.message}"
            continue
        if keep is not None:
            keep(body, context)
        if action not in PARTLY_SHAPED and (missing := missing_fields(body)):
            incomplete[action] = missing
    assert failed == {}
    assert incomplete == {}
