"""The emulated VOD: videos, AI templates, AI image jobs, and the AIImageInfo records a job produces.

What each field must hold, and where each action runs, is in ``rules.py``.

Everything is regional, as in VOD: a video, template or job is seen only through the region it was
made in (the region comes from the Host the call reached). :class:`Vod` is one region's view; routes
pull parameters, call it, and render entities with ``wire.py``.

Where vod.md is silent the emulator chooses, and says so here:

* GetAIImageJobs leaves out ids it does not know (the SDK has no ``NonExist…`` field for it); so does
  DeleteAIImageInfos, which makes a repeated delete harmless.
* A template's ``Source`` is always ``Custom``: there are no system templates, and GetDefaultAITemplate
  answers ``InvalidAITemplate.NotFound`` until SetDefaultAITemplate has chosen one. As its doc says,
  GetDefaultAITemplate accepts only ``AIMediaAudit``.
* A job's results are computed at submit time (``results.py``) and become visible, with their
  AIImageInfo records, when the job reads back ``success``. Records are written on the first read
  after that (reads settle jobs, as the lifecycle engine does), dated when the job finished.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.formats import new_id
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY, Lifecycle
from pulumi_alicloud_ai.emulator.store import Entity, Index, data_key
from pulumi_alicloud_ai.emulator.vod import errors, rules
from pulumi_alicloud_ai.emulator.vod.results import produce
from pulumi_alicloud_ai.emulator.vod.states import AI_IMAGE_JOB, FINAL, SUCCESS
from pulumi_alicloud_ai.emulator.vod.userdata import UserData, parse_user_data

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.faults import FaultRule
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

PRODUCT = "vod"
VIDEO, TEMPLATE, IMAGE_INFO = "video", "aitemplate", "aiimageinfo"
CALLBACK = "aiimagejob.callback"
"""Index of jobs whose completion event is still owed: one entity per job, of any job kind, removed once
resolved. Its data names the job's lifecycle kind (``{"kind": "aijob"}``); an entry without one is an AI
image job's, as every entry was before the other kinds had callbacks (so the name, stored in old data
directories, stays)."""
NORMAL = "Normal"
"""Status of entities without a lifecycle (videos, templates, image records)."""

_DEFAULT_FAILURE = "The AI image job failed (injected fault)."

# Lists read through these indexes, so they cost what they return, not what the region stores.
TEMPLATE_TYPE, IS_DEFAULT, TEMPLATE_ID = data_key("type"), data_key("default"), data_key("template_id")
TEMPLATES = Index("vod_templates_by_type", PRODUCT, TEMPLATE, ("region", TEMPLATE_TYPE, "created_at", "id"))
DEFAULT_TEMPLATES = Index(
    "vod_default_templates", PRODUCT, TEMPLATE, ("region", TEMPLATE_TYPE), condition=IS_DEFAULT
)
"""Only templates that are a default: at most one per region and type."""
JOBS_BY_VIDEO = Index("vod_jobs_by_video", PRODUCT, AI_IMAGE_JOB.kind, ("region", "name", "created_at", "id"))
"""A job's name is its video id."""
JOBS_BY_TEMPLATE = Index(
    "vod_jobs_by_template", PRODUCT, AI_IMAGE_JOB.kind, ("region", TEMPLATE_ID, "status", "created_at", "id")
)
INFOS_BY_VIDEO = Index("vod_infos_by_video", PRODUCT, IMAGE_INFO, ("region", "name", "created_at", "id"))
"""An AIImageInfo record's name is its video id."""
OLDEST_FIRST = "created_at, id"


