"""PAI-EAS 2021-07-01 (ROA): typed calls for the app-service lifecycle (eas.md).

Paths name a service by region (``{ClusterId}``) and name, not by ServiceId. ``DescribeService`` has
no ``Replicas`` or ``ServiceSpec``: they come back as ``TotalInstance`` and ``AppSpecName``, and the
configuration as JSON text in ``AppConfig`` / ``ServiceConfig``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pulumi_alicloud_ai.client.models import WireModel, decode_json
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation
from pulumi_alicloud_ai.client.waiter import Backoff, Poll, poll_until

SERVICE_PATH = "/api/v2/services/{ClusterId}/{ServiceName}"

CREATE_APP_SERVICE = Operation("CreateAppService", "POST", "/api/v2/app_services")
UPDATE_APP_SERVICE = Operation(
    "UpdateAppService", "PUT", "/api/v2/app_services/{ClusterId}/{ServiceName}", idempotent=True
)
DESCRIBE_SERVICE = Operation("DescribeService", "GET", SERVICE_PATH, idempotent=True)
LIST_SERVICES = Operation("ListServices", "GET", "/api/v2/services", idempotent=True)
UPDATE_SERVICE = Operation("UpdateService", "PUT", SERVICE_PATH, idempotent=True)
DELETE_SERVICE = Operation("DeleteService", "DELETE", SERVICE_PATH, idempotent=True)
START_SERVICE = Operation("StartService", "PUT", SERVICE_PATH + "/start", idempotent=True)
STOP_SERVICE = Operation("StopService", "PUT", SERVICE_PATH + "/stop", idempotent=True)
RESTART_SERVICE = Operation("RestartService", "PUT", SERVICE_PATH + "/restart")
DESCRIBE_SERVICE_ENDPOINTS = Operation(
    "DescribeServiceEndpoints", "GET", SERVICE_PATH + "/endpoints", idempotent=True
)
DESCRIBE_SERVICE_EVENT = Operation("DescribeServiceEvent", "GET", SERVICE_PATH + "/events", idempotent=True)
AUTOSCALER_PATH = SERVICE_PATH + "/autoscaler"
CREATE_SERVICE_AUTO_SCALER = Operation("CreateServiceAutoScaler", "POST", AUTOSCALER_PATH)
DESCRIBE_SERVICE_AUTO_SCALER = Operation("DescribeServiceAutoScaler", "GET", AUTOSCALER_PATH, idempotent=True)
UPDATE_SERVICE_AUTO_SCALER = Operation("UpdateServiceAutoScaler", "PUT", AUTOSCALER_PATH, idempotent=True)
DELETE_SERVICE_AUTO_SCALER = Operation("DeleteServiceAutoScaler", "DELETE", AUTOSCALER_PATH, idempotent=True)
CRON_SCALER_PATH = SERVICE_PATH + "/cronscaler"
CREATE_SERVICE_CRON_SCALER = Operation("CreateServiceCronScaler", "POST", CRON_SCALER_PATH)
DESCRIBE_SERVICE_CRON_SCALER = Operation(
    "DescribeServiceCronScaler", "GET", CRON_SCALER_PATH, idempotent=True
)
UPDATE_SERVICE_CRON_SCALER = Operation("UpdateServiceCronScaler", "PUT", CRON_SCALER_PATH, idempotent=True)
DELETE_SERVICE_CRON_SCALER = Operation("DeleteServiceCronScaler", "DELETE", CRON_SCALER_PATH, idempotent=True)
UPDATE_SERVICE_LABEL = Operation("UpdateServiceLabel", "PUT", SERVICE_PATH + "/label", idempotent=True)
DELETE_SERVICE_LABEL = Operation("DeleteServiceLabel", "DELETE", SERVICE_PATH + "/label", idempotent=True)
UPDATE_SERVICE_SAFETY_LOCK = Operation(
    "UpdateServiceSafetyLock", "PUT", SERVICE_PATH + "/lock", idempotent=True
)

RUNNING, DELETE_FAILED = "Running", "DeleteFailed"
FAILED_STATES = frozenset({"Failed", DELETE_FAILED})
SETTLED_STATES = frozenset({"Running", "Stopped", "Failed", DELETE_FAILED, "Complete"})
"""States no operation is still moving the service out of."""


class CreateAppServiceRequest(WireModel):
    """CreateAppService: body fields plus WorkspaceId/QuotaId in the query."""

    service_name: str = Field(alias="ServiceName")
    app_type: str = Field(alias="AppType")
    service_spec: str = Field(alias="ServiceSpec")
    replicas: int = Field(alias="Replicas")
    app_version: str | None = Field(None, alias="AppVersion")
    config: dict[str, Any] | None = Field(None, alias="Config")
    workspace_id: str | None = Field(None, alias="WorkspaceId")
    quota_id: str | None = Field(None, alias="QuotaId")


class UpdateAppServiceRequest(WireModel):
    """UpdateAppService: a partial update; unset fields keep their value."""

    app_type: str | None = Field(None, alias="AppType")
    app_version: str | None = Field(None, alias="AppVersion")
    service_spec: str | None = Field(None, alias="ServiceSpec")
    replicas: int | None = Field(None, alias="Replicas")
    config: dict[str, Any] | None = Field(None, alias="Config")
    workspace_id: str | None = Field(None, alias="WorkspaceId")
    quota_id: str | None = Field(None, alias="QuotaId")


class CreateAppServiceResponse(WireModel):
    """What CreateAppService returns."""

    request_id: str | None = Field(None, alias="RequestId")
    service_id: str | None = Field(None, alias="ServiceId")
    service_name: str | None = Field(None, alias="ServiceName")
    status: str | None = Field(None, alias="Status")
    region: str | None = Field(None, alias="Region")
    internet_endpoint: str | None = Field(None, alias="InternetEndpoint")
    intranet_endpoint: str | None = Field(None, alias="IntranetEndpoint")


class MessageResponse(WireModel):
    """The ``{RequestId, Message}`` answer of update, delete, start and stop."""

    request_id: str | None = Field(None, alias="RequestId")
    message: str | None = Field(None, alias="Message")


class ServiceLabel(WireModel):
    """One entry of DescribeService's ``Labels``."""

    key: str = Field(alias="LabelKey")
    value: str = Field("", alias="LabelValue")


