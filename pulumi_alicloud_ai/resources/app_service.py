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

To manage a service that already exists, set ``adopt_existing=True``. Its import id is
``cn-shanghai/chat_llm`` (type ``pulumi-python:dynamic/alicloud-ai:AppService``), but the Pulumi CLI
cannot import dynamic-provider resources yet (pulumi/pulumi#16175; docs/engine.md quotes the error).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from enum import Enum, StrEnum
from typing import Any, Literal

import pulumi
from pulumi.dynamic import Resource

from pulumi_alicloud_ai.resources._lazy import LazyProvider
from pulumi_alicloud_ai.resources._program import placement, read_existing
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts, timeouts_input

__all__ = [
    "AppService",
    "AppServiceArgs",
    "AppServiceProvider",
    "AppType",
    "AppTypeName",
    "Autoscaling",
    "CronScaling",
    "CronSchedule",
    "MetricName",
    "ModelStorage",
    "NasModelStorage",
    "OssModelStorage",
    "SafetyLock",
    "SafetyLockName",
    "ScaleBehavior",
    "ScaleStrategy",
    "ServiceSpec",
    "ServiceSpecName",
    "Timeouts",
]


class AppServiceProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._app_service_provider:AppServiceProvider"


class AppType(StrEnum):
    """The application type; EAS app services support LLM only."""

    LLM = "LLM"


AppTypeName = Literal["LLM"]
"""The values of :class:`AppType`, as plain strings a type checker can still check."""


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


ServiceSpecName = Literal[
    "llama_7b_fp16",
    "llama_7b_int8",
    "llama_13b_fp16",
    "chatglm_6b_fp16",
    "chatglm_6b_int8",
    "chatglm2_6b_fp16",
    "baichuan_7b_int8",
    "baichuan_13b_fp16",
    "baichuan_7b_fp16",
]
"""The values of :class:`ServiceSpec`, as plain strings a type checker can still check."""


@dataclass
class OssModelStorage:
    """Mount the model files from an OSS directory.

    Attributes:
        oss_path: The directory, ``oss://<bucket>/<path>/``.
    """

    oss_path: pulumi.Input[str]

    def to_config(self) -> dict[str, Any]:
        """The API's Config object."""
        return {"ModelStorage": "oss", "OssPath": self.oss_path}


@dataclass
class NasModelStorage:
    """Mount the model files from a NAS file system, reached through a VPC.

    Attributes:
        mount_target: The NAS mount target's domain name.
        path: The directory on the file system, an absolute path (``/models``).
        security_group_id: The security group the service's instances join (``sg-...``).
        vpc_id: The VPC of the mount target (``vpc-...``).
        vswitch_id: The vSwitch the service's instances use (``vsw-...``).
    """

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


ModelStorage = OssModelStorage | NasModelStorage

MetricName = Literal["QPS", "CPU"]
"""What a scale strategy follows: queries per second, or CPU utilisation percent, per instance."""


class SafetyLock(StrEnum):
    """Which operations EAS refuses on the service."""

    ALL = "all"
    """Every change, scaling and label change, stop and delete."""
    DANGEROUS = "dangerous"
    """Stop and delete."""
    NONE = "none"
    """Nothing (the default)."""


SafetyLockName = Literal["all", "dangerous", "none"]
"""The values of :class:`SafetyLock`, as plain strings a type checker can still check."""


@dataclass
class ScaleStrategy:
    """One metric the autoscaler follows.

    Attributes:
        metric_name: ``QPS`` or ``CPU``.
        threshold: The value per instance above which an instance is added (above 0).
        service: The service whose metric counts (default: this one).
    """

    metric_name: pulumi.Input[MetricName]
    threshold: pulumi.Input[float]
    service: pulumi.Input[str] | None = None


@dataclass
class ScaleBehavior:
    """How fast the autoscaler follows a change, in seconds (unset: the service's defaults).

    Attributes:
        scale_up_stabilization_seconds: How long a rise must last before instances are added (0-3600).
        scale_down_stabilization_seconds: How long a fall must last before instances go (0-3600).
        on_zero_grace_period_seconds: How long without traffic before scaling to 0 (when ``min`` is 0).
        on_zero_activation_replicas: How many instances start at once from 0.
    """

    scale_up_stabilization_seconds: pulumi.Input[int] | None = None
    scale_down_stabilization_seconds: pulumi.Input[int] | None = None
    on_zero_grace_period_seconds: pulumi.Input[int] | None = None
    on_zero_activation_replicas: pulumi.Input[int] | None = None


@dataclass
class Autoscaling:
    """Scale between ``min`` and ``max`` instances on load.

    Attributes:
        min: The fewest instances (0-1000, at most ``max``).
        max: The most instances (1-1000).
        strategies: One :class:`ScaleStrategy` per metric (``QPS``, ``CPU``).
        behavior: How fast to follow a change.
    """

    min: pulumi.Input[int]
    max: pulumi.Input[int]
    strategies: list[ScaleStrategy]
    behavior: ScaleBehavior | None = None


@dataclass
class CronSchedule:
    """Run ``target_size`` instances from ``schedule`` on.

    Attributes:
        schedule: Six-field cron, in UTC: ``second minute hour day month weekday``
            (``0 0 8 * * MON-FRI``).
        target_size: How many instances (0-1000).
        name: The job's name (default ``schedule-<position>``).
    """

    schedule: pulumi.Input[str]
    target_size: pulumi.Input[int]
    name: pulumi.Input[str] | None = None


@dataclass
class CronScaling:
    """Scheduled instance counts.

    Attributes:
        schedules: Up to 20 :class:`CronSchedule` entries.
        exclude_dates: Cron expressions for times when no schedule fires (holidays).
    """

    schedules: list[CronSchedule]
    exclude_dates: list[pulumi.Input[str]] | None = None


@dataclass
class AppServiceArgs:
    """Inputs of an :class:`AppService`: one per CreateAppService field, plus region and waiting.

    ``replicas``, ``service_spec``, ``app_version``, ``config``, ``autoscaling``, ``cron_scaling``,
    ``labels`` and ``safety_lock`` change in place; the other API fields replace the service.

    Attributes:
        service_name: Unique in its region: 2 to 64 lowercase letters, digits and underscores, starting
            with a letter. Replaces the service when changed.
        service_spec: The model and precision to run: a :class:`ServiceSpec` (or its value). In place.
        replicas: How many instances run, 1 to 100 (default 1). In place.
        app_type: The application type; ``LLM``, the only one (default). Replaces.
        app_version: The application version. In place.
        config: Where the model comes from: :class:`OssModelStorage`, :class:`NasModelStorage`, or the
            API's Config dict. In place.
        workspace_id: The PAI workspace. Replaces.
        quota_id: The PAI resource quota. Replaces.
        autoscaling: Scale on load between a minimum and a maximum (:class:`Autoscaling`); while a
            scaler is on, the instance count it reaches is not drift from ``replicas``, and removing the
            last scaler sets the service back to ``replicas``. In place.
        cron_scaling: Scheduled instance counts (:class:`CronScaling`). In place.
        labels: The service's labels; the map is exact: labels added elsewhere show as drift on
            refresh and are removed by the next update. In place.
        safety_lock: Which operations EAS refuses: a :class:`SafetyLock` (default ``none``). A
            loosened lock is set before other changes, a tightened one after them. In place.
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``. Replaces.
        wait_for_ready: Wait until the service is Running after create and update (default True).
        timeouts: :class:`Timeouts` for create, update and delete (defaults 30m, 30m, 15m).
        adopt_existing: Take over an existing service of this name, after checking it matches these
            inputs, instead of creating one (default False).
    """

    service_name: pulumi.Input[str]
    service_spec: pulumi.Input[ServiceSpec | ServiceSpecName]
    replicas: pulumi.Input[int] = 1
    app_type: pulumi.Input[AppType | AppTypeName] = AppType.LLM
    app_version: pulumi.Input[str] | None = None
    config: ModelStorage | pulumi.Input[dict[str, Any]] | None = None
    workspace_id: pulumi.Input[str] | None = None
    quota_id: pulumi.Input[str] | None = None
    autoscaling: Autoscaling | None = None
    cron_scaling: CronScaling | None = None
    labels: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    safety_lock: pulumi.Input[SafetyLock | SafetyLockName] | None = None
    region: pulumi.Input[str] | None = None
    wait_for_ready: bool = True
    timeouts: Timeouts | None = None
    adopt_existing: bool = False


def _plain(value: Any) -> Any:
    """A dataclass input (and the dataclasses and enums in it) as the plain value the provider
    receives; unset fields are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _plain(getattr(value, field.name))
            for field in fields(value)
            if getattr(value, field.name) is not None
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _enum_value(value)


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


_OUTPUTS = (
    "service_id",
    "status",
    "current_version",
    "latest_version",
    "running_instances",
    "internet_endpoint",
    "intranet_endpoint",
    "access_token",
    "_outputs_version",
)


class AppService(Resource, module="alicloud-ai", name="AppService"):
    """A PAI-EAS LLM app service. Outputs its id, status, versions, running instances, endpoints and
    (secret) access token."""

    service_name: pulumi.Output[str]
    region: pulumi.Output[str]
    service_spec: pulumi.Output[str]
    replicas: pulumi.Output[int]
    service_id: pulumi.Output[str]
    status: pulumi.Output[str]
    current_version: pulumi.Output[int]
    """The version the service runs."""
    latest_version: pulumi.Output[int]
    """The newest version built (above ``current_version`` after a roll-back)."""
    running_instances: pulumi.Output[int]
    """Instances running when last read; under a scaler this moves without being drift."""
    internet_endpoint: pulumi.Output[str]
    intranet_endpoint: pulumi.Output[str]
    access_token: pulumi.Output[str]
    """The token to call the service with; a Pulumi secret."""

    def __init__(
        self,
        resource_name: str,
        args: AppServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the service in another account, region or endpoint than the stack's."""
        config = (
            args.config.to_config()
            if isinstance(args.config, OssModelStorage | NasModelStorage)
            else args.config
        )
        props: dict[str, Any] = {
            "service_name": args.service_name,
            "service_spec": _enum_value(args.service_spec),
            "replicas": args.replicas,
            "app_type": _enum_value(args.app_type),
            "app_version": args.app_version,
            "config": config,
            "workspace_id": args.workspace_id,
            "quota_id": args.quota_id,
            "autoscaling": _plain(args.autoscaling),
            "cron_scaling": _plain(args.cron_scaling),
            "labels": args.labels,
            "safety_lock": _enum_value(args.safety_lock),
            "wait_for_ready": args.wait_for_ready,
            "timeouts": timeouts_input(args.timeouts),
            "adopt_existing": args.adopt_existing,
            **placement(settings, args.region),
            **dict.fromkeys(_OUTPUTS),
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["access_token"])
        super().__init__(
            AppServiceProvider(), resource_name, props, pulumi.ResourceOptions.merge(secret, opts)
        )

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> AppService:
        """An existing service (id ``<region>/<service_name>``) read into the program, not managed:
        its outputs are the live service's, and ``pulumi destroy`` leaves it alone."""
        secret = pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(additional_secret_outputs=["access_token"]), opts
        )
        fields = ("service_name", "service_spec", "replicas", "app_type", "config", *_OUTPUTS)
        return read_existing(
            AppService, AppServiceProvider(), resource_name, id, secret, fields=fields, settings=settings
        )
