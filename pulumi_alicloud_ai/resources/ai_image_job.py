"""``AIImageJob``: one ApsaraVideo VOD smart-thumbnail job (SubmitAIImageJob) and the images it made.

Example::

    from pulumi_alicloud_ai import AIImageJob, AIImageJobArgs

    job = AIImageJob("intro-thumbs", AIImageJobArgs(
        video_id="9ae2af636ca6c10412f44891fc****",
        ai_template_id=thumbs.template_id,          # a VodAITemplate of type AIImage
        user_data={"Extend": {"ref": "intro"}},
    ))
    pulumi.export("thumbnails", job.images.apply(lambda images: [i["url"] for i in images]))

A job cannot be edited: any change of video, template, UserData, pipeline or region replaces it.
Destroying it deletes the images it produced (DeleteAIImageInfos); the job record itself stays in
VOD, which has no API to delete jobs. Import a job by its JobId: ``ResourceOptions(import_="<JobId>")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_alicloud_ai.resources._lazy import LazyProvider
from pulumi_alicloud_ai.resources._program import placement, read_existing
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts, timeouts_input


class AIImageJobProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._ai_image_job_provider:AIImageJobProvider"


AIImageJobTimeouts = Timeouts
"""The :class:`Timeouts` of an AIImageJob: ``create`` (for the job to finish) and ``delete`` (for a job
still running to finish, so that its images can be deleted); 30m each by default."""


@dataclass
class AIImageJobArgs:
    """Inputs of an :class:`AIImageJob`; every API input replaces the job when it changes.

    Attributes:
        video_id: The video to make thumbnails of.
        ai_template_id: The TemplateId of an ``AIImage`` template, e.g. ``VodAITemplate.template_id``.
        user_data: VOD's UserData: an object with ``MessageCallback`` (``{"CallbackURL": url}``, where
            the completion event is POSTed) and/or ``Extend`` (any JSON, echoed in the event). Sent as
            compact JSON of at most 512 bytes, checked at preview.
        ai_pipeline_id: The pipeline (queue) to run the job in.
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
        wait_for_final: Wait until the job is ``success`` (a ``fail`` is then an error with its code and
            message); default True.
        timeouts: :class:`Timeouts` for create and delete (30m each by default).
    """

    video_id: pulumi.Input[str]
    ai_template_id: pulumi.Input[str]
    user_data: pulumi.Input[Mapping[str, Any]] | None = None
    ai_pipeline_id: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    wait_for_final: bool = True
    timeouts: Timeouts | None = None


_OUTPUTS = (
    "job_id",
    "status",
    "images",
    "ai_image_result",
    "error_code",
    "error_message",
    "template_config",
    "creation_time",
    "_outputs_version",
)


class AIImageJob(Resource, module="alicloud-ai", name="AIImageJob"):
    """A VOD AI image job. Outputs its id, status and images (url, format, score, ...)."""

    video_id: pulumi.Output[str]
    ai_template_id: pulumi.Output[str]
    region: pulumi.Output[str]
    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    """``success`` or ``fail`` once final; anything else means the job is still running."""
    images: pulumi.Output[list[dict[str, Any]]]
    """The job's images (AIImageInfo records), once it succeeded: dicts with ``id`` (the
    AIImageInfoId), ``url``, ``format`` (``png``/``gif``), ``score`` (a float, 0 to 1), ``version`` and
    ``creation_time``."""
    ai_image_result: pulumi.Output[str]
    """Where VOD put the job's result, once it succeeded (None before)."""
    error_code: pulumi.Output[str]
    """The job's Code when it ended ``fail`` (only seen with ``wait_for_final=False``), else None."""
    error_message: pulumi.Output[str]
    template_config: pulumi.Output[dict[str, Any]]
    """The template's config as it was when the job was submitted."""
    creation_time: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: AIImageJobArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the job in another account, region or endpoint than the stack's."""
        props: dict[str, Any] = {
            "video_id": args.video_id,
            "ai_template_id": args.ai_template_id,
            "user_data": args.user_data,
            "ai_pipeline_id": args.ai_pipeline_id,
            "wait_for_final": args.wait_for_final,
            "timeouts": timeouts_input(args.timeouts),
            **placement(settings, args.region),
            **dict.fromkeys(_OUTPUTS),
        }
        super().__init__(AIImageJobProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        region: pulumi.Input[str] | None = None,
        settings: ProviderSettings | None = None,
    ) -> AIImageJob:
        """An existing job (id: its JobId) read into the program, not managed: its outputs are
        the live job's (status, images). ``region`` is where it ran."""
        fields = ("video_id", "ai_template_id", *_OUTPUTS)
        return read_existing(
            AIImageJob,
            AIImageJobProvider(),
            resource_name,
            id,
            opts,
            fields=fields,
            settings=settings,
            region=region,
        )
