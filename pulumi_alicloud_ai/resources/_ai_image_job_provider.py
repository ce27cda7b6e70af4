"""The dynamic provider behind ``AIImageJob``: one VOD smart-thumbnail job on one video, on the
lifecycle core.

Resource id: the ``JobId``. A job cannot be edited, so every API input (video, template, UserData,
pipeline, region) replaces it; ``wait_for_final``, ``timeouts`` and ``connection`` change nothing.

* ``create`` submits the job and, unless ``wait_for_final`` is off, polls GetAIImageJobs until it is
  ``success`` (outputs: status, images) or ``fail`` (an error carrying the job's Code and Message).
* ``read`` refreshes from GetAIImageJobs, and the images from ListAIImageInfo (this job's records of
  the video); a job id VOD no longer returns means the resource is gone.
* ``delete`` removes the job's AIImageInfo records with DeleteAIImageInfos (ten per call), after waiting
  for a running job to finish so that no images appear afterwards. It leaves the job record: VOD has no
  API that deletes AI image jobs, so GetAIImageJobs keeps returning it.

SubmitAIImageJob has no ClientToken and jobs cannot be listed (GetAIImageJobs needs ids), so a job whose
id was lost cannot be found safely and is never adopted by guesswork: a create interrupted after the
submit may leave a duplicate job (its images are its own, listed with its JobId by ListAIImageInfo).
Errors that leave a job behind name it, or say how to find it; the way to take such a job over is
``adopt_id="<JobId>"``: create reads the job with GetAIImageJobs instead of submitting one, and refuses,
naming each field, unless its video, template and UserData match the inputs (the pipeline is not
returned, so it is taken as declared). Changing ``adopt_id`` replaces the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.errors import NotFoundError
from pulumi_alicloud_ai.client.models import decode_json
from pulumi_alicloud_ai.client.vod import AIImageInfo, AIImageJob, VodClient
from pulumi_alicloud_ai.resources._inputs import AdoptableInputs, compact_json
from pulumi_alicloud_ai.resources._lifecycle import IMPORT_NOTE, Lifecycle
from pulumi_alicloud_ai.resources._provider import DiffTable
from pulumi_alicloud_ai.resources._vod_job import JOB_REGIONS, MAX_USER_DATA_BYTES, JobHooks, parse_user_data

__all__ = ["JOB_REGIONS", "MAX_USER_DATA_BYTES", "AIImageJobInputs", "AIImageJobProvider"]
"""The job's regions and UserData limit stay readable here, beside the provider that applies them."""

MAX_IDS_PER_CALL = 10
"""GetAIImageJobs and DeleteAIImageInfos references: at most 10 ids per call."""

TABLE = DiffTable(
    {
        "video_id": "replace",
        "ai_template_id": "replace",
        "user_data": "replace",
        "ai_pipeline_id": "replace",
        "region": "replace",
        "adopt_id": "replace",
    }
)


class AIImageJobInputs(AdoptableInputs):
    """The provider's view of the inputs; validation messages name the field and the limits."""

    TIMEOUTS: ClassVar[dict[str, float]] = {"create": 1800.0, "delete": 1800.0}
    REGIONS: ClassVar[tuple[str, ...] | None] = JOB_REGIONS
    OFFERS: ClassVar[str] = "VOD AI image jobs"
    BEHAVIOUR: ClassVar[tuple[str, ...]] = (
        "wait_for_final",
        "timeouts",
        "connection",
        "settings",
        "adopt_id",
    )
    WAIT_FLAG: ClassVar[str | None] = "wait_for_final"

    video_id: str = Field(min_length=1)
    ai_template_id: str = Field(min_length=1)
    user_data: dict[str, Any] | None = None
    ai_pipeline_id: str | None = None
    wait_for_final: bool = True

    @field_validator("user_data", mode="before")
    @classmethod
    def _user_data(cls, value: Any) -> Any:
        return parse_user_data(value)


def image_output(info: AIImageInfo) -> dict[str, Any]:
    """One image as the ``images`` output shows it."""
    try:
        score = float(info.score) if info.score is not None else None
    except ValueError:
        score = None
    return {
        "id": info.ai_image_info_id,
        "url": info.file_url,
        "format": info.format,
        "score": score,
        "version": info.version,
        "creation_time": info.creation_time,
    }


def job_images(vod: VodClient, video_id: str, job_id: str) -> list[AIImageInfo]:
    """The AIImageInfo records this job produced (none when the video is gone)."""
    try:
        infos = vod.list_ai_image_info(video_id).ai_image_info_list
    except NotFoundError:
        return []
    return [info for info in infos if info.job_id == job_id]


def _decoded(text: str | None) -> Any:
    try:
        return decode_json(text) if text else None
    except ValueError:
        return text


class AIImageJobProvider(JobHooks, Lifecycle[AIImageJobInputs, VodClient, AIImageJob]):
    """Submit, read and clean up a VOD AI image job. Holds no state: safe to pickle."""

    inputs = AIImageJobInputs
    table = TABLE
    product = VOD
    client = VodClient
    noun = "VOD AI image job"
    adopt_checks = ("video_id", "ai_template_id", "user_data")
    unfindable = (
        "SubmitAIImageJob has no ClientToken and jobs cannot be listed, so a job on video {video_id} may "
        "exist: once it succeeds, ListAIImageInfo on the video shows its JobId, to take over with "
        f"adopt_id=<JobId> ({IMPORT_NOTE}); running `pulumi up` again submits another job"
    )
    removed = (
        "Its images were deleted, so nothing is left behind (the job record stays in VOD: the API cannot "
        "delete AI image jobs)."
    )

    def submit(self, api: VodClient, inputs: AIImageJobInputs) -> str:
        """SubmitAIImageJob."""
        user_data = compact_json(inputs.user_data) if inputs.user_data is not None else None
        submitted = api.submit_ai_image_job(
            inputs.video_id, inputs.ai_template_id, user_data=user_data, ai_pipeline_id=inputs.ai_pipeline_id
        )
        return submitted.job_id

    def fetch(self, api: VodClient, id_: str, region: str) -> AIImageJob | None:
        """GetAIImageJobs (NotFound when VOD does not return the job)."""
        return api.get_ai_image_job(id_)

    def live_inputs(
        self, api: VodClient, id_: str, region: str, live: AIImageJob, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """Video, template and UserData from GetAIImageJobs; the pipeline as recorded (not returned)."""
        rebuilt = {
            "video_id": live.video_id,
            "ai_template_id": live.template_id,
            "user_data": _decoded(live.user_data),
            "ai_pipeline_id": recorded.get("ai_pipeline_id"),
            "region": region,
        }
        return {key: value for key, value in rebuilt.items() if value is not None}

    def outputs(
        self, api: VodClient, id_: str, region: str, live: AIImageJob, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """Status, images (once it succeeded), result, error and the template config it ran with."""
        video_id = live.video_id or inputs["video_id"]
        images = [image_output(info) for info in job_images(api, video_id, id_)] if live.succeeded else []
        return {
            "job_id": live.job_id,
            "status": live.status,
            "images": images,
            "ai_image_result": live.ai_image_result,
            "error_code": live.code,
            "error_message": live.message,
            "template_config": _decoded(live.template_config),
            "creation_time": live.creation_time,
        }

    def remove(self, api: VodClient, id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        """DeleteAIImageInfos on the job's images, ten per call; the job record cannot be deleted."""
        ids = [info.ai_image_info_id for info in job_images(api, recorded["video_id"], id_)]
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            api.delete_ai_image_infos(ids[start : start + MAX_IDS_PER_CALL])
