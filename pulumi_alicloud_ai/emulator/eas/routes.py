"""EAS operations on their real paths (eas.md): pull parameters, call the rules, shape the answer."""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator.eas import (
    config_routes,
    instance_routes,
    listing,
    scaling,
    scaling_routes,
    service,
)
from pulumi_alicloud_ai.emulator.eas.errors import invalid_status
from pulumi_alicloud_ai.emulator.eas.states import DELETING, STARTING, STOPPING
from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter
from pulumi_alicloud_ai.emulator.routing import Call, Encoded, Route
from pulumi_alicloud_ai.emulator.store import Entity

SERVICE = "/api/v2/services/{ClusterId}/{ServiceName}"


_service = service.service_at_path


def create_app_service(call: Call) -> dict[str, Any]:
    """POST /api/v2/app_services."""
    entity = service.create(call, call.json_body())
    described = service.describe(entity, call.state.clock.now())
    keys = ("ServiceId", "ServiceName", "Status", "Region", "InternetEndpoint", "IntranetEndpoint")
    return {key: described[key] for key in keys}


def update_app_service(call: Call) -> dict[str, Any]:
    """PUT /api/v2/app_services/{ClusterId}/{ServiceName}: a partial update."""
    body = call.json_body()
    if "ServiceName" in body:
        raise invalid_parameter("ServiceName", "ServiceName cannot be changed; create a new service instead")
    entity = service.update(call, _service(call), body)
    return {"Message": f"Service [{entity.name}] is {entity.status.lower()}"}


def update_service(call: Call) -> dict[str, Any]:
    """PUT …/services/{ClusterId}/{ServiceName}?UpdateType=merge: only ``metadata.instance`` is modelled."""
    update_type = call.param("UpdateType") or "merge"
    if update_type not in ("merge", "replace"):
        raise invalid_parameter(
            "UpdateType", f"UpdateType {update_type!r} is not supported; allowed values: merge, replace"
        )
    config = service.parse_merge_body(call.body)
    instance = (
        config.get("metadata", {}).get("instance") if isinstance(config.get("metadata"), dict) else None
    )
    changes = {"Replicas": instance} if instance is not None else {}
    entity = service.update(call, _service(call), changes)
    return {"Message": f"Service [{entity.name}] is {entity.status.lower()}"}


def describe_service(call: Call) -> dict[str, Any]:
    """GET …/services/{ClusterId}/{ServiceName}: the body kept, encoded, until the service changes
    (what providers poll while they wait), unless a scaler makes its instance count follow the clock."""
    entity = _service(call)
    now = call.state.clock.now()
    if scaling.follows_clock(entity.data):
        return service.describe(entity, now)
    return call.state.store.memo(
        entity, "DescribeService", lambda e: Encoded(service.describe(e, now)), size=2048
    )


def list_services(call: Call) -> dict[str, Any]:
    """GET /api/v2/services in the caller's region, filtered and paged."""
    page, size = service.page(call)
    sort = call.param("Sort") or "CreateTime"
    if sort not in listing.SORTS:
        raise invalid_parameter(
            "Sort", f"Sort {sort!r} is not supported; allowed values: {', '.join(listing.SORTS)}"
        )
    order = call.param("Order") or "desc"  # anything but desc reads oldest first
    wanted = listing.ServiceFilter(
        region=call.region,
        name=call.param("ServiceName"),
        status=call.param("ServiceStatus"),
        workspace_id=call.param("WorkspaceId"),
        quota_id=call.param("QuotaId"),
        name_contains=call.param("Filter"),
        service_group=call.param("GroupName"),
        service_type=call.param("ServiceType"),
        resource=call.param("ResourceName"),
        resource_type=call.param("ResourceType"),
        gateway=call.param("Gateway"),
        role=call.param("Role"),
        parent_service_uid=call.param("ParentServiceUid"),
        service_uid=call.param("ServiceUid"),
        labels=_label_filter(call.json_param("Label")),
    )
    total, services = listing.list_page(
        call.state.lifecycles,
        wanted,
        newest_first=order == "desc",
        offset=(page - 1) * size,
        size=size,
        sort=sort,
    )
    now = call.state.clock.now()
    return {
        "PageNumber": page,
        "PageSize": size,
        "TotalCount": total,
        "Services": [service.describe(entity, now) for entity in services],
    }


