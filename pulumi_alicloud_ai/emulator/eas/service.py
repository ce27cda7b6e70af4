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
from pulumi_alicloud_ai.emulator.eas import errors, rules, scaling
from pulumi_alicloud_ai.emulator.eas.states import (
    APP_SERVICE,
    DELETE_FAILED,
    DELETING,
    FAILED,
    RUNNING,
    SCALING,
    UPDATING,
)
from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter
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


def service_at_path(call: Call) -> Entity:
    """The service a ``…/services/{ClusterId}/{ServiceName}…`` call names, with its failure reason."""
    entity = load_service(call, call.path_params["ClusterId"], call.path_params["ServiceName"])
    record_failure_reason(call.state.lifecycles, entity)
    return entity


MAX_PAGE_SIZE = 100


def page(call: Call, number_key: str = "PageNumber", default_size: int = MAX_PAGE_SIZE) -> tuple[int, int]:
    """``(page, size)`` from the query: pages from 1, sizes from 1 to 100."""
    try:
        number = int(call.param(number_key) or 1)
        size = int(call.param("PageSize") or default_size)
    except ValueError:
        raise invalid_parameter(number_key, f"{number_key} and PageSize must be whole numbers") from None
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid_parameter(
            "PageSize", f"{number_key} must be >= 1 and PageSize from 1 to {MAX_PAGE_SIZE}"
        )
    return number, size


def paged(key: str, items: list[dict[str, Any]], number: int, size: int) -> dict[str, Any]:
    """A ``PageNumber``/``PageSize``/``TotalCount`` answer holding one page of ``items`` under ``key``."""
    return {
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(items),
        key: items[(number - 1) * size : number * size],
    }


def create(call: Call, body: dict[str, Any]) -> Entity:
    """Create a service in ``Creating``; a ``fail`` fault makes it end ``Failed``."""
    rules.validate(body, creating=True)
    name = body["ServiceName"]
    ensure_new_name(call, name)
    data: dict[str, Any] = {key: body[key] for key in UPDATABLE if key in body}
    return store_new(call, name, data)


def store_new(call: Call, name: str, data: dict[str, Any]) -> Entity:
    """Store a new service of the caller's account in ``Creating``, as version 1."""
    data.update(
        {
            "WorkspaceId": call.param("WorkspaceId"),
            "QuotaId": call.param("QuotaId"),
            "AccessToken": secrets.token_urlsafe(32),
            "Uid": account_uid(call.access_key_id),
            "CallerUid": account_uid(call.access_key_id),
            "ResourceType": "DedicatedResource" if data.get("Resource") else "PublicResource",
            "ServiceType": data.get("ServiceType", "Standard"),
        }
    )
    _attach_fault(call, data)
    record_version(name, data, call.state.clock.now())
    return call.state.lifecycles.create(
        APP_SERVICE, entity_id=new_id("eas-m-", 16), region=call.region, name=name, data=data
    )


def ensure_new_name(call: Call, name: str) -> None:
    """Names are unique per region: ``ServiceAlreadyExists`` when one is taken."""
    store = call.state.store
    if call.state.lifecycles.load(APP_SERVICE, store.find_by_name("eas", "service", call.region, name)):
        raise errors.already_exists(call.region, name)


LOCKED = {"all": "every change", "dangerous": "stopping and deleting"}


def guard(entity: Entity, action: str, *, dangerous: bool = False) -> None:
    """``ServiceLocked`` when the service's safety lock covers this operation."""
    lock = entity.data.get("SafetyLock") or "none"
    if lock == "all" or (lock == "dangerous" and dangerous):
        raise errors.locked(entity.name, lock, LOCKED[lock], action)


