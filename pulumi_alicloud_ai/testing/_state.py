"""What the local engine remembers between runs: resource states, their URNs, and the delete order.

The fields and rules follow the Pulumi engine's checkpoint (``resource.State``) and its step generator:
URNs nest the parent's type (``Parent$Child``) except under the root stack, a replaced resource waits
in the state marked ``delete`` until its delete succeeds, and deletes run dependents first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class ResourceState:
    """One resource as the engine keeps it between runs (a custom resource or a component)."""

    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: bool = True
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    protect: bool = False
    retain_on_delete: bool = False
    deleted_with: str = ""
    import_id: str = ""
    """The id the resource was imported with (``ResourceOptions(import_=...)``), if it was."""
    delete: bool = False
    """Replaced: the new resource exists, and this one is still to be deleted (retried by the next run)."""
    pending_replacement: bool = False
    """Deleted before its replacement was created (delete-before-replace); the next run creates it."""

    def needs(self) -> set[str]:
        """URNs this resource depends on: its parent, its dependencies, the resource it is deleted with."""
        return {urn for urn in (self.parent, self.deleted_with, *self.dependencies) if urn}


def stack_urn(project: str, stack: str) -> str:
    """The root stack resource's URN."""
    return f"urn:pulumi:{stack}::{project}::{ROOT_STACK_TYPE}::{project}-{stack}"


def qualified_type(urn: str) -> str:
    """``Parent$Child`` types of a URN."""
    return urn.split("::", 3)[2]


def urn_name(urn: str) -> str:
    """The resource name a URN ends with."""
    return urn.split("::", 3)[3]


def new_urn(project: str, stack: str, parent: str, typ: str, name: str) -> str:
    """A resource's URN, as the engine's ``generateURN`` builds it (the root stack does not qualify)."""
    parent_type = qualified_type(parent) if parent else ""
    prefix = f"{parent_type}$" if parent_type and parent_type != ROOT_STACK_TYPE else ""
    return f"urn:pulumi:{stack}::{project}::{prefix}{typ}::{name}"


def urn_under(parent: str, typ: str, name: str, project: str, stack: str) -> str:
    """A URN under ``parent``'s URN (or at the top), as the engine's ``CreateURN`` builds alias URNs."""
    if not parent:
        return f"urn:pulumi:{stack}::{project}::{typ}::{name}"
    return f"{parent[: parent.rindex('::')]}${typ}::{name}"


def delete_order(condemned: Sequence[ResourceState]) -> list[ResourceState]:
    """Dependents before what they depend on (children before parents); otherwise newest first.

    The engine schedules deletes the same way (``ScheduleDeletes``): a resource goes once no other
    resource being deleted still depends on it.
    """
    remaining = list(condemned)
    order: list[ResourceState] = []
    while remaining:
        needed = [res.needs() for res in remaining]
        ready = [
            res
            for index, res in enumerate(remaining)
            if not any(res.urn in needs for other, needs in enumerate(needed) if other != index)
        ] or remaining  # a cycle cannot come from a program; never loop forever on a hand-edited file
        order.extend(reversed(ready))
        remaining = [res for res in remaining if all(res is not done for done in ready)]
    return order


def dependents_of(urn: str, resources: Iterable[ResourceState]) -> list[ResourceState]:
    """Resources that depend on ``urn`` directly (its children among them)."""
    return [res for res in resources if res.urn != urn and urn in res.needs()]
