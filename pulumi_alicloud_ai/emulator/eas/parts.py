"""Optional parts of a service (autoscaler, cron scaler, traffic mirror) with one Create/Update/Delete
shape: Create when it has none (else ``<Thing>AlreadyExists``), Update and Delete when it has one (else
``<Thing>NotFound``), all behind the safety lock.

A part that scales keeps the instance count it reached when it changes or goes (it becomes the
service's replicas) and takes effect from now on (``Since``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi_alicloud_ai.emulator.eas import errors, scaling, service
from pulumi_alicloud_ai.emulator.routing import Call, Handler
from pulumi_alicloud_ai.emulator.store import Entity


@dataclass(frozen=True)
class Part:
    """Where a part lives in the service's data, its name in error codes, and how a body becomes it."""

    key: str
    thing: str
    read: Callable[[Call, Entity], dict[str, Any]]
    scales: bool = False


def saved(call: Call, entity: Entity, message: str) -> dict[str, Any]:
    """Store a changed service and answer with ``Message``."""
    entity.updated_at = call.state.clock.now()
    call.state.store.put(entity)
    return {"Message": message}


def existing(call: Call, part: Part) -> tuple[Entity, dict[str, Any]]:
    """The service and its part, or ``<Thing>NotFound``."""
    entity = service.service_at_path(call)
    value = entity.data.get(part.key)
    if value is None:
        raise errors.not_found(part.thing, entity.name)
    return entity, value


def setter(part: Part, *, creating: bool) -> Handler:
    """The Create… (``creating``) or Update… handler of a part."""

    def handle(call: Call) -> dict[str, Any]:
        entity = service.service_at_path(call)
        service.guard(entity, call.action)
        present = entity.data.get(part.key) is not None
        if creating and present:
            raise errors.exists(part.thing, entity.name)
        if not creating and not present:
            raise errors.not_found(part.thing, entity.name)
        value = part.read(call, entity)
        if part.scales:
            now = call.state.clock.now()
            entity.data["Replicas"] = scaling.instances(entity.data, now)
            service.refresh_texts(entity.name, entity.data)  # ServiceConfig shows the count kept
            value["Since"] = now
        entity.data[part.key] = value
        return saved(
            call, entity, f"Service [{entity.name}] {part.thing} is {'created' if creating else 'updated'}"
        )

    return handle


def deleter(part: Part) -> Handler:
    """The Delete… handler of a part."""

    def handle(call: Call) -> dict[str, Any]:
        entity, _ = existing(call, part)
        service.guard(entity, call.action)
        if part.scales:
            entity.data["Replicas"] = scaling.instances(entity.data, call.state.clock.now())
            service.refresh_texts(entity.name, entity.data)  # ServiceConfig shows the count kept
        entity.data.pop(part.key)
        return saved(call, entity, f"Service [{entity.name}] {part.thing} is deleted")

    return handle
