"""VOD wire routes for the AI jobs beyond images (tagging, fingerprints, review, usage) and the video
basics (GetVideoInfo, GetVideoInfos, GetVideoList, GetPlayInfo, GetMezzanineInfo)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.routing import Call, Route
from pulumi_alicloud_ai.emulator.store import Entity
from pulumi_alicloud_ai.emulator.vod import errors, media
from pulumi_alicloud_ai.emulator.vod.ai_jobs import (
    IMAGE_AUDIT,
    MEDIA_AUDIT,
    AiJobs,
    ai_job_wire,
    audit_job_wire,
)
from pulumi_alicloud_ai.emulator.vod.library import Library
from pulumi_alicloud_ai.emulator.vod.models import PRODUCT
from pulumi_alicloud_ai.emulator.vod.rules import JOB_REGIONS, TEMPLATE_REGIONS

JOB_ACTIONS = (
    "SubmitAIJob",
    "ListAIJob",
    "GetAIVideoTagResult",
    "SubmitAIMediaAuditJob",
    "GetAIMediaAuditJob",
    "SubmitAIImageAuditJob",
)
LIBRARY_ACTIONS = (
    "DescribeVodAIData",
    "GetVideoInfo",
    "GetVideoInfos",
    "GetVideoList",
    "GetPlayInfo",
    "GetMezzanineInfo",
)
REGIONS: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(JOB_ACTIONS, JOB_REGIONS),
    **dict.fromkeys(LIBRARY_ACTIONS, TEMPLATE_REGIONS),
}
"""AI jobs run where AI image jobs do; the library and usage reads also where templates are kept."""


def _region(call: Call) -> str:
    supported = REGIONS[call.action]
    if call.region not in supported:
        raise errors.region_not_supported(call.action, call.region, supported)
    return call.region


def _jobs(call: Call) -> AiJobs:
    return AiJobs(call.state, _region(call))


def _library(call: Call) -> Library:
    return Library(call.state, _region(call))


def submit_ai_job(call: Call) -> dict[str, Any]:
    """SubmitAIJob → ``AIJobList.AIJob[]`` (one job per type); a bad ``UserData`` makes none."""
    jobs = _jobs(call).submit_ai_jobs(
        call.require("MediaId"),
        call.require("Types"),
        call.json_param("Config"),
        call.param("UserData"),
        call.effect,
    )
    return {
        "AIJobList": {
            "AIJob": [{"JobId": j.id, "MediaId": j.data["video_id"], "Type": j.data["type"]} for j in jobs]
        }
    }


def list_ai_job(call: Call) -> dict[str, Any]:
    """ListAIJob → ``AIJobList.AIJob[]`` and ``NonExistAIJobIds.String[]``."""
    found, missing = _jobs(call).ai_jobs(call.require("JobIds"))
    return {
        "AIJobList": {"AIJob": [ai_job_wire(job) for job in found]},
        "NonExistAIJobIds": {"String": missing},
    }


def get_ai_video_tag_result(call: Call) -> dict[str, Any]:
    """GetAIVideoTagResult → ``VideoTagResult`` of the video's latest finished tagging job."""
    return {"VideoTagResult": _jobs(call).video_tags(call.require("MediaId"))}


def submit_ai_media_audit_job(call: Call) -> dict[str, Any]:
    """SubmitAIMediaAuditJob → ``JobId``, ``MediaId`` (only ``MediaType=video`` is supported); ``UserData``
    as for SubmitAIJob."""
    media_type = call.param("MediaType") or "video"
    if media_type != "video":
        raise invalid_parameter(
            "MediaType", f"MediaType {media_type!r} is not supported; allowed values: video"
        )
    job = _jobs(call).submit_audit(
        call.require("MediaId"), call.param("TemplateId"), MEDIA_AUDIT, call.effect, call.param("UserData")
    )
    return {"JobId": job.id, "MediaId": job.data["video_id"]}


def submit_ai_image_audit_job(call: Call) -> dict[str, Any]:
    """SubmitAIImageAuditJob → ``JobId``; the job reads back through GetAIMediaAuditJob. The SDK gives
    this action no ``UserData``, so its jobs never call back."""
    job = _jobs(call).submit_audit(
        call.require("MediaId"), call.require("TemplateId"), IMAGE_AUDIT, call.effect
    )
    return {"JobId": job.id}


def get_ai_media_audit_job(call: Call) -> dict[str, Any]:
    """GetAIMediaAuditJob → ``MediaAuditJob``."""
    return {"MediaAuditJob": audit_job_wire(_jobs(call).audit_job(call.require("JobId")))}


