"""ListServices through indexes: a page costs what it holds, not what the region stores.

The answer is what filtering and sorting every service would give: services sorted by ``CreateTime``
(whole seconds), newest first unless ``Order`` asks otherwise, services created in the same second in
creation order either way (a stable sort of the creation-ordered list); ``TotalCount`` counts every
match. To get there without loading every service:

* due lifecycle steps are applied first (``LifecycleEngine.settle_due``), so stored statuses are current and a
  ``Status`` filter and the count are SQL;
* each equality filter has two indexes holding it before the sort keys, one per order, so a page is
  an index range; PageNumber paging skips the index entries before the page, or after it when that is
  fewer (the index read backwards), decoding none of them;
* counts by region and status come from the store's counters; other filters count index entries only;
* a ``ServiceName`` filter is a unique-name lookup, a ``ServiceUid`` filter a primary-key lookup;
* ``Sort=ServiceName`` reads one index per filter holding the name after the filter keys;
* ``Filter`` (name substring) and ``Label`` pairs narrow the range the other filters' index holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_alicloud_ai.emulator.eas.states import APP_SERVICE
from pulumi_alicloud_ai.emulator.lifecycle import LifecycleEngine
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
CONTAINS = "instr(name, ?) > 0"
HAS_LABEL = "EXISTS (SELECT 1 FROM json_each(data, '$.Labels') WHERE key = ? AND value = ?)"
"""One label pair; tested on the rows the chosen index range holds (a label is not an index key)."""

EQUALITY = {
    "workspace_id": "WorkspaceId",
    "quota_id": "QuotaId",
    "service_group": "ServiceGroup",
    "service_type": "ServiceType",
    "resource": "Resource",
    "resource_type": "ResourceType",
    "gateway": "Gateway",
    "role": "Role",
    "parent_service_uid": "ParentServiceUid",
}
"""Filters that compare one stored field, each with its own indexes (most selective first)."""
BY_FIELD = {
    attribute: SortedIndexes.over(f"by_{attribute}", (data_key(key),)) for attribute, key in EQUALITY.items()
}
BY_NAME = {
    attribute: Index(
        f"eas_services_by_{attribute}_name", PRODUCT, KIND, ("region", data_key(key), "name", "id")
    )
    for attribute, key in EQUALITY.items()
}
BY_NAME["status"] = Index("eas_services_by_status_name", PRODUCT, KIND, ("region", "status", "name", "id"))
BY_NAME["all"] = Index("eas_services_all_name", PRODUCT, KIND, ("region", "name", "id"))
"""Sort=ServiceName: one index per filter holding the name after it; descending reads it backwards."""
SORTS = ("CreateTime", "ServiceName")


@dataclass(frozen=True)
class ServiceFilter:
    """ListServices' filters; None means not given."""

    region: str
    name: str | None = None
    status: str | None = None
    workspace_id: str | None = None
    quota_id: str | None = None
    name_contains: str | None = None
    service_group: str | None = None
    service_type: str | None = None
    resource: str | None = None
    resource_type: str | None = None
    gateway: str | None = None
    role: str | None = None
    parent_service_uid: str | None = None
    service_uid: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def equalities(self) -> dict[str, str]:
        """The stored-field filters given, by attribute name, in selectivity order."""
        return {attribute: value for attribute in EQUALITY if (value := getattr(self, attribute)) is not None}

    def matches(self, entity: Entity) -> bool:
        """The filters applied to one service (the unique-name and service-id paths)."""
        labels = entity.data.get("Labels") or {}
        return (
            entity.region == self.region
            and (self.name is None or entity.name == self.name)
            and (self.status is None or entity.status == self.status)
            and all(entity.data.get(EQUALITY[key]) == value for key, value in self.equalities().items())
            and (self.name_contains is None or self.name_contains in entity.name)
            and all(labels.get(key) == value for key, value in self.labels)
        )


def list_page(
    lifecycles: LifecycleEngine,
    wanted: ServiceFilter,
    *,
    newest_first: bool,
    offset: int,
    size: int,
    sort: str = "CreateTime",
) -> tuple[int, list[Entity]]:
    """``(TotalCount, the page)`` of the services ``wanted`` selects, as of the clock's now."""
    store = lifecycles.store
    lifecycles.settle_due(APP_SERVICE, lifecycles.clock.now())
    if wanted.name is not None or wanted.service_uid is not None:
        found = (
            store.find_by_name(PRODUCT, KIND, wanted.region, wanted.name)
            if wanted.name is not None
            else store.get(PRODUCT, KIND, wanted.service_uid or "")
        )
        matches = [found] if found is not None and wanted.matches(found) else []
        return len(matches), matches[offset : offset + size]
    indexes, by_name, where = _plan(wanted)
    terms, params = [], []
    if wanted.name_contains is not None:
        terms.append(CONTAINS)
        params.append(wanted.name_contains)
    for key, value in wanted.labels:
        terms.append(HAS_LABEL)
        params.extend((key, value))
    extra = " AND ".join(terms)
    if set(where) <= {"region", "status"} and not extra:
        total = store.tally(PRODUCT, KIND, wanted.region, wanted.status)
    else:
        total = store.count(indexes.newest, where, extra=extra, params=params)
    if offset >= total:
        return total, []
    if sort == "ServiceName":
        forwards, backwards = ("DESC", "ASC") if newest_first else ("ASC", "DESC")
        index, order = by_name, f"name {forwards}, id {forwards}"
        reverse = f"name {backwards}, id {backwards}"
    else:
        index, order = (indexes.newest, NEWEST_FIRST) if newest_first else (indexes.oldest, OLDEST_FIRST)
        reverse = BACKWARDS[order]
    end = min(offset + size, total)
    if total - end < offset:  # nearer the end: skip fewer index entries by reading from there
        from_end = store.select(
            index, where, order=reverse, limit=end - offset, offset=total - end, extra=extra, params=params
        )
        return total, from_end[::-1]
    return total, store.select(
        index, where, order=order, limit=size, offset=offset, extra=extra, params=params
    )


def _plan(wanted: ServiceFilter) -> tuple[SortedIndexes, Index, dict[str, object]]:
    """The indexes to read (the likely most selective filter first) and every equality term."""
    where: dict[str, object] = {"region": wanted.region}
    if wanted.status is not None:
        where["status"] = wanted.status
    equalities = wanted.equalities()
    for attribute, value in equalities.items():
        where[data_key(EQUALITY[attribute])] = value
    if equalities:
        first = next(iter(equalities))
        return BY_FIELD[first], BY_NAME[first], where
    if wanted.status is not None:
        return BY_STATUS, BY_NAME["status"], where
    return ALL, BY_NAME["all"], where
