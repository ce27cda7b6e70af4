"""EAS autoscaler and cron scaler operations, and the admin route a test reports load through.

``POST /_emulator/eas/services/{region}/{name}/load`` with ``{"qps": 250, "cpu": 160}`` records the
service's total load at the emulator's now (see ``scaling.py`` for what the numbers mean); the
autoscaler follows it as the clock moves.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.routing import Route as AdminRoute

from pulumi_alicloud_ai.emulator.admin import ADMIN_PREFIX, admin_error, emulator_state, read_json
from pulumi_alicloud_ai.emulator.eas import errors, models, scaling
from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.routing import Call, Route
from pulumi_alicloud_ai.emulator.store import Entity

SERVICE = "/api/v2/services/{ClusterId}/{ServiceName}"
AUTOSCALER, CRON_SCALER = "ServiceAutoScaler", "ServiceCronScaler"


def _service(call: Call) -> Entity:
    return models.load_service(call, call.path_params["ClusterId"], call.path_params["ServiceName"])


def _save(call: Call, entity: Entity, message: str) -> dict[str, Any]:
    entity.updated_at = call.state.clock.now()
    call.state.store.put(entity)
    return {"Message": message}


def _set_part(call: Call, key: str, thing: str, value: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    entity = _service(call)
    models.guard(entity, call.action)
    present = entity.data.get(key) is not None
    if creating and present:
        raise errors.exists(thing, entity.name)
    if not creating and not present:
        raise errors.not_found(thing, entity.name)
    now = call.state.clock.now()
    if present:  # the effect so far stays: the new settings apply from now
        entity.data["Replicas"] = scaling.instances(entity.data, now)
    value["Since"] = now
    entity.data[key] = value
    verb = "created" if creating else "updated"
    return _save(call, entity, f"Service [{entity.name}] {thing} is {verb}")


def _delete_part(call: Call, key: str, thing: str) -> dict[str, Any]:
    entity = _service(call)
    models.guard(entity, call.action)
    if entity.data.get(key) is None:
        raise errors.not_found(thing, entity.name)
    entity.data["Replicas"] = scaling.instances(entity.data, call.state.clock.now())
    entity.data.pop(key)
    return _save(call, entity, f"Service [{entity.name}] {thing} is deleted")


def create_service_auto_scaler(call: Call) -> dict[str, Any]:
    """POST …/autoscaler."""
    return _set_part(
        call, "AutoScaler", AUTOSCALER, scaling.validate_autoscaler(call.json_body()), creating=True
    )


def update_service_auto_scaler(call: Call) -> dict[str, Any]:
    """PUT …/autoscaler: replaces the settings."""
    return _set_part(
        call, "AutoScaler", AUTOSCALER, scaling.validate_autoscaler(call.json_body()), creating=False
    )


def delete_service_auto_scaler(call: Call) -> dict[str, Any]:
    """DELETE …/autoscaler: the count it reached stays as the service's replicas."""
    return _delete_part(call, "AutoScaler", AUTOSCALER)


def describe_service_auto_scaler(call: Call) -> dict[str, Any]:
    """GET …/autoscaler: settings plus the current per-instance metrics."""
    entity = _service(call)
    scaler = entity.data.get("AutoScaler")
    if scaler is None:
        raise errors.not_found(AUTOSCALER, entity.name)
    now = call.state.clock.now()
    instances = max(scaling.instances(entity.data, now), 1)
    load = scaling.current_load(entity.data, now)
    return {
        "ServiceName": entity.name,
        "MinReplica": scaler["min"],
        "MaxReplica": scaler["max"],
        "Behavior": scaler["behavior"],
        "ScaleStrategies": scaler["scaleStrategies"],
        "CurrentMetrics": [
            {
                "metricName": strategy["metricName"],
                "service": strategy["service"] or entity.name,
                "value": round(load.get(strategy["metricName"], 0.0) / instances, 3),
            }
            for strategy in scaler["scaleStrategies"]
        ],
    }


def create_service_cron_scaler(call: Call) -> dict[str, Any]:
    """POST …/cronscaler."""
    return _set_part(
        call, "CronScaler", CRON_SCALER, scaling.validate_cron_scaler(call.json_body()), creating=True
    )


