"""One engine for every entity's state machine; the machines themselves are tables (moto's habit).

A :class:`Lifecycle` lists each state, the timed step out of it (``Creating`` becomes ``Running`` after
30 s), the state a step goes to instead when the entity carries a fault (``Creating`` → ``Failed``), and
which states are terminal. Handlers change state with :meth:`LifecycleEngine.move`; time moves it further when
the entity is next read. ``GONE`` as a target deletes the entity.

Nothing runs in the background: :meth:`LifecycleEngine.load` applies every step whose time has come, using the
clock, and writes the result back in the request's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_alicloud_ai.emulator.clock import Clock
from pulumi_alicloud_ai.emulator.store import Entity, Event, Store

GONE = "<gone>"
FAULT_KEY = "_fault"
"""Key in ``Entity.data`` holding ``{"reason": .., "message": ..}``: take the fault branch next step."""


@dataclass(frozen=True)
class Step:
    """A timed transition: after ``after`` seconds (scaled by the clock) the state becomes ``to``."""

    to: str
    after: float
    reason: str = "StatusChanged"


@dataclass(frozen=True)
class Lifecycle:
    """A state machine written as data."""

    product: str
    kind: str
    initial: str
    states: frozenset[str]
    steps: Mapping[str, Step] = field(default_factory=dict)
    on_fault: Mapping[str, str] = field(default_factory=dict)
    moves: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Which states an operation may move an entity into from each state (explicit transitions)."""
    holds: Mapping[str, str] = field(default_factory=dict)
    """State → a key in ``Entity.data``: while the entity holds that key, no timed step leaves the state
    (work behind it, such as a model writing a template, has not finished)."""

    def __post_init__(self) -> None:
        known = self.states | {GONE}
        for source, step in self.steps.items():
            if source not in self.states or step.to not in known:
                raise ValueError(f"{self.kind}: step {source} -> {step.to} names an unknown state")
        for source, target in self.on_fault.items():
            if source not in self.states or target not in known:
                raise ValueError(f"{self.kind}: fault {source} -> {target} names an unknown state")
        for source, targets in self.moves.items():
            if source not in self.states or not targets <= known:
                raise ValueError(f"{self.kind}: move from {source} names an unknown state")
        for source in self.holds:
            if source not in self.steps:
                raise ValueError(f"{self.kind}: hold on {source}, which has no timed step to hold")

    def terminal(self, state: str) -> bool:
        """No timed step leaves this state."""
        return state not in self.steps

    def held(self, state: str, data: Mapping[str, Any]) -> bool:
        """Whether the timed step out of ``state`` waits for work the entity still carries."""
        hold = self.holds.get(state)
        return hold is not None and hold in data

    def may_move(self, source: str, target: str) -> bool:
        """Whether an operation may take an entity from ``source`` to ``target``."""
        return target in self.moves.get(source, frozenset())


class LifecycleEngine:
    """Applies lifecycles to stored entities with the emulator's clock."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def create(
        self, lifecycle: Lifecycle, *, entity_id: str, region: str, name: str, data: dict[str, Any]
    ) -> Entity:
        """Store a new entity in the lifecycle's initial state."""
        now = self.clock.now()
        entity = Entity(
            product=lifecycle.product,
            kind=lifecycle.kind,
            id=entity_id,
            region=region,
            name=name,
            status=lifecycle.initial,
            status_since=now,
            data=data,
            created_at=now,
            updated_at=now,
        )
        self.store.put(entity)
        self.store.add_event(entity, Event(now, "Normal", "Created", f"{lifecycle.kind} {name} created"))
        return entity

    def load(self, lifecycle: Lifecycle, entity: Entity | None, now: float | None = None) -> Entity | None:
        """Bring a stored entity up to the clock's now (or ``now``); None when it has gone."""
        if entity is None:
            return None
        if now is None:
            now = self.clock.now()
        changed = False
        while (step := lifecycle.steps.get(entity.status)) is not None:
            due = entity.status_since + self.clock.scaled(step.after)
            if due > now or lifecycle.held(entity.status, entity.data):
                break
            fault = entity.data.get(FAULT_KEY)
            target = lifecycle.on_fault.get(entity.status, step.to) if fault else step.to
            if fault and target != step.to:
                entity.data.pop(FAULT_KEY, None)
                self._record(
                    entity, target, due, "Warning", fault.get("reason", "Failed"), fault.get("message", "")
                )
            else:
                self._record(entity, target, due, "Normal", step.reason, f"status changed to {target}")
            changed = True
            if target == GONE:
                self.store.delete(entity.product, entity.kind, entity.id)
                return None
        if changed:
            self.store.put(entity)
        return entity

    def settle_due(
        self,
        lifecycle: Lifecycle,
        now: float,
        settle: Callable[[Entity, float], object] | None = None,
    ) -> None:
        """Apply every timed step due by ``now`` to every entity of the lifecycle's kind, so stored
        statuses are current and a list can filter and count them in SQL.

        Costs what is due, not what is stored: one index range per timed state. Steps are stamped with
        the time they fell due, so settling early or late writes the same history. ``settle`` replaces
        :meth:`load` for kinds whose reads do more (VOD jobs write their image records).
        """
        for status, step in lifecycle.steps.items():
            # A little slack for float rounding: load() decides exactly, extra candidates stay as they are.
            entered_by = now - self.clock.scaled(step.after) + 1e-3
            for entity in self.store.due(lifecycle.product, lifecycle.kind, status, entered_by):
                if settle is None:
                    self.load(lifecycle, entity, now)
                else:
                    settle(entity, now)

    def move(
        self, lifecycle: Lifecycle, entity: Entity, target: str, *, reason: str, message: str = ""
    ) -> Entity:
        """An operation's explicit transition (Update → ``Updating``); the caller checked ``may_move``."""
        now = self.clock.now()
        self._record(entity, target, now, "Normal", reason, message or f"status changed to {target}")
        entity.updated_at = now
        if target == GONE:
            self.store.delete(entity.product, entity.kind, entity.id)
        else:
            self.store.put(entity)
        return entity

    def _record(self, entity: Entity, target: str, when: float, kind: str, reason: str, message: str) -> None:
        entity.status = target
        entity.status_since = when
        entity.updated_at = when
        self.store.add_event(entity, Event(when, kind, reason, message))
