"""VOD's other AI jobs: tagging and fingerprints (SubmitAIJob), media and image review, and the usage
they add up to (DescribeVodAIData). One region's view, like :class:`models.Vod`.

A job's findings are fixed at submit time (``analysis.py``) and shown once it reads back ``success``.
It fails like an AI image job: an ``effect: fail`` fault rule on its submit, or a corrupt video.
SubmitAIJob and SubmitAIMediaAuditJob check ``UserData`` as SubmitAIImageJob does (``userdata.py``)
and keep it; a ``MessageCallback.CallbackURL`` in it gets the job's completion event
(``callbacks.py``). SubmitAIImageAuditJob takes no UserData.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter
from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY
from pulumi_alicloud_ai.emulator.store import Entity, Index, data_key
from pulumi_alicloud_ai.emulator.vod import analysis, media
from pulumi_alicloud_ai.emulator.vod.models import PRODUCT, Vod
from pulumi_alicloud_ai.emulator.vod.rules import AI_MEDIA_AUDIT, split_ids
from pulumi_alicloud_ai.emulator.vod.states import AI_AUDIT_JOB, AI_JOB, FINAL, SUCCESS

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.faults import FaultRule

AI_JOB_TYPES = ("AIMediaDNA", "AIVideoTag")
MEDIA_AUDIT, IMAGE_AUDIT = "AIMediaAudit", "AIImageAudit"
USAGE_TYPES = {
    "AIVideoCensor": (AI_AUDIT_JOB, MEDIA_AUDIT),
    "AIVideoFPShot": (AI_JOB, "AIMediaDNA"),
    "AIVideoTag": (AI_JOB, "AIVideoTag"),
}
"""DescribeVodAIData's AIType values and the jobs each counts."""
MAX_USAGE_DAYS = 31
JOB_TYPE = data_key("type")
USAGE_INDEXES = {
    lifecycle.kind: Index(
        f"vod_{lifecycle.kind}s_by_type_time", PRODUCT, lifecycle.kind, ("region", JOB_TYPE, "created_at")
    )
    for lifecycle in (AI_JOB, AI_AUDIT_JOB)
}
TAG_JOBS_BY_VIDEO = Index(
    "vod_aijobs_by_video", PRODUCT, AI_JOB.kind, ("region", "name", JOB_TYPE, "created_at", "id")
)
"""A job's name is its media id: the latest tagging job of a video is one index probe."""


