"""VOD's tagging, fingerprint and review jobs, their usage figures, and the video basics, through the
official SDK against the emulator's clock."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import Admin
from tests.official_sdk import vod_client


def _models() -> Any:
    from alibabacloud_vod20170321 import models

    return models


def _video(admin: Admin, video_id: str, **extra: Any) -> str:
    return str(
        admin.post(
            "/vod/videos", {"Title": f"title {video_id}", "Duration": 40, "VideoId": video_id, **extra}
        )["VideoId"]
    )


def _audit_template(client: Any, config: dict[str, Any]) -> str:
    full = {"AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no", **config}
    request = _models().AddAITemplateRequest(
        template_name="audit", template_type="AIMediaAudit", template_config=json.dumps(full)
    )
    return str(client.add_aitemplate(request).body.template_id)


def _error(call: Any) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def test_ai_jobs_run_on_the_clock_and_tags_appear_when_done(
    fresh_emulator: RunningEmulator, admin: Admin
) -> None:
    """SubmitAIJob makes one job per type; they finish after 12 s and only then give tags."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "tagvideo01")
    jobs = client.submit_aijob(
        m.SubmitAIJobRequest(media_id="tagvideo01", types="AIVideoTag,AIMediaDNA")
    ).body
    ids = [job.job_id for job in jobs.aijob_list.aijob]
    assert [job.type for job in jobs.aijob_list.aijob] == ["AIVideoTag", "AIMediaDNA"]
    listed = client.list_aijob(m.ListAIJobRequest(job_ids=",".join([*ids, "nope"]))).body
    assert [job.status for job in listed.aijob_list.aijob] == ["submitted", "submitted"]
    assert listed.non_exist_aijob_ids.string == ["nope"]
    tags = m.GetAIVideoTagResultRequest(media_id="tagvideo01")
    assert _error(lambda: client.get_aivideo_tag_result(tags)).code == "InvalidAIJob.NotFound"
    admin.post("/clock", {"seconds": 12})
    listed = client.list_aijob(m.ListAIJobRequest(job_ids=",".join(ids))).body
    assert [job.status for job in listed.aijob_list.aijob] == ["success", "success"]
    found = client.get_aivideo_tag_result(tags).body.video_tag_result
    data = json.loads(listed.aijob_list.aijob[0].data)
    assert [c.tag for c in found.category] == [c["Tag"] for c in data["Category"]]
    assert all(0 <= int(t) < 40_000 for k in found.keyword for t in k.times)


def test_corrupt_video_fails_its_jobs(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """A job on a corrupt video ends fail with the decode error as Code."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "badvideo01", Corrupt=True)
    job = client.submit_aijob(
        m.SubmitAIJobRequest(media_id="badvideo01", types="AIMediaDNA")
    ).body.aijob_list.aijob[0]
    admin.post("/clock", {"seconds": 12})
    listed = client.list_aijob(m.ListAIJobRequest(job_ids=job.job_id)).body.aijob_list.aijob[0]
    assert (listed.status, listed.code, listed.data) == ("fail", "InvalidVideo.DecodeFailed", "")
    assert listed.complete_time != ""


def test_review_follows_the_template_and_is_the_same_every_time(
    fresh_emulator: RunningEmulator, admin: Admin
) -> None:
    """A review audits only the template's items and ranges; the same video gives the same verdict."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "auditvideo")
    narrow = _audit_template(client, {"AuditItem": ["terrorism"], "AuditRange": ["video"]})
    wide = _audit_template(
        client, {"AuditItem": ["porn", "terrorism"], "AuditRange": ["video", "text-title"]}
    )
    jobs = [
        client.submit_aimedia_audit_job(
            m.SubmitAIMediaAuditJobRequest(media_id="auditvideo", template_id=t)
        ).body.job_id
        for t in (narrow, wide, wide)
    ]
    running = client.get_aimedia_audit_job(m.GetAIMediaAuditJobRequest(job_id=jobs[0])).body.media_audit_job
    assert (running.status, running.complete_time) == ("submitted", "")
    admin.post("/clock", {"seconds": 12})
    found = [
        client.get_aimedia_audit_job(m.GetAIMediaAuditJobRequest(job_id=j)).body.media_audit_job for j in jobs
    ]
    assert {f.status for f in found} == {"success"}
    first, second, third = (f.data for f in found)
    assert (
        first.video_result.porn_result.suggestion == "pass"
        and first.video_result.porn_result.max_score == "0.00"
    )
    assert first.text_result == [] and [t.content for t in second.text_result] == ["title auditvideo"]
    assert second.video_result.terrorism_result.max_score == first.video_result.terrorism_result.max_score
    assert first.video_result.ad_result.suggestion == "pass"  # never audited: not an AuditItem value
    assert second.to_map() == third.to_map()


def test_review_without_a_template_needs_a_default(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """SubmitAIMediaAuditJob without TemplateId uses the default AIMediaAudit template, or is a 404."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "defaultvid")
    request = m.SubmitAIMediaAuditJobRequest(media_id="defaultvid")
    assert _error(lambda: client.submit_aimedia_audit_job(request)).code == "InvalidAITemplate.NotFound"
    template = _audit_template(client, {"AuditItem": ["porn"]})
    client.set_default_aitemplate(m.SetDefaultAITemplateRequest(template_id=template))
    assert client.submit_aimedia_audit_job(request).body.media_id == "defaultvid"


def test_usage_counts_jobs_per_day_and_type(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """DescribeVodAIData counts the jobs submitted in each day of the range, by AIType."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "usagevideo")
    client.submit_aijob(m.SubmitAIJobRequest(media_id="usagevideo", types="AIVideoTag"))
    client.submit_aijob(m.SubmitAIJobRequest(media_id="usagevideo", types="AIVideoTag,AIMediaDNA"))
    now = admin.get("/clock")["now"]
    day = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now))
    two_days = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now + 2 * 86_400))
    request = m.DescribeVodAIDataRequest(start_time=day, end_time=two_days, aitype="AIVideoTag,AIVideoFPShot")
    items = client.describe_vod_aidata(request).body.aidata.aidata_item
    assert [[(d.name, d.value) for d in item.data.data_item] for item in items] == [
        [("AIVideoTag", "2"), ("AIVideoFPShot", "1")],
        [("AIVideoTag", "0"), ("AIVideoFPShot", "0")],
    ]
    bad = m.DescribeVodAIDataRequest(start_time=two_days, end_time=day)
    assert _error(lambda: client.describe_vod_aidata(bad)).code == "InvalidParameter.EndTime"


