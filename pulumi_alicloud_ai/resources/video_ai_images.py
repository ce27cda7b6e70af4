"""``VideoAIImages``: one AI image template and a smart-thumbnail job per video, images per video out.

A component (``alicloud-ai:index:VideoAIImages``) holding a :class:`VodAITemplate` named
``<name>-template`` and, for each video id, an :class:`AIImageJob` named ``<name>-<video id>``, all
parented to the component (so ``protect``, ``provider`` and ``depends_on`` given to it reach them).
Adding a video adds a job; removing one deletes that job's images; the other jobs are untouched.

Example::

    images = VideoAIImages("trailers", VideoAIImagesArgs(
        video_ids=["9ae2af636ca6c10412f44891fc****", "1b2c..."],
        config=AIImageTemplateConfig(count=4),
    ))
    pulumi.export("thumbnails", images.images)      # {video id: [image url, ...]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from pulumi_alicloud_ai.resources.ai_image_job import AIImageJob, AIImageJobArgs
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts
from pulumi_alicloud_ai.resources.vod_ai_template import (
    AIImageTemplateConfig,
    AITemplateType,
    VodAITemplate,
    VodAITemplateArgs,
)


@dataclass
class VideoAIImagesArgs:
    """Inputs of a :class:`VideoAIImages`.

    Attributes:
        video_ids: Plain strings: each names a child job, so the ids must be known when the program runs.
        config: The thumbnails to make (an :class:`AIImageTemplateConfig`; the service's defaults when
            left empty).
        template_name: Defaults to the component's name.
        user_data: UserData for every job (e.g. a ``MessageCallback``).
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
        timeouts: :class:`Timeouts` for each job's create and delete.
    """

    video_ids: Sequence[str]
    config: AIImageTemplateConfig = field(default_factory=AIImageTemplateConfig)
    template_name: pulumi.Input[str] | None = None
    user_data: pulumi.Input[Mapping[str, Any]] | None = None
    region: pulumi.Input[str] | None = None
    timeouts: Timeouts | None = None


class VideoAIImages(pulumi.ComponentResource):
    """Smart thumbnails for a set of videos, from one template."""

    template: VodAITemplate
    jobs: dict[str, AIImageJob]
    images: pulumi.Output[dict[str, list[str]]]
    """Image URLs per video id."""

    def __init__(
        self,
        name: str,
        args: VideoAIImagesArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the template and jobs in another account, region or endpoint."""
        super().__init__("alicloud-ai:index:VideoAIImages", name, None, opts)
        duplicates = {v for v in args.video_ids if list(args.video_ids).count(v) > 1}
        if duplicates:
            raise ValueError(f"VideoAIImages {name}: video_ids lists {sorted(duplicates)} more than once")
        depends_on = opts.depends_on if opts else None
        self.template = VodAITemplate(
            f"{name}-template",
            VodAITemplateArgs(
                template_name=args.template_name or name,
                config=args.config,
                template_type=AITemplateType.AI_IMAGE,
                region=args.region,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=depends_on),
            settings=settings,
        )
        self.jobs = {
            video_id: AIImageJob(
                f"{name}-{video_id}",
                AIImageJobArgs(
                    video_id=video_id,
                    ai_template_id=self.template.template_id,
                    user_data=args.user_data,
                    region=args.region,
                    timeouts=args.timeouts,
                ),
                pulumi.ResourceOptions(parent=self),
                settings=settings,
            )
            for video_id in args.video_ids
        }
        per_video = {video_id: job.images.apply(_urls) for video_id, job in self.jobs.items()}
        self.images = pulumi.Output.all(**per_video)
        self.register_outputs({"template_id": self.template.template_id, "images": self.images})


def _urls(images: list[dict[str, Any]] | None) -> list[str]:
    return [str(image.get("url")) for image in images or []]
