"""VOD 2017-03-21 wire routes (RPC, every parameter in the query): pull parameters, call the model, dump.

Also the admin routes for videos, which the real service fills through uploads the emulator does not
implement: ``POST /_emulator/vod/videos`` with ``{"Title": str, "Duration": seconds}`` (optional
``"Region"``, default the emulator's ``--region``; optional ``"VideoId"`` to choose the id, so results
repeat across emulators; optional ``"Corrupt": true`` for a video every job fails on; optional
``"ReferenceId"``, unique in the region, for GetVideoInfo(s) and GetVideoList by custom id) answers ``{"VideoId": …, …}``; ``GET /_emulator/vod/videos[?Region=…]`` lists them.
``GET /_emulator/vod/jobs/{JobId}`` shows a job of any kind (AI image, tagging or fingerprint, review)
with its callback delivery state and event history, so tests can see a retry was scheduled or a
delivery abandoned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.routing import Route as AdminRoute

from pulumi_alicloud_ai.emulator.admin import ADMIN_PREFIX, admin_error, emulator_state, read_json
from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.routing import Call, Route
from pulumi_alicloud_ai.emulator.store import Entity
from pulumi_alicloud_ai.emulator.vod import ai_routes
from pulumi_alicloud_ai.emulator.vod.ai_jobs import ai_job_wire, audit_job_wire
from pulumi_alicloud_ai.emulator.vod.callbacks import deliver_callbacks
from pulumi_alicloud_ai.emulator.vod.library import Library
from pulumi_alicloud_ai.emulator.vod.models import PRODUCT, VIDEO, Vod
from pulumi_alicloud_ai.emulator.vod.rules import check_region
from pulumi_alicloud_ai.emulator.vod.states import AI_AUDIT_JOB, AI_IMAGE_JOB, AI_JOB
from pulumi_alicloud_ai.emulator.vod.wire import image_info_wire, job_wire, template_wire, video_wire

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.lifecycle import Lifecycle
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState


def _vod(call: Call) -> Vod:
    check_region(call.action, call.region)
    return Vod(call.state, call.region)


def submit_ai_image_job(call: Call) -> dict[str, Any]:
    """SubmitAIImageJob → ``JobId``."""
    vod = _vod(call)
    job = vod.submit_job(
        call.require("VideoId"),
        call.require("AITemplateId"),
        user_data=call.param("UserData"),
        pipeline_id=call.param("AIPipelineId"),
        effect=call.effect,
    )
    return {"JobId": job.id}


def get_ai_image_jobs(call: Call) -> dict[str, Any]:
    """GetAIImageJobs → ``AIImageJobList``."""
    jobs = _vod(call).get_jobs(call.require("JobIds"))
    return {"AIImageJobList": [job_wire(job) for job in jobs]}


def list_ai_image_info(call: Call) -> dict[str, Any]:
    """ListAIImageInfo → ``AIImageInfoList``."""
    infos = _vod(call).image_infos(call.require("VideoId"))
    return {"AIImageInfoList": [image_info_wire(info) for info in infos]}


def delete_ai_image_infos(call: Call) -> dict[str, Any]:
    """DeleteAIImageInfos → just the RequestId."""
    _vod(call).delete_image_infos(call.require("AIImageInfoIds"))
    return {}


def add_ai_template(call: Call) -> dict[str, Any]:
    """AddAITemplate → ``TemplateId``."""
    vod = _vod(call)
    template = vod.add_template(
        call.require("TemplateName"), call.require("TemplateType"), call.require("TemplateConfig")
    )
    return {"TemplateId": template.id}


def get_ai_template(call: Call) -> dict[str, Any]:
    """GetAITemplate → ``TemplateInfo``."""
    return {"TemplateInfo": template_wire(_vod(call).template(call.require("TemplateId")))}


def update_ai_template(call: Call) -> dict[str, Any]:
    """UpdateAITemplate → ``TemplateId``."""
    vod = _vod(call)
    template = vod.update_template(
        call.require("TemplateId"), call.require("TemplateName"), call.require("TemplateConfig")
    )
    return {"TemplateId": template.id}


def delete_ai_template(call: Call) -> dict[str, Any]:
    """DeleteAITemplate → ``TemplateId``."""
    template_id = call.require("TemplateId")
    _vod(call).delete_template(template_id)
    return {"TemplateId": template_id}


def list_ai_template(call: Call) -> dict[str, Any]:
    """ListAITemplate → ``TemplateInfoList``."""
    templates = _vod(call).templates(call.require("TemplateType"))
    return {"TemplateInfoList": [template_wire(template) for template in templates]}


def set_default_ai_template(call: Call) -> dict[str, Any]:
    """SetDefaultAITemplate → ``TemplateId``."""
    return {"TemplateId": _vod(call).set_default(call.require("TemplateId")).id}


def get_default_ai_template(call: Call) -> dict[str, Any]:
    """GetDefaultAITemplate → ``TemplateInfo``."""
    return {"TemplateInfo": template_wire(_vod(call).default_template(call.require("TemplateType")))}


ROUTES = [
    Route.rpc(PRODUCT, "SubmitAIImageJob", submit_ai_image_job),
    Route.rpc(PRODUCT, "GetAIImageJobs", get_ai_image_jobs),
    Route.rpc(PRODUCT, "ListAIImageInfo", list_ai_image_info),
    Route.rpc(PRODUCT, "DeleteAIImageInfos", delete_ai_image_infos),
    Route.rpc(PRODUCT, "AddAITemplate", add_ai_template),
    Route.rpc(PRODUCT, "GetAITemplate", get_ai_template),
    Route.rpc(PRODUCT, "UpdateAITemplate", update_ai_template),
    Route.rpc(PRODUCT, "DeleteAITemplate", delete_ai_template),
    Route.rpc(PRODUCT, "ListAITemplate", list_ai_template),
    Route.rpc(PRODUCT, "SetDefaultAITemplate", set_default_ai_template),
    Route.rpc(PRODUCT, "GetDefaultAITemplate", get_default_ai_template),
    *ai_routes.ROUTES,
]

# --- admin: videos ---------------------------------------------------------------------------------

_FORMATS = {
    "region": (re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*"), "Region must be a region id such as cn-beijing"),
    "video_id": (
        re.compile(r"[0-9A-Za-z_-]{1,64}"),
        "VideoId must be 1 to 64 letters, digits, underscores or hyphens",
    ),
    "reference_id": (
        re.compile(r"[0-9A-Za-z_-]{6,64}"),
        "ReferenceId must be 6 to 64 letters, digits, underscores or hyphens",
    ),
}
"""Admin video fields matched whole (no trailing newline), with the rule a refusal states."""


class VideoSpec(BaseModel):
    """The body of ``POST /_emulator/vod/videos``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    title: str = Field(alias="Title", min_length=1, max_length=128)
    duration: float = Field(alias="Duration", gt=0, le=86_400, strict=True)
    region: str | None = Field(None, alias="Region")
    video_id: str | None = Field(None, alias="VideoId")
    corrupt: StrictBool = Field(False, alias="Corrupt")
    reference_id: str | None = Field(None, alias="ReferenceId")

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Title must not be blank")
        return value

    @field_validator("region", "video_id", "reference_id")
    @classmethod
    def _whole_match(cls, value: str | None, info: ValidationInfo) -> str | None:
        pattern, rule = _FORMATS[str(info.field_name)]
        if value is not None and not pattern.fullmatch(value):
            raise ValueError(rule)
        return value


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())