def describe_vod_ai_data(call: Call) -> dict[str, Any]:
    """DescribeVodAIData → jobs submitted per day, by AIType."""
    items = _jobs(call).usage(
        call.require("StartTime"), call.require("EndTime"), call.param("AIType"), call.param("Region")
    )
    return {"AIData": {"AIDataItem": items}, "DataInterval": "day"}


def get_video_info(call: Call) -> dict[str, Any]:
    """GetVideoInfo → ``Video``."""
    video = _library(call).find(call.param("VideoId"), call.param("ReferenceId"))
    return {"Video": media.video_info(video)}


def get_video_infos(call: Call) -> dict[str, Any]:
    """GetVideoInfos → ``VideoList`` plus the ids not found."""
    found, missing, missing_references = _library(call).videos(
        call.param("VideoIds"), call.param("ReferenceIds")
    )
    return {
        "VideoList": [media.video_infos_item(video) for video in found],
        "NonExistVideoIds": missing,
        "NonExistReferenceIds": missing_references,
    }


def get_video_list(call: Call) -> dict[str, Any]:
    """GetVideoList → ``Total`` and ``VideoList.Video[]``, newest first unless ``SortBy`` says otherwise."""
    try:
        page, size = int(call.param("PageNo") or 1), int(call.param("PageSize") or 10)
    except ValueError:
        raise invalid_parameter("PageNo", "PageNo and PageSize must be whole numbers") from None
    total, videos = _library(call).list_videos(
        statuses=call.param("Status"),
        start=call.param("StartTime"),
        end=call.param("EndTime"),
        sort=call.param("SortBy"),
        page=page,
        size=size,
        cate_id=call.param("CateId"),
        location=call.param("StorageLocation"),
        reference_ids=call.param("ReferenceIds"),
    )
    return {"Total": total, "VideoList": {"Video": [media.video_list_item(video) for video in videos]}}


def _playable(call: Call) -> Entity:
    video = _library(call).find(call.param("VideoId"), call.param("ReferenceId"))
    if video.data.get("corrupt"):
        raise errors.no_stream(video.id)
    return video


def get_play_info(call: Call) -> dict[str, Any]:
    """GetPlayInfo → one ``PlayInfo`` per format asked for (``Formats``, default mp4), and ``VideoBase``."""
    video = _playable(call)
    formats = [part.strip() for part in (call.param("Formats") or "mp4").split(",") if part.strip()]
    if any(name not in media.FORMATS for name in formats):
        raise invalid_parameter("Formats", f"Formats must list values from: {', '.join(media.FORMATS)}")
    definitions = [part.strip() for part in (call.param("Definition") or "OD").split(",") if part.strip()]
    streams = [media.play_info(video, name) for name in formats] if "OD" in definitions else []
    if not streams:
        raise errors.no_stream(video.id)
    return {"PlayInfoList": {"PlayInfo": streams}, "VideoBase": media.video_base(video)}


def get_mezzanine_info(call: Call) -> dict[str, Any]:
    """GetMezzanineInfo → ``Mezzanine``; stream lists only for the ``AdditionType`` values asked for."""
    video = _playable(call)
    output_type = call.param("OutputType") or "cdn"
    if output_type not in ("oss", "cdn"):
        raise invalid_parameter(
            "OutputType", f"OutputType {output_type!r} is not supported; allowed values: oss, cdn"
        )
    additions = {part.strip() for part in (call.param("AdditionType") or "").split(",") if part.strip()}
    if not additions <= {"video", "audio"}:
        raise invalid_parameter("AdditionType", "AdditionType must list values from: video, audio")
    found = media.mezzanine(video, output_type)
    for kind, key in (("video", "VideoStreamList"), ("audio", "AudioStreamList")):
        if kind not in additions:
            found[key] = []
    return {"Mezzanine": found}


ROUTES = [
    Route.rpc(PRODUCT, "SubmitAIJob", submit_ai_job),
    Route.rpc(PRODUCT, "ListAIJob", list_ai_job),
    Route.rpc(PRODUCT, "GetAIVideoTagResult", get_ai_video_tag_result),
    Route.rpc(PRODUCT, "SubmitAIMediaAuditJob", submit_ai_media_audit_job),
    Route.rpc(PRODUCT, "GetAIMediaAuditJob", get_ai_media_audit_job),
    Route.rpc(PRODUCT, "SubmitAIImageAuditJob", submit_ai_image_audit_job),
    Route.rpc(PRODUCT, "DescribeVodAIData", describe_vod_ai_data),
    Route.rpc(PRODUCT, "GetVideoInfo", get_video_info),
    Route.rpc(PRODUCT, "GetVideoInfos", get_video_infos),
    Route.rpc(PRODUCT, "GetVideoList", get_video_list),
    Route.rpc(PRODUCT, "GetPlayInfo", get_play_info),
    Route.rpc(PRODUCT, "GetMezzanineInfo", get_mezzanine_info),
]
