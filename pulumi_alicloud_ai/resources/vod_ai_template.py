"""``VodAITemplate``: an ApsaraVideo VOD AI template (smart thumbnails or automated review).

Example::

    from pulumi_alicloud_ai import AIImageFormat, AIImageTemplateConfig, VodAITemplate, VodAITemplateArgs

    thumbs = VodAITemplate("thumbs", VodAITemplateArgs(
        template_name="smart-thumbnails",
        config=AIImageTemplateConfig(count=4, format=AIImageFormat.PNG),
    ))
    pulumi.export("template_id", thumbs.template_id)

Name and config change in place (UpdateAITemplate); the type and region replace the template.
Import an existing template by its TemplateId: ``ResourceOptions(import_="<TemplateId>")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Literal

import pulumi
from pulumi.dynamic import Resource

from pulumi_alicloud_ai.resources._lazy import LazyProvider
from pulumi_alicloud_ai.resources._program import placement, read_existing
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings


class VodAITemplateProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._vod_template_provider:VodAITemplateProvider"


class AITemplateType(StrEnum):
    """The ``TemplateType`` of an AI template."""

    AI_IMAGE = "AIImage"
    """Smart thumbnails: what :class:`~pulumi_alicloud_ai.AIImageJob` runs."""
    AI_MEDIA_AUDIT = "AIMediaAudit"
    """Automated review."""


AITemplateTypeName = Literal["AIImage", "AIMediaAudit"]
"""The values of :class:`AITemplateType`, as plain strings a type checker can still check."""


class AIImageFormat(StrEnum):
    """Image formats of smart thumbnails (the formats AIImageInfo reports)."""

    PNG = "png"
    GIF = "gif"


AIImageFormatName = Literal["png", "gif"]


class AuditItem(StrEnum):
    """What automated review looks for (``AuditItem``)."""

    TERRORISM = "terrorism"
    """Terrorist and politically sensitive content."""
    PORN = "porn"


AuditItemName = Literal["terrorism", "porn"]


class AuditRange(StrEnum):
    """Which parts of a video automated review covers (``AuditRange``)."""

    TEXT_TITLE = "text-title"
    VIDEO = "video"
    IMAGE_COVER = "image-cover"
    """The thumbnail."""


AuditRangeName = Literal["text-title", "video", "image-cover"]


class AuditContent(StrEnum):
    """What of the video is reviewed (``AuditContent``)."""

    SCREEN = "screen"
    """The video's images."""


AuditContentName = Literal["screen"]


class AuditAutoBlock(StrEnum):
    """Whether a video that fails review is blocked automatically (``AuditAutoBlock``)."""

    YES = "yes"
    NO = "no"


AuditAutoBlockName = Literal["yes", "no"]


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


@dataclass
class AIImageTemplateConfig:
    """An ``AIImage`` TemplateConfig.

    VOD does not document this schema; ``count`` and ``format`` are the keys the emulator honours.

    Attributes:
        count: How many images each job makes (``Count``), 1 to 10 (the service's default: 3).
        format: ``AIImageFormat.PNG`` (the service's default) or ``GIF`` (``Format``).
        extra: More TemplateConfig keys, sent as given, for settings the typed fields do not cover.
    """

    count: pulumi.Input[int] | None = None
    format: pulumi.Input[AIImageFormat | AIImageFormatName] | None = None
    extra: Mapping[str, Any] | None = None

    def to_config(self) -> dict[str, Any]:
        """The TemplateConfig object."""
        config = dict(self.extra or {})
        if self.count is not None:
            config["Count"] = self.count
        if self.format is not None:
            config["Format"] = _value(self.format)
        return config


