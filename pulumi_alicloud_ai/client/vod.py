"""ApsaraVideo VOD 2017-03-21 (RPC): typed calls for AI image jobs and AI templates (vod.md).

Every parameter of these actions travels in the query string as a string (IDs, JSON text, comma
lists); none has a body. Reads are marked idempotent, and so are Update, Delete and SetDefault
(repeating them leaves the same state), so the transport may retry them after a server error;
SubmitAIImageJob and AddAITemplate have no ClientToken and are never re-sent once they may have
reached the service.

The SDK documents only the terminal job statuses ``success`` and ``fail``; anything else means the
job is still running (the emulator says ``submitted`` / ``processing``). :func:`wait_for_ai_image_job`
polls until one of the two.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import Field

from pulumi_alicloud_ai.client.errors import NotFoundError
from pulumi_alicloud_ai.client.models import WireModel, decode_json
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation
from pulumi_alicloud_ai.client.waiter import Backoff, poll_until

__all__ = [
    "AI_IMAGE",
    "AI_MEDIA_AUDIT",
    "FINAL_STATUSES",
    "OPERATIONS",
    "AIImageInfo",
    "AIImageJob",
    "AITemplate",
    "AddAITemplateRequest",
    "GetAIImageJobsResponse",
    "ListAIImageInfoResponse",
    "ListAITemplateResponse",
    "RequestIdResponse",
    "SubmitAIImageJobRequest",
    "SubmitAIImageJobResponse",
    "TemplateIdResponse",
    "TemplateInfoResponse",
    "UpdateAITemplateRequest",
    "VodClient",
    "wait_for_ai_image_job",
]

SUBMIT_AI_IMAGE_JOB = Operation("SubmitAIImageJob")
GET_AI_IMAGE_JOBS = Operation("GetAIImageJobs", idempotent=True)
LIST_AI_IMAGE_INFO = Operation("ListAIImageInfo", idempotent=True)
DELETE_AI_IMAGE_INFOS = Operation("DeleteAIImageInfos", idempotent=True)
ADD_AI_TEMPLATE = Operation("AddAITemplate")
GET_AI_TEMPLATE = Operation("GetAITemplate", idempotent=True)
UPDATE_AI_TEMPLATE = Operation("UpdateAITemplate", idempotent=True)
DELETE_AI_TEMPLATE = Operation("DeleteAITemplate", idempotent=True)
LIST_AI_TEMPLATE = Operation("ListAITemplate", idempotent=True)
SET_DEFAULT_AI_TEMPLATE = Operation("SetDefaultAITemplate", idempotent=True)
GET_DEFAULT_AI_TEMPLATE = Operation("GetDefaultAITemplate", idempotent=True)
SUBMIT_AI_MEDIA_AUDIT_JOB = Operation("SubmitAIMediaAuditJob")
GET_AI_MEDIA_AUDIT_JOB = Operation("GetAIMediaAuditJob", idempotent=True)

OPERATIONS = (
    SUBMIT_AI_IMAGE_JOB,
    GET_AI_IMAGE_JOBS,
    LIST_AI_IMAGE_INFO,
    DELETE_AI_IMAGE_INFOS,
    ADD_AI_TEMPLATE,
    GET_AI_TEMPLATE,
    UPDATE_AI_TEMPLATE,
    DELETE_AI_TEMPLATE,
    LIST_AI_TEMPLATE,
    SET_DEFAULT_AI_TEMPLATE,
    GET_DEFAULT_AI_TEMPLATE,
)
"""Every VOD action this client calls."""

AI_IMAGE, AI_MEDIA_AUDIT = "AIImage", "AIMediaAudit"
"""The two ``TemplateType`` values."""
SUCCESS, FAIL = "success", "fail"
FINAL_STATUSES = frozenset({SUCCESS, FAIL})
"""The only job statuses the SDK documents; every other value means "still running"."""


def _json_text(value: str | Mapping[str, Any]) -> str:
    """JSON parameters go as text; a mapping is serialised compactly, a string is sent verbatim."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- requests ---------------------------------------------------------------------------------------


class SubmitAIImageJobRequest(WireModel):
    """SubmitAIImageJob: the video, an ``AIImage`` template, and optional UserData (JSON, ≤ 512 bytes)."""

    video_id: str = Field(alias="VideoId")
    ai_template_id: str = Field(alias="AITemplateId")
    user_data: str | None = Field(None, alias="UserData")
    ai_pipeline_id: str | None = Field(None, alias="AIPipelineId")