def update(call: Call, entity: Entity, body: dict[str, Any]) -> Entity:
    """Apply a partial update: replicas alone scale, anything else updates."""
    rules.validate(body, creating=False)
    changes = {key: body[key] for key in UPDATABLE if key in body}
    target = SCALING if set(changes) == {"Replicas"} else UPDATING
    guard(entity, call.action)
    _require_move(entity, target, call.action)
    entity.data.pop("LastFailure", None)  # a failure after this change shows its own reason
    entity.data.update(changes)
    for key in ("WorkspaceId", "QuotaId"):
        if call.param(key):
            entity.data[key] = call.param(key)
    _attach_fault(call, entity.data)
    if target == SCALING:
        _cache_texts(entity.name, entity.data)
    else:
        record_version(entity.name, entity.data, call.state.clock.now())
    described = ", ".join(f"{key}={json.dumps(value)}" for key, value in changes.items()) or "nothing"
    return call.state.lifecycles.move(
        APP_SERVICE, entity, target, reason="UpdateRequested", message=f"update: {described}"
    )


def move(call: Call, entity: Entity, target: str, reason: str) -> Entity:
    """An explicit transition the table allows, or ``InvalidServiceStatus``. A delete carrying an
    ``effect: fail`` rule ends ``DeleteFailed`` instead of going."""
    _require_move(entity, target, call.action)
    entity.data.pop("LastFailure", None)
    if target == DELETING:
        _attach_fault(
            call,
            entity.data,
            "ServiceDeleteFailed",
            "the service's resources could not be released (injected fault)",
        )
    return call.state.lifecycles.move(APP_SERVICE, entity, target, reason=reason)


def _require_move(entity: Entity, target: str, action: str) -> None:
    if not APP_SERVICE.may_move(entity.status, target):
        allowed = [source for source, targets in APP_SERVICE.moves.items() if target in targets]
        raise errors.invalid_status(entity.name, entity.status, action, allowed)


def _attach_fault(
    call: Call,
    data: dict[str, Any],
    reason: str = "ServiceFailed",
    default: str = "the model files could not be mounted (injected fault)",
) -> None:
    if call.effect is not None and call.effect.effect == "fail":
        data[FAULT_KEY] = {"reason": reason, "message": call.effect.message or default}


APP_CONFIG_TEXT, SERVICE_CONFIG_TEXT = "_AppConfigText", "_ServiceConfigText"
"""Keys in ``Entity.data`` caching the JSON text DescribeService returns; refreshed on each write."""

APP_RESOURCES = {"Cpu": 8, "Gpu": 1, "Memory": 32768}
"""What one instance of an app service asks for (the SDK and docs give no per-spec figures)."""


