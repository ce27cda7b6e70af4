"""Pulumi resources for Alibaba Cloud AI services, an OpenAPI client on httpx, and a local emulator.

Public names are imported lazily: ``import pulumi_alicloud_ai`` stays cheap, and a provider process
loads only the resource it serves (the emulator is loaded only when it is used).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._version import __version__

_EXPORTS = {
    "AIImageFormat": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AIImageJob": "pulumi_alicloud_ai.resources.ai_image_job",
    "AIImageJobArgs": "pulumi_alicloud_ai.resources.ai_image_job",
    "AIImageJobTimeouts": "pulumi_alicloud_ai.resources.ai_image_job",
    "AIImageTemplateConfig": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AIMediaAuditJob": "pulumi_alicloud_ai.resources.ai_media_audit_job",
    "AIMediaAuditJobArgs": "pulumi_alicloud_ai.resources.ai_media_audit_job",
    "AIMediaAuditTemplateConfig": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AITask": "pulumi_alicloud_ai.resources.ai_task",
    "AITaskArgs": "pulumi_alicloud_ai.resources.ai_task",
    "AITaskTimeouts": "pulumi_alicloud_ai.resources.ai_task",
    "AITaskType": "pulumi_alicloud_ai.resources.ai_task",
    "AITemplateType": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AppService": "pulumi_alicloud_ai.resources.app_service",
    "AppServiceArgs": "pulumi_alicloud_ai.resources.app_service",
    "AppServiceInfo": "pulumi_alicloud_ai.resources.lookups",
    "AppType": "pulumi_alicloud_ai.resources.app_service",
    "AssumeRole": "pulumi_alicloud_ai.resources.provider_settings",
    "ScaleStrategy": "pulumi_alicloud_ai.resources.app_service",
    "ScaleBehavior": "pulumi_alicloud_ai.resources.app_service",
    "SafetyLock": "pulumi_alicloud_ai.resources.app_service",
    "CronScaling": "pulumi_alicloud_ai.resources.app_service",
    "CronSchedule": "pulumi_alicloud_ai.resources.app_service",
    "Autoscaling": "pulumi_alicloud_ai.resources.app_service",
    "AuditAutoBlock": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AuditContent": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AuditItem": "pulumi_alicloud_ai.resources.vod_ai_template",
    "AuditRange": "pulumi_alicloud_ai.resources.vod_ai_template",
    "GeneratedTemplate": "pulumi_alicloud_ai.resources.generated_template",
    "GeneratedTemplateArgs": "pulumi_alicloud_ai.resources.generated_template",
    "LlmService": "pulumi_alicloud_ai.resources.llm_service",
    "LlmServiceArgs": "pulumi_alicloud_ai.resources.llm_service",
    "NasModelStorage": "pulumi_alicloud_ai.resources.app_service",
    "Network": "pulumi_alicloud_ai.resources.llm_service",
    "OssModelStorage": "pulumi_alicloud_ai.resources.app_service",
    "ProviderSettings": "pulumi_alicloud_ai.resources.provider_settings",
    "ServiceSpec": "pulumi_alicloud_ai.resources.app_service",
    "TemplateType": "pulumi_alicloud_ai.resources.ai_task",
    "Timeouts": "pulumi_alicloud_ai.resources.timeouts",
    "VideoAIImages": "pulumi_alicloud_ai.resources.video_ai_images",
    "VideoAIImagesArgs": "pulumi_alicloud_ai.resources.video_ai_images",
    "VodAITemplate": "pulumi_alicloud_ai.resources.vod_ai_template",
    "VodAITemplateArgs": "pulumi_alicloud_ai.resources.vod_ai_template",
    "get_app_service": "pulumi_alicloud_ai.resources.lookups",
}

__all__ = [
    "AIImageFormat",
    "AIImageJob",
    "AIImageJobArgs",
    "AIImageJobTimeouts",
    "AIImageTemplateConfig",
    "AIMediaAuditJob",
    "AIMediaAuditJobArgs",
    "AIMediaAuditTemplateConfig",
    "AITask",
    "AITaskArgs",
    "AITaskTimeouts",
    "AITaskType",
    "AITemplateType",
    "AppService",
    "AppServiceArgs",
    "AppServiceInfo",
    "AppType",
    "AssumeRole",
    "AuditAutoBlock",
    "AuditContent",
    "AuditItem",
    "AuditRange",
    "Autoscaling",
    "CronScaling",
    "CronSchedule",
    "GeneratedTemplate",
    "GeneratedTemplateArgs",
    "LlmService",
    "LlmServiceArgs",
    "NasModelStorage",
    "Network",
    "OssModelStorage",
    "ProviderSettings",
    "SafetyLock",
    "ScaleBehavior",
    "ScaleStrategy",
    "ServiceSpec",
    "TemplateType",
    "Timeouts",
    "VideoAIImages",
    "VideoAIImagesArgs",
    "VodAITemplate",
    "VodAITemplateArgs",
    "__version__",
    "get_app_service",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_alicloud_ai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from pulumi_alicloud_ai.resources.ai_image_job import AIImageJob, AIImageJobArgs, AIImageJobTimeouts
    from pulumi_alicloud_ai.resources.ai_media_audit_job import AIMediaAuditJob, AIMediaAuditJobArgs
    from pulumi_alicloud_ai.resources.ai_task import (
        AITask,
        AITaskArgs,
        AITaskTimeouts,
        AITaskType,
        TemplateType,
    )
    from pulumi_alicloud_ai.resources.app_service import (
        AppService,
        AppServiceArgs,
        AppType,
        Autoscaling,
        CronScaling,
        CronSchedule,
        NasModelStorage,
        OssModelStorage,
        SafetyLock,
        ScaleBehavior,
        ScaleStrategy,
        ServiceSpec,
    )
    from pulumi_alicloud_ai.resources.generated_template import GeneratedTemplate, GeneratedTemplateArgs
    from pulumi_alicloud_ai.resources.llm_service import LlmService, LlmServiceArgs, Network
    from pulumi_alicloud_ai.resources.lookups import AppServiceInfo, get_app_service
    from pulumi_alicloud_ai.resources.provider_settings import AssumeRole, ProviderSettings
    from pulumi_alicloud_ai.resources.timeouts import Timeouts
    from pulumi_alicloud_ai.resources.video_ai_images import VideoAIImages, VideoAIImagesArgs
    from pulumi_alicloud_ai.resources.vod_ai_template import (
        AIImageFormat,
        AIImageTemplateConfig,
        AIMediaAuditTemplateConfig,
        AITemplateType,
        AuditAutoBlock,
        AuditContent,
        AuditItem,
        AuditRange,
        VodAITemplate,
        VodAITemplateArgs,
    )
