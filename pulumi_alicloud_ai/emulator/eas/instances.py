"""A service's instances, derived from how many it runs now (``scaling.instances``).

Instances are not stored one by one: instance ``i`` of a service is always named
``<service>-<id tail>-<i>``, lives on host ``10.0.<i // 250>.<i % 250 + 1>``, and started when the
service last entered its status. What a caller changes about one instance (a restart through
DeleteServiceInstances, isolation through UpdateServiceInstance) is kept in ``InstanceState`` by name.
"""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator.eas import errors, scaling, service
from pulumi_alicloud_ai.emulator.eas.states import RUNNING
from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.store import Entity

INSTANCE_PORT = 8000
CONTAINER = "worker0"


def names(entity: Entity, count: int) -> list[str]:
    """The names of a service's first ``count`` instances."""
    return [f"{entity.name}-{entity.id[-6:]}-{index}" for index in range(count)]


def instance_state(entity: Entity, name: str) -> dict[str, Any]:
    """What callers changed about one instance (restarts, isolation, its start time)."""
    state: dict[str, Any] = (entity.data.get("InstanceState") or {}).get(name, {})
    return state


def find(entity: Entity, now: float, name: str) -> int:
    """The index of a named instance, or ``InstanceNotFound``."""
    known = names(entity, scaling.instances(entity.data, now))
    if name not in known:
        raise errors.not_found("Instance", entity.name, f"instance {name!r}")
    return known.index(name)


def describe(entity: Entity, now: float, index: int) -> dict[str, Any]:
    """One ``Instance`` as ListServiceInstances shows it."""
    name = names(entity, index + 1)[index]
    state = instance_state(entity, name)
    running = entity.status == RUNNING
    started = iso_utc(state.get("StartedAt", entity.status_since))
    host = f"10.0.{index // 250}.{index % 250 + 1}"
    return {
        "InstanceName": name,
        "Status": "Running" if running else "Pending",
        "Reason": "" if running else f"service is {entity.status}",
        "HostIP": host,
        "HostName": f"eas-node-{index // 8}",
        "InnerIP": f"172.16.{index // 250}.{index % 250 + 1}",
        "ExternalIP": "",
        "InstancePort": INSTANCE_PORT,
        "ExternalInstancePort": 0,
        "ReadyProcesses": 1 if running else 0,
        "TotalProcesses": 1,
        "RestartCount": int(state.get("Restarts", 0)),
        "StartAt": started,
        "StartTime": started,
        "IsSpot": False,
        "Isolated": bool(state.get("Isolated", False)),
        "Namespace": entity.data.get("Namespace") or entity.name,
        "ResourceType": entity.data.get("ResourceType") or "PublicResource",
        "InstanceType": "ecs.gn6i-c8g1.2xlarge" if entity.data.get("GeneralConfig") is None else "",
        "Role": "Standard",
        "Zone": f"{entity.region}-a",
        "TenantHostIP": "",
        "TenantInstanceIP": "",
        "CurrentAmount": 0.0,
        "OriginalAmount": 0.0,
        "LastState": [],
    }


def containers(entity: Entity, now: float, index: int) -> list[dict[str, Any]]:
    """The containers of one instance (one: the worker)."""
    instance = describe(entity, now, index)
    running = instance["Status"] == "Running"
    return [
        {
            "Name": CONTAINER,
            "Image": service.image(entity, entity.data),
            "Port": INSTANCE_PORT,
            "Ready": running,
            "RestartCount": instance["RestartCount"],
            "CurrentStatus": "Running" if running else "Waiting",
            "CurrentReaon": "" if running else instance["Reason"],
            "CurrentTimestamp": instance["StartAt"],
            "LastStatus": "Terminated" if instance["RestartCount"] else "",
            "LastReason": "Restarted" if instance["RestartCount"] else "",
            "LastTimestamp": instance["StartAt"] if instance["RestartCount"] else "",
        }
    ]


def diagnosis(entity: Entity) -> list[dict[str, Any]]:
    """What is wrong with the service: its last failure, with a cause and an advice; empty when healthy."""
    reason, message = service.last_warning(entity.data)
    if entity.status != "Failed":
        return []
    return [
        {
            "Error": message or "the service failed",
            "Causes": [reason or "ServiceFailed"],
            "Advices": ["Check the service events and logs, fix the configuration, then update the service."],
        }
    ]
