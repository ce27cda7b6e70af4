"""``AppService``: a PAI-EAS LLM application service as a Pulumi resource.

Example::

    from pulumi_alicloud_ai import AppService, AppServiceArgs, OssModelStorage, ServiceSpec

    llm = AppService("chat", AppServiceArgs(
        service_name="chat_llm",
        service_spec=ServiceSpec.LLAMA_7B_FP16,
        replicas=2,
        config=OssModelStorage(oss_path="oss://my-models/llama-7b/"),
    ))
    pulumi.export("endpoint", llm.internet_endpoint)

Import an existing service with ``pulumi import alicloud-ai:index:AppService chat cn-shanghai/chat_llm``
or ``ResourceOptions(import_="cn-shanghai/chat_llm")``; or set ``adopt_existing=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_alicloud_ai.resources._lazy import LazyProvider
from pulumi_alicloud_ai.resources._settings import stack_settings


class AppServiceProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._app_service_provider:AppServiceProvider"


class AppType(StrEnum):
    """The application type; EAS app services support LLM only."""

    LLM = "LLM"


class ServiceSpec(StrEnum):
    """The model and precision an app service runs (the API's ServiceSpec values)."""

    LLAMA_7B_FP16 = "llama_7b_fp16"
    LLAMA_7B_INT8 = "llama_7b_int8"
    LLAMA_13B_FP16 = "llama_13b_fp16"
    CHATGLM_6B_FP16 = "chatglm_6b_fp16"
    CHATGLM_6B_INT8 = "chatglm_6b_int8"
    CHATGLM2_6B_FP16 = "chatglm2_6b_fp16"
    BAICHUAN_7B_INT8 = "baichuan_7b_int8"
    BAICHUAN_13B_FP16 = "baichuan_13b_fp16"
    BAICHUAN_7B_FP16 = "baichuan_7b_fp16"


@dataclass
class OssModelStorage:
    """Mount the model files from an OSS directory, ``oss://bucket/path/``."""

    oss_path: pulumi.Input[str]

    def to_config(self) -> dict[str, Any]:
        """The API's Config object."""
        return {"ModelStorage": "oss", "OssPath": self.oss_path}


@dataclass
class NasModelStorage:
    """Mount the model files from a NAS file system, reached through a VPC."""

    mount_target: pulumi.Input[str]
    path: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    vswitch_id: pulumi.Input[str]

    def to_config(self) -> dict[str, Any]:
        """The API's Config object (note the API's ``ID`` spellings)."""
        return {
            "ModelStorage": "nas",
            "NasMountTarget": self.mount_target,
            "NasPath": self.path,
            "SecurityGroupID": self.security_group_id,
            "VpcID": self.vpc_id,
            "VswitchID": self.vswitch_id,
        }


@dataclass
class Timeouts:
    """Limits on waiting, in seconds or as ``'30m'``/``'1h'`` (defaults: 30m, 30m, 15m)."""

    create: pulumi.Input[float | str] | None = None
    update: pulumi.Input[float | str] | None = None
    delete: pulumi.Input[float | str] | None = None


ModelStorage = OssModelStorage | NasModelStorage


@dataclass
class AppServiceArgs:
    """Inputs of an :class:`AppService`, one per CreateAppService field plus region and waiting.

    ``replicas``, ``service_spec``, ``app_version`` and ``config`` change in place; the other API
    fields replace the service.
    """

    service_name: pulumi.Input[str]
    """Unique in its region: lowercase letters, digits and underscores, starting with a letter."""
    service_spec: pulumi.Input[ServiceSpec | str]
    replicas: pulumi.Input[int] = 1
    app_type: pulumi.Input[AppType | str] = AppType.LLM
    app_version: pulumi.Input[str] | None = None
    config: ModelStorage | pulumi.Input[dict[str, Any]] | None = None
    """Where the model comes from: :class:`OssModelStorage`, :class:`NasModelStorage`, or the raw dict."""
    workspace_id: pulumi.Input[str] | None = None
    quota_id: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    """Defaults to ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``."""
    wait_for_ready: bool = True
    """Wait until the service is Running (create and update)."""
    timeouts: Timeouts | None = None
    adopt_existing: bool = False
    """Take over an existing service of this name, after checking it matches these inputs."""


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


_OUTPUTS = (
    "service_id",
    "status",
    "internet_endpoint",
    "intranet_endpoint",
    "access_token",
    "_outputs_version",
)


class AppService(Resource, module="alicloud-ai", name="AppService"):
    """A PAI-EAS LLM app service. Outputs its id, status, endpoints and (secret) access token."""

    service_name: pulumi.Output[str]
    region: pulumi.Output[str]
    service_spec: pulumi.Output[str]
    replicas: pulumi.Output[int]
    service_id: pulumi.Output[str]
    status: pulumi.Output[str]
    internet_endpoint: pulumi.Output[str]
    intranet_endpoint: pulumi.Output[str]
    access_token: pulumi.Output[str]
    """The token to call the service with; a Pulumi secret."""

    def __init__(
        self, resource_name: str, args: AppServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        settings = stack_settings()
        config = (
            args.config.to_config()
            if isinstance(args.config, OssModelStorage | NasModelStorage)
            else args.config
        )
        timeouts = None
        if args.timeouts is not None:
            timeouts = {k: v for k, v in vars(args.timeouts).items() if v is not None}
        props: dict[str, Any] = {
            "service_name": args.service_name,
            "service_spec": _enum_value(args.service_spec),
            "replicas": args.replicas,
            "app_type": _enum_value(args.app_type),
            "app_version": args.app_version,
            "config": config,
            "workspace_id": args.workspace_id,
            "quota_id": args.quota_id,
            "region": args.region or settings.region,
            "wait_for_ready": args.wait_for_ready,
            "timeouts": timeouts,
            "adopt_existing": args.adopt_existing,
            "connection": settings.connection or None,
            **dict.fromkeys(_OUTPUTS),
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["access_token"])
        super().__init__(
            AppServiceProvider(), resource_name, props, pulumi.ResourceOptions.merge(secret, opts)
        )
