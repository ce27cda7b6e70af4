"""ROS AI-task operations (RPC, ros.md): pull the parameters, call the rules, shape the answer.

Every success body carries ``Success`` as the string ``"true"`` (the SDK types it as a string) and
``HttpStatusCode`` 200, as the real responses do; errors use the shared error body.
"""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator.ros import listing, models
from pulumi_alicloud_ai.emulator.ros.states import TASK_TYPES
from pulumi_alicloud_ai.emulator.routing import Call, Route

OK = {"Success": "true", "HttpStatusCode": 200}
OUTPUT_OPTIONS = ("Enabled", "Disabled")


def create_ai_task(call: Call) -> dict[str, Any]:
    """CreateAITask: the task starts ``PENDING``; Template arrives in the form body."""
    entity = models.create(call)
    return {"TaskId": entity.id, **OK}


def get_ai_task(call: Call) -> dict[str, Any]:
    """GetAITask: status, and with ``OutputOption=Enabled`` the TaskOutput of an ended task."""
    with_output = models.choice(call, "OutputOption", OUTPUT_OPTIONS) == "Enabled"
    entity = models.load(call, call.require("TaskId"))
    return {**models.describe(entity, with_output=with_output), **OK}


def list_ai_tasks(call: Call) -> dict[str, Any]:
    """ListAITasks: newest first, filtered by TaskId and TaskType, paged by NextToken."""
    task_type = models.choice(call, "TaskType", TASK_TYPES)
    tasks, token = listing.list_page(
        call.state,
        task_type=task_type,
        task_id=call.param("TaskId"),
        size=models.max_results(call),
        token=call.param("NextToken"),
    )
    chunk = [models.summary(entity) for entity in tasks]
    body: dict[str, Any] = {"Tasks": chunk, **OK}
    if token:
        body["NextToken"] = token
    return body


def list_ai_task_events(call: Call) -> dict[str, Any]:
    """ListAITaskEvents: the handlers of the task's pipeline that have started, oldest first."""
    entity = models.load(call, call.require("TaskId"))
    chunk, token = models.page(models.events(call, entity), "HandlerType", call)
    body: dict[str, Any] = {
        "TaskId": entity.id,
        "TaskType": entity.data["TaskType"],
        "TaskStatus": entity.status,
        "Events": chunk,
        **OK,
    }
    if token:
        body["NextToken"] = token
    return body


ROUTES = [
    Route.rpc("ros", "CreateAITask", create_ai_task),
    Route.rpc("ros", "GetAITask", get_ai_task),
    Route.rpc("ros", "ListAITasks", list_ai_tasks),
    Route.rpc("ros", "ListAITaskEvents", list_ai_task_events),
]
