"""EAS operations on a service's instances, its diagnosis, logs and signed console URL."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from pulumi_alicloud_ai.emulator.eas import errors, instances, scaling, service
from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.formats import iso_utc, parse_bool
from pulumi_alicloud_ai.emulator.routing import Call, Route
from pulumi_alicloud_ai.emulator.store import Entity, Event

SERVICE = "/api/v2/services/{ClusterId}/{ServiceName}"
INSTANCE = SERVICE + "/instances/{InstanceName}"


_service = service.service_at_path


def _bool(call: Call, name: str) -> bool | None:
    try:
        return parse_bool(call.param(name))
    except ValueError:
        raise invalid_parameter(name, f"{name} must be true or false") from None


INSTANCE_FILTERS: dict[str, Callable[[dict[str, Any], str], bool]] = {
    "Filter": lambda i, v: v in i["InstanceName"],
    "InstanceName": lambda i, v: i["InstanceName"] == v,
    "InstanceStatus": lambda i, v: i["Status"] == v,
    "HostIP": lambda i, v: i["HostIP"] == v,
    "InstanceIP": lambda i, v: i["InnerIP"] == v,
    "InstanceType": lambda i, v: i["InstanceType"] == v,
    "ResourceType": lambda i, v: i["ResourceType"] == v,
    "Role": lambda i, v: i["Role"] == v,
}
INSTANCE_SORTS = ("InstanceName", "StartTime", "RestartCount")


def list_service_instances(call: Call) -> dict[str, Any]:
    """GET …/instances: filtered, sorted (``Sort``: InstanceName, StartTime, RestartCount) and paged."""
    entity = _service(call)
    page, size = service.page(call)
    now = call.state.clock.now()
    listed = [instances.describe(entity, now, i) for i in range(scaling.instances(entity.data, now))]
    for key, matches in INSTANCE_FILTERS.items():
        if (value := call.param(key)) is not None:
            listed = [instance for instance in listed if matches(instance, value)]
    if (spot := _bool(call, "IsSpot")) is not None:
        listed = [instance for instance in listed if instance["IsSpot"] == spot]
    sort = call.param("Sort") or "InstanceName"
    if sort not in INSTANCE_SORTS:
        raise invalid_parameter(
            "Sort", f"Sort {sort!r} is not supported; allowed values: {', '.join(INSTANCE_SORTS)}"
        )
    order = call.param("Order") or "asc"
    if order not in ("asc", "desc"):
        raise invalid_parameter("Order", f"Order {order!r} is not supported; allowed values: asc, desc")
    listed.sort(key=lambda instance: instance[sort], reverse=order == "desc")
    return service.paged("Instances", listed, page, size)


def list_service_containers(call: Call) -> dict[str, Any]:
    """GET …/instances/{InstanceName}/containers."""
    entity = _service(call)
    now = call.state.clock.now()
    index = instances.find(entity, now, call.path_params["InstanceName"])
    return {"ServiceName": entity.name, "Containers": instances.containers(entity, now, index)}


def describe_service_instance_diagnosis(call: Call) -> dict[str, Any]:
    """GET …/instances/{InstanceName}/diagnosis: the service's problem as seen from one instance."""
    entity = _service(call)
    instances.find(entity, call.state.clock.now(), call.path_params["InstanceName"])
    found = instances.diagnosis(entity)
    return {"Diagnosis": found[0] if found else {"Error": "", "Causes": [], "Advices": []}}


def describe_service_diagnosis(call: Call) -> dict[str, Any]:
    """GET …/diagnosis."""
    return {"DiagnosisList": instances.diagnosis(_service(call))}


def _instance_states(entity: Entity) -> dict[str, dict[str, Any]]:
    states: dict[str, dict[str, Any]] = entity.data.setdefault("InstanceState", {})
    return states


def delete_service_instances(call: Call) -> dict[str, Any]:
    """DELETE …/instances?InstanceList=a,b: each instance restarts (recreated unless SoftRestart)."""
    entity = _service(call)
    service.guard(entity, call.action)
    now = call.state.clock.now()
    wanted = [name for name in call.require("InstanceList").split(",") if name]
    for name in wanted:
        instances.find(entity, now, name)
    soft = _bool(call, "SoftRestart") or False
    if call.param("Container") is not None and call.param("Container") != instances.CONTAINER:
        raise errors.not_found("Container", entity.name, f"container {call.param('Container')!r}")
    states = _instance_states(entity)
    for name in wanted:
        state = states.setdefault(name, {})
        state["Restarts"] = int(state.get("Restarts", 0)) + 1
        if not soft:
            state["StartedAt"] = now
    entity.updated_at = now
    call.state.store.put(entity)
    return {"Message": f"Instances [{','.join(wanted)}] of service [{entity.name}] are restarting"}


