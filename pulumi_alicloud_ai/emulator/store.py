"""SQLite persistence: every entity, event, fault rule and issued STS key, one transaction per request.

The database lives in ``--data-dir`` in WAL mode, so a restarted emulator, even after ``kill -9``, reads
back exactly what it last acknowledged (a commit happens before the response is written). Timed state
changes are not stored as timers: an entity stores its status and when it entered it, and the lifecycle
engine derives the current status from the clock at read time.

The store is used from the server's event-loop thread only; handlers are synchronous and short.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    product TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    region TEXT NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, status_since REAL NOT NULL,
    data TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (product, kind, id)
);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (product, kind, region, name);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    product TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    time REAL NOT NULL, type TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_entity ON events (product, kind, id, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, rule TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sts_keys (
    access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, token TEXT NOT NULL, expiration REAL NOT NULL
);
"""


@dataclass
class Entity:
    """One emulated resource. ``data`` holds the service-specific fields as stored JSON."""

    product: str
    kind: str
    id: str
    region: str
    name: str
    status: str
    status_since: float
    data: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(frozen=True)
class Event:
    """A line in an entity's history, as EAS's DescribeServiceEvent reports it."""

    time: float
    type: str
    reason: str
    message: str


def _entity(row: sqlite3.Row) -> Entity:
    return Entity(
        product=row["product"],
        kind=row["kind"],
        id=row["id"],
        region=row["region"],
        name=row["name"],
        status=row["status"],
        status_since=row["status_since"],
        data=json.loads(row["data"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class Store:
    """The emulator's database. ``path=None`` keeps everything in memory (for unit tests)."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL loses nothing on a process crash (kill -9): the WAL is in the OS cache by then.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._depth = 0

    def close(self) -> None:
        """Close the database; a later open reads everything committed."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group every write of one request; nested use joins the outer transaction.

        Never ``await`` inside one: the connection is shared by everything on the event loop, so a
        coroutine suspended mid-transaction would let another request's writes join it.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0

    # --- entities ---------------------------------------------------------------------------------

    def put(self, entity: Entity) -> None:
        """Insert or replace an entity."""
        self._db.execute(
            "INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                entity.product,
                entity.kind,
                entity.id,
                entity.region,
                entity.name,
                entity.status,
                entity.status_since,
                json.dumps(entity.data, separators=(",", ":")),
                entity.created_at,
                entity.updated_at,
            ),
        )

    def get(self, product: str, kind: str, entity_id: str) -> Entity | None:
        """The stored entity as last written (no lifecycle applied; see ``lifecycle.LifecycleEngine``)."""
        row = self._db.execute(
            "SELECT * FROM entities WHERE product=? AND kind=? AND id=?", (product, kind, entity_id)
        ).fetchone()
        return None if row is None else _entity(row)

    def find_by_name(self, product: str, kind: str, region: str, name: str) -> Entity | None:
        """The entity with this name in this region, if any."""
        row = self._db.execute(
            "SELECT * FROM entities WHERE product=? AND kind=? AND region=? AND name=?",
            (product, kind, region, name),
        ).fetchone()
        return None if row is None else _entity(row)

    def list_entities(self, product: str, kind: str, region: str | None = None) -> list[Entity]:
        """Entities of one kind, oldest first, optionally in one region."""
        if region is None:
            rows = self._db.execute(
                "SELECT * FROM entities WHERE product=? AND kind=? ORDER BY created_at, id", (product, kind)
            )
        else:
            rows = self._db.execute(
                "SELECT * FROM entities WHERE product=? AND kind=? AND region=? ORDER BY created_at, id",
                (product, kind, region),
            )
        return [_entity(row) for row in rows]

    def delete(self, product: str, kind: str, entity_id: str) -> None:
        """Remove an entity; its events stay for the record."""
        self._db.execute(
            "DELETE FROM entities WHERE product=? AND kind=? AND id=?", (product, kind, entity_id)
        )

    # --- events -----------------------------------------------------------------------------------

    def add_event(self, entity: Entity, event: Event) -> None:
        """Append to an entity's history."""
        self._db.execute(
            "INSERT INTO events (product, kind, id, time, type, reason, message) VALUES (?,?,?,?,?,?,?)",
            (entity.product, entity.kind, entity.id, event.time, event.type, event.reason, event.message),
        )

    def events(self, product: str, kind: str, entity_id: str) -> list[Event]:
        """An entity's history, oldest first."""
        rows = self._db.execute(
            "SELECT time, type, reason, message FROM events WHERE product=? AND kind=? AND id=? ORDER BY seq",
            (product, kind, entity_id),
        )
        return [Event(row["time"], row["type"], row["reason"], row["message"]) for row in rows]

    # --- small key/value state (clock offset, counters) -------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A stored setting."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # --- fault rules ------------------------------------------------------------------------------

    def fault_rules(self) -> list[dict[str, Any]]:
        """Every rule, in the order added."""
        return [json.loads(row["rule"]) for row in self._db.execute("SELECT rule FROM faults ORDER BY seq")]

    def save_fault_rule(self, rule: dict[str, Any]) -> None:
        """Add or update a rule, keeping its place in the order."""
        text = json.dumps(rule, separators=(",", ":"))
        updated = self._db.execute("UPDATE faults SET rule=? WHERE id=?", (text, rule["id"])).rowcount
        if not updated:
            self._db.execute("INSERT INTO faults (id, rule) VALUES (?,?)", (rule["id"], text))

    def delete_fault_rule(self, rule_id: str | None = None) -> int:
        """Remove one rule, or all when ``rule_id`` is None; returns how many went."""
        if rule_id is None:
            return self._db.execute("DELETE FROM faults").rowcount
        return self._db.execute("DELETE FROM faults WHERE id=?", (rule_id,)).rowcount

    # --- STS keys the emulator issued -------------------------------------------------------------

    def add_sts_key(self, access_key_id: str, secret: str, token: str, expiration: float) -> None:
        """Remember temporary credentials so requests signed with them verify."""
        self._db.execute(
            "INSERT OR REPLACE INTO sts_keys VALUES (?,?,?,?)", (access_key_id, secret, token, expiration)
        )

    def sts_key(self, access_key_id: str) -> tuple[str, str, float] | None:
        """``(secret, token, expiration)`` for an issued key."""
        row = self._db.execute(
            "SELECT secret, token, expiration FROM sts_keys WHERE access_key_id=?", (access_key_id,)
        ).fetchone()
        return None if row is None else (row["secret"], row["token"], row["expiration"])

    def reset(self) -> None:
        """Forget every entity, event, fault rule and setting (the admin ``reset``)."""
        with self.transaction():
            for table in ("entities", "events", "meta", "faults", "sts_keys"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