class SubmitAIMediaAuditJobRequest(WireModel):
    """SubmitAIMediaAuditJob: a video, and an ``AIMediaAudit`` template (VOD's default one if unset)."""

    media_id: str = Field(alias="MediaId")
    media_type: str = Field("video", alias="MediaType")
    template_id: str | None = Field(None, alias="TemplateId")
    user_data: str | None = Field(None, alias="UserData")


class AddAITemplateRequest(WireModel):
    """AddAITemplate: TemplateConfig is JSON text; its AIImage schema is not documented, so it is opaque."""

    template_name: str = Field(alias="TemplateName")
    template_type: str = Field(alias="TemplateType")
    template_config: str = Field(alias="TemplateConfig")


class UpdateAITemplateRequest(WireModel):
    """UpdateAITemplate replaces name and config together (both required); the type cannot change."""

    template_id: str = Field(alias="TemplateId")
    template_name: str = Field(alias="TemplateName")
    template_config: str = Field(alias="TemplateConfig")


# --- responses --------------------------------------------------------------------------------------


class RequestIdResponse(WireModel):
    """An answer that carries only the RequestId (DeleteAIImageInfos)."""

    request_id: str | None = Field(None, alias="RequestId")


class SubmitAIImageJobResponse(RequestIdResponse):
    """SubmitAIImageJob's answer: the new job's id."""

    job_id: str = Field(alias="JobId")


class TemplateIdResponse(RequestIdResponse):
    """AddAITemplate, UpdateAITemplate, DeleteAITemplate and SetDefaultAITemplate answer a TemplateId."""

    template_id: str = Field(alias="TemplateId")


class JobStatus(WireModel):
    """What every VOD AI job reports: its status, and Code and Message once it failed."""

    status: str = Field("", alias="Status")
    code: str | None = Field(None, alias="Code")
    message: str | None = Field(None, alias="Message")

    @property
    def is_final(self) -> bool:
        """``success`` or ``fail``; any other status means the job is still running."""
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        """The job finished with ``success``."""
        return self.status == SUCCESS


class AIImageJob(JobStatus):
    """An ``AIImageJobList`` item of GetAIImageJobs."""

    job_id: str = Field(alias="JobId")
    video_id: str | None = Field(None, alias="VideoId")
    template_id: str | None = Field(None, alias="TemplateId")
    template_config: str | None = Field(None, alias="TemplateConfig")
    """The template's config as it was when the job was submitted (JSON text)."""
    ai_image_result: str | None = Field(None, alias="AIImageResult")
    """OSS URL of the result, once the job succeeded."""
    creation_time: str | None = Field(None, alias="CreationTime")
    user_data: str | None = Field(None, alias="UserData")


class SubmitAIMediaAuditJobResponse(RequestIdResponse):
    """SubmitAIMediaAuditJob: the new job's id."""

    job_id: str = Field(alias="JobId")
    media_id: str | None = Field(None, alias="MediaId")


class MediaAuditJob(JobStatus):
    """GetAIMediaAuditJob's ``MediaAuditJob``; ``data`` holds the findings once the job succeeded."""

    job_id: str = Field(alias="JobId")
    media_id: str | None = Field(None, alias="MediaId")
    type: str | None = Field(None, alias="Type")
    creation_time: str | None = Field(None, alias="CreationTime")
    complete_time: str | None = Field(None, alias="CompleteTime")
    data: dict[str, Any] = Field(default_factory=dict, alias="Data")
    """``Suggestion``, ``Label``, ``AbnormalModules`` and the ``Video``/``Image``/``Text``/``Audio``
    results."""


class GetAIImageJobsResponse(RequestIdResponse):
    """GetAIImageJobs: the jobs found (ids the service does not know may be left out)."""

    ai_image_job_list: list[AIImageJob] = Field(default_factory=list, alias="AIImageJobList")


class AIImageInfo(WireModel):
    """One image a successful job produced (``AIImageInfoList`` item)."""

    ai_image_info_id: str = Field(alias="AIImageInfoId")
    job_id: str | None = Field(None, alias="JobId")
    video_id: str | None = Field(None, alias="VideoId")
    file_url: str | None = Field(None, alias="FileURL")
    format: str | None = Field(None, alias="Format")
    """``gif`` or ``png``."""
    score: str | None = Field(None, alias="Score")
    version: str | None = Field(None, alias="Version")
    creation_time: str | None = Field(None, alias="CreationTime")


class ListAIImageInfoResponse(RequestIdResponse):
    """ListAIImageInfo: a video's AI images."""

    ai_image_info_list: list[AIImageInfo] = Field(default_factory=list, alias="AIImageInfoList")