class AiJobs(Vod):
    """One region's tagging, fingerprint and review jobs."""

    def _job_data(self, video: Entity, kind: str, effect: FaultRule | None, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"video_id": video.id, "type": kind, "failure": None, **fields}
        failure = self._failure(video, effect)
        if failure is not None:
            failure["code"] = failure["code"].replace("AIImage.", f"{kind}.")
            data["failure"] = failure
            data[FAULT_KEY] = {"reason": "JobFailed", "message": f"{failure['code']}: {failure['message']}"}
        return data

    def submit_ai_jobs(
        self, media_id: str, types: str, config: Any, user_data: str | None, effect: FaultRule | None
    ) -> list[Entity]:
        """One job per type asked for (``AIVideoTag``, ``AIMediaDNA``)."""
        video = self.video(media_id)
        wanted = list(dict.fromkeys(t.strip() for t in types.split(",") if t.strip()))
        unknown = [t for t in wanted if t not in AI_JOB_TYPES]
        if not wanted or unknown:
            raise invalid_parameter("Types", f"Types must list job types from: {', '.join(AI_JOB_TYPES)}")
        settings = _json_object(config)
        parsed = self.user_data(user_data)
        jobs = []
        for kind in wanted:
            storage = media.storage_location(self.region)
            found = (
                analysis.video_tags(video.id, video.data["duration"], storage)
                if kind == "AIVideoTag"
                else analysis.media_dna(video.id)
            )
            data = self._job_data(video, kind, effect, config=settings, user_data=user_data, result=found)
            jobs.append(self.create_job(AI_JOB, video, data, parsed))
        return jobs

    def ai_jobs(self, job_ids: str) -> tuple[list[Entity], list[str]]:
        """The jobs asked for, in order, and the ids not found."""
        found, missing = [], []
        for job_id in split_ids("JobIds", job_ids):
            job = self.load_job(job_id, AI_JOB)
            if job is not None:
                found.append(job)
            else:
                missing.append(job_id)
        return found, missing

    def video_tags(self, media_id: str) -> dict[str, Any]:
        """The tags of the video's latest successful AIVideoTag job."""
        video = self.video(media_id)
        jobs = self.store.select(
            TAG_JOBS_BY_VIDEO,
            {"region": self.region, "name": video.id, JOB_TYPE: "AIVideoTag"},
            order="created_at DESC, id DESC",
        )
        for stored in jobs:
            job = self.state.lifecycles.load(AI_JOB, stored)
            if job is not None and job.status == SUCCESS:
                result: dict[str, Any] = job.data["result"]
                return result
        raise ApiError(
            "InvalidAIJob.NotFound",
            f"The video {video.id!r} has no finished AIVideoTag job; submit one with SubmitAIJob first.",
            404,
        )

    def submit_audit(
        self,
        media_id: str,
        template_id: str | None,
        kind: str,
        effect: FaultRule | None,
        user_data: str | None = None,
    ) -> Entity:
        """A review job on a video with an AIMediaAudit template (the default one when none is given)."""
        video = self.video(media_id)
        template = self.template(template_id) if template_id else self.default_template(AI_MEDIA_AUDIT)
        if template.data["type"] != AI_MEDIA_AUDIT:
            raise invalid_parameter(
                "TemplateId",
                f"The AI template {template.id!r} is an {template.data['type']} template; review jobs need an {AI_MEDIA_AUDIT} template.",
            )
        parsed = self.user_data(user_data)
        config = analysis.config_object(template.data["config"])
        found = analysis.media_audit(video.id, video.name, config, media.cover_url(video))
        data = self._job_data(video, kind, effect, template_id=template.id, user_data=user_data, result=found)
        return self.create_job(AI_AUDIT_JOB, video, data, parsed)

    def audit_job(self, job_id: str) -> Entity:
        """A review job, or ``InvalidAIJob.NotFound``."""
        job = self.load_job(job_id, AI_AUDIT_JOB)
        if job is None:
            raise ApiError(
                "InvalidAIJob.NotFound", f"No review job has id {job_id!r} in region {self.region}.", 404
            )
        return job

    def usage(self, start: str, end: str, types: str | None, regions: str | None) -> list[dict[str, Any]]:
        """Jobs submitted per UTC day in ``[start, end)``, by AIType, over the regions asked for."""
        first, last = _time(start, "StartTime"), _time(end, "EndTime")
        if last <= first:
            raise invalid_parameter("EndTime", "EndTime must be later than StartTime")
        if last - first > timedelta(days=MAX_USAGE_DAYS):
            raise invalid_parameter("EndTime", f"the range may span at most {MAX_USAGE_DAYS} days")
        names = _choices(types, tuple(USAGE_TYPES), "AIType")
        places = [r.strip() for r in (regions or self.region).split(",") if r.strip()]
        day, items = first.replace(hour=0, minute=0, second=0), []
        while day < last:
            low, high = max(day, first).timestamp(), min(day + timedelta(days=1), last).timestamp()
            values = []
            for name in names:
                lifecycle, kind = USAGE_TYPES[name]
                count = sum(
                    self.store.count(
                        USAGE_INDEXES[lifecycle.kind],
                        {"region": place, JOB_TYPE: kind},
                        extra="created_at >= ? AND created_at < ?",
                        params=(low, high),
                    )
                    for place in places
                )
                values.append({"Name": name, "Value": str(count)})
            items.append({"TimeStamp": iso_utc(day.timestamp()), "Data": {"DataItem": values}})
            day += timedelta(days=1)
        return items


def _json_object(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_parameter("Config", "Config must be a JSON object")
    return value


def _time(text: str, field: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise invalid_parameter(field, f"{field} must be a UTC time like 2026-01-31T00:00:00Z") from None


def _choices(text: str | None, allowed: tuple[str, ...], field: str) -> list[str]:
    if text is None:
        return list(allowed)
    wanted = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not wanted or any(name not in allowed for name in wanted):
        raise invalid_parameter(field, f"{field} must list values from: {', '.join(allowed)}")
    return wanted


def ai_job_wire(job: Entity) -> dict[str, Any]:
    """A ListAIJob ``AIJob``: ``Data`` (JSON text) once ``success``, Code and Message once ``fail``."""
    failure = job.data["failure"] or {}
    final = job.status in FINAL
    return {
        "JobId": job.id,
        "MediaId": job.data["video_id"],
        "Type": job.data["type"],
        "Status": job.status,
        "Code": failure.get("code", "") if final else "",
        "Message": failure.get("message", "") if final else "",
        "Data": json.dumps(job.data["result"], separators=(",", ":")) if job.status == SUCCESS else "",
        "CreationTime": iso_utc(job.created_at),
        "CompleteTime": iso_utc(job.status_since) if final else "",
    }


def audit_job_wire(job: Entity) -> dict[str, Any]:
    """GetAIMediaAuditJob's ``MediaAuditJob``; ``Data`` holds the findings once ``success``."""
    wire = ai_job_wire(job)
    wire["Data"] = job.data["result"] if job.status == SUCCESS else {}
    return wire
