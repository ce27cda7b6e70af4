"""SQLite persistence: every entity, event, fault rule and issued STS key, one transaction per request.

The database lives in ``--data-dir`` in WAL mode, so a restarted emulator, even after ``kill -9``, reads
back exactly what it last acknowledged (a commit happens before the response is written). Timed state
changes are not stored as timers: an entity stores its status and when it entered it, and the lifecycle
engine derives the current status from the clock at read time.

Lists cost what their page costs, not what is stored: every list reads through an index that holds
its filter and sort keys (:class:`Index`, named in the query so the planner cannot fall back to a scan),
and counts by region and status come from ``entity_counts``, kept by triggers.

Decoded entities are cached in memory (:class:`EntityCache`). The cache holds exactly what SQLite
holds for this connection: a write through the store drops the entry it changes, and entries filled
inside a transaction that rolls back are dropped. Commits by other connections are handled in one of
two ways:

* the emulator's store is the database's **owner** (``owner=True``): it holds an exclusive lock on
  ``<database>.lock`` for its lifetime (the kernel releases it when the process ends, even on
  ``kill -9``), so a second emulator on the same data directory refuses to start, and every write
  goes through this connection. Its cache is exact without asking SQLite, and a request answered
  from the cache runs no statement at all. Tools may read the database meanwhile; writing it behind
  the emulator's back is not supported.
* any other store (tests, tools) checks SQLite's ``PRAGMA data_version`` at the start of every
  transaction and read, and a commit by another connection drops the whole cache.

The store is used from the server's event-loop thread only; handlers are synchronous and short.
"""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

T = TypeVar("T")
A = TypeVar("A")

SCHEMA_VERSION = 2
"""``PRAGMA user_version``: 2 added ``entity_counts`` (filled from the entities on upgrade)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    product TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    region TEXT NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, status_since REAL NOT NULL,
    data TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (product, kind, id)
);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (product, kind, region, name);
CREATE INDEX IF NOT EXISTS entities_by_age ON entities (product, kind, created_at, id);
CREATE INDEX IF NOT EXISTS entities_by_status ON entities (product, kind, status, status_since);
CREATE TABLE IF NOT EXISTS entity_counts (
    product TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL, status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (product, kind, region, status)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entity_counts_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entity_counts VALUES (new.product, new.kind, new.region, new.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS entity_counts_delete AFTER DELETE ON entities BEGIN
    UPDATE entity_counts SET n = n - 1
        WHERE product = old.product AND kind = old.kind AND region = old.region AND status = old.status;
END;
CREATE TRIGGER IF NOT EXISTS entity_counts_update AFTER UPDATE OF region, status ON entities
    WHEN old.region IS NOT new.region OR old.status IS NOT new.status BEGIN
    UPDATE entity_counts SET n = n - 1
        WHERE product = old.product AND kind = old.kind AND region = old.region AND status = old.status;
    INSERT INTO entity_counts VALUES (new.product, new.kind, new.region, new.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
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

_SELECT = "SELECT id, region, name, status, status_since, data, created_at, updated_at FROM entities"
_UPSERT = (
    "INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (product, kind, id) DO UPDATE SET "
    "name = excluded.name, status = excluded.status, status_since = excluded.status_since, "
    "data = excluded.data, updated_at = excluded.updated_at"
)
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_.]*")

CREATED_SECOND = "CAST(created_at AS INTEGER)"
"""The creation time to the second, as the services' ``CreateTime`` shows it (times are positive)."""


