"""EAS operations that change what a service is: the general CreateService, clones, labels, versions,
the safety lock, development mode, release weights and traffic mirroring."""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator.eas import errors, parts, service
from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE, COMMITTING, DEVELOPING, UPDATING
from pulumi_alicloud_ai.emulator.errors import invalid_parameter, missing_parameter
from pulumi_alicloud_ai.emulator.formats import iso_utc, parse_bool
from pulumi_alicloud_ai.emulator.routing import Call, Route
from pulumi_alicloud_ai.emulator.store import Entity

SERVICE = "/api/v2/services/{ClusterId}/{ServiceName}"
MAX_LABELS, MAX_LABEL_KEY, MAX_LABEL_VALUE = 20, 128, 256
SERVICE_TYPES = ("Standard", "Async", "OfflineTask", "Proxima")
LOCKS = ("all", "dangerous", "none")
TRAFFIC_STATES = ("standalone", "grouping")
METADATA_FIELDS = {"resource": "Resource", "group": "ServiceGroup", "role": "Role", "gateway": "Gateway"}
"""Service-config ``metadata`` keys DescribeService reports, with their field names."""


_service, _saved = service.service_at_path, parts.saved


def check_labels(labels: Any, field: str) -> dict[str, str]:
    """A label map: string keys and values, bounded in number and length."""
    if not isinstance(labels, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in labels.items()
    ):
        raise invalid_parameter(field, f"{field} must map label keys to string values")
    if len(labels) > MAX_LABELS:
        raise invalid_parameter(field, f"a service has at most {MAX_LABELS} labels")
    for key, value in labels.items():
        if not 1 <= len(key) <= MAX_LABEL_KEY or len(value) > MAX_LABEL_VALUE:
            raise invalid_parameter(
                field, f"label keys are 1 to {MAX_LABEL_KEY} characters and values at most {MAX_LABEL_VALUE}"
            )
    return dict(labels)


def _query_labels(call: Call) -> dict[str, str] | None:
    labels = call.json_param("Labels")
    return None if labels is None else check_labels(labels, "Labels")