class AITemplate(WireModel):
    """``TemplateInfo`` (Get/GetDefault) and ``TemplateInfoList`` items (List)."""

    template_id: str = Field(alias="TemplateId")
    template_name: str | None = Field(None, alias="TemplateName")
    template_type: str | None = Field(None, alias="TemplateType")
    template_config: str | None = Field(None, alias="TemplateConfig")
    source: str | None = Field(None, alias="Source")
    """``System`` or ``Custom``."""
    is_default: str | None = Field(None, alias="IsDefault")
    """``Default`` or ``NotDefault``."""
    creation_time: str | None = Field(None, alias="CreationTime")
    modify_time: str | None = Field(None, alias="ModifyTime")

    @property
    def default(self) -> bool:
        """Whether this is the default template of its type."""
        return self.is_default == "Default"

    def config(self) -> dict[str, Any]:
        """``TemplateConfig`` decoded; an absent or non-object value is ``{}``."""
        try:
            value = decode_json(self.template_config) if self.template_config else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class TemplateInfoResponse(RequestIdResponse):
    """GetAITemplate and GetDefaultAITemplate."""

    template_info: AITemplate = Field(alias="TemplateInfo")


class ListAITemplateResponse(RequestIdResponse):
    """ListAITemplate: the templates of one type."""

    template_info_list: list[AITemplate] = Field(default_factory=list, alias="TemplateInfoList")


# --- the client ---------------------------------------------------------------------------------------


class VodClient:
    """Typed VOD AI calls over an :class:`OpenApiClient` for the VOD product (one region)."""

    def __init__(self, api: OpenApiClient) -> None:
        self.api = api

    def _call(self, operation: Operation, request: WireModel | Mapping[str, Any]) -> dict[str, Any]:
        query = request.to_wire() if isinstance(request, WireModel) else dict(request)
        return self.api.call(operation, query=query)

    def submit_ai_image_job(
        self,
        video_id: str,
        ai_template_id: str,
        *,
        user_data: str | Mapping[str, Any] | None = None,
        ai_pipeline_id: str | None = None,
    ) -> SubmitAIImageJobResponse:
        """Start an AI image job; not idempotent: on an ambiguous failure, look for the job before resubmitting.

        ``user_data`` as a mapping is sent as compact JSON (e.g.
        ``{"MessageCallback": {"CallbackURL": ...}, "Extend": {...}}``).
        """
        request = SubmitAIImageJobRequest(
            video_id=video_id,
            ai_template_id=ai_template_id,
            user_data=None if user_data is None else _json_text(user_data),
            ai_pipeline_id=ai_pipeline_id,
        )
        return SubmitAIImageJobResponse.model_validate(self._call(SUBMIT_AI_IMAGE_JOB, request))

    def get_ai_image_jobs(self, job_ids: Sequence[str]) -> GetAIImageJobsResponse:
        """Up to ten jobs by id (the API's limit), sent as one comma list."""
        result = self._call(GET_AI_IMAGE_JOBS, {"JobIds": ",".join(job_ids)})
        return GetAIImageJobsResponse.model_validate(result)

    def get_ai_image_job(self, job_id: str) -> AIImageJob:
        """One job; :class:`NotFoundError` (``InvalidAIImageJob.NotFound``) when the answer leaves it out."""
        response = self.get_ai_image_jobs([job_id])
        for job in response.ai_image_job_list:
            if job.job_id == job_id:
                return job
        raise NotFoundError(
            "InvalidAIImageJob.NotFound",
            f"GetAIImageJobs did not return the AI image job {job_id!r} in region {self.api.region}.",
            request_id=response.request_id,
            action=GET_AI_IMAGE_JOBS.action,
        )

    def list_ai_image_info(self, video_id: str) -> ListAIImageInfoResponse:
        """The AI images produced for a video."""
        return ListAIImageInfoResponse.model_validate(self._call(LIST_AI_IMAGE_INFO, {"VideoId": video_id}))

    def delete_ai_image_infos(self, ai_image_info_ids: Sequence[str]) -> RequestIdResponse:
        """Delete up to ten AI image records."""
        result = self._call(DELETE_AI_IMAGE_INFOS, {"AIImageInfoIds": ",".join(ai_image_info_ids)})
        return RequestIdResponse.model_validate(result)

    def submit_ai_media_audit_job(
        self, media_id: str, template_id: str | None = None, *, user_data: str | None = None
    ) -> SubmitAIMediaAuditJobResponse:
        """Start a review job on a video; not idempotent (no ClientToken)."""
        request = SubmitAIMediaAuditJobRequest(
            media_id=media_id, template_id=template_id, user_data=user_data
        )
        return SubmitAIMediaAuditJobResponse.model_validate(self._call(SUBMIT_AI_MEDIA_AUDIT_JOB, request))

    def get_ai_media_audit_job(self, job_id: str) -> MediaAuditJob:
        """One review job; :class:`NotFoundError` (``InvalidAIJob.NotFound``) for an unknown id."""
        result = self._call(GET_AI_MEDIA_AUDIT_JOB, {"JobId": job_id})
        job = result.get("MediaAuditJob")
        if not isinstance(job, dict) or not job.get("JobId"):
            raise NotFoundError(
                "InvalidAIJob.NotFound",
                f"GetAIMediaAuditJob did not return the review job {job_id!r} in region {self.api.region}.",
                request_id=result.get("RequestId"),
                action=GET_AI_MEDIA_AUDIT_JOB.action,
            )
        return MediaAuditJob.model_validate(job)

    def add_ai_template(
        self, template_name: str, template_type: str, template_config: str | Mapping[str, Any]
    ) -> TemplateIdResponse:
        """Create a template (``AIImage`` or ``AIMediaAudit``); not idempotent, names need not be unique."""
        request = AddAITemplateRequest(
            template_name=template_name,
            template_type=template_type,
            template_config=_json_text(template_config),
        )
        return TemplateIdResponse.model_validate(self._call(ADD_AI_TEMPLATE, request))

    def get_ai_template(self, template_id: str) -> AITemplate:
        """One template; :class:`NotFoundError` when it does not exist."""
        result = self._call(GET_AI_TEMPLATE, {"TemplateId": template_id})
        return TemplateInfoResponse.model_validate(result).template_info

    def update_ai_template(
        self, template_id: str, template_name: str, template_config: str | Mapping[str, Any]
    ) -> TemplateIdResponse:
        """Replace a template's name and config (a full replace, not a patch)."""
        request = UpdateAITemplateRequest(
            template_id=template_id, template_name=template_name, template_config=_json_text(template_config)
        )
        return TemplateIdResponse.model_validate(self._call(UPDATE_AI_TEMPLATE, request))

    def delete_ai_template(self, template_id: str) -> TemplateIdResponse:
        """Delete a template; the default one, or one a running job uses, is refused (ConflictError)."""
        return TemplateIdResponse.model_validate(self._call(DELETE_AI_TEMPLATE, {"TemplateId": template_id}))

    def list_ai_template(self, template_type: str) -> list[AITemplate]:
        """The region's templates of one type."""
        result = self._call(LIST_AI_TEMPLATE, {"TemplateType": template_type})
        return ListAITemplateResponse.model_validate(result).template_info_list

    def set_default_ai_template(self, template_id: str) -> TemplateIdResponse:
        """Make a template the default of its type."""
        result = self._call(SET_DEFAULT_AI_TEMPLATE, {"TemplateId": template_id})
        return TemplateIdResponse.model_validate(result)

    def get_default_ai_template(self, template_type: str = AI_MEDIA_AUDIT) -> AITemplate:
        """The default template of a type (the API documents only ``AIMediaAudit`` here)."""
        result = self._call(GET_DEFAULT_AI_TEMPLATE, {"TemplateType": template_type})
        return TemplateInfoResponse.model_validate(result).template_info