def data_key(key: str) -> str:
    """The SQL expression for a top-level key of an entity's ``data``, for indexes and filters."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise ValueError(f"not a data key: {key!r}")
    return f"json_extract(data, '$.{key}')"


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
    read_from: _Entry | None = field(default=None, init=False, compare=False, repr=False)
    """The cache entry this copy was made from (for :meth:`Store.memo`); None when built by hand."""


@dataclass(frozen=True)
class Event:
    """A line in an entity's history, as EAS's DescribeServiceEvent reports it."""

    time: float
    type: str
    reason: str
    message: str


@dataclass(frozen=True)
class Index:
    """A partial index over one kind of entity: the keys a list filters on, then the keys it sorts by.

    A list names its index (``INDEXED BY``), so a missing or unusable index is an error, never a scan of
    every stored entity. ``condition`` narrows the index further (e.g. only default templates).
    """

    name: str
    product: str
    kind: str
    columns: tuple[str, ...]
    condition: str = ""

    def __post_init__(self) -> None:
        for word in (self.name, self.product, self.kind):
            if not _IDENTIFIER.fullmatch(word):
                raise ValueError(f"not an identifier: {word!r}")

    @property
    def scope(self) -> str:
        """The WHERE terms every query through this index carries (they make it usable)."""
        scope = f"product = '{self.product}' AND kind = '{self.kind}'"
        return f"{scope} AND {self.condition}" if self.condition else scope

    def ddl(self) -> str:
        """``CREATE INDEX`` for this index."""
        return (
            f'CREATE INDEX IF NOT EXISTS "{self.name}" ON entities ({", ".join(self.columns)}) '
            f"WHERE {self.scope}"
        )


@dataclass
class Work:
    """What the database did inside :meth:`Store.measuring`: the cost of a call, counted, not timed."""

    statements: int = 0
    steps: int = 0
    """SQLite virtual-machine instructions, to within :data:`STEP_UNIT`."""
    decoded: int = 0
    """Entities decoded from their stored JSON (cache misses)."""


STEP_UNIT = 50


class _Entry:
    """One cached entity, its data marshalled, and answers memoised from it (:meth:`Store.memo`)."""

    __slots__ = (
        "blob",
        "created_at",
        "memos",
        "name",
        "region",
        "size",
        "status",
        "status_since",
        "updated_at",
    )

    def __init__(self, row: tuple[Any, ...], blob: bytes) -> None:
        _, self.region, self.name, self.status, self.status_since, _, self.created_at, self.updated_at = row
        self.blob = blob
        self.size = len(blob)
        self.memos: dict[str, Any] | None = None

    def entity(self, product: str, kind: str, entity_id: str) -> Entity:
        """A fresh copy: handlers change what they read before deciding to store it."""
        data = marshal.loads(self.blob)  # noqa: S302 - our own in-memory copy, never read from outside
        entity = Entity(
            product, kind, entity_id, self.region, self.name, self.status, self.status_since, data,
            self.created_at, self.updated_at,
        )  # fmt: skip
        entity.read_from = self
        return entity


class EntityCache:
    """Decoded entities by ``(product, kind, id)``, bounded by the size of their data and memos.

    Values are kept marshalled, so every read gets its own copy of ``data`` at a third of the cost of
    decoding JSON. Eviction is oldest-filled first.
    """

    def __init__(self, limit_bytes: int = 16 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self._names: dict[tuple[str, str, str, str], str] = {}
        self._bytes = 0
        self._limit = limit_bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, str, str]) -> _Entry | None:
        return self._entries.get(key)

    def put(self, key: tuple[str, str, str], entry: _Entry) -> None:
        self.drop(key)
        self._entries[key] = entry
        self._bytes += entry.size
        self._evict()

    def grew(self, entry: _Entry, size: int) -> None:
        """Account ``size`` more bytes to a cached ``entry`` (a memo)."""
        entry.size += size
        self._bytes += size
        self._evict()

    def _evict(self) -> None:
        while self._bytes > self._limit and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    def drop(self, key: tuple[str, str, str]) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size

    def name(self, key: tuple[str, str, str, str]) -> str | None:
        """The id last found under a (product, kind, region, name); the caller checks it still fits."""
        return self._names.get(key)

    def remember_name(self, key: tuple[str, str, str, str], entity_id: str) -> None:
        if len(self._names) >= 65_536:
            self._names.clear()
        self._names[key] = entity_id

    def clear(self) -> None:
        self._entries.clear()
        self._names.clear()
        self._bytes = 0


class _StaleCacheError(BaseException):
    """Another connection committed during a deferred :meth:`Store.run`: start it over.

    A BaseException, so no handler's ``except Exception`` swallows it."""