def service_config(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The EAS service config: the caller's own for CreateService, built from the fields otherwise."""
    if data.get("GeneralConfig") is not None:
        config = dict(data["GeneralConfig"])
        metadata = dict(config.get("metadata") or {})
        metadata["name"], metadata["instance"] = name, int(data.get("Replicas", 1))
        config["metadata"] = metadata
        return config
    return {
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


def config_texts(name: str, data: dict[str, Any]) -> tuple[str, str]:
    """``(AppConfig, ServiceConfig)`` JSON text as DescribeService shows them."""
    compact = (",", ":")
    return json.dumps(data.get("Config") or {}, separators=compact), json.dumps(
        service_config(name, data), separators=compact
    )


def name_problem(name: str) -> str | None:
    """Why a service name is refused, or None (the emulator's own rule, ``rules.SERVICE_NAME``)."""
    if rules.SERVICE_NAME.fullmatch(name) is None:
        return f"The name {name!r} is invalid: 2 to 64 lowercase letters, digits or underscores, starting with a letter."
    return None


def refresh_texts(name: str, data: dict[str, Any]) -> None:
    """Re-encode the cached config texts after the fields they show changed."""
    _cache_texts(name, data)


def _cache_texts(name: str, data: dict[str, Any]) -> None:
    # Encoded once per write instead of on every read: DescribeService is the hot path.
    data[APP_CONFIG_TEXT], data[SERVICE_CONFIG_TEXT] = config_texts(name, data)


def record_version(name: str, data: dict[str, Any], now: float) -> None:
    """A write that changes the config builds a new version and runs it (ListServiceVersions)."""
    _cache_texts(name, data)
    snapshot = {key: data[key] for key in (*UPDATABLE, "GeneralConfig") if key in data}
    versions = data.setdefault("Versions", [])
    versions.append({"BuildTime": now, "Config": data[SERVICE_CONFIG_TEXT], "Snapshot": snapshot})
    del versions[:-MAX_VERSIONS]
    data["LatestVersion"] = data.get("LatestVersion", 0) + 1
    data["CurrentVersion"] = data["LatestVersion"]


MAX_VERSIONS = 100
"""Versions kept per service; older ones drop out of ListServiceVersions and cannot be rolled back to."""


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    general = data.get("GeneralConfig") or {}
    metadata = general.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def describe(entity: Entity, now: float) -> dict[str, Any]:
    """The ``Service`` object of DescribeService / ListServices, as of ``now``."""
    data = entity.data
    internet, intranet = endpoints(entity.region, data["Uid"], entity.name)
    replicas = scaling.instances(data, now)
    running = replicas if entity.status == RUNNING else 0
    failed_reason = last_warning(data)
    metadata = _metadata(data)
    resources = (
        APP_RESOURCES
        if data.get("GeneralConfig") is None
        else {
            "Cpu": int(metadata.get("cpu", 1)),
            "Gpu": int(metadata.get("gpu", 0)),
            "Memory": int(metadata.get("memory", 1000)),
        }
    )
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
        "SecondaryInternetEndpoint": "",
        "SecondaryIntranetEndpoint": "",
        "AppType": data.get("AppType") or "",
        "AppVersion": data.get("AppVersion") or "",
        "AppSpecName": data.get("ServiceSpec") or "",
        "AppConfig": data.get(APP_CONFIG_TEXT) or config_texts(entity.name, data)[0],
        "ServiceConfig": data.get(SERVICE_CONFIG_TEXT) or config_texts(entity.name, data)[1],
        "ExtraData": "",
        "TotalInstance": replicas,
        "RunningInstance": running,
        "PendingInstance": replicas - running,
        "CurrentVersion": int(data.get("CurrentVersion", 1)),
        "LatestVersion": int(data.get("LatestVersion", 1)),
        **resources,
        "Image": image(entity, data),
        "Namespace": data.get("Namespace") or entity.name,
        "Resource": data.get("Resource") or "",
        "ResourceAlias": data.get("Resource") or "",
        "QuotaId": data.get("QuotaId") or "",
        "WorkspaceId": data.get("WorkspaceId") or "",
        "CallerUid": data.get("CallerUid"),
        "ParentUid": data.get("Uid"),
        "Role": data.get("Role") or "",
        "RoleAttrs": "",
        "Gateway": data.get("Gateway") or "",
        "ServiceGroup": data.get("ServiceGroup") or "",
        "SafetyLock": data.get("SafetyLock") or "none",
        "Source": data.get("Source") or "AppService",
        "TrafficState": data.get("TrafficState") or "standalone",
        "Weight": int(data.get("Weight", 100)),
        "AccessToken": data["AccessToken"],
        "CreateTime": iso_utc(entity.created_at),
        "UpdateTime": iso_utc(entity.updated_at),
        "Labels": [
            {"LabelKey": key, "LabelValue": value}
            for key, value in sorted((data.get("Labels") or {}).items())
        ],
    }


def image(entity: Entity, data: dict[str, Any]) -> str:
    """The container image an instance runs: the caller's for CreateService, the app's otherwise."""
    containers = (data.get("GeneralConfig") or {}).get("containers")
    if isinstance(containers, list) and containers and isinstance(containers[0], dict):
        return str(containers[0].get("image", ""))
    if data.get("GeneralConfig") is not None:
        return ""
    return f"eas-registry-vpc.{entity.region}.cr.aliyuncs.com/pai-eas/{data.get('ServiceSpec')}:{data.get('AppVersion') or 'latest'}"


def last_warning(data: dict[str, Any]) -> tuple[str, str]:
    failure = data.get("LastFailure") or {}
    return failure.get("reason", ""), failure.get("message", "")


def record_failure_reason(lifecycles: LifecycleEngine, entity: Entity) -> None:
    """Copy the last Warning event into the entity so DescribeService shows Reason/Message."""
    if entity.status not in (FAILED, DELETE_FAILED) or entity.data.get("LastFailure"):
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
