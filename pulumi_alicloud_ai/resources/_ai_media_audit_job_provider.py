"""The dynamic provider behind ``AIMediaAuditJob``: one VOD review (content moderation) job on one
video, on the lifecycle core.

Resource id: the ``JobId``. A job cannot be edited, so every API input (video, template, UserData,
region) replaces it. ``create`` submits SubmitAIMediaAuditJob and, unless ``wait_for_final`` is off,
polls GetAIMediaAuditJob until ``success`` (the findings become outputs) or ``fail`` (an error with the
job's Code and Message). ``delete`` only forgets the job: VOD has no API that deletes review jobs.

Like SubmitAIImageJob, SubmitAIMediaAuditJob has no ClientToken and review jobs cannot be listed by
video, so a job whose id was lost is named in the error rather than adopted by guesswork.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.vod import MediaAuditJob, VodClient
from pulumi_alicloud_ai.resources._inputs import AdoptableInputs, compact_json
from pulumi_alicloud_ai.resources._lifecycle import Lifecycle
from pulumi_alicloud_ai.resources._provider import DiffTable
from pulumi_alicloud_ai.resources._vod_job import JOB_REGIONS, JobHooks, parse_user_data

TABLE = DiffTable(
    {
        "video_id": "replace",
        "ai_template_id": "replace",
        "user_data": "replace",
        "region": "replace",
        "adopt_id": "replace",
    }
)


class AIMediaAuditJobInputs(AdoptableInputs):
    """The provider's view of the inputs; the same UserData rules as an AI image job."""

    TIMEOUTS: ClassVar[dict[str, float]] = {"create": 1800.0}
    REGIONS: ClassVar[tuple[str, ...] | None] = JOB_REGIONS
    OFFERS: ClassVar[str] = "VOD review jobs"
    BEHAVIOUR: ClassVar[tuple[str, ...]] = (
        "wait_for_final",
        "timeouts",
        "connection",
        "settings",
        "adopt_id",
    )
    WAIT_FLAG: ClassVar[str | None] = "wait_for_final"

    video_id: str = Field(min_length=1)
    ai_template_id: str | None = Field(None, min_length=1)
    user_data: dict[str, Any] | None = None
    wait_for_final: bool = True

    @field_validator("user_data", mode="before")
    @classmethod
    def _user_data(cls, value: Any) -> Any:
        return parse_user_data(value)


def findings(job: MediaAuditJob) -> dict[str, Any]:
    """The review's results as outputs (empty lists and None until the job succeeded)."""
    data = job.data if job.succeeded else {}
    modules = data.get("AbnormalModules") or ""
    return {
        "suggestion": data.get("Suggestion"),
        "label": data.get("Label"),
        "abnormal_modules": [module for module in str(modules).split(",") if module],
        "video_result": data.get("VideoResult"),
        "image_results": list(data.get("ImageResult") or []),
        "text_results": list(data.get("TextResult") or []),
        "audio_results": list(data.get("AudioResult") or []),
    }


class AIMediaAuditJobProvider(JobHooks, Lifecycle[AIMediaAuditJobInputs, VodClient, MediaAuditJob]):
    """Submit and read a VOD review job. Holds no state: safe to pickle."""

    inputs = AIMediaAuditJobInputs
    table = TABLE
    adopt_checks = ("video_id",)
    """GetAIMediaAuditJob returns the video only: template and UserData are taken as declared."""
    product = VOD
    client = VodClient
    noun = "VOD review job"
    unfindable = (
        "SubmitAIMediaAuditJob has no ClientToken and review jobs cannot be listed, so a job on video "
        "{video_id} may exist; running `pulumi up` again submits another job, or import a job by its "
        "JobId with ResourceOptions(import_=<JobId>)"
    )
    forgets = True
    removed = "The job record stays in VOD: the API cannot delete review jobs."

    def submit(self, api: VodClient, inputs: AIMediaAuditJobInputs) -> str:
        """SubmitAIMediaAuditJob (MediaType ``video``)."""
        user_data = compact_json(inputs.user_data) if inputs.user_data is not None else None
        return api.submit_ai_media_audit_job(
            inputs.video_id, inputs.ai_template_id, user_data=user_data
        ).job_id

    def fetch(self, api: VodClient, id_: str, region: str) -> MediaAuditJob | None:
        """GetAIMediaAuditJob (NotFound for an unknown id)."""
        return api.get_ai_media_audit_job(id_)

    def live_inputs(
        self, api: VodClient, id_: str, region: str, live: MediaAuditJob, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """The video from GetAIMediaAuditJob; template and UserData as recorded (not returned)."""
        rebuilt = {
            "video_id": live.media_id or recorded.get("video_id"),
            "ai_template_id": recorded.get("ai_template_id"),
            "user_data": recorded.get("user_data"),
            "region": region,
        }
        return {key: value for key, value in rebuilt.items() if value is not None}

    def outputs(
        self, api: VodClient, id_: str, region: str, live: MediaAuditJob, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """Status, the verdict and every finding, the error of a failed job, and its times."""
        return {
            "job_id": live.job_id,
            "status": live.status,
            **findings(live),
            "error_code": live.code or None,
            "error_message": live.message or None,
            "creation_time": live.creation_time,
            "complete_time": live.complete_time or None,
        }

    def remove(self, api: VodClient, id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        """Nothing to call: delete forgets the job (``forgets``)."""
