"""The dynamic provider behind ``AppService``: a PAI-EAS LLM app service, on the lifecycle core.

Resource id: ``{region}/{service_name}`` (EAS addresses services by region and name; the ServiceId is
an output). Replicas, ServiceSpec, AppVersion and Config change in place with UpdateAppService;
autoscaling, cron scaling, labels and the safety lock in place with their own calls
(:mod:`._app_service_parts`); the name, region, app type, workspace and quota replace the service
(delete first when the replacement keeps the same name in the same region, since names are unique per
region). While a scaler is on, the instance count it reached is not drift from ``replicas``.

A service left behind by an interrupted earlier create (same name, same settings) makes
CreateAppService answer Conflict, and is adopted; one with other settings is refused, naming what
differs. A service that ends ``Failed`` after create is deleted before the error is raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, get_args

from pulumi.runtime import rpc
from pydantic import field_validator

from pulumi_alicloud_ai.client import eas_rules
from pulumi_alicloud_ai.client.eas import (
    DELETE_FAILED,
    FAILED_STATES,
    SETTLED_STATES,
    CreateAppServiceRequest,
    EasClient,
    Service,
    UpdateAppServiceRequest,
    events_line,
)
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import NotFoundError
from pulumi_alicloud_ai.resources import _app_service_parts as parts
from pulumi_alicloud_ai.resources._app_service_parts import AutoscalingInputs, CronScalingInputs
from pulumi_alicloud_ai.resources._inputs import ResourceInputs, choice
from pulumi_alicloud_ai.resources._lifecycle import IMPORT_NOTE, Lifecycle
from pulumi_alicloud_ai.resources._provider import DiffTable, ProviderError
from pulumi_alicloud_ai.resources.app_service import AppTypeName, ServiceSpecName

SERVICE_SPECS: tuple[str, ...] = get_args(ServiceSpecName)
APP_TYPES: tuple[str, ...] = get_args(AppTypeName)
API_FIELDS = ("app_type", "app_version", "service_spec", "replicas", "config", "workspace_id", "quota_id")
DELETING = "Deleting"
PYTHON_NAMES = {
    "OssPath": "oss_path",
    "NasMountTarget": "mount_target",
    "NasPath": "path",
    "SecurityGroupID": "security_group_id",
    "VpcID": "vpc_id",
    "VswitchID": "vswitch_id",
    "ModelStorage": "the model storage",
}
"""Config keys as ``OssModelStorage`` / ``NasModelStorage`` name them, for messages."""
_WIRE_KEY = re.compile(r"\b(" + "|".join(PYTHON_NAMES) + r")\b")

TABLE = DiffTable(
    {
        "service_name": "replace",
        "region": "replace",
        "app_type": "replace",
        "workspace_id": "replace",
        "quota_id": "replace",
        "service_spec": "update",
        "replicas": "update",
        "app_version": "update",
        "config": "update",
        "autoscaling": "update",
        "cron_scaling": "update",
        "labels": "update",
        "safety_lock": "update",
    },
    unique_key=("service_name", "region"),
)


def _python_names(reason: str) -> str:
    return _WIRE_KEY.sub(lambda match: PYTHON_NAMES[match.group(1)], reason)


class AppServiceInputs(ResourceInputs):
    """The provider's view of the inputs; validation messages name the field and the allowed values."""

    TIMEOUTS: ClassVar[dict[str, float]] = {"create": 1800.0, "update": 1800.0, "delete": 900.0}
    BEHAVIOUR: ClassVar[tuple[str, ...]] = (
        "wait_for_ready",
        "timeouts",
        "adopt_existing",
        "connection",
        "settings",
    )
    WAIT_FLAG: ClassVar[str | None] = "wait_for_ready"

    service_name: str
    service_spec: str
    replicas: int = 1
    app_type: str = "LLM"
    app_version: str | None = None
    config: dict[str, Any] | None = None
    workspace_id: str | None = None
    quota_id: str | None = None
    autoscaling: AutoscalingInputs | None = None
    cron_scaling: CronScalingInputs | None = None
    labels: dict[str, str] | None = None
    safety_lock: str | None = None
    wait_for_ready: bool = True
    adopt_existing: bool = False

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value and (problem := parts.labels_problem(value)):
            raise ValueError(problem)
        return dict(sorted(value.items())) if value else None

    @field_validator("safety_lock")
    @classmethod
    def _lock(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return None if choice(value, parts.SAFETY_LOCKS) == "none" else value

    @field_validator("service_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not eas_rules.NAME_PATTERN.fullmatch(value):
            raise ValueError(f"{value!r} is invalid: use {eas_rules.NAME_RULE}")
        return value

    @field_validator("service_spec")
    @classmethod
    def _spec(cls, value: str) -> str:
        return choice(value, SERVICE_SPECS)

    @field_validator("app_type")
    @classmethod
    def _app_type(cls, value: str) -> str:
        return choice(value, APP_TYPES)

    @field_validator("replicas", mode="before")
    @classmethod
    def _replicas(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Pulumi sends numbers as floats
        if problem := eas_rules.replicas_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if problems := eas_rules.config_problems(value):
            # A problem with the whole object (unknown keys) keeps the wire keys EAS accepts: a raw dict is
            # written with them. Problems of one key name it as the typed configs do.
            raise ValueError(
                "; ".join(reason if key == "Config" else _python_names(reason) for key, reason in problems)
            )
        return dict(sorted((key, item) for key, item in value.items() if item is not None))


def service_id(region: str, name: str) -> str:
    """The Pulumi resource id of a service."""
    return f"{region}/{name}"


def parse_service_id(resource_id: str) -> tuple[str, str]:
    """``cn-shanghai/my_llm`` → ``("cn-shanghai", "my_llm")``; a clear error for anything else."""
    region, sep, name = resource_id.partition("/")
    if not sep or not region or not name or "/" in name:
        raise ProviderError(
            f"AppService id {resource_id!r} is not '<region>/<service_name>' (e.g. 'cn-shanghai/my_llm')"
        )
    return region, name


def live_inputs(service: Service, region: str) -> dict[str, Any]:
    """The CreateAppService inputs as the live service shows them (refresh and import rebuild inputs
    from this, with :func:`._app_service_parts.live_parts`)."""
    config = service.app_config_dict() or None
    live: dict[str, Any] = {
        "service_name": service.service_name,
        "region": region,
        "app_type": service.app_type or "LLM",
        "service_spec": service.app_spec_name,
        "replicas": service.configured_replicas(),
        "app_version": service.app_version or None,
        "config": dict(sorted(config.items())) if config else None,
        "workspace_id": service.workspace_id or None,
        "quota_id": service.quota_id or None,
    }
    return {key: value for key, value in live.items() if value is not None}


class AppServiceProvider(Lifecycle[AppServiceInputs, EasClient, Service]):
    """Create, read, update and delete a PAI-EAS app service. Holds no state: safe to pickle."""

    inputs = AppServiceInputs
    table = TABLE
    product = EAS
    client = EasClient
    noun = "EAS service"
    removed = "The failed service was deleted, so nothing is left behind."
    waits_until_gone = True
    clears = parts.PARTS

    adopt_input = "adopt_existing"
    adopt_checks = API_FIELDS

    def adoption(self, inputs: AppServiceInputs) -> str | None:
        """With ``adopt_existing``, the service of this name in this region."""
        return service_id(inputs.region, inputs.service_name) if inputs.adopt_existing else None

    def take_over(self, id_: str) -> str:
        """Services are taken over by name."""
        return f"adopt_existing=True ({IMPORT_NOTE})"

    def submit(self, api: EasClient, inputs: AppServiceInputs) -> str:
        """CreateAppService."""
        resource_id = service_id(inputs.region, inputs.service_name)
        api.create_app_service(
            CreateAppServiceRequest(
                service_name=inputs.service_name,
                app_type=inputs.app_type,
                service_spec=inputs.service_spec,
                replicas=inputs.replicas,
                app_version=inputs.app_version,
                config=inputs.config,
                workspace_id=inputs.workspace_id,
                quota_id=inputs.quota_id,
            )
        )
        return resource_id

    def find_leftover(self, api: EasClient, inputs: AppServiceInputs) -> str | None:
        """The service of this name, if its settings match the inputs (an interrupted create made it);
        one with other settings is refused, naming what differs."""
        try:
            service = api.describe_service(inputs.region, inputs.service_name)
        except NotFoundError:
            return None
        resource_id = service_id(inputs.region, inputs.service_name)
        if differences := self.mismatches(api, resource_id, inputs.region, service, inputs):
            raise ProviderError(
                f"EAS service {inputs.service_name} already exists in {inputs.region} with other settings "
                f"({'; '.join(differences)}). Align the inputs with it and take it over with "
                f"{self.take_over(resource_id)}, or choose another service_name."
            )
        return resource_id

    def fetch(self, api: EasClient, id_: str, region: str) -> Service | None:
        """DescribeService."""
        return api.describe_service(region, parse_service_id(id_)[1])

    def status(self, live: Service) -> str:
        """The service status (``Running``, ``Scaling``, ...)."""
        return live.status

    def is_final(self, live: Service) -> bool:
        """Running, Stopped, Failed...: nothing is changing the service."""
        return live.status in SETTLED_STATES

    def removable(self, live: Service) -> bool:
        """EAS deletes a service in any state but Deleting (then delete waits until it is gone)."""
        return live.status != DELETING

    def removal_failed(self, live: Service) -> bool:
        """EAS gave up deleting it: ``DeleteFailed`` stays until another delete."""
        return live.status == DELETE_FAILED

    def failure(self, api: EasClient, id_: str, live: Service, inputs: AppServiceInputs) -> str | None:
        """A Failed service: its last warning events."""
        if live.status not in FAILED_STATES:
            return None
        events = api.latest_events(inputs.region, live.service_name, event_type="Warning")
        return "; ".join(f"{e.reason}: {e.message}" for e in events) or live.message or "no events"

    def timeout_detail(self, api: EasClient, id_: str, region: str, live: Service) -> str:
        """The service's newest events."""
        return events_line(api.latest_events(region, live.service_name))

    def live_inputs(
        self, api: EasClient, id_: str, region: str, live: Service, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """The service's settings as inputs; while a scaler is on, ``replicas`` is as recorded."""
        current = {**live_inputs(live, region), **parts.live_parts(api, region, live)}
        if ("autoscaling" in current or "cron_scaling" in current) and recorded.get("replicas") is not None:
            current["replicas"] = recorded["replicas"]
        return current

    def after_create(self, api: EasClient, id_: str, inputs: AppServiceInputs) -> None:
        """Bring labels, scalers and the safety lock to the inputs, as an update would. A new service
        has none, so only the parts set are applied; an adopted one may have any, so all are."""
        wanted = [part for part in parts.PARTS if inputs.adopt_existing or getattr(inputs, part) is not None]
        if wanted:
            live = api.describe_service(inputs.region, inputs.service_name)
            scalers = None if inputs.adopt_existing else frozenset[str]()
            self._apply(api, live, inputs, wanted, scalers)

    def outputs(
        self, api: EasClient, id_: str, region: str, live: Service, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """ServiceId, status, versions, running instances, endpoints, and the access token as a secret."""
        token = live.access_token
        if not token:
            try:
                token = api.describe_service_endpoints(region, live.service_name).access_token
            except NotFoundError:
                token = None
        return {
            "service_id": live.service_id,
            "status": live.status,
            "current_version": live.current_version,
            "latest_version": live.latest_version,
            "running_instances": live.running_instance,
            "internet_endpoint": live.internet_endpoint,
            "intranet_endpoint": live.intranet_endpoint,
            "access_token": rpc.wrap_rpc_secret(token) if token else None,
        }

    def apply(
        self, api: EasClient, id_: str, live: Service, inputs: AppServiceInputs, changed: list[str]
    ) -> None:
        """One UpdateAppService call with every changed API field, and a call per changed part; a
        loosened safety lock first, a tightened one last. When the last scaler goes, the service is set
        back to ``replicas`` (EAS keeps the count the scaler reached)."""
        self._apply(api, live, inputs, changed, None)

    def _apply(
        self,
        api: EasClient,
        live: Service,
        inputs: AppServiceInputs,
        changed: list[str],
        scalers: frozenset[str] | None,
    ) -> None:
        """:meth:`apply`, with the scalers the service has when they are known (a new service has none,
        so they are not asked for)."""
        changed_parts = [name for name in changed if name in parts.PARTS]
        fields = [name for name in changed if name not in parts.PARTS]
        region, name = inputs.region, inputs.service_name
        scaling = bool(set(changed_parts) & set(parts.SCALERS))
        present = parts.Present(
            live.label_map(),
            live.safety_lock,
            scalers
            if scalers is not None
            else parts.live_scalers(api, region, name)
            if scaling
            else frozenset(),
        )
        lock = ["safety_lock"] if "safety_lock" in changed_parts else []
        loosens = parts.lock_first(live.safety_lock, inputs.safety_lock)
        if lock and loosens:
            _apply_parts(api, inputs, lock, present)
        if fields:
            _update_app_service(api, inputs, fields)
        _apply_parts(api, inputs, [part for part in changed_parts if part not in lock], present)
        last_scaler_went = present.scalers and not (inputs.autoscaling or inputs.cron_scaling)
        if last_scaler_went:
            _update_app_service(api, inputs, ["replicas"])
        if lock and not loosens:
            _apply_parts(api, inputs, lock, present)

    def remove(self, api: EasClient, id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        """DeleteService."""
        api.delete_service(region, parse_service_id(id_)[1])

    def region_in_id(self, id_: str) -> str | None:
        """The id starts with the region."""
        return parse_service_id(id_)[0]

    def label(self, id_: str, region: str) -> str:
        """``EAS service my_llm in cn-shanghai``."""
        return f"EAS service {parse_service_id(id_)[1]} in {region}"


def _update_app_service(api: EasClient, inputs: AppServiceInputs, fields: list[str]) -> None:
    """UpdateAppService with these fields of the inputs."""
    request = UpdateAppServiceRequest(
        workspace_id=inputs.workspace_id,
        quota_id=inputs.quota_id,
        **{name: getattr(inputs, name) for name in fields},
    )
    api.update_app_service(inputs.region, inputs.service_name, request)


def _apply_parts(
    api: EasClient,
    inputs: AppServiceInputs,
    names: list[str],
    present: parts.Present,
) -> None:
    """Bring each named part to the inputs, in :data:`._app_service_parts.PARTS` order (the lock last)."""
    region, name = inputs.region, inputs.service_name
    if "labels" in names and (present.labels or inputs.labels):
        parts.apply_labels(api, region, name, present.labels, inputs.labels)
    if "autoscaling" in names:
        parts.apply_autoscaling(api, region, name, "autoscaling" in present.scalers, inputs.autoscaling)
    if "cron_scaling" in names:
        parts.apply_cron_scaling(api, region, name, "cron_scaling" in present.scalers, inputs.cron_scaling)
    if "safety_lock" in names and (inputs.safety_lock or "none") != (present.lock or "none"):
        api.update_service_safety_lock(region, name, inputs.safety_lock or "none")