def wait_for_ai_image_job(
    client: VodClient,
    job_id: str,
    *,
    timeout: float = 1800.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    base_delay: float = 1.0,
    max_delay: float = 60.0,
    on_poll: Callable[[AIImageJob], None] | None = None,
    backoff: Backoff | None = None,
) -> AIImageJob:
    """Poll GetAIImageJobs until the job is ``success`` or ``fail`` and return it (a failed job is returned,
    not raised: its ``code``/``message`` say why).

    Delays double from ``base_delay`` up to ``max_delay``, so a job finishing after ``T`` seconds costs
    about ``log2(T / base_delay)`` polls while ``T`` stays within a few ``max_delay``, and one poll per
    ``max_delay`` beyond. Past ``timeout`` it raises :class:`~pulumi_alicloud_ai.client.waiter.WaitTimeoutError`
    naming the job and its last status; a job the service no longer returns is a :class:`NotFoundError`.
    ``clock`` and ``sleep`` are injectable so tests drive an emulator's clock instead of sleeping.
    """
    if backoff is None:  # a Backoff, when given, replaces the five pacing arguments (as EasClient takes one)
        backoff = Backoff(
            timeout=timeout, base_delay=base_delay, max_delay=max_delay, clock=clock, sleep=sleep
        )
    poll = poll_until(
        lambda: client.get_ai_image_job(job_id),
        lambda job: job.is_final,
        lambda job: job.status or "(no status)",
        describe=f"VOD AI image job {job_id} in {client.api.region}",
        backoff=backoff,
        on_poll=on_poll,
    )
    return poll.value