class _Transaction:
    """``with store.transaction():`` as a plain object: it opens every API request, so no generator."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._begin()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._store._end(failed=kind is not None)


class DatabaseInUseError(OSError):
    """Another emulator owns the database: one data directory, one emulator."""


def _own(path: Path) -> TextIO:
    """Lock ``<path>.lock`` for this process's lifetime, or raise :class:`DatabaseInUseError`."""
    lock = open(path.with_name(path.name + ".lock"), "a+")  # noqa: SIM115 - held until close()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        raise DatabaseInUseError(
            f"{path.parent} is in use by another emulator (pid {holder}): stop it, or give this one "
            "its own --data-dir"
        ) from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


class Store:
    """The emulator's database. ``path=None`` keeps everything in memory (for unit tests); ``owner``
    takes the database for this process alone (see the module's notes on the cache)."""

    def __init__(self, path: Path | None, *, owner: bool = False) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _own(path) if owner and path is not None else None
        self._trusted = owner or path is None
        """No other connection can commit: the cache needs no version check."""
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL loses nothing on a process crash (kill -9): the WAL is in the OS cache by then.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._migrate()
        self._depth = 0
        self._cache = EntityCache()
        self._filled: list[tuple[str, str, str]] = []
        """Cache entries filled inside the open transaction: dropped if it rolls back."""
        self._indexes: set[str] = set()
        self._deferred = False
        """In :meth:`run`, before its first statement: no transaction begun yet."""
        self._version_cursor = self._db.cursor()
        self._version = self._data_version()
        self.decoded = 0
        self._measure: Work | None = None
        """The :meth:`measuring` block in progress, if any."""
        self._counting: Work | None = None
        """The block the installed counting callbacks belong to (None: none installed)."""
        """Entities decoded from stored JSON so far (cache misses); see :meth:`measuring`."""

    def _migrate(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                self._db.execute("DELETE FROM entity_counts")
                self._db.execute(
                    "INSERT INTO entity_counts SELECT product, kind, region, status, COUNT(*) "
                    "FROM entities GROUP BY product, kind, region, status"
                )
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database (and give up owning it); a later open reads everything committed."""
        self._db.close()
        if self._lock is not None:
            self._lock.close()

    # --- transactions and the cache's validity --------------------------------------------------------

    def _data_version(self) -> int:
        self._version_cursor.execute("PRAGMA data_version")
        return int(self._version_cursor.fetchone()[0])

    def _check_version(self) -> None:
        """Drop the cache if another connection committed since we last looked."""
        if self._trusted:
            return
        version = self._data_version()
        if version != self._version:
            self._version = version
            self._cache.clear()

    def run(self, work: Callable[[A], T], arg: A) -> T:
        """``work(arg)`` as one transaction that begins only at its first SQL statement, so a request
        answered from the cache takes no lock and runs no statement (an owner's), or only the cache's
        version check (any other store's).

        The transaction is ``BEGIN IMMEDIATE`` like any other once begun. For a store that does not
        own its database, another connection may commit between the version check and that first
        statement; what was read from the cache may then be stale, so the transaction is abandoned and
        ``work`` runs again in an ordinary transaction. Nested use joins the outer one.
        """
        if self._depth:
            return work(arg)
        if self._measure is not self._counting:
            self._follow_measure()
        self._check_version()
        self._depth, self._deferred = 1, True
        try:
            result = work(arg)
        except _StaleCacheError:
            self._depth, self._deferred = 0, False
            self._filled.clear()
        except BaseException:
            self._deferred = False
            self._end(failed=True)
            raise
        else:
            self._deferred = False
            self._end(failed=False)
            return result
        with self.transaction():
            return work(arg)

    def _sql(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run a statement, first beginning :meth:`run`'s deferred transaction if it is waiting."""
        if self._measure is not self._counting:
            self._follow_measure()
        if self._deferred:
            self._deferred = False
            self._db.execute("BEGIN IMMEDIATE")
            if self._trusted:
                return self._db.execute(sql, params)
            version = self._data_version()
            if version != self._version:
                self._roll_back()
                self._version = version
                self._cache.clear()
                raise _StaleCacheError
        return self._db.execute(sql, params)

    def transaction(self) -> _Transaction:
        """Group every write of one request; nested use joins the outer transaction.

        Never ``await`` inside one: the connection is shared by everything on the event loop, so a
        coroutine suspended mid-transaction would let another request's writes join it.
        """
        return _Transaction(self)

    def _begin(self) -> None:
        if self._depth:
            self._depth += 1
            return
        if self._measure is not self._counting:
            self._follow_measure()
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            self._check_version()  # the write lock is ours: nobody else commits until we do
        except BaseException:
            self._end(failed=True)
            raise

    def _end(self, *, failed: bool) -> None:
        self._depth -= 1
        if self._depth:
            return
        try:
            if failed:
                self._roll_back()
                return
            if not self._db.in_transaction:
                return
            try:
                self._db.execute("COMMIT")
            except BaseException:
                self._roll_back()
                raise
        finally:
            self._filled.clear()

    def _roll_back(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        for key in self._filled:
            self._cache.drop(key)
        self._indexes.clear()  # one created in this transaction is gone again

    @contextmanager
    def measuring(self) -> Iterator[Work]:
        """Count statements, VM steps and decoded entities inside the block (tests, benchmarks).

        Safe from another thread than the one using the store (a test beside a running emulator): the
        counting callbacks are installed and removed by the store's own thread, at its next request,
        transaction or statement. SQLite's callback setters take the connection's lock while holding
        the GIL, and a statement running in the store's thread needs the GIL for those callbacks while
        holding that lock, so setting them from another thread could deadlock both.
        """
        work = Work()
        decoded = self.decoded
        self._measure = work
        try:
            yield work
        finally:
            self._measure = None
            work.decoded = self.decoded - decoded

    def _follow_measure(self) -> None:
        """Install the callbacks of the current :meth:`measuring` block, or remove the last one's (in
        the store's own thread). They count only while their block is the current one."""
        work = self._counting = self._measure
        if work is None:
            self._db.set_trace_callback(None)
            self._db.set_progress_handler(None, 0)
            return
        counted = work

        def statement(_sql: str) -> None:
            if self._measure is counted:
                counted.statements += 1

        def step() -> int:
            if self._measure is counted:
                counted.steps += STEP_UNIT
            return 0

        self._db.set_trace_callback(statement)
        self._db.set_progress_handler(step, STEP_UNIT)

    # --- entities ---------------------------------------------------------------------------------

    def _remember(self, product: str, kind: str, row: tuple[Any, ...]) -> Entity:
        """An entity from a ``_SELECT`` row: from the cache when it holds it, else decoded and cached."""
        key = (product, kind, row[0])
        cached = self._cache.get(key) if self._depth else None  # outside a transaction the row is newer
        if cached is not None:
            return cached.entity(product, kind, row[0])
        data = json.loads(row[5])
        self.decoded += 1
        entry = _Entry(row, marshal.dumps(data))
        self._cache.put(key, entry)
        if self._depth:
            self._filled.append(key)
        entity = Entity(product, kind, row[0], row[1], row[2], row[3], row[4], data, row[6], row[7])
        entity.read_from = entry
        return entity

    def memo(self, entity: Entity, name: str, build: Callable[[Entity], T], size: int = 0) -> T:
        """``build(entity)``, kept with the cached entity until it is next written.

        For answers derived from nothing but a stored entity (DescribeService's body, encoded). Only
        memoised when ``entity`` was read from the cache entry that is still current, i.e. nothing
        wrote the entity since; the caller must not have changed it either. ``size`` is what the
        answer adds to the cache's memory.
        """
        entry = entity.read_from
        if entry is None or self._cache.get((entity.product, entity.kind, entity.id)) is not entry:
            return build(entity)
        if entry.memos is None:
            entry.memos = {}
        elif name in entry.memos:
            return cast(T, entry.memos[name])
        answer = entry.memos[name] = build(entity)
        self._cache.grew(entry, size)
        return answer

    def put(self, entity: Entity) -> None:
        """Insert an entity, or update one: ``product``, ``kind``, ``id``, ``region`` and
        ``created_at`` are fixed when it is first stored."""
        self._sql(
            _UPSERT,
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
        self._cache.drop((entity.product, entity.kind, entity.id))

    def get(self, product: str, kind: str, entity_id: str) -> Entity | None:
        """The stored entity as last written (no lifecycle applied; see ``lifecycle.LifecycleEngine``)."""
        if not self._depth:
            self._check_version()
        cached = self._cache.get((product, kind, entity_id))
        if cached is not None:
            return cached.entity(product, kind, entity_id)
        row = self._sql(
            _SELECT + " WHERE product=? AND kind=? AND id=?",
            (product, kind, entity_id),
        ).fetchone()
        return None if row is None else self._remember(product, kind, row)

    def find_by_name(self, product: str, kind: str, region: str, name: str) -> Entity | None:
        """The entity with this name in this region, for kinds whose names are unique in a region."""
        if not self._depth:
            self._check_version()
        key = (product, kind, region, name)
        known = self._cache.name(key)
        if known is not None:
            cached = self._cache.get((product, kind, known))
            if cached is not None and cached.region == region and cached.name == name:
                return cached.entity(product, kind, known)
        row = self._sql(
            _SELECT + " INDEXED BY entities_by_name WHERE product=? AND kind=? AND region=? AND name=?",
            key,
        ).fetchone()
        if row is None:
            return None
        self._cache.remember_name(key, row[0])
        return self._remember(product, kind, row)

    def list_entities(self, product: str, kind: str, region: str | None = None) -> list[Entity]:
        """Every entity of one kind, oldest first, optionally in one region (small kinds, admin lists)."""
        if not self._depth:
            self._check_version()
        sql = _SELECT + " INDEXED BY entities_by_age WHERE product=? AND kind=?"
        params: tuple[str, ...] = (product, kind)
        if region is not None:
            sql += " AND region=?"
            params += (region,)
        rows = self._sql(sql + " ORDER BY created_at, id", params).fetchall()
        return [self._remember(product, kind, row) for row in rows]

    def newest(self, product: str, kind: str, limit: int) -> list[Entity]:
        """The ``limit`` newest entities of one kind, oldest of them first."""
        if not self._depth:
            self._check_version()
        rows = self._sql(
            _SELECT + " INDEXED BY entities_by_age WHERE product=? AND kind=? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (product, kind, limit),
        ).fetchall()
        return [self._remember(product, kind, row) for row in reversed(rows)]

    def due(self, product: str, kind: str, status: str, entered_by: float) -> list[Entity]:
        """Entities in ``status`` that entered it at or before ``entered_by`` (timed steps to apply)."""
        rows = self._sql(
            _SELECT + " INDEXED BY entities_by_status "
            "WHERE product=? AND kind=? AND status=? AND status_since <= ? ORDER BY status_since",
            (product, kind, status, entered_by),
        ).fetchall()
        return [self._remember(product, kind, row) for row in rows]

    def _where(self, index: Index, where: Mapping[str, object], extra: str) -> str:
        """``INDEXED BY … WHERE …`` for a query through ``index`` (created on first use). Index names,
        expressions and ``extra`` come from code; every value is a bound parameter."""
        if index.name not in self._indexes:
            self._sql(index.ddl())
            self._indexes.add(index.name)
        terms = [index.scope, *(f"{expression} = ?" for expression in where)]
        if extra:
            terms.append(extra)
        return f' INDEXED BY "{index.name}" WHERE {" AND ".join(terms)}'

    def select(
        self,
        index: Index,
        where: Mapping[str, object],
        *,
        order: str,
        limit: int = -1,
        offset: int = 0,
        extra: str = "",
        params: Iterable[object] = (),
    ) -> list[Entity]:
        """Entities through ``index``: each ``where`` expression equal to its value, ``extra`` (an SQL
        condition with ``params``) true, sorted by ``order``; one page of them."""
        if not self._depth:
            self._check_version()
        sql = _SELECT + self._where(index, where, extra) + f" ORDER BY {order} LIMIT ? OFFSET ?"
        rows = self._sql(sql, (*where.values(), *params, limit, offset)).fetchall()
        return [self._remember(index.product, index.kind, row) for row in rows]

    def count(
        self, index: Index, where: Mapping[str, object], *, extra: str = "", params: Iterable[object] = ()
    ) -> int:
        """How many entities :meth:`select` would list without a page (reads the index only)."""
        if not self._depth:
            self._check_version()
        sql = "SELECT COUNT(*) FROM entities" + self._where(index, where, extra)  # noqa: S608 - see _where
        return int(self._sql(sql, (*where.values(), *params)).fetchone()[0])

    def tally(self, product: str, kind: str, region: str, status: str | None = None) -> int:
        """How many entities of a kind are in a region (and a status), from ``entity_counts``."""
        sql = "SELECT COALESCE(SUM(n), 0) FROM entity_counts WHERE product=? AND kind=? AND region=?"
        params: tuple[str, ...] = (product, kind, region)
        if status is not None:
            sql += " AND status=?"
            params += (status,)
        return int(self._sql(sql, params).fetchone()[0])

    def delete(self, product: str, kind: str, entity_id: str) -> None:
        """Remove an entity; its events stay for the record."""
        self._sql("DELETE FROM entities WHERE product=? AND kind=? AND id=?", (product, kind, entity_id))
        self._cache.drop((product, kind, entity_id))

    # --- events -----------------------------------------------------------------------------------

    def add_event(self, entity: Entity, event: Event) -> None:
        """Append to an entity's history."""
        self._sql(
            "INSERT INTO events (product, kind, id, time, type, reason, message) VALUES (?,?,?,?,?,?,?)",
            (entity.product, entity.kind, entity.id, event.time, event.type, event.reason, event.message),
        )

    def events(self, product: str, kind: str, entity_id: str) -> list[Event]:
        """An entity's history, oldest first."""
        rows = self._sql(
            "SELECT time, type, reason, message FROM events WHERE product=? AND kind=? AND id=? ORDER BY seq",
            (product, kind, entity_id),
        )
        return [Event(*row) for row in rows]

    # --- small key/value state (clock offset, counters) -------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A stored setting."""
        row = self._sql("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        self._sql("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # --- fault rules ------------------------------------------------------------------------------

    def fault_rules(self) -> list[dict[str, Any]]:
        """Every rule, in the order added."""
        return [json.loads(row[0]) for row in self._sql("SELECT rule FROM faults ORDER BY seq")]

    def save_fault_rule(self, rule: dict[str, Any]) -> None:
        """Add or update a rule, keeping its place in the order."""
        text = json.dumps(rule, separators=(",", ":"))
        updated = self._sql("UPDATE faults SET rule=? WHERE id=?", (text, rule["id"])).rowcount
        if not updated:
            self._sql("INSERT INTO faults (id, rule) VALUES (?,?)", (rule["id"], text))

    def delete_fault_rule(self, rule_id: str | None = None) -> int:
        """Remove one rule, or all when ``rule_id`` is None; returns how many went."""
        if rule_id is None:
            return self._sql("DELETE FROM faults").rowcount
        return self._sql("DELETE FROM faults WHERE id=?", (rule_id,)).rowcount

    # --- STS keys the emulator issued -------------------------------------------------------------

    def add_sts_key(self, access_key_id: str, secret: str, token: str, expiration: float) -> None:
        """Remember temporary credentials so requests signed with them verify."""
        self._sql(
            "INSERT OR REPLACE INTO sts_keys VALUES (?,?,?,?)", (access_key_id, secret, token, expiration)
        )

    def sts_key(self, access_key_id: str) -> tuple[str, str, float] | None:
        """``(secret, token, expiration)`` for an issued key."""
        row = self._sql(
            "SELECT secret, token, expiration FROM sts_keys WHERE access_key_id=?", (access_key_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def reset(self) -> None:
        """Forget every entity, event, fault rule and setting (the admin ``reset``)."""
        with self.transaction():
            for table in ("entities", "entity_counts", "events", "meta", "faults", "sts_keys"):
                self._sql(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._cache.clear()
