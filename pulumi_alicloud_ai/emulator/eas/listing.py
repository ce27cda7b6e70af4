"""ListServices through indexes: a page costs what it holds, not what the region stores.

The answer is what filtering and sorting every service would give: services sorted by ``CreateTime``
(whole seconds), newest first unless ``Order`` asks otherwise, services created in the same second in
creation order either way (a stable sort of the creation-ordered list); ``TotalCount`` counts every
match. To get there without loading every service:

* due lifecycle steps are applied first (``Tracker.settle_due``), so stored statuses are current and a
  ``Status`` filter and the count are SQL;
* each equality filter has two indexes holding it before the sort keys, one per order, so a page is
  an index range; PageNumber paging skips the index entries before the page, or after it when that is
  fewer (the index read backwards), decoding none of them;
* counts by region and status come from the store's counters; other filters count index entries only;
* a ``ServiceName`` filter is a unique-name lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE
from pulumi_alicloud_ai.emulator.lifecycle import Tracker
from pulumi_alicloud_ai.emulator.store import CREATED_SECOND, Entity, Index, data_key

PRODUCT, KIND = "eas", "service"
WORKSPACE, QUOTA = data_key("WorkspaceId"), data_key("QuotaId")
NEWEST_FIRST = f"{CREATED_SECOND} DESC, created_at, id"
OLDEST_FIRST = "created_at, id"
"""Ascending by whole seconds then creation is ascending by creation: one order, one index column set."""
BACKWARDS = {
    NEWEST_FIRST: f"{CREATED_SECOND}, created_at DESC, id DESC",
    OLDEST_FIRST: "created_at DESC, id DESC",
}
"""Each order reversed: its index read from the other end."""


@dataclass(frozen=True)
class SortedIndexes:
    """The two indexes of one filter: each holds its filter keys, then one order exactly, so a page is
    an index range in either order (no sorting of the services created in the same second)."""

    newest: Index
    oldest: Index

    @classmethod
    def over(cls, name: str, keys: tuple[str, ...], covering: tuple[str, ...] = ()) -> SortedIndexes:
        keys = ("region", *keys)
        return cls(
            Index(
                f"eas_services_{name}_newest",
                PRODUCT,
                KIND,
                (*keys, f"{CREATED_SECOND} DESC", "created_at", "id", *covering),
            ),
            Index(f"eas_services_{name}_oldest", PRODUCT, KIND, (*keys, "created_at", "id", *covering)),
        )


ALL = SortedIndexes.over("all", (), covering=("name",))
"""Every service of a region; ``name`` rides along for the substring filter, read from the index."""
BY_STATUS = SortedIndexes.over("by_status", ("status",))
BY_WORKSPACE = SortedIndexes.over("by_workspace", (WORKSPACE,))
BY_QUOTA = SortedIndexes.over("by_quota", (QUOTA,))
CONTAINS = "instr(name, ?) > 0"


@dataclass(frozen=True)
class ServiceFilter:
    """ListServices' filters; None means not given."""

    region: str
    name: str | None = None
    status: str | None = None
    workspace_id: str | None = None
    quota_id: str | None = None
    name_contains: str | None = None

    def matches(self, entity: Entity) -> bool:
        """The filters applied to one service (the unique-name path)."""
        return (
            (self.status is None or entity.status == self.status)
            and (self.workspace_id is None or entity.data.get("WorkspaceId") == self.workspace_id)
            and (self.quota_id is None or entity.data.get("QuotaId") == self.quota_id)
            and (self.name_contains is None or self.name_contains in entity.name)
        )


def list_page(
    tracker: Tracker, wanted: ServiceFilter, *, newest_first: bool, offset: int, size: int
) -> tuple[int, list[Entity]]:
    """``(TotalCount, the page)`` of the services ``wanted`` selects, as of the clock's now."""
    store = tracker.store
    tracker.settle_due(APP_SERVICE, tracker.clock.now())
    if wanted.name is not None:
        found = store.find_by_name(PRODUCT, KIND, wanted.region, wanted.name)
        matches = [found] if found is not None and wanted.matches(found) else []
        return len(matches), matches[offset : offset + size]
    indexes, where = _plan(wanted)
    extra, params = (CONTAINS, (wanted.name_contains,)) if wanted.name_contains is not None else ("", ())
    if set(where) <= {"region", "status"} and not extra:
        total = store.tally(PRODUCT, KIND, wanted.region, wanted.status)
    else:
        total = store.count(indexes.newest, where, extra=extra, params=params)
    if offset >= total:
        return total, []
    index, order = (indexes.newest, NEWEST_FIRST) if newest_first else (indexes.oldest, OLDEST_FIRST)
    end = min(offset + size, total)
    if total - end < offset:  # nearer the end: skip fewer index entries by reading from there
        backwards = store.select(
            index,
            where,
            order=BACKWARDS[order],
            limit=end - offset,
            offset=total - end,
            extra=extra,
            params=params,
        )
        return total, backwards[::-1]
    return total, store.select(
        index, where, order=order, limit=size, offset=offset, extra=extra, params=params
    )


def _plan(wanted: ServiceFilter) -> tuple[SortedIndexes, dict[str, object]]:
    """The index to read (the likely most selective filter first) and every equality term."""
    where: dict[str, object] = {"region": wanted.region}
    if wanted.status is not None:
        where["status"] = wanted.status
    if wanted.workspace_id is not None:
        where[WORKSPACE] = wanted.workspace_id
    if wanted.quota_id is not None:
        where[QUOTA] = wanted.quota_id
    if wanted.workspace_id is not None:
        return BY_WORKSPACE, where
    if wanted.quota_id is not None:
        return BY_QUOTA, where
    if wanted.status is not None:
        return BY_STATUS, where
    return ALL, where