async def register_video(request: Request) -> JSONResponse:
    """Register a video that AI image jobs can run on."""
    state = emulator_state(request)
    try:
        spec = VideoSpec.model_validate(await read_json(request))
    except ValueError as exc:
        detail = _problems(exc) if isinstance(exc, ValidationError) else f"the body is not JSON: {exc}"
        return admin_error(
            "InvalidParameter.Video",
            f'Send {{"Title": <non-empty string>, "Duration": <seconds > 0>}}: {detail}',
            400,
        )
    with state.store.transaction():
        if spec.video_id is not None and state.store.get(PRODUCT, VIDEO, spec.video_id) is not None:
            return admin_error(
                "InvalidVideo.AlreadyExists", f"A video has id {spec.video_id!r} already.", 409
            )
        library = Library(state, spec.region or state.config.region)
        if spec.reference_id is not None and library.by_reference(spec.reference_id) is not None:
            return admin_error(
                "InvalidVideo.AlreadyExists", f"A video has ReferenceId {spec.reference_id!r} already.", 409
            )
        video = library.register_video(
            spec.title,
            spec.duration,
            corrupt=spec.corrupt,
            video_id=spec.video_id,
            reference_id=spec.reference_id,
        )
    return JSONResponse(video_wire(video), status_code=201)


async def list_videos(request: Request) -> JSONResponse:
    """Every registered video, optionally of one region."""
    state = emulator_state(request)
    region = request.query_params.get("Region") or None
    videos = state.store.list_entities(PRODUCT, VIDEO, region)
    return JSONResponse({"Videos": [video_wire(video) for video in videos]})


JobView = Callable[[Entity], dict[str, Any]]
JOB_VIEWS: tuple[tuple[Lifecycle, JobView], ...] = (
    (AI_IMAGE_JOB, job_wire),
    (AI_JOB, ai_job_wire),
    (AI_AUDIT_JOB, audit_job_wire),
)
"""Each job kind and how its read action shows it (GetAIImageJobs, ListAIJob, GetAIMediaAuditJob)."""


def _find_job(state: EmulatorState, job_id: str) -> tuple[Entity, JobView] | None:
    with state.store.transaction():
        for lifecycle, view in JOB_VIEWS:
            stored = state.store.get(PRODUCT, lifecycle.kind, job_id)
            job = None if stored is None else Vod(state, stored.region).load_job(job_id, lifecycle)
            if job is not None:
                return job, view
    return None


async def inspect_job(request: Request) -> JSONResponse:
    """A job as its read action shows it, plus its completion-event delivery state and history."""
    state = emulator_state(request)
    job_id = request.path_params["job_id"]
    found = _find_job(state, job_id)
    if found is None:
        return admin_error("InvalidJob.NotFound", f"No AI job has id {job_id!r}.", 404)
    job, view = found
    events = state.store.events(PRODUCT, job.kind, job_id)
    return JSONResponse(
        {
            "Job": view(job),
            "Region": job.region,
            "Callback": job.data.get("callback"),
            "Events": [
                {"Time": iso_utc(e.time), "Type": e.type, "Reason": e.reason, "Message": e.message}
                for e in events
            ],
        }
    )


ADMIN_ROUTES: list[BaseRoute] = [
    AdminRoute(f"{ADMIN_PREFIX}/vod/videos", register_video, methods=["POST"]),
    AdminRoute(f"{ADMIN_PREFIX}/vod/videos", list_videos, methods=["GET"]),
    AdminRoute(f"{ADMIN_PREFIX}/vod/jobs/{{job_id}}", inspect_job, methods=["GET"]),
]

BACKGROUND_TASKS = [deliver_callbacks]
