"""EAS autoscaler and cron scaler operations (Create/Update/Delete through ``parts.py``), and the admin
route a test reports load through.

``POST /_emulator/eas/services/{region}/{name}/load`` with ``{"qps": 250, "cpu": 160}`` records the
service's total load at the emulator's now (see ``scaling.py`` for what the numbers mean); the
autoscaler follows it as the clock moves.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.routing import Route as AdminRoute

from pulumi_alicloud_ai.emulator.admin import ADMIN_PREFIX, admin_error, emulator_state, read_json
from pulumi_alicloud_ai.emulator.eas import errors, parts, scaling
from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.routing import Call, Route

SERVICE = "/api/v2/services/{ClusterId}/{ServiceName}"
AUTOSCALER = parts.Part(
    "AutoScaler",
    "ServiceAutoScaler",
    lambda call, _: scaling.validate_autoscaler(call.json_body()),
    scales=True,
)
CRON_SCALER = parts.Part(
    "CronScaler",
    "ServiceCronScaler",
    lambda call, _: scaling.validate_cron_scaler(call.json_body()),
    scales=True,
)


def describe_service_auto_scaler(call: Call) -> dict[str, Any]:
    """GET …/autoscaler: settings plus the current per-instance metrics."""
    entity, scaler = parts.existing(call, AUTOSCALER)
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


def describe_service_cron_scaler(call: Call) -> dict[str, Any]:
    """GET …/cronscaler: each job with when it last fired (``State`` ``Succeeded``) or ``Waiting``."""
    entity, scaler = parts.existing(call, CRON_SCALER)
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
            entity = state.lifecycles.load(
                APP_SERVICE, state.store.find_by_name("eas", "service", region, name)
            )
            if entity is None:
                raise errors.service_not_found(region, name)
            now = state.clock.now()
            scaling.record_load(entity.data, now, load)
            state.store.put(entity)
            instances = scaling.instances(entity.data, now)
    except ApiError as exc:
        return admin_error(exc.code, exc.message, exc.status)
    return JSONResponse({"ServiceName": name, "Instances": instances, "Time": now})


ROUTES = [
    Route.roa(
        "eas",
        "CreateServiceAutoScaler",
        "POST",
        SERVICE + "/autoscaler",
        parts.setter(AUTOSCALER, creating=True),
    ),
    Route.roa(
        "eas", "DescribeServiceAutoScaler", "GET", SERVICE + "/autoscaler", describe_service_auto_scaler
    ),
    Route.roa(
        "eas",
        "UpdateServiceAutoScaler",
        "PUT",
        SERVICE + "/autoscaler",
        parts.setter(AUTOSCALER, creating=False),
    ),
    Route.roa("eas", "DeleteServiceAutoScaler", "DELETE", SERVICE + "/autoscaler", parts.deleter(AUTOSCALER)),
    Route.roa(
        "eas",
        "CreateServiceCronScaler",
        "POST",
        SERVICE + "/cronscaler",
        parts.setter(CRON_SCALER, creating=True),
    ),
    Route.roa(
        "eas", "DescribeServiceCronScaler", "GET", SERVICE + "/cronscaler", describe_service_cron_scaler
    ),
    Route.roa(
        "eas",
        "UpdateServiceCronScaler",
        "PUT",
        SERVICE + "/cronscaler",
        parts.setter(CRON_SCALER, creating=False),
    ),
    Route.roa(
        "eas", "DeleteServiceCronScaler", "DELETE", SERVICE + "/cronscaler", parts.deleter(CRON_SCALER)
    ),
]

ADMIN_ROUTES: list[BaseRoute] = [
    AdminRoute(f"{ADMIN_PREFIX}/eas/services/{{region}}/{{name}}/load", report_load, methods=["POST"]),
]