def update_service_cron_scaler(call: Call) -> dict[str, Any]:
    """PUT …/cronscaler: replaces the jobs and exclusions."""
    return _set_part(
        call, "CronScaler", CRON_SCALER, scaling.validate_cron_scaler(call.json_body()), creating=False
    )


def delete_service_cron_scaler(call: Call) -> dict[str, Any]:
    """DELETE …/cronscaler."""
    return _delete_part(call, "CronScaler", CRON_SCALER)


def describe_service_cron_scaler(call: Call) -> dict[str, Any]:
    """GET …/cronscaler: each job with when it last fired (``State`` ``Succeeded``) or ``Waiting``."""
    entity = _service(call)
    scaler = entity.data.get("CronScaler")
    if scaler is None:
        raise errors.not_found(CRON_SCALER, entity.name)
    now = call.state.clock.now()
    jobs = []
    for job in scaler["ScaleJobs"]:
        fired = scaling.job_last_fire(entity.data, job, now)
        jobs.append(
            {
                "Name": job["Name"],
                "Schedule": job["Schedule"],
                "TargetSize": job["TargetSize"],
                "CreateTime": iso_utc(scaler["Since"]),
                "LastProbeTime": "" if fired is None else iso_utc(fired),
                "State": "Waiting" if fired is None else "Succeeded",
                "Message": "" if fired is None else f"scaled to {job['TargetSize']}",
            }
        )
    return {"ServiceName": entity.name, "ScaleJobs": jobs, "ExcludeDates": scaler["ExcludeDates"]}


async def report_load(request: Request) -> JSONResponse:
    """Record the service's load now; the autoscaler follows it as the clock moves."""
    state = emulator_state(request)
    region, name = request.path_params["region"], request.path_params["name"]
    try:
        load = await read_json(request)
    except ValueError as exc:
        return admin_error("InvalidParameter.Load", f"the body is not JSON: {exc}", 400)
    if not isinstance(load, dict) or not load:
        return admin_error("InvalidParameter.Load", 'Send {"qps": <number>, "cpu": <number>, ...}', 400)
    try:
        with state.store.transaction():
            entity = state.tracker.load(APP_SERVICE, state.store.find_by_name("eas", "service", region, name))
            if entity is None:
                raise errors.service_not_found(region, name)
            now = state.clock.now()
            scaling.record_load(entity.data, now, load)
            state.store.put(entity)
            instances = scaling.instances(entity.data, now)
    except ApiError as exc:
        return admin_error(exc.code, exc.message, exc.status)
    return JSONResponse(
        {"ServiceName": name, "Instances": instances, "Time": now if math.isfinite(now) else 0}
    )


ROUTES = [
    Route.roa("eas", "CreateServiceAutoScaler", "POST", SERVICE + "/autoscaler", create_service_auto_scaler),
    Route.roa(
        "eas", "DescribeServiceAutoScaler", "GET", SERVICE + "/autoscaler", describe_service_auto_scaler
    ),
    Route.roa("eas", "UpdateServiceAutoScaler", "PUT", SERVICE + "/autoscaler", update_service_auto_scaler),
    Route.roa(
        "eas", "DeleteServiceAutoScaler", "DELETE", SERVICE + "/autoscaler", delete_service_auto_scaler
    ),
    Route.roa("eas", "CreateServiceCronScaler", "POST", SERVICE + "/cronscaler", create_service_cron_scaler),
    Route.roa(
        "eas", "DescribeServiceCronScaler", "GET", SERVICE + "/cronscaler", describe_service_cron_scaler
    ),
    Route.roa("eas", "UpdateServiceCronScaler", "PUT", SERVICE + "/cronscaler", update_service_cron_scaler),
    Route.roa(
        "eas", "DeleteServiceCronScaler", "DELETE", SERVICE + "/cronscaler", delete_service_cron_scaler
    ),
]

ADMIN_ROUTES: list[BaseRoute] = [
    AdminRoute(f"{ADMIN_PREFIX}/eas/services/{{region}}/{{name}}/load", report_load, methods=["POST"]),
]
