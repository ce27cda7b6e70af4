"""The lifecycle engine: tables validated, timed steps applied from the clock, faults branch."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.emulator.clock import Clock
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY, GONE, Lifecycle, LifecycleEngine, Step
from pulumi_alicloud_ai.emulator.store import Store

WIDGET = Lifecycle(
    product="test",
    kind="widget",
    initial="Creating",
    states=frozenset({"Creating", "Running", "Failed", "Deleting"}),
    steps={"Creating": Step("Running", 30), "Deleting": Step(GONE, 5)},
    on_fault={"Creating": "Failed"},
    moves={"Running": frozenset({"Deleting"}), "Failed": frozenset({"Deleting"})},
)


class FakeWall:
    """Wall time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lifecycles() -> tuple[LifecycleEngine, FakeWall]:
    wall = FakeWall()
    store = Store(None)
    return LifecycleEngine(store, Clock(store, wall=wall)), wall


def test_step_happens_when_its_time_has_come(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """Creating stays Creating until 30 s have passed, then reads back Running with an event."""
    engine, wall = lifecycles
    entity = engine.create(WIDGET, entity_id="w1", region="r", name="n", data={})
    wall.now += 29
    assert engine.load(WIDGET, engine.store.get("test", "widget", "w1")).status == "Creating"  # type: ignore[union-attr]
    wall.now += 1
    loaded = engine.load(WIDGET, engine.store.get("test", "widget", "w1"))
    assert loaded is not None
    assert loaded.status == "Running"
    assert loaded.status_since == entity.created_at + 30
    assert [e.reason for e in engine.store.events("test", "widget", "w1")] == ["Created", "StatusChanged"]


def test_a_step_seen_at_read_is_stored_once(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """The first read after a step's time stores the new state: later reads find it stored, and the
    step's event is recorded once, not at every read."""
    engine, wall = lifecycles
    engine.create(WIDGET, entity_id="w1", region="r", name="n", data={})
    wall.now += 31
    engine.load(WIDGET, engine.store.get("test", "widget", "w1"))
    stored = engine.store.get("test", "widget", "w1")
    assert stored is not None
    assert stored.status == "Running"
    engine.load(WIDGET, stored)
    engine.load(WIDGET, engine.store.get("test", "widget", "w1"))
    assert [e.reason for e in engine.store.events("test", "widget", "w1")] == ["Created", "StatusChanged"]


def test_fault_takes_the_fault_branch_with_its_reason(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """An entity carrying a fault goes Creating -> Failed, and the event carries the fault's message."""
    engine, wall = lifecycles
    engine.create(
        WIDGET,
        entity_id="w2",
        region="r",
        name="n",
        data={FAULT_KEY: {"reason": "OssPathNotFound", "message": "no such path"}},
    )
    wall.now += 30
    loaded = engine.load(WIDGET, engine.store.get("test", "widget", "w2"))
    assert loaded is not None
    assert loaded.status == "Failed"
    last = engine.store.events("test", "widget", "w2")[-1]
    assert (last.type, last.reason, last.message) == ("Warning", "OssPathNotFound", "no such path")


def test_gone_deletes_the_entity(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """A step to GONE removes the entity once due."""
    engine, wall = lifecycles
    entity = engine.create(WIDGET, entity_id="w3", region="r", name="n", data={})
    wall.now += 30
    entity = engine.load(WIDGET, entity)  # type: ignore[assignment]
    engine.move(WIDGET, entity, "Deleting", reason="DeleteRequested")
    wall.now += 5
    assert engine.load(WIDGET, engine.store.get("test", "widget", "w3")) is None
    assert engine.store.get("test", "widget", "w3") is None


def test_time_scale_zero_makes_steps_immediate() -> None:
    """With time scale 0, every pending step happens at the next read."""
    store = Store(None)
    engine = LifecycleEngine(store, Clock(store, time_scale=0))
    engine.create(WIDGET, entity_id="w4", region="r", name="n", data={})
    assert engine.load(WIDGET, store.get("test", "widget", "w4")).status == "Running"  # type: ignore[union-attr]


def test_advancing_the_clock_drives_steps() -> None:
    """Advancing emulated time, not sleeping, moves an entity along."""
    store = Store(None)
    clock = Clock(store)
    engine = LifecycleEngine(store, clock)
    engine.create(WIDGET, entity_id="w5", region="r", name="n", data={})
    clock.advance(31)
    assert engine.load(WIDGET, store.get("test", "widget", "w5")).status == "Running"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"steps": {"Creating": Step("Nowhere", 1)}},
        {"on_fault": {"Creating": "Nowhere"}},
        {"moves": {"Creating": frozenset({"Nowhere"})}},
    ],
)
def test_tables_naming_unknown_states_are_rejected(kwargs: dict[str, object]) -> None:
    """A lifecycle table that names a state it does not declare fails at import time."""
    with pytest.raises(ValueError, match="unknown state"):
        Lifecycle(product="t", kind="k", initial="Creating", states=frozenset({"Creating"}), **kwargs)  # type: ignore[arg-type]


def test_may_move_follows_the_table() -> None:
    """Explicit moves are allowed only where the table lists them."""
    assert WIDGET.may_move("Running", "Deleting")
    assert not WIDGET.may_move("Creating", "Deleting")
    assert WIDGET.terminal("Running") and not WIDGET.terminal("Creating")


HELD = Lifecycle(
    product="test",
    kind="held",
    initial="Working",
    states=frozenset({"Working", "Done"}),
    steps={"Working": Step("Done", 10)},
    holds={"Working": "_busy"},
)


def test_a_hold_keeps_the_state_until_the_work_is_done(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """While the entity carries the hold key, its step does not happen however late; then it does."""
    engine, wall = lifecycles
    engine.create(HELD, entity_id="h1", region="r", name="n", data={"_busy": True})
    wall.now += 3600
    held = engine.load(HELD, engine.store.get("test", "held", "h1"))
    assert held is not None
    assert held.status == "Working"
    held.data.pop("_busy")
    assert engine.load(HELD, held).status == "Done"  # type: ignore[union-attr]


def test_a_hold_needs_a_step_to_hold() -> None:
    """Holding a state that has no timed step is a table error."""
    with pytest.raises(ValueError, match="no timed step to hold"):
        Lifecycle(product="t", kind="k", initial="A", states=frozenset({"A"}), holds={"A": "_busy"})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"steps": {"Nowhere": Step("Creating", 1)}},
        {"on_fault": {"Nowhere": "Creating"}},
        {"moves": {"Nowhere": frozenset({"Creating"})}},
    ],
)
def test_tables_leaving_an_undeclared_state_are_rejected(kwargs: dict[str, object]) -> None:
    """A step, fault or move out of a state the table does not declare is a mistake in the table."""
    with pytest.raises(ValueError, match="unknown state"):
        Lifecycle(product="t", kind="k", initial="Creating", states=frozenset({"Creating"}), **kwargs)  # type: ignore[arg-type]