def general_fields(config: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The name and stored fields of a service from its raw EAS service config."""
    metadata = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    name = config.get("name") or metadata.get("name")
    if not isinstance(name, str) or not name:
        raise missing_parameter("name")
    instance = metadata.get("instance", 1)
    if isinstance(instance, bool) or not isinstance(instance, int) or not 0 <= instance <= 1000:
        raise invalid_parameter(
            "metadata.instance", "metadata.instance must be a whole number from 0 to 1000"
        )
    service_type = metadata.get("type", "Standard")
    if service_type not in SERVICE_TYPES:
        raise invalid_parameter(
            "metadata.type",
            f"metadata.type {service_type!r} is not supported; allowed values: {', '.join(SERVICE_TYPES)}",
        )
    for key in ("cpu", "gpu", "memory"):
        value = metadata.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise invalid_parameter(f"metadata.{key}", f"metadata.{key} must be a whole number >= 0")
    data: dict[str, Any] = {"GeneralConfig": config, "Replicas": instance, "ServiceType": service_type}
    for key, field in METADATA_FIELDS.items():
        if metadata.get(key) is not None:
            data[field] = str(metadata[key])
    return name, data


def create_service(call: Call) -> dict[str, Any]:
    """POST /api/v2/services: a service from a raw EAS service config (JSON body)."""
    name, data = general_fields(service.parse_merge_body(call.body))
    if problem := service.name_problem(name):
        raise invalid_parameter("name", problem)
    service.ensure_new_name(call, name)
    try:
        develop = parse_bool(call.param("Develop"))
    except ValueError:
        raise invalid_parameter("Develop", "Develop must be true or false") from None
    data.update({"Labels": _query_labels(call) or {}, "Source": "CustomService", "Develop": bool(develop)})
    entity = service.store_new(call, name, data)
    return _created(entity, with_region=True)


def _created(entity: Entity, *, with_region: bool) -> dict[str, Any]:
    internet, intranet = service.endpoints(entity.region, entity.data["Uid"], entity.name)
    body = {
        "ServiceId": entity.id,
        "ServiceName": entity.name,
        "Status": entity.status,
        "InternetEndpoint": internet,
        "IntranetEndpoint": intranet,
    }
    return {**body, "Region": entity.region} if with_region else body


CLONED = (
    "AppType",
    "AppVersion",
    "ServiceSpec",
    "Replicas",
    "Config",
    "GeneralConfig",
    "ServiceType",
    *METADATA_FIELDS.values(),
)


def clone_service(call: Call) -> dict[str, Any]:
    """POST …/clone: a copy (named by the body's ``name``, else ``<name>_clone``) with the body's config
    keys laid over the source's; the clone remembers its source as ``ParentServiceUid``."""
    source = _service(call)
    overrides = service.parse_merge_body(call.body) if call.body else {}
    data = {key: source.data[key] for key in CLONED if key in source.data}
    name = overrides.get("name") or f"{source.name}_clone"
    if data.get("GeneralConfig") is not None or overrides:
        base = data.get("GeneralConfig") or service.service_config(source.name, source.data)
        merged = {**base, **overrides, "name": name}
        name, general = general_fields(merged)
        data.update(general)
    if problem := service.name_problem(name):
        raise invalid_parameter("name", problem)
    service.ensure_new_name(call, name)
    labels = _query_labels(call)
    data.update(
        {
            "Labels": dict(source.data.get("Labels") or {}) if labels is None else labels,
            "ParentServiceUid": source.id,
            "Source": source.data.get("Source") or "AppService",
        }
    )
    return _created(service.store_new(call, name, data), with_region=False)


def update_service_label(call: Call) -> dict[str, Any]:
    """PUT …/label: add or change labels (``Labels`` map)."""
    entity = _service(call)
    service.guard(entity, call.action)
    body = call.json_body()
    if "Labels" not in body:
        raise missing_parameter("Labels")
    labels = {**(entity.data.get("Labels") or {}), **check_labels(body["Labels"], "Labels")}
    entity.data["Labels"] = check_labels(labels, "Labels")
    return _saved(call, entity, f"Labels of service [{entity.name}] are updated")


def delete_service_label(call: Call) -> dict[str, Any]:
    """DELETE …/label?Keys=a,b: unknown keys are ignored, so repeating a delete is harmless."""
    entity = _service(call)
    service.guard(entity, call.action)
    keys = [key for key in call.require("Keys").split(",") if key]
    labels = entity.data.get("Labels") or {}
    entity.data["Labels"] = {key: value for key, value in labels.items() if key not in keys}
    return _saved(call, entity, f"Labels of service [{entity.name}] are deleted")


def update_service_safety_lock(call: Call) -> dict[str, Any]:
    """PUT …/lock: ``all`` forbids every change, ``dangerous`` stop and delete, ``none`` nothing."""
    entity = _service(call)
    lock = call.json_body().get("Lock")
    if lock is None:
        raise missing_parameter("Lock")
    if lock not in LOCKS:
        raise invalid_parameter("Lock", f"Lock {lock!r} is not supported; allowed values: {', '.join(LOCKS)}")
    entity.data["SafetyLock"] = lock
    return _saved(call, entity, f"Safety lock of service [{entity.name}] is {lock}")


def list_service_versions(call: Call) -> dict[str, Any]:
    """GET …/versions: newest first."""
    entity = _service(call)
    page, size = service.page(call)
    versions = entity.data.get("Versions") or []
    latest = int(entity.data.get("LatestVersion", len(versions)))
    listed = [
        {
            "ImageId": latest - offset,
            "BuildTime": iso_utc(version["BuildTime"]),
            "ImageAvailable": "true",
            "ServiceRunnable": "true",
            "Message": "current" if latest - offset == entity.data.get("CurrentVersion") else "",
            "ServiceConfig": version["Config"],
        }
        for offset, version in enumerate(reversed(versions))
    ]
    return service.paged("Versions", listed, page, size)


def update_service_version(call: Call) -> dict[str, Any]:
    """PUT …/version: roll back to an earlier version (0 < Version < CurrentVersion)."""
    entity = _service(call)
    service.guard(entity, call.action)
    version = call.json_body().get("Version")
    if version is None:
        raise missing_parameter("Version")
    current = int(entity.data.get("CurrentVersion", 1))
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < current:
        raise invalid_parameter(
            "Version", f"Version must be a whole number from 1 to {current - 1} (below the current {current})"
        )
    versions = entity.data.get("Versions") or []
    kept = int(entity.data.get("LatestVersion", len(versions))) - len(versions)
    if version <= kept:
        raise errors.not_found(
            "ServiceVersion", entity.name, f"version {version} (only the last {len(versions)} are kept)"
        )
    snapshot = versions[version - kept - 1]["Snapshot"]
    entity.data.update(snapshot)
    entity.data["CurrentVersion"] = version
    service.refresh_texts(entity.name, entity.data)
    service.move(call, entity, UPDATING, "RollbackRequested")
    return {"Message": f"Service [{entity.name}] is rolling back to version {version}"}


def develop_service(call: Call) -> dict[str, Any]:
    """PUT …/develop: enter development mode (``Developing``), or leave it with ``Exit=true``."""
    entity = _service(call)
    service.guard(entity, call.action)
    try:
        leaving = parse_bool(call.param("Exit")) or False
    except ValueError:
        raise invalid_parameter("Exit", "Exit must be true or false") from None
    if leaving:
        service.move(call, entity, UPDATING, "DevelopExited")
        return {"Message": f"Service [{entity.name}] leaves development mode"}
    service.move(call, entity, DEVELOPING, "DevelopRequested")
    return {"Message": f"Service [{entity.name}] is in development mode"}


def commit_service(call: Call) -> dict[str, Any]:
    """PUT …/commit: a service in development mode builds a new version and runs it."""
    entity = _service(call)
    service.guard(entity, call.action)
    if entity.status != DEVELOPING:
        raise errors.invalid_status(entity.name, entity.status, call.action, [DEVELOPING])
    service.record_version(entity.name, entity.data, call.state.clock.now())
    service.move(call, entity, COMMITTING, "CommitRequested")
    return {"Message": f"Service [{entity.name}] is committing"}


def release_service(call: Call) -> dict[str, Any]:
    """PUT …/release: set the traffic state and the weight within its group."""
    entity = _service(call)
    service.guard(entity, call.action)
    body = call.json_body()
    state, weight = body.get("TrafficState"), body.get("Weight")
    if state is not None and state not in TRAFFIC_STATES:
        raise invalid_parameter(
            "TrafficState",
            f"TrafficState {state!r} is not supported; allowed values: {', '.join(TRAFFIC_STATES)}",
        )
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, int) or not -1 <= weight <= 1000
    ):
        raise invalid_parameter("Weight", "Weight must be a whole number from -1 to 1000")
    if state is not None:
        entity.data["TrafficState"] = state
    if weight is not None:
        entity.data["Weight"] = weight
    return _saved(call, entity, f"Service [{entity.name}] is released")


