"""The dynamic provider behind ``AIImageJob``: one VOD smart-thumbnail job on one video.

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
Errors that leave a job behind name it, or say how to find it; the way to take such a job over is to
import it by id, ``ResourceOptions(import_="<JobId>")``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, NotFoundError, ServerError, TransportError
from pulumi_alicloud_ai.client.models import decode_json
from pulumi_alicloud_ai.client.vod import AIImageInfo, AIImageJob, VodClient, wait_for_ai_image_job
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError
from pulumi_alicloud_ai.resources._inputs import (
    REGION_ENV,
    Timeouts,
    compact_json,
    json_numbers,
    region_problem,
)
from pulumi_alicloud_ai.resources._provider import (
    INPUT_BOUNDS,
    OUTPUTS_VERSION,
    DiffTable,
    ProviderError,
    check_inputs,
    product_client,
    user_props,
)
from pulumi_alicloud_ai.resources._waiting import persist, poll_backoff

JOB_REGIONS = ("cn-beijing", "cn-shanghai")
"""Where SubmitAIImageJob is offered."""
MAX_USER_DATA_BYTES = 512
MAX_IDS_PER_CALL = 10
DEFAULT_TIMEOUTS = {"create": 1800.0, "delete": 1800.0}
BEHAVIOUR = ("wait_for_final", "timeouts", "connection")

TABLE = DiffTable(
    {
        "video_id": "replace",
        "ai_template_id": "replace",
        "user_data": "replace",
        "ai_pipeline_id": "replace",
        "region": "replace",
        "wait_for_final": "ignore",
        "timeouts": "ignore",
        "connection": "ignore",
    }
)


class JobTimeouts(Timeouts):
    """How long create (the job) and delete (a job still running) may wait, in seconds or ``'30m'``."""

    create: float | None = None
    delete: float | None = None


def user_data_problems(value: Mapping[str, Any]) -> list[str]:
    """What VOD would refuse in a UserData object (vod.md), each naming the field and the rule."""
    if "MessageCallback" not in value and "Extend" not in value:
        return ["user_data must contain MessageCallback or Extend"]
    problems = []
    callback = value.get("MessageCallback")
    if callback is not None:
        url = callback.get("CallbackURL") if isinstance(callback, Mapping) else None
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            problems.append(
                'user_data.MessageCallback must be {"CallbackURL": "<http or https URL>"}, '
                f"got {callback!r}"
            )
    size = len(compact_json(value).encode("utf-8"))
    if size > MAX_USER_DATA_BYTES:
        problems.append(
            f"user_data is {size} bytes as compact JSON; VOD allows at most {MAX_USER_DATA_BYTES} bytes"
        )
    return problems


class AIImageJobInputs(BaseModel):
    """The provider's view of the inputs; validation messages name the field and the limits."""

    model_config = ConfigDict(extra="forbid")
    video_id: str = Field(min_length=1)
    ai_template_id: str = Field(min_length=1)
    user_data: dict[str, Any] | None = None
    ai_pipeline_id: str | None = None
    region: str = Field(None, validate_default=True)
    wait_for_final: bool = True
    timeouts: JobTimeouts | None = None
    connection: dict[str, str] | None = None

    @field_validator("user_data", mode="before")
    @classmethod
    def _user_data(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = load_json(value, INPUT_BOUNDS, what="user_data")
            except BoundsError:
                raise  # its message names user_data and the limit
            except ValueError:
                raise ValueError("user_data is not valid JSON; give a dict") from None
        if not isinstance(value, Mapping):
            raise ValueError(  # noqa: TRY004 - pydantic reports ValueError (not TypeError) as a field error
                "user_data must be an object (a dict) with MessageCallback or Extend"
            )
        value = json_numbers(dict(value))
        if problems := user_data_problems(value):
            raise ValueError("; ".join(problems))
        return value

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        if problem := region_problem(value, JOB_REGIONS, "VOD AI image jobs"):
            raise ValueError(problem)
        return str(value)

    def timeout(self, operation: str) -> float:
        """The wait limit for ``create`` or ``delete``."""
        chosen = getattr(self.timeouts, operation, None) if self.timeouts else None
        return chosen or DEFAULT_TIMEOUTS[operation]


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


class AIImageJobProvider(ResourceProvider):
    """Submit, read and clean up a VOD AI image job. Holds no state: safe to pickle."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without touching the network: ids, UserData rules and size, region."""
        return check_inputs(AIImageJobInputs, news, passthrough=("connection",))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Every API input replaces: a job cannot be edited."""
        return TABLE.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Submit, then wait for ``success`` (or fail with the job's Code and Message)."""
        inputs = AIImageJobInputs.model_validate(user_props(props))
        with self._client(inputs.region, inputs.connection) as vod:
            job_id = self._submit(vod, inputs)
            try:
                job = (
                    self._wait(vod, inputs, job_id) if inputs.wait_for_final else vod.get_ai_image_job(job_id)
                )
                if inputs.wait_for_final and not job.succeeded:
                    raise ProviderError(
                        f"VOD AI image job {job_id} on video {inputs.video_id} in {inputs.region} failed: "
                        f"{job.code or '(no code)'}: {job.message or '(no message)'}. It produced no images; "
                        "its record stays in VOD (the API cannot delete AI image jobs)."
                    )
                outputs = self._outputs(inputs.model_dump(mode="json", exclude_none=True), vod, job)
            except AlibabaCloudError as exc:
                # Transactional: the job will not be in the stack, so what it made must not stay behind.
                raise ProviderError(f"{exc}; {self._discard(vod, inputs.video_id, job_id)}") from None
            return CreateResult(job_id, outputs)

    def _discard(self, vod: VodClient, video_id: str, job_id: str) -> str:
        """Best effort after a create failed past the submit: delete the job's images, say what is left."""
        try:
            ids = persist(lambda: [info.ai_image_info_id for info in job_images(vod, video_id, job_id)])
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                persist(functools.partial(vod.delete_ai_image_infos, ids[start : start + MAX_IDS_PER_CALL]))
        except AlibabaCloudError as exc:
            return (
                f"job {job_id} was submitted and its images could not be deleted ({exc.code}); import the "
                f"job with ResourceOptions(import_={job_id!r}) to manage them"
            )
        return (
            f"job {job_id} was submitted; the {len(ids)} image(s) it had made were deleted so nothing is "
            "left behind (a job still running may add more: import it to manage them)"
        )

    def _submit(self, vod: VodClient, inputs: AIImageJobInputs) -> str:
        user_data = compact_json(inputs.user_data) if inputs.user_data is not None else None
        try:
            return vod.submit_ai_image_job(
                inputs.video_id,
                inputs.ai_template_id,
                user_data=user_data,
                ai_pipeline_id=inputs.ai_pipeline_id,
            ).job_id
        except (TransportError, ServerError) as exc:
            raise ProviderError(
                f"SubmitAIImageJob may have reached VOD ({exc}); it has no ClientToken and jobs cannot be "
                f"listed, so a job on video {inputs.video_id} may exist: once it succeeds, ListAIImageInfo "
                "on the video shows its JobId, to import with ResourceOptions(import_=<JobId>); running "
                "`pulumi up` again submits another job."
            ) from None

    def _wait(self, vod: VodClient, inputs: AIImageJobInputs, job_id: str) -> AIImageJob:
        backoff = poll_backoff(inputs.timeout("create"))
        try:
            return wait_for_ai_image_job(
                vod,
                job_id,
                backoff=backoff,
            )
        except WaitTimeoutError as exc:
            raise ProviderError(
                f"VOD AI image job {job_id} on video {inputs.video_id} was still {exc.last_status} after "
                f"{exc.waited:.0f}s, so it is not in the stack; it keeps running. Take it over with "
                f"ResourceOptions(import_={job_id!r}) rather than submitting another, or set a longer "
                "timeouts.create, or wait_for_final=False."
            ) from None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import by JobId; inputs are rebuilt from GetAIImageJobs (a gone job reads empty)."""
        known = user_props(props)
        region = known.get("region") or os.environ.get(REGION_ENV)
        if not region:
            raise ProviderError(
                f"AIImageJob {id_!r}: the region is unknown; set the region input (or alicloud:region) in the "
                "program that imports it"
            )
        with self._client(region, known.get("connection")) as vod:
            try:
                job = vod.get_ai_image_job(id_)
            except NotFoundError:
                return ReadResult("", {})
            live: dict[str, Any] = {
                "video_id": job.video_id,
                "ai_template_id": job.template_id,
                "user_data": _decoded(job.user_data),
                "ai_pipeline_id": known.get("ai_pipeline_id"),  # GetAIImageJobs does not return it
                "region": region,
            }
            inputs = {key: value for key, value in live.items() if value is not None}
            inputs.update({key: known[key] for key in BEHAVIOUR if known.get(key) is not None})
            return ReadResult(id_, self._outputs(inputs, vod, job), inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the job's images (after it finished); the job record itself cannot be deleted."""
        inputs = AIImageJobInputs.model_construct(**user_props(props))
        with self._client(inputs.region, inputs.connection) as vod:
            try:
                job: AIImageJob | None = vod.get_ai_image_job(id_)
            except NotFoundError:
                job = None
            if job is not None and not job.is_final:
                self._wait_before_delete(vod, inputs, id_)
            video_id = (job.video_id if job else None) or inputs.video_id
            ids = [info.ai_image_info_id for info in job_images(vod, video_id, id_)]
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                vod.delete_ai_image_infos(ids[start : start + MAX_IDS_PER_CALL])

    def _wait_before_delete(self, vod: VodClient, inputs: AIImageJobInputs, job_id: str) -> None:
        backoff = poll_backoff(inputs.timeout("delete"))
        try:
            wait_for_ai_image_job(
                vod,
                job_id,
                backoff=backoff,
            )
        except WaitTimeoutError as exc:
            raise ProviderError(
                f"VOD AI image job {job_id} is still {exc.last_status} after {exc.waited:.0f}s; its images "
                "would appear after the delete, so it stays in the stack: run the delete again once it has "
                "finished (or raise timeouts.delete)"
            ) from None

    def _client(self, region: str, captured: dict[str, str] | None) -> AbstractContextManager[VodClient]:
        return product_client(VOD, VodClient, region, captured)

    def _outputs(self, inputs: dict[str, Any], vod: VodClient, job: AIImageJob) -> dict[str, Any]:
        video_id = job.video_id or inputs["video_id"]
        images = (
            [image_output(info) for info in job_images(vod, video_id, job.job_id)] if job.succeeded else []
        )
        outputs = dict(inputs)
        outputs.update(
            {
                "job_id": job.job_id,
                "status": job.status,
                "images": images,
                "ai_image_result": job.ai_image_result,
                "error_code": job.code,
                "error_message": job.message,
                "template_config": _decoded(job.template_config),
                "creation_time": job.creation_time,
                "_outputs_version": OUTPUTS_VERSION,
            }
        )
        return outputs