class Vod:
    """One region of the emulated VOD service."""

    def __init__(self, state: EmulatorState, region: str) -> None:
        self.state = state
        self.store = state.store
        self.region = region

    def _now(self) -> float:
        return self.state.clock.now()

    def _get(self, kind: str, entity_id: str) -> Entity | None:
        entity = self.store.get(PRODUCT, kind, entity_id)
        return entity if entity is not None and entity.region == self.region else None

    # --- videos (admin API) -----------------------------------------------------------------------

    def register_video(
        self,
        title: str,
        duration: float,
        *,
        corrupt: bool = False,
        video_id: str | None = None,
        reference_id: str | None = None,
    ) -> Entity:
        """A video jobs can run on; ``corrupt`` ones make every job on them fail."""
        now = self._now()
        video = Entity(PRODUCT, VIDEO, video_id or new_id(), self.region, title, NORMAL, now, {}, now, now)
        video.data = {"duration": duration, "corrupt": corrupt}
        if reference_id is not None:
            video.data["reference_id"] = reference_id
        self.store.put(video)
        return video

    def video(self, video_id: str) -> Entity:
        """The video, or ``InvalidVideo.NotFound``."""
        video = self._get(VIDEO, video_id)
        if video is None:
            raise errors.video_not_found(self.region, video_id)
        return video

    # --- templates --------------------------------------------------------------------------------

    def add_template(self, name: str, template_type: str, config: str) -> Entity:
        """A new custom template; never the default until SetDefaultAITemplate says so."""
        template_type = rules.template_type(template_type)
        now = self._now()
        template = Entity(
            PRODUCT, TEMPLATE, new_id(), self.region, rules.template_name(name), NORMAL, now, {}, now, now
        )
        template.data = {"type": template_type, "config": rules.template_config(config, template_type)}
        self.store.put(template)
        return template

    def template(self, template_id: str) -> Entity:
        """The template, or ``InvalidAITemplate.NotFound``."""
        template = self._get(TEMPLATE, template_id)
        if template is None:
            raise errors.template_not_found(self.region, template_id)
        return template

    def update_template(self, template_id: str, name: str, config: str) -> Entity:
        """Replace name and config (both required, as in the API); the type never changes."""
        template = self.template(template_id)
        template.name = rules.template_name(name)
        template.data["config"] = rules.template_config(config, template.data["type"])
        template.updated_at = self._now()
        self.store.put(template)
        return template

    def delete_template(self, template_id: str) -> None:
        """Delete, unless it is the default or a job that is not final still uses it."""
        template = self.template(template_id)
        if template.data.get("default"):
            raise errors.template_is_default(template_id, template.data["type"])
        unsettled = self.store.select(
            JOBS_BY_TEMPLATE,
            {"region": self.region, TEMPLATE_ID: template_id},
            order=OLDEST_FIRST,
            extra=f"status NOT IN ({', '.join('?' * len(FINAL))})",
            params=sorted(FINAL),
        )
        now = self._now()
        running = [
            job.id
            for stored in unsettled
            if (job := self.settle(stored, now)) is not None and job.status not in FINAL
        ]
        if running:
            raise errors.template_in_use(template_id, running)
        self.store.delete(PRODUCT, TEMPLATE, template_id)

    def templates(self, template_type: str) -> list[Entity]:
        """The region's templates of one type, oldest first."""
        template_type = rules.template_type(template_type)
        return self.store.select(
            TEMPLATES, {"region": self.region, TEMPLATE_TYPE: template_type}, order=OLDEST_FIRST
        )

    def _defaults(self, template_type: str) -> list[Entity]:
        return self.store.select(
            DEFAULT_TEMPLATES, {"region": self.region, TEMPLATE_TYPE: template_type}, order=OLDEST_FIRST
        )

    def set_default(self, template_id: str) -> Entity:
        """Make this template the default of its type in the region; the previous default stops being it."""
        template = self.template(template_id)
        for other in self._defaults(template.data["type"]):
            if other.id != template.id:
                other.data["default"] = False
                self.store.put(other)
        template.data["default"] = True
        template.updated_at = self._now()
        self.store.put(template)
        return template

    def default_template(self, template_type: str) -> Entity:
        """The default template of a type (only ``AIMediaAudit`` may be asked for, per the API doc)."""
        template_type = rules.template_type(template_type, rules.DEFAULT_LOOKUP_TYPES)
        defaults = self._defaults(template_type)
        if defaults:
            return defaults[0]
        raise errors.no_default_template(self.region, template_type)

    # --- jobs ---------------------------------------------------------------------------------------

    def submit_job(
        self,
        video_id: str,
        template_id: str,
        *,
        user_data: str | None = None,
        pipeline_id: str | None = None,
        effect: FaultRule | None = None,
    ) -> Entity:
        """Queue an AI image job; its result is fixed now and revealed when it reads back ``success``."""
        video = self.video(video_id)
        template = self.template(template_id)
        if template.data["type"] != rules.AI_IMAGE:
            raise invalid_parameter(
                "AITemplateId",
                f"The AI template {template_id!r} is an {template.data['type']} template; "
                f"SubmitAIImageJob needs an {rules.AI_IMAGE} template.",
            )
        parsed = self.user_data(user_data)
        config = template.data["config"]
        result = produce(video.id, video.data["duration"], config, self.region)
        data: dict[str, Any] = {
            "video_id": video.id,
            "template_id": template.id,
            "template_config": config,
            "user_data": user_data,
            "pipeline_id": pipeline_id,
            "result": {"url": result.result_url, "images": [asdict(image) for image in result.images]},
            "failure": None,
            "infos_created": False,
        }
        failure = self._failure(video, effect)
        if failure is not None:
            data["failure"] = failure
            data[FAULT_KEY] = {"reason": "JobFailed", "message": f"{failure['code']}: {failure['message']}"}
        return self.create_job(AI_IMAGE_JOB, video, data, parsed)

    def user_data(self, text: str | None) -> UserData | None:
        """``UserData`` checked by VOD's rules, with this emulator's ``allow_remote_callbacks``."""
        return parse_user_data(text, allow_remote_callbacks=self.state.config.allow_remote_callbacks)

    def create_job(
        self, lifecycle: Lifecycle, video: Entity, data: dict[str, Any], user_data: UserData | None
    ) -> Entity:
        """Store a new job on ``video``; when UserData names a CallbackURL, its completion event is owed."""
        data["callback"] = None
        if user_data is not None and user_data.callback_url is not None:
            data["callback"] = {
                "url": user_data.callback_url,
                "extend": user_data.extend,
                "attempts": 0,
                "next_at": None,
                "delivered": False,
                "gave_up": False,
                "last_error": None,
            }
        job = self.state.lifecycles.create(
            lifecycle, entity_id=new_id(), region=self.region, name=video.id, data=data
        )
        if data["callback"] is not None:
            now = self._now()
            owed = {"kind": lifecycle.kind}
            self.store.put(
                Entity(PRODUCT, CALLBACK, job.id, self.region, job.id, NORMAL, now, owed, now, now)
            )
        return job

    @staticmethod
    def _failure(video: Entity, effect: FaultRule | None) -> dict[str, str] | None:
        if effect is not None and effect.effect == "fail":
            return {
                "code": effect.code or errors.PROCESS_FAILED,
                "message": effect.message or _DEFAULT_FAILURE,
            }
        if video.data.get("corrupt"):
            return {"code": errors.DECODE_FAILED, "message": f"The video {video.id!r} cannot be decoded."}
        return None

    def load_job(self, job_id: str, lifecycle: Lifecycle = AI_IMAGE_JOB) -> Entity | None:
        """The region's job of that kind brought up to the clock's now, or None; an AI image job comes
        with its image records once it succeeded."""
        stored = self._get(lifecycle.kind, job_id)
        if lifecycle.kind == AI_IMAGE_JOB.kind:
            return self.settle(stored)
        return self.state.lifecycles.load(lifecycle, stored)

    def settle(self, job: Entity | None, now: float | None = None) -> Entity | None:
        """Apply due lifecycle steps; on first sight of ``success`` write the job's AIImageInfo records."""
        job = self.state.lifecycles.load(AI_IMAGE_JOB, job, now)
        if job is None or job.status != SUCCESS or job.data["infos_created"]:
            return job
        for index, image in enumerate(job.data["result"]["images"]):
            created = job.status_since + index / 1000  # keeps the records in image order
            info = Entity(
                PRODUCT, IMAGE_INFO, new_id(), job.region, job.name, NORMAL, created, {}, created, created
            )
            info.data = {"job_id": job.id, **image}
            self.store.put(info)
        job.data["infos_created"] = True
        self.store.put(job)
        return job

    def jobs(self, video_id: str) -> list[Entity]:
        """The region's jobs on one video, oldest first, settled."""
        now = self._now()
        found = []
        for job in self.store.select(
            JOBS_BY_VIDEO, {"region": self.region, "name": video_id}, order=OLDEST_FIRST
        ):
            settled = self.settle(job, now)
            if settled is not None:
                found.append(settled)
        return found

    def get_jobs(self, job_ids: str) -> list[Entity]:
        """Up to ten jobs in the order asked; unknown ids are left out."""
        loaded = (self.load_job(job_id) for job_id in rules.split_ids("JobIds", job_ids))
        return [job for job in loaded if job is not None]

    def image_infos(self, video_id: str) -> list[Entity]:
        """The AIImageInfo records of a video's successful jobs, oldest first."""
        self.video(video_id)
        self.jobs(video_id)
        return self.store.select(
            INFOS_BY_VIDEO, {"region": self.region, "name": video_id}, order=OLDEST_FIRST
        )

    def delete_image_infos(self, info_ids: str) -> None:
        """Delete up to ten AIImageInfo records; unknown ids are ignored."""
        for info_id in rules.split_ids("AIImageInfoIds", info_ids):
            if self._get(IMAGE_INFO, info_id) is not None:
                self.store.delete(PRODUCT, IMAGE_INFO, info_id)
