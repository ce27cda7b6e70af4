"""The EAS app service: creating, changing and describing it (what its fields must hold: ``rules.py``).

An app service is stored as an :class:`Entity` of kind ``service`` with its inputs in ``data``. What
DescribeService shows is derived from them: ``TotalInstance`` and ``ServiceConfig.metadata.instance``
from the replicas, ``AppSpecName`` from the spec, endpoints from the region, account and name.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai.emulator.eas import errors, rules
from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE, RUNNING, SCALING, UPDATING
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.formats import iso_utc, new_id
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY, LifecycleEngine
from pulumi_alicloud_ai.emulator.routing import BODY_BOUNDS, Call
from pulumi_alicloud_ai.emulator.store import Entity

UPDATABLE = ("AppType", "AppVersion", "ServiceSpec", "Replicas", "Config")


def account_uid(access_key_id: str) -> str:
    """A stable 16-digit account id per access key, as in EAS endpoint host names."""
    return str(int(hashlib.sha256(access_key_id.encode()).hexdigest(), 16))[:16]


def endpoints(region: str, uid: str, name: str) -> tuple[str, str]:
    """``(internet, intranet)`` endpoints in the shape EAS gives them."""
    return (
        f"http://{uid}.{region}.pai-eas.aliyuncs.com/api/predict/{name}",
        f"http://{uid}.vpc.{region}.pai-eas.aliyuncs.com/api/predict/{name}",
    )


def load_service(call: Call, region: str, name: str) -> Entity:
    """The service brought up to the clock, or ``ServiceNotFound``."""
    store = call.state.store
    entity = call.state.lifecycles.load(APP_SERVICE, store.find_by_name("eas", "service", region, name))
    if entity is None:
        raise errors.service_not_found(region, name)
    return entity


def create(call: Call, body: dict[str, Any]) -> Entity:
    """Create a service in ``Creating``; a ``fail`` fault makes it end ``Failed``."""
    rules.validate(body, creating=True)
    region, name = call.region, body["ServiceName"]
    lifecycles = call.state.lifecycles
    existing = lifecycles.load(APP_SERVICE, call.state.store.find_by_name("eas", "service", region, name))
    if existing is not None:
        raise errors.already_exists(region, name)
    data: dict[str, Any] = {key: body[key] for key in UPDATABLE if key in body}
    data.update(
        {
            "WorkspaceId": call.param("WorkspaceId"),
            "QuotaId": call.param("QuotaId"),
            "AccessToken": secrets.token_urlsafe(32),
            "Uid": account_uid(call.access_key_id),
            "CallerUid": account_uid(call.access_key_id),
        }
    )
    _attach_fault(call, data)
    _cache_texts(name, data)
    return lifecycles.create(APP_SERVICE, entity_id=new_id("eas-m-", 16), region=region, name=name, data=data)


def update(call: Call, entity: Entity, body: dict[str, Any]) -> Entity:
    """Apply a partial update: replicas alone scale, anything else updates."""
    rules.validate(body, creating=False)
    changes = {key: body[key] for key in UPDATABLE if key in body}
    target = SCALING if set(changes) == {"Replicas"} else UPDATING
    _require_move(entity, target, call.action)
    entity.data.update(changes)
    for key in ("WorkspaceId", "QuotaId"):
        if call.param(key):
            entity.data[key] = call.param(key)
    _attach_fault(call, entity.data)
    _cache_texts(entity.name, entity.data)
    described = ", ".join(f"{key}={json.dumps(value)}" for key, value in changes.items()) or "nothing"
    return call.state.lifecycles.move(
        APP_SERVICE, entity, target, reason="UpdateRequested", message=f"update: {described}"
    )


def move(call: Call, entity: Entity, target: str, reason: str) -> Entity:
    """An explicit transition the table allows, or ``InvalidServiceStatus``."""
    _require_move(entity, target, call.action)
    return call.state.lifecycles.move(APP_SERVICE, entity, target, reason=reason)


def _require_move(entity: Entity, target: str, action: str) -> None:
    if not APP_SERVICE.may_move(entity.status, target):
        allowed = [source for source, targets in APP_SERVICE.moves.items() if target in targets]
        raise errors.invalid_status(entity.name, entity.status, action, allowed)


def _attach_fault(call: Call, data: dict[str, Any]) -> None:
    if call.effect is not None and call.effect.effect == "fail":
        message = call.effect.message or "the model files could not be mounted (injected fault)"
        data[FAULT_KEY] = {"reason": "ServiceFailed", "message": message}


APP_CONFIG_TEXT, SERVICE_CONFIG_TEXT = "_AppConfigText", "_ServiceConfigText"
"""Keys in ``Entity.data`` caching the JSON text DescribeService returns; refreshed on each write."""


def config_texts(name: str, data: dict[str, Any]) -> tuple[str, str]:
    """``(AppConfig, ServiceConfig)`` JSON text as DescribeService shows them."""
    service_config = {
        "metadata": {
            "name": name,
            "instance": int(data.get("Replicas", 1)),
            "workspace_id": data.get("WorkspaceId"),
        },
        "app": {
            "type": data.get("AppType"),
            "version": data.get("AppVersion"),
            "spec": data.get("ServiceSpec"),
        },
        "storage": data.get("Config"),
    }
    compact = (",", ":")
    return json.dumps(data.get("Config") or {}, separators=compact), json.dumps(
        service_config, separators=compact
    )


def _cache_texts(name: str, data: dict[str, Any]) -> None:
    # Encoded once per write instead of on every read: DescribeService is the hot path.
    data[APP_CONFIG_TEXT], data[SERVICE_CONFIG_TEXT] = config_texts(name, data)


def describe(entity: Entity) -> dict[str, Any]:
    """The ``Service`` object of DescribeService / ListServices."""
    data = entity.data
    internet, intranet = endpoints(entity.region, data["Uid"], entity.name)
    replicas = int(data.get("Replicas", 1))
    running = replicas if entity.status == RUNNING else 0
    failed_reason = _last_warning(data)
    return {
        "ServiceId": entity.id,
        "ServiceUid": entity.id,
        "ServiceName": entity.name,
        "Status": entity.status,
        "Reason": failed_reason[0],
        "Message": failed_reason[1],
        "Region": entity.region,
        "InternetEndpoint": internet,
        "IntranetEndpoint": intranet,
        "AppType": data.get("AppType"),
        "AppVersion": data.get("AppVersion"),
        "AppSpecName": data.get("ServiceSpec"),
        "AppConfig": data.get(APP_CONFIG_TEXT) or config_texts(entity.name, data)[0],
        "ServiceConfig": data.get(SERVICE_CONFIG_TEXT) or config_texts(entity.name, data)[1],
        "TotalInstance": replicas,
        "RunningInstance": running,
        "PendingInstance": replicas - running,
        "WorkspaceId": data.get("WorkspaceId"),
        "QuotaId": data.get("QuotaId"),
        "CallerUid": data.get("CallerUid"),
        "AccessToken": data["AccessToken"],
        "CreateTime": iso_utc(entity.created_at),
        "UpdateTime": iso_utc(entity.updated_at),
        "Labels": [],
    }


def _last_warning(data: dict[str, Any]) -> tuple[str, str]:
    failure = data.get("LastFailure") or {}
    return failure.get("reason", ""), failure.get("message", "")


def record_failure_reason(lifecycles: LifecycleEngine, entity: Entity) -> None:
    """Copy the last Warning event into the entity so DescribeService shows Reason/Message."""
    if entity.status != "Failed" or entity.data.get("LastFailure"):
        return
    warnings = [e for e in lifecycles.store.events("eas", "service", entity.id) if e.type == "Warning"]
    if warnings:
        entity.data["LastFailure"] = {"reason": warnings[-1].reason, "message": warnings[-1].message}
        lifecycles.store.put(entity)


def parse_merge_body(raw: bytes) -> dict[str, Any]:
    """UpdateService's raw JSON config (within the parser's bounds, like every request body)."""
    try:
        value = load_json(raw or b"{}", BODY_BOUNDS, what="The service config")
    except BoundsError as exc:
        raise ApiError("InvalidParameter.Body", f"{exc}.") from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError("InvalidParameter.Body", "The service config is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ApiError("InvalidParameter.Body", "The service config must be a JSON object.")
    return value
