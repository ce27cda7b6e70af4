"""Entities rendered in VOD's response shapes (PascalCase wire names, ``yyyy-MM-ddTHH:mm:ssZ`` times)."""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.store import Entity
from pulumi_alicloud_ai.emulator.vod.results import RESULT_VERSION
from pulumi_alicloud_ai.emulator.vod.states import FAIL, SUCCESS


def video_wire(video: Entity) -> dict[str, Any]:
    """A video as the admin API shows it."""
    wire = {
        "VideoId": video.id,
        "Title": video.name,
        "Duration": video.data["duration"],
        "Region": video.region,
        "Corrupt": video.data["corrupt"],
        "CreationTime": iso_utc(video.created_at),
    }
    if "reference_id" in video.data:
        wire["ReferenceId"] = video.data["reference_id"]
    return wire


def template_wire(template: Entity) -> dict[str, Any]:
    """``TemplateInfo`` / a ``TemplateInfoList`` item."""
    return {
        "TemplateId": template.id,
        "TemplateName": template.name,
        "TemplateType": template.data["type"],
        "TemplateConfig": template.data["config"],
        "Source": "Custom",
        "IsDefault": "Default" if template.data.get("default") else "NotDefault",
        "CreationTime": iso_utc(template.created_at),
        "ModifyTime": iso_utc(template.updated_at),
    }


def job_wire(job: Entity) -> dict[str, Any]:
    """An ``AIImageJobList`` item: the result once ``success``, Code and Message once ``fail``."""
    wire: dict[str, Any] = {
        "JobId": job.id,
        "VideoId": job.data["video_id"],
        "TemplateId": job.data["template_id"],
        "TemplateConfig": job.data["template_config"],
        "Status": job.status,
        "CreationTime": iso_utc(job.created_at),
    }
    if job.data["user_data"] is not None:
        wire["UserData"] = job.data["user_data"]
    if job.status == SUCCESS:
        wire["AIImageResult"] = job.data["result"]["url"]
    if job.status == FAIL and job.data["failure"]:
        wire["Code"] = job.data["failure"]["code"]
        wire["Message"] = job.data["failure"]["message"]
    return wire


def image_info_wire(info: Entity) -> dict[str, Any]:
    """An ``AIImageInfoList`` item."""
    return {
        "AIImageInfoId": info.id,
        "JobId": info.data["job_id"],
        "VideoId": info.name,
        "FileURL": info.data["file_url"],
        "Format": info.data["format"],
        "Score": info.data["score"],
        "Version": RESULT_VERSION,
        "CreationTime": iso_utc(info.created_at),
    }
