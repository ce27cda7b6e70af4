"""ListAITasks through indexes: newest first, filtered by TaskId and TaskType, paged by NextToken.

``NextToken`` is the TaskId of the page's first task, so a page is an index range that starts at that
task: ``(created_at, id)`` at or after the token's in the list's order. A page costs what it holds, not
how many tasks are stored. Tasks are not scoped by region (ROS has one central endpoint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulumi_alicloud_ai.emulator.ros import errors
from pulumi_alicloud_ai.emulator.ros.models import brought_up
from pulumi_alicloud_ai.emulator.ros.states import AI_TASK
from pulumi_alicloud_ai.emulator.store import Entity, Index, data_key

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

PRODUCT, KIND = AI_TASK.product, AI_TASK.kind
TASK_TYPE = data_key("TaskType")
NEWEST = Index("ros_tasks_newest", PRODUCT, KIND, ("created_at DESC", "id"))
BY_TYPE = Index("ros_tasks_by_type", PRODUCT, KIND, (TASK_TYPE, "created_at DESC", "id"))
NEWEST_FIRST = "created_at DESC, id"
FROM_ANCHOR = "created_at <= ? AND (created_at < ? OR id >= ?)"
"""At or after a task in newest-first order (the first term lets the index seek)."""


def list_page(
    state: EmulatorState, *, task_type: str | None, task_id: str | None, size: int, token: str | None
) -> tuple[list[Entity], str | None]:
    """One page of tasks, brought up to the clock, and the token of the next page (None on the last)."""
    store = state.store
    if task_id is not None:  # one task at most
        found = store.get(PRODUCT, KIND, task_id)
        tasks = [found] if found is not None and _has_type(found, task_type) else []
        if token is not None and not any(task.id == token for task in tasks):
            raise errors.bad_next_token(token)
        return _loaded(state, tasks[:size]), None
    index, where = (NEWEST, {}) if task_type is None else (BY_TYPE, {TASK_TYPE: task_type})
    params: tuple[object, ...]
    extra, params = "", ()
    if token is not None:
        anchor = store.get(PRODUCT, KIND, token)
        if anchor is None or not _has_type(anchor, task_type):
            raise errors.bad_next_token(token)
        extra = FROM_ANCHOR
        params = (anchor.created_at, anchor.created_at, anchor.id)
    listed = store.select(index, where, order=NEWEST_FIRST, limit=size + 1, extra=extra, params=params)
    following = listed[size].id if len(listed) > size else None
    return _loaded(state, listed[:size]), following


def _has_type(task: Entity, task_type: str | None) -> bool:
    return task_type is None or task.data["TaskType"] == task_type


def _loaded(state: EmulatorState, tasks: list[Entity]) -> list[Entity]:
    # No ROS step removes a task, so bringing them up changes statuses, never which tasks are listed.
    return [loaded for task in tasks if (loaded := brought_up(state, task)) is not None]