def test_a_table_may_lead_to_every_declared_state_and_to_gone() -> None:
    """Targets may be any declared state or GONE, even all of them at once."""
    everything = frozenset({"A", "B", GONE})
    table = Lifecycle(
        product="t",
        kind="k",
        initial="A",
        states=frozenset({"A", "B"}),
        steps={"A": Step(GONE, 1)},
        on_fault={"A": GONE},
        moves={"B": everything},
    )
    assert table.may_move("B", GONE)


def test_an_explicit_move_records_a_normal_event_and_gone_deletes(
    lifecycles: tuple[LifecycleEngine, FakeWall],
) -> None:
    """A move writes the new status with a Normal event (its message, or a default one); GONE deletes."""
    engine, wall = lifecycles
    entity = engine.create(WIDGET, entity_id="m1", region="r", name="n", data={})
    wall.now += 31
    entity = engine.load(WIDGET, entity)  # type: ignore[assignment]
    engine.move(WIDGET, entity, "Deleting", reason="DeleteRequested")
    stored = engine.store.get("test", "widget", "m1")
    assert stored is not None and stored.status == "Deleting"
    last = engine.store.events("test", "widget", "m1")[-1]
    assert (last.type, last.reason, last.message) == (
        "Normal",
        "DeleteRequested",
        "status changed to Deleting",
    )
    engine.move(WIDGET, stored, GONE, reason="Purged", message="purged by hand")
    assert engine.store.get("test", "widget", "m1") is None
    other = engine.create(WIDGET, entity_id="m2", region="r", name="n", data={})
    engine.move(WIDGET, other, "Deleting", reason="DeleteRequested", message="bye")
    assert engine.store.events("test", "widget", "m2")[-1].message == "bye"
    assert engine.store.get("test", "widget", "m2") is not None


def test_a_step_applied_at_read_is_written_back(lifecycles: tuple[LifecycleEngine, FakeWall]) -> None:
    """The read that applies a due step stores it: the raw row, not only the returned entity, is Running,
    and the step's event is Normal with the default message."""
    engine, wall = lifecycles
    engine.create(WIDGET, entity_id="p1", region="r", name="n", data={})
    wall.now += 30
    engine.load(WIDGET, engine.store.get("test", "widget", "p1"))
    raw = engine.store.get("test", "widget", "p1")
    assert raw is not None and raw.status == "Running"
    last = engine.store.events("test", "widget", "p1")[-1]
    assert (last.type, last.message) == ("Normal", "status changed to Running")


def test_the_fault_is_used_up_and_its_missing_parts_have_defaults(
    lifecycles: tuple[LifecycleEngine, FakeWall],
) -> None:
    """Taking the fault branch removes the fault from the stored entity; a fault without a reason
    reads ``Failed``, one without a message an empty message."""
    engine, wall = lifecycles
    engine.create(WIDGET, entity_id="f1", region="r", name="n", data={FAULT_KEY: {"message": "disk full"}})
    engine.create(WIDGET, entity_id="f2", region="r", name="n", data={FAULT_KEY: {"reason": "Quota"}})
    wall.now += 30
    for entity_id in ("f1", "f2"):
        engine.load(WIDGET, engine.store.get("test", "widget", entity_id))
        raw = engine.store.get("test", "widget", entity_id)
        assert raw is not None and raw.status == "Failed" and FAULT_KEY not in raw.data
    first, second = (engine.store.events("test", "widget", name)[-1] for name in ("f1", "f2"))
    assert (first.type, first.reason, first.message) == ("Warning", "Failed", "disk full")
    assert (second.reason, second.message) == ("Quota", "")