class Service(WireModel):
    """DescribeService's ``Service`` (the fields the lifecycle uses; every other field is kept too)."""

    request_id: str | None = Field(None, alias="RequestId")
    service_id: str | None = Field(None, alias="ServiceId")
    service_name: str = Field(alias="ServiceName")
    status: str = Field("", alias="Status")
    reason: str | None = Field(None, alias="Reason")
    message: str | None = Field(None, alias="Message")
    region: str | None = Field(None, alias="Region")
    internet_endpoint: str | None = Field(None, alias="InternetEndpoint")
    intranet_endpoint: str | None = Field(None, alias="IntranetEndpoint")
    app_type: str | None = Field(None, alias="AppType")
    app_version: str | None = Field(None, alias="AppVersion")
    app_spec_name: str | None = Field(None, alias="AppSpecName")
    app_config: str | None = Field(None, alias="AppConfig")
    service_config: str | None = Field(None, alias="ServiceConfig")
    total_instance: int | None = Field(None, alias="TotalInstance")
    running_instance: int | None = Field(None, alias="RunningInstance")
    current_version: int | None = Field(None, alias="CurrentVersion")
    latest_version: int | None = Field(None, alias="LatestVersion")
    safety_lock: str | None = Field(None, alias="SafetyLock")
    labels: list[ServiceLabel] = Field(default_factory=list, alias="Labels")
    workspace_id: str | None = Field(None, alias="WorkspaceId")
    quota_id: str | None = Field(None, alias="QuotaId")
    access_token: str | None = Field(None, alias="AccessToken")
    create_time: str | None = Field(None, alias="CreateTime")
    update_time: str | None = Field(None, alias="UpdateTime")

    def app_config_dict(self) -> dict[str, Any]:
        """``AppConfig`` decoded; an absent or non-object value is ``{}``."""
        return _json_object(self.app_config)

    def label_map(self) -> dict[str, str]:
        """``Labels`` as a key → value map."""
        return {label.key: label.value for label in self.labels}

    def configured_replicas(self) -> int | None:
        """The desired instance count: ``metadata.instance`` of ServiceConfig, else ``TotalInstance``."""
        instance = _json_object(self.service_config).get("metadata", {}).get("instance")
        return instance if isinstance(instance, int) else self.total_instance


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = decode_json(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class ScaleStrategy(WireModel):
    """One autoscaler strategy: scale on ``metric_name`` (``qps``, ``cpu``) per instance."""

    metric_name: str = Field(alias="metricName")
    threshold: float = Field(alias="threshold")
    service: str | None = Field(None, alias="service")


class AutoScaler(WireModel):
    """Create/UpdateServiceAutoScaler's body (lower-camel wire names, as the SDK sends them)."""

    min: int = Field(alias="min")
    max: int = Field(alias="max")
    scale_strategies: list[ScaleStrategy] = Field(alias="scaleStrategies")
    behavior: dict[str, Any] | None = Field(None, alias="behavior")


class AutoScalerState(WireModel):
    """DescribeServiceAutoScaler."""

    request_id: str | None = Field(None, alias="RequestId")
    service_name: str | None = Field(None, alias="ServiceName")
    min_replica: int = Field(alias="MinReplica")
    max_replica: int = Field(alias="MaxReplica")
    scale_strategies: list[ScaleStrategy] = Field(default_factory=list, alias="ScaleStrategies")
    behavior: dict[str, Any] = Field(default_factory=dict, alias="Behavior")
    current_metrics: list[dict[str, Any]] = Field(default_factory=list, alias="CurrentMetrics")


class ScaleJob(WireModel):
    """One cron scaler job: at ``schedule`` (six-field cron), run ``target_size`` instances."""

    name: str | None = Field(None, alias="Name")
    schedule: str = Field(alias="Schedule")
    target_size: int = Field(alias="TargetSize")


class CronScaler(WireModel):
    """Create/UpdateServiceCronScaler's body."""

    scale_jobs: list[ScaleJob] = Field(alias="ScaleJobs")
    exclude_dates: list[str] | None = Field(None, alias="ExcludeDates")


class ScaleJobState(ScaleJob):
    """One job of DescribeServiceCronScaler, with when it last fired."""

    state: str | None = Field(None, alias="State")
    last_probe_time: str | None = Field(None, alias="LastProbeTime")
    message: str | None = Field(None, alias="Message")


class CronScalerState(WireModel):
    """DescribeServiceCronScaler."""

    request_id: str | None = Field(None, alias="RequestId")
    service_name: str | None = Field(None, alias="ServiceName")
    scale_jobs: list[ScaleJobState] = Field(default_factory=list, alias="ScaleJobs")
    exclude_dates: list[str] = Field(default_factory=list, alias="ExcludeDates")


class ListServicesResponse(WireModel):
    """One page of ListServices."""

    request_id: str | None = Field(None, alias="RequestId")
    page_number: int = Field(1, alias="PageNumber")
    page_size: int = Field(100, alias="PageSize")
    total_count: int = Field(0, alias="TotalCount")
    services: list[Service] = Field(default_factory=list, alias="Services")


class Endpoints(WireModel):
    """One entry of DescribeServiceEndpoints' ``Endpoints``."""

    endpoint_type: str | None = Field(None, alias="EndpointType")
    internet_endpoints: list[str] = Field(default_factory=list, alias="InternetEndpoints")
    intranet_endpoints: list[str] = Field(default_factory=list, alias="IntranetEndpoints")
    port: int | None = Field(None, alias="Port")


class ServiceEndpoints(WireModel):
    """DescribeServiceEndpoints: the service token and where to call the service."""

    request_id: str | None = Field(None, alias="RequestId")
    access_token: str | None = Field(None, alias="AccessToken")
    endpoints: list[Endpoints] = Field(default_factory=list, alias="Endpoints")


class ServiceEvent(WireModel):
    """One DescribeServiceEvent entry."""

    type: str | None = Field(None, alias="Type")
    reason: str | None = Field(None, alias="Reason")
    message: str | None = Field(None, alias="Message")
    time: str | None = Field(None, alias="Time")


class ServiceEvents(WireModel):
    """A page of DescribeServiceEvent."""

    request_id: str | None = Field(None, alias="RequestId")
    events: list[ServiceEvent] = Field(default_factory=list, alias="Events")
    total_count: int = Field(0, alias="TotalCount")


def events_line(events: list[ServiceEvent]) -> str:
    """``Last events: <time> <type> <reason>: <message>; ...``, or nothing when there are none."""
    lines = "; ".join(f"{e.time} {e.type} {e.reason}: {e.message}" for e in events)
    return f"Last events: {lines}" if lines else ""


class EasClient:
    """Typed PAI-EAS calls over an :class:`OpenApiClient` for the EAS product."""

    def __init__(self, api: OpenApiClient) -> None:
        self.api = api

    @staticmethod
    def _where(region: str, name: str) -> dict[str, str]:
        return {"ClusterId": region, "ServiceName": name}

    def create_app_service(self, request: CreateAppServiceRequest) -> CreateAppServiceResponse:
        """Create an app service; not idempotent (no ClientToken): look the name up before retrying."""
        wire = request.to_wire()
        query: dict[str, Any] = {key: wire.pop(key) for key in ("WorkspaceId", "QuotaId") if key in wire}
        body = dict(sorted(wire.items()))  # the SDK writes body keys in alphabetical order
        return CreateAppServiceResponse.model_validate(
            self.api.call(CREATE_APP_SERVICE, query=query, json_body=body)
        )

    def update_app_service(self, region: str, name: str, request: UpdateAppServiceRequest) -> MessageResponse:
        """Change replicas, spec, version or config in place."""
        wire = request.to_wire()
        query: dict[str, Any] = {key: wire.pop(key) for key in ("WorkspaceId", "QuotaId") if key in wire}
        result = self.api.call(
            UPDATE_APP_SERVICE,
            path_params=self._where(region, name),
            query=query,
            json_body=dict(sorted(wire.items())),
        )
        return MessageResponse.model_validate(result)

    def describe_service(self, region: str, name: str) -> Service:
        """The service's current state; :class:`NotFoundError` when it does not exist."""
        return Service.model_validate(self.api.call(DESCRIBE_SERVICE, path_params=self._where(region, name)))

    def list_services(self, **filters: str | int | None) -> ListServicesResponse:
        """One page of services; filters use wire names (``Filter``, ``ServiceStatus``, ``PageNumber``...)."""
        return ListServicesResponse.model_validate(self.api.call(LIST_SERVICES, query=filters))

    def update_service(
        self, region: str, name: str, config_json: str, *, update_type: str = "merge"
    ) -> MessageResponse:
        """Merge (or replace) the raw EAS service config, sent verbatim."""
        result = self.api.call(
            UPDATE_SERVICE,
            path_params=self._where(region, name),
            query={"UpdateType": update_type},
            raw_json=config_json,
        )
        return MessageResponse.model_validate(result)

    def delete_service(self, region: str, name: str) -> MessageResponse:
        """Start deleting the service."""
        return MessageResponse.model_validate(
            self.api.call(DELETE_SERVICE, path_params=self._where(region, name))
        )

    def start_service(self, region: str, name: str) -> MessageResponse:
        """Start a stopped service."""
        return MessageResponse.model_validate(
            self.api.call(START_SERVICE, path_params=self._where(region, name))
        )

    def stop_service(self, region: str, name: str) -> MessageResponse:
        """Stop a running service."""
        return MessageResponse.model_validate(
            self.api.call(STOP_SERVICE, path_params=self._where(region, name))
        )

    def restart_service(self, region: str, name: str) -> MessageResponse:
        """Restart a running service."""
        return MessageResponse.model_validate(
            self.api.call(RESTART_SERVICE, path_params=self._where(region, name))
        )

    def describe_service_endpoints(self, region: str, name: str) -> ServiceEndpoints:
        """The service's endpoints and access token."""
        result = self.api.call(DESCRIBE_SERVICE_ENDPOINTS, path_params=self._where(region, name))
        return ServiceEndpoints.model_validate(result)

    def describe_service_event(
        self,
        region: str,
        name: str,
        *,
        event_type: str | None = None,
        page_size: int = 100,
        page_num: int = 1,
    ) -> ServiceEvents:
        """One page of the service's events, in the order EAS gives them."""
        query = {"EventType": event_type, "PageSize": str(page_size), "PageNum": str(page_num)}
        result = self.api.call(DESCRIBE_SERVICE_EVENT, path_params=self._where(region, name), query=query)
        return ServiceEvents.model_validate(result)

    def latest_events(
        self, region: str, name: str, *, count: int = 3, event_type: str | None = None
    ) -> list[ServiceEvent]:
        """The ``count`` newest events, oldest of them first.

        The API reference does not say in which order DescribeServiceEvent pages events, so this reads
        the pages that hold the newest in either order (the first, and the last two) and sorts by time.
        """
        first = self.describe_service_event(region, name, event_type=event_type, page_size=count)
        pages = -(-first.total_count // count)
        found = list(first.events)
        for page in range(max(2, pages - 1), pages + 1):
            found += self.describe_service_event(
                region, name, event_type=event_type, page_size=count, page_num=page
            ).events
        unique = {(e.time or "", e.type, e.reason, e.message): e for e in found}
        return [unique[key] for key in sorted(unique, key=lambda key: key[0])][-count:]

    def create_service_auto_scaler(self, region: str, name: str, scaler: AutoScaler) -> MessageResponse:
        """Turn autoscaling on; a service that has an autoscaler answers ``…AlreadyExists``."""
        return self._send(CREATE_SERVICE_AUTO_SCALER, region, name, scaler.to_wire())

    def update_service_auto_scaler(self, region: str, name: str, scaler: AutoScaler) -> MessageResponse:
        """Replace the autoscaler's settings."""
        return self._send(UPDATE_SERVICE_AUTO_SCALER, region, name, scaler.to_wire())

    def describe_service_auto_scaler(self, region: str, name: str) -> AutoScalerState:
        """The autoscaler; :class:`NotFoundError` when the service has none."""
        result = self.api.call(DESCRIBE_SERVICE_AUTO_SCALER, path_params=self._where(region, name))
        return AutoScalerState.model_validate(result)

    def delete_service_auto_scaler(self, region: str, name: str) -> MessageResponse:
        """Turn autoscaling off; the service keeps the instance count it reached."""
        return self._send(DELETE_SERVICE_AUTO_SCALER, region, name)

    def create_service_cron_scaler(self, region: str, name: str, scaler: CronScaler) -> MessageResponse:
        """Schedule instance counts; a service that has a cron scaler answers ``…AlreadyExists``."""
        return self._send(CREATE_SERVICE_CRON_SCALER, region, name, scaler.to_wire())

    def update_service_cron_scaler(self, region: str, name: str, scaler: CronScaler) -> MessageResponse:
        """Replace the scheduled jobs."""
        return self._send(UPDATE_SERVICE_CRON_SCALER, region, name, scaler.to_wire())

    def describe_service_cron_scaler(self, region: str, name: str) -> CronScalerState:
        """The cron scaler; :class:`NotFoundError` when the service has none."""
        result = self.api.call(DESCRIBE_SERVICE_CRON_SCALER, path_params=self._where(region, name))
        return CronScalerState.model_validate(result)

    def delete_service_cron_scaler(self, region: str, name: str) -> MessageResponse:
        """Remove the scheduled jobs."""
        return self._send(DELETE_SERVICE_CRON_SCALER, region, name)

    def update_service_label(self, region: str, name: str, labels: dict[str, str]) -> MessageResponse:
        """Add or change labels; labels not named keep their value."""
        return self._send(UPDATE_SERVICE_LABEL, region, name, {"Labels": labels})

    def delete_service_label(self, region: str, name: str, keys: list[str]) -> MessageResponse:
        """Remove the labels with these keys (unknown keys are ignored)."""
        result = self.api.call(
            DELETE_SERVICE_LABEL, path_params=self._where(region, name), query={"Keys": ",".join(keys)}
        )
        return MessageResponse.model_validate(result)

    def update_service_safety_lock(self, region: str, name: str, lock: str) -> MessageResponse:
        """Set the safety lock (``all``, ``dangerous`` or ``none``)."""
        return self._send(UPDATE_SERVICE_SAFETY_LOCK, region, name, {"Lock": lock})

    def _send(
        self, operation: Operation, region: str, name: str, body: dict[str, Any] | None = None
    ) -> MessageResponse:
        result = self.api.call(operation, path_params=self._where(region, name), json_body=body)
        return MessageResponse.model_validate(result)

    def wait_for_service(
        self,
        region: str,
        name: str,
        *,
        backoff: Backoff,
        settled: frozenset[str] = SETTLED_STATES,
        on_poll: Any = None,
    ) -> Poll[Service]:
        """Poll DescribeService until the status is settled; a timeout names the last events."""

        def detail(service: Service) -> str:
            return events_line(self.latest_events(region, name))

        return poll_until(
            lambda: self.describe_service(region, name),
            lambda service: service.status in settled,
            lambda service: service.status,
            describe=f"EAS service {name} in {region}",
            backoff=backoff,
            on_poll=on_poll,
            timeout_detail=detail,
        )