def _label_filter(labels: Any) -> tuple[tuple[str, str], ...]:
    """ListServices' ``Label``: the JSON text of a map; every pair must match."""
    if labels is None:
        return ()
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise invalid_parameter(
            "Label", 'Label must be the JSON text of a map of strings, e.g. {"team":"nlp"}'
        )
    if len(labels) > MAX_LABEL_FILTERS:
        raise invalid_parameter("Label", f"Label may hold at most {MAX_LABEL_FILTERS} pairs")
    return tuple(sorted(labels.items()))


MAX_LABEL_FILTERS = 20


def delete_service(call: Call) -> dict[str, Any]:
    """DELETE …/services/{ClusterId}/{ServiceName}: Deleting, then gone. Repeating it is harmless."""
    entity = _service(call)
    service.guard(entity, call.action, dangerous=True)
    if entity.status != DELETING:
        service.move(call, entity, DELETING, "DeleteRequested")
    return {"Message": f"Service [{entity.name}] is deleting"}


def start_service(call: Call) -> dict[str, Any]:
    """PUT …/start: Stopped → Starting → Running."""
    entity = _service(call)
    service.guard(entity, call.action)
    if entity.status != "Stopped":
        raise _status_error(entity, call.action, ["Stopped"])
    service.move(call, entity, STARTING, "StartRequested")
    return {"Message": f"Service [{entity.name}] is starting"}


def stop_service(call: Call) -> dict[str, Any]:
    """PUT …/stop: Running → Stopping → Stopped."""
    entity = _service(call)
    service.guard(entity, call.action, dangerous=True)
    service.move(call, entity, STOPPING, "StopRequested")
    return {"Message": f"Service [{entity.name}] is stopping"}


def restart_service(call: Call) -> dict[str, Any]:
    """PUT …/restart: Running → Starting → Running."""
    entity = _service(call)
    service.guard(entity, call.action)
    if entity.status != "Running":
        raise _status_error(entity, call.action, ["Running"])
    service.move(call, entity, STARTING, "RestartRequested")
    return {"Message": f"Service [{entity.name}] is restarting"}


def _status_error(entity: Entity, action: str, allowed: list[str]) -> ApiError:
    return invalid_status(entity.name, entity.status, action, allowed)


def describe_service_endpoints(call: Call) -> dict[str, Any]:
    """GET …/endpoints: where to call the service, and its token."""
    described = service.describe(_service(call), call.state.clock.now())
    return {
        "Message": "success",
        "AccessToken": described["AccessToken"],
        "Endpoints": [
            {
                "BackendId": "",
                "EndpointType": "DefaultGateway",
                "InternetEndpoints": [described["InternetEndpoint"]],
                "IntranetEndpoints": [described["IntranetEndpoint"]],
                "PathType": "Absolute",
                "Port": 80,
            }
        ],
    }


def describe_service_event(call: Call) -> dict[str, Any]:
    """GET …/events: the service's history, filtered by type, instance and time, and paged."""
    entity = _service(call)
    page, size = service.page(call, "PageNum")
    event_type = call.param("EventType")
    if event_type not in (None, "Normal", "Warning"):
        raise invalid_parameter(
            "EventType", f"EventType {event_type!r} is not supported; allowed values: Normal, Warning"
        )
    events = [
        {"Type": e.type, "Reason": e.reason, "Message": e.message, "Time": when}
        for when, e in instance_routes.history(call, entity)
        if event_type is None or e.type == event_type
    ]
    return instance_routes.events_page("Events", events, page, size)


ROUTES = [
    Route.roa("eas", "CreateAppService", "POST", "/api/v2/app_services", create_app_service),
    Route.roa(
        "eas", "UpdateAppService", "PUT", "/api/v2/app_services/{ClusterId}/{ServiceName}", update_app_service
    ),
    Route.roa("eas", "ListServices", "GET", "/api/v2/services", list_services),
    Route.roa("eas", "DescribeService", "GET", SERVICE, describe_service),
    Route.roa("eas", "UpdateService", "PUT", SERVICE, update_service),
    Route.roa("eas", "DeleteService", "DELETE", SERVICE, delete_service),
    Route.roa("eas", "StartService", "PUT", SERVICE + "/start", start_service),
    Route.roa("eas", "StopService", "PUT", SERVICE + "/stop", stop_service),
    Route.roa("eas", "RestartService", "PUT", SERVICE + "/restart", restart_service),
    Route.roa("eas", "DescribeServiceEndpoints", "GET", SERVICE + "/endpoints", describe_service_endpoints),
    Route.roa("eas", "DescribeServiceEvent", "GET", SERVICE + "/events", describe_service_event),
    *scaling_routes.ROUTES,
    *instance_routes.ROUTES,
    *config_routes.ROUTES,
]

ADMIN_ROUTES = scaling_routes.ADMIN_ROUTES