def update_service_instance(call: Call) -> dict[str, Any]:
    """PUT …/instances/{InstanceName}: ``Isolate`` takes it out of (or back into) traffic."""
    entity = _service(call)
    service.guard(entity, call.action)
    name = call.path_params["InstanceName"]
    instances.find(entity, call.state.clock.now(), name)
    isolate = call.json_body().get("Isolate")
    if not isinstance(isolate, bool):
        raise invalid_parameter("Isolate", "Isolate must be true or false")
    _instance_states(entity).setdefault(name, {})["Isolated"] = isolate
    call.state.store.put(entity)
    return {"Message": f"Instance [{name}] is {'isolated' if isolate else 'back in service'}"}


def history(call: Call, entity: Entity) -> list[tuple[str, Event]]:
    """The service's events with their times, oldest first, within ``StartTime``/``EndTime``
    (``yyyy-MM-ddTHH:mm:ssZ``); an ``InstanceName`` must name one of its instances."""
    if (instance := call.param("InstanceName")) is not None:
        instances.find(entity, call.state.clock.now(), instance)
    start, end = call.param("StartTime"), call.param("EndTime")
    timed = ((iso_utc(event.time), event) for event in call.state.store.events("eas", "service", entity.id))
    return [(when, event) for when, event in timed if (start or when) <= when <= (end or when)]


def events_page(key: str, items: list[Any], page: int, size: int) -> dict[str, Any]:
    """A ``PageNum``/``TotalCount``/``TotalPageNum`` answer (events and logs page this way)."""
    return {
        key: items[(page - 1) * size : page * size],
        "PageNum": page,
        "TotalCount": len(items),
        "TotalPageNum": max(1, -(-len(items) // size)),
    }


def describe_service_log(call: Call) -> dict[str, Any]:
    """GET …/logs: the service's history as log lines, oldest first; Keyword, time and paging filters."""
    entity = _service(call)
    page, size = service.page(call, "PageNum")
    keyword = call.param("Keyword")
    lines = [
        f"{when} [{event.type.upper()}] {event.reason}: {event.message}"
        for when, event in history(call, entity)
    ]
    return events_page("Logs", [line for line in lines if keyword is None or keyword in line], page, size)


SIGNED_URL_TYPES = ("webview", "monitor")


def describe_service_signed_url(call: Call) -> dict[str, Any]:
    """GET …/signed_url: a console URL signed with the service's token, valid ``Expire`` seconds."""
    entity = _service(call)
    page = call.param("Type") or "webview"
    if page not in SIGNED_URL_TYPES:
        raise invalid_parameter(
            "Type", f"Type {page!r} is not supported; allowed values: {', '.join(SIGNED_URL_TYPES)}"
        )
    try:
        expire = int(call.param("Expire") or 3600)
    except ValueError:
        raise invalid_parameter("Expire", "Expire must be a whole number of seconds") from None
    if not 60 <= expire <= 86400:
        raise invalid_parameter("Expire", "Expire must be from 60 to 86400 seconds")
    internet, intranet = service.endpoints(entity.region, entity.data["Uid"], entity.name)
    base = (intranet if _bool(call, "Internal") else internet).replace("/api/predict/", f"/{page}/")
    expires = int(call.state.clock.now()) + expire
    signature = hmac.new(
        entity.data["AccessToken"].encode(), f"{entity.name}\n{page}\n{expires}".encode(), hashlib.sha256
    ).hexdigest()
    return {"SignedUrl": f"{base}?Expires={expires}&Signature={signature}"}


ROUTES = [
    Route.roa("eas", "ListServiceInstances", "GET", SERVICE + "/instances", list_service_instances),
    Route.roa("eas", "DeleteServiceInstances", "DELETE", SERVICE + "/instances", delete_service_instances),
    Route.roa("eas", "ListServiceContainers", "GET", INSTANCE + "/containers", list_service_containers),
    Route.roa(
        "eas",
        "DescribeServiceInstanceDiagnosis",
        "GET",
        INSTANCE + "/diagnosis",
        describe_service_instance_diagnosis,
    ),
    Route.roa("eas", "UpdateServiceInstance", "PUT", INSTANCE, update_service_instance),
    Route.roa("eas", "DescribeServiceDiagnosis", "GET", SERVICE + "/diagnosis", describe_service_diagnosis),
    Route.roa("eas", "DescribeServiceLog", "GET", SERVICE + "/logs", describe_service_log),
    Route.roa("eas", "DescribeServiceSignedUrl", "GET", SERVICE + "/signed_url", describe_service_signed_url),
]
