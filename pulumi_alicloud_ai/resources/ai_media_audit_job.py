"""``AIMediaAuditJob``: one ApsaraVideo VOD review (content moderation) job on a video
(SubmitAIMediaAuditJob) and its findings.

Example::

    from pulumi_alicloud_ai import AIMediaAuditJob, AIMediaAuditJobArgs

    review = AIMediaAuditJob("intro-review", AIMediaAuditJobArgs(
        video_id="9ae2af636ca6c10412f44891fc****",
        ai_template_id=audit.template_id,           # a VodAITemplate of type AIMediaAudit
    ))
    pulumi.export("verdict", review.suggestion)     # pass, review or block

A job cannot be edited: any change of video, template, UserData or region replaces it. Destroying it
only forgets it (VOD has no API to delete review jobs). Import a job by its JobId:
``ResourceOptions(import_="<JobId>")``.
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


class AIMediaAuditJobProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._ai_media_audit_job_provider:AIMediaAuditJobProvider"


@dataclass
class AIMediaAuditJobArgs:
    """Inputs of an :class:`AIMediaAuditJob`; every API input replaces the job when it changes.

    Attributes:
        video_id: The video to review.
        ai_template_id: The TemplateId of an ``AIMediaAudit`` template (default: VOD's default one).
        user_data: VOD's UserData, as for :class:`AIImageJob` (``MessageCallback`` and/or ``Extend``,
            at most 512 bytes as compact JSON).
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
        wait_for_final: Wait until the job is ``success`` (a ``fail`` is then an error with its code and
            message); default True.
        timeouts: :class:`Timeouts` with ``create`` (30m by default).
        adopt_id: The JobId of an existing review job to take over instead of submitting one: create
            checks that it reviews ``video_id`` (changing it replaces the resource).
    """

    video_id: pulumi.Input[str]
    ai_template_id: pulumi.Input[str] | None = None
    user_data: pulumi.Input[Mapping[str, Any]] | None = None
    region: pulumi.Input[str] | None = None
    wait_for_final: bool = True
    timeouts: Timeouts | None = None
    adopt_id: pulumi.Input[str] | None = None


_OUTPUTS = (
    "job_id",
    "status",
    "suggestion",
    "label",
    "abnormal_modules",
    "video_result",
    "image_results",
    "text_results",
    "audio_results",
    "error_code",
    "error_message",
    "creation_time",
    "complete_time",
    "_outputs_version",
)


class AIMediaAuditJob(Resource, module="alicloud-ai", name="AIMediaAuditJob"):
    """A VOD review job. Outputs its id, status, verdict and findings once it succeeded."""

    video_id: pulumi.Output[str]
    region: pulumi.Output[str]
    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    """``success`` or ``fail`` once final; anything else means the job is still running."""
    suggestion: pulumi.Output[str]
    """The verdict: ``pass``, ``review`` or ``block``."""
    label: pulumi.Output[str]
    """What was found worst (``normal`` when nothing was)."""
    abnormal_modules: pulumi.Output[list[str]]
    """Which parts did not pass (``video``, ``image-cover``, ``text-title``, ...)."""
    video_result: pulumi.Output[dict[str, Any]]
    """The video's findings per scene (VOD's ``VideoResult``)."""
    image_results: pulumi.Output[list[dict[str, Any]]]
    text_results: pulumi.Output[list[dict[str, Any]]]
    audio_results: pulumi.Output[list[dict[str, Any]]]
    error_code: pulumi.Output[str]
    """The job's Code when it ended ``fail`` (only seen with ``wait_for_final=False``), else None."""
    error_message: pulumi.Output[str]
    creation_time: pulumi.Output[str]
    complete_time: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: AIMediaAuditJobArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the job in another account, region or endpoint than the stack's."""
        props: dict[str, Any] = {
            "video_id": args.video_id,
            "ai_template_id": args.ai_template_id,
            "user_data": args.user_data,
            "wait_for_final": args.wait_for_final,
            "timeouts": timeouts_input(args.timeouts),
            "adopt_id": args.adopt_id,
            **placement(settings, args.region),
            **dict.fromkeys(_OUTPUTS),
        }
        super().__init__(AIMediaAuditJobProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        region: pulumi.Input[str] | None = None,
        settings: ProviderSettings | None = None,
    ) -> AIMediaAuditJob:
        """An existing review job (id: its JobId) read into the program, not managed: its outputs are
        the live job's verdict and findings. ``region`` is where it ran."""
        return read_existing(
            AIMediaAuditJob,
            AIMediaAuditJobProvider(),
            resource_name,
            id,
            opts,
            fields=("video_id", "ai_template_id", *_OUTPUTS),
            settings=settings,
            region=region,
        )