def _mirror(call: Call, entity: Entity) -> dict[str, Any]:
    body = call.json_body()
    ratio, targets = body.get("Ratio"), body.get("Target")
    if ratio is None:
        raise missing_parameter("Ratio")
    if isinstance(ratio, bool) or not isinstance(ratio, int) or not 0 <= ratio <= 100:
        raise invalid_parameter("Ratio", "Ratio must be a whole number from 0 to 100")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise invalid_parameter("Target", "Target must list the names of the services to mirror to")
    store = call.state.store
    for target in targets:
        if (
            target == entity.name
            or call.state.lifecycles.load(
                APP_SERVICE, store.find_by_name("eas", "service", entity.region, target)
            )
            is None
        ):
            raise invalid_parameter("Target", f"Target {target!r} is not another service in {entity.region}")
    return {"Ratio": ratio, "Target": list(targets)}


MIRROR = parts.Part("Mirror", "ServiceMirror", _mirror)
"""Copy ``Ratio`` percent of requests to the ``Target`` services."""


def describe_service_mirror(call: Call) -> dict[str, Any]:
    """GET …/mirror: ``Ratio`` and ``Target`` as strings, as the SDK types them."""
    entity, mirror = parts.existing(call, MIRROR)
    return {"ServiceName": entity.name, "Ratio": str(mirror["Ratio"]), "Target": ",".join(mirror["Target"])}


ROUTES = [
    Route.roa("eas", "CreateService", "POST", "/api/v2/services", create_service),
    Route.roa("eas", "CloneService", "POST", SERVICE + "/clone", clone_service),
    Route.roa("eas", "UpdateServiceLabel", "PUT", SERVICE + "/label", update_service_label),
    Route.roa("eas", "DeleteServiceLabel", "DELETE", SERVICE + "/label", delete_service_label),
    Route.roa("eas", "UpdateServiceSafetyLock", "PUT", SERVICE + "/lock", update_service_safety_lock),
    Route.roa("eas", "ListServiceVersions", "GET", SERVICE + "/versions", list_service_versions),
    Route.roa("eas", "UpdateServiceVersion", "PUT", SERVICE + "/version", update_service_version),
    Route.roa("eas", "DevelopService", "PUT", SERVICE + "/develop", develop_service),
    Route.roa("eas", "CommitService", "PUT", SERVICE + "/commit", commit_service),
    Route.roa("eas", "ReleaseService", "PUT", SERVICE + "/release", release_service),
    Route.roa("eas", "CreateServiceMirror", "POST", SERVICE + "/mirror", parts.setter(MIRROR, creating=True)),
    Route.roa("eas", "DescribeServiceMirror", "GET", SERVICE + "/mirror", describe_service_mirror),
    Route.roa("eas", "UpdateServiceMirror", "PUT", SERVICE + "/mirror", parts.setter(MIRROR, creating=False)),
    Route.roa("eas", "DeleteServiceMirror", "DELETE", SERVICE + "/mirror", parts.deleter(MIRROR)),
]