@dataclass
class AIMediaAuditTemplateConfig:
    """An ``AIMediaAudit`` TemplateConfig (the four keys AddAITemplate documents, all required).

    Attributes:
        audit_items: What review looks for (``AuditItem``): :class:`AuditItem` values.
        audit_range: Which parts of the video are reviewed (``AuditRange``): :class:`AuditRange` values.
        audit_content: What of the video is reviewed (``AuditContent``; default: its images).
        auto_block: Block a video that fails review (``AuditAutoBlock``); ``True``/``False`` mean
            ``yes``/``no`` (default ``no``).
    """

    audit_items: Sequence[AuditItem | AuditItemName]
    audit_range: Sequence[AuditRange | AuditRangeName]
    audit_content: Sequence[AuditContent | AuditContentName] = (AuditContent.SCREEN,)
    auto_block: AuditAutoBlock | AuditAutoBlockName | bool = AuditAutoBlock.NO

    def to_config(self) -> dict[str, Any]:
        """The TemplateConfig object."""
        block: Any = self.auto_block
        if isinstance(block, bool):
            block = AuditAutoBlock.YES if block else AuditAutoBlock.NO
        return {
            "AuditItem": [_value(item) for item in self.audit_items],
            "AuditRange": [_value(item) for item in self.audit_range],
            "AuditContent": [_value(item) for item in self.audit_content],
            "AuditAutoBlock": _value(block),
        }


TemplateConfig = AIImageTemplateConfig | AIMediaAuditTemplateConfig


@dataclass
class VodAITemplateArgs:
    """Inputs of a :class:`VodAITemplate`.

    ``template_name`` and ``config`` change in place (one UpdateAITemplate sends both); ``template_type``
    and ``region`` replace the template.

    Attributes:
        template_name: At most 128 bytes (UTF-8); need not be unique.
        config: :class:`AIImageTemplateConfig`, :class:`AIMediaAuditTemplateConfig`, or the raw
            TemplateConfig dict.
        template_type: An :class:`AITemplateType`; inferred from a typed ``config``, required with a
            raw dict.
        is_default: Make this the default template of its type in the region (SetDefaultAITemplate).
            VOD cannot unset a default: going back to ``False`` needs another template of the type to be
            made the default first.
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
    """

    template_name: pulumi.Input[str]
    config: TemplateConfig | pulumi.Input[Mapping[str, Any]]
    template_type: pulumi.Input[AITemplateType | AITemplateTypeName] | None = None
    is_default: pulumi.Input[bool] = False
    region: pulumi.Input[str] | None = None


_OUTPUTS = ("template_id", "source", "_outputs_version")


class VodAITemplate(Resource, module="alicloud-ai", name="VodAITemplate"):
    """A VOD AI template. Outputs its ``template_id`` (also the resource id) and ``source``."""

    template_name: pulumi.Output[str]
    template_type: pulumi.Output[str]
    config: pulumi.Output[dict[str, Any]]
    is_default: pulumi.Output[bool]
    region: pulumi.Output[str]
    template_id: pulumi.Output[str]
    """The TemplateId: what :class:`~pulumi_alicloud_ai.AIImageJobArgs` takes as ``ai_template_id``."""
    source: pulumi.Output[str]
    """``Custom`` for templates made through the API."""

    def __init__(
        self,
        resource_name: str,
        args: VodAITemplateArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the template in another account, region or endpoint than the stack's."""
        template_type = args.template_type
        if template_type is None and isinstance(args.config, AIImageTemplateConfig):
            template_type = AITemplateType.AI_IMAGE
        elif template_type is None and isinstance(args.config, AIMediaAuditTemplateConfig):
            template_type = AITemplateType.AI_MEDIA_AUDIT
        config = (
            args.config.to_config()
            if isinstance(args.config, AIImageTemplateConfig | AIMediaAuditTemplateConfig)
            else args.config
        )
        props: dict[str, Any] = {
            "template_name": args.template_name,
            "template_type": _value(template_type),
            "config": config,
            "is_default": args.is_default,
            **placement(settings, args.region),
            **dict.fromkeys(_OUTPUTS),
        }
        super().__init__(VodAITemplateProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        region: pulumi.Input[str] | None = None,
        settings: ProviderSettings | None = None,
    ) -> VodAITemplate:
        """An existing template (id: its TemplateId) read into the program, not managed: its outputs
        are the live template's, and ``pulumi destroy`` leaves it alone. ``region`` is where it is."""
        fields = ("template_name", "template_type", "config", "is_default", *_OUTPUTS)
        return read_existing(
            VodAITemplate,
            VodAITemplateProvider(),
            resource_name,
            id,
            opts,
            fields=fields,
            settings=settings,
            region=region,
        )