def test_video_basics_read_registered_videos(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """GetVideoInfo(s) find by id or ReferenceId; GetVideoList pages and sorts by creation time."""
    m, client = _models(), vod_client(fresh_emulator)
    for index in range(3):
        _video(admin, f"libvideo{index}", ReferenceId=f"reference-{index}")
        admin.post("/clock", {"seconds": 5})
    by_reference = client.get_video_info(m.GetVideoInfoRequest(reference_id="reference-1")).body.video
    assert (by_reference.video_id, by_reference.duration, by_reference.size) == ("libvideo1", 40.0, 5_000_000)
    infos = client.get_video_infos(
        m.GetVideoInfosRequest(video_ids="libvideo0,ghost", reference_ids="reference-2,nope")
    ).body
    assert [v.video_id for v in infos.video_list] == ["libvideo0", "libvideo2"]
    assert (infos.non_exist_video_ids, infos.non_exist_reference_ids) == (["ghost"], ["nope"])
    newest = client.get_video_list(m.GetVideoListRequest(page_size=2)).body
    assert newest.total == 3 and [v.video_id for v in newest.video_list.video] == ["libvideo2", "libvideo1"]
    oldest = client.get_video_list(
        m.GetVideoListRequest(page_size=2, page_no=2, sort_by="CreationTime:Asc")
    ).body
    assert [v.video_id for v in oldest.video_list.video] == ["libvideo2"]
    blocked = client.get_video_list(m.GetVideoListRequest(status="Blocked")).body
    assert (blocked.total, blocked.video_list.video) == (0, [])


def test_play_and_mezzanine_info(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """GetPlayInfo gives one stream per format; a corrupt video has none; mezzanine streams on request."""
    m, client = _models(), vod_client(fresh_emulator)
    _video(admin, "playvideo1")
    _video(admin, "playbroken", Corrupt=True)
    played = client.get_play_info(m.GetPlayInfoRequest(video_id="playvideo1", formats="m3u8,mp4")).body
    assert [p.format for p in played.play_info_list.play_info] == ["m3u8", "mp4"]
    assert played.video_base.duration == "40.000"
    broken = m.GetPlayInfoRequest(video_id="playbroken")
    assert _error(lambda: client.get_play_info(broken)).code == "InvalidVideo.NoneStream"
    plain = client.get_mezzanine_info(m.GetMezzanineInfoRequest(video_id="playvideo1")).body.mezzanine
    assert (plain.video_stream_list, plain.audio_stream_list) == ([], [])
    audio = client.get_mezzanine_info(m.GetMezzanineInfoRequest(video_id="playvideo1", addition_type="audio"))
    assert [s.codec_name for s in audio.body.mezzanine.audio_stream_list] == ["aac"]
