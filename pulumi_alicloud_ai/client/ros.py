"""ROS 2019-09-10 (RPC): typed calls for AI tasks (ros.md), and a waiter for a task to finish.

All four actions are ``POST /`` with parameters in the query, except CreateAITask's ``Template``,
which travels in an ``application/x-www-form-urlencoded`` body (a template can be far longer than a
URL may be). ``Success`` is a string (``"true"``/``"false"``) in the SDK's types; a JSON boolean is
read too.

CreateAITask has no ``ClientToken``, so it is not idempotent: the client never retries it once it may
have reached the service; after an ambiguous failure, look the task up with :meth:`RosClient.iter_ai_tasks`
rather than creating another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.models import WireModel
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation
from pulumi_alicloud_ai.client.waiter import Backoff, poll_until

__all__ = [
    "CREATE_AI_TASK",
    "FIX_TEMPLATE",
    "GENERATE_TEMPLATE",
    "GET_AI_TASK",
    "LIST_AI_TASKS",
    "LIST_AI_TASK_EVENTS",
    "TASK_STATUSES",
    "TEMPLATE_TYPES",
    "TERMINAL_STATUSES",
    "AITask",
    "AITaskEvent",
    "AITaskSummary",
    "CreateAITaskRequest",
    "CreateAITaskResponse",
    "ListAITaskEventsResponse",
    "ListAITasksResponse",
    "RosClient",
    "wait_for_ai_task",
]

CREATE_AI_TASK = Operation("CreateAITask")
GET_AI_TASK = Operation("GetAITask", idempotent=True)
LIST_AI_TASKS = Operation("ListAITasks", idempotent=True)
LIST_AI_TASK_EVENTS = Operation("ListAITaskEvents", idempotent=True)

GENERATE_TEMPLATE, FIX_TEMPLATE = "GenerateTemplate", "FixTemplate"
TEMPLATE_TYPES = ("ROS", "Terraform")
TASK_STATUSES = ("PENDING", "WAITING", "RUNNING", "SUCCESS", "FAILURE")
TERMINAL_STATUSES = frozenset({"SUCCESS", "FAILURE"})


def _wire_bool(value: Any) -> Any:
    """``"true"``/``"false"`` (any case) as a bool; anything else is left for pydantic to judge."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


WireBool = Annotated[bool | None, BeforeValidator(_wire_bool)]
"""``Success``: a string on the wire per the SDK, a bool here."""


class _Answer(WireModel):
    """Fields every AI-task response carries."""

    request_id: str | None = Field(None, alias="RequestId")
    success: WireBool = Field(None, alias="Success")
    code: str | None = Field(None, alias="Code")
    message: str | None = Field(None, alias="Message")
    http_status_code: int | None = Field(None, alias="HttpStatusCode")


class CreateAITaskRequest(WireModel):
    """CreateAITask: ``GenerateTemplate`` from a Prompt, or ``FixTemplate`` a Template (Prompt guiding it)."""

    task_type: str = Field(alias="TaskType")
    prompt: str | None = Field(None, alias="Prompt")
    template: str | None = Field(None, alias="Template")
    template_type: str | None = Field(None, alias="TemplateType")
    """``ROS`` (the service's default) or ``Terraform``."""


class CreateAITaskResponse(_Answer):
    """What CreateAITask returns: the new task's id."""

    task_id: str | None = Field(None, alias="TaskId")


class AITask(_Answer):
    """GetAITask: a task's status, and its ``TaskOutput`` when asked for and the task has ended."""

    task_id: str | None = Field(None, alias="TaskId")
    task_type: str | None = Field(None, alias="TaskType")
    status: str | None = Field(None, alias="Status")
    status_reason: str | None = Field(None, alias="StatusReason")
    task_output: dict[str, Any] | None = Field(None, alias="TaskOutput")

    @property
    def finished(self) -> bool:
        """Whether the task has reached ``SUCCESS`` or ``FAILURE``."""
        return self.status in TERMINAL_STATUSES

    @property
    def result(self) -> Any:
        """``TaskOutput.Result``: a ROS template object, or Terraform HCL text; None when absent."""
        return (self.task_output or {}).get("Result")


class AITaskSummary(WireModel):
    """One entry of ListAITasks' ``Tasks``."""

    task_id: str = Field(alias="TaskId")
    task_type: str | None = Field(None, alias="TaskType")
    status: str | None = Field(None, alias="Status")
    status_reason: str | None = Field(None, alias="StatusReason")
    prompt: str | None = Field(None, alias="Prompt")
    create_time: str | None = Field(None, alias="CreateTime")
    update_time: str | None = Field(None, alias="UpdateTime")


class ListAITasksResponse(_Answer):
    """One page of ListAITasks; ``next_token`` is None on the last page."""

    next_token: str | None = Field(None, alias="NextToken")
    tasks: list[AITaskSummary] = Field(default_factory=list, alias="Tasks")


class AITaskEvent(WireModel):
    """One handler step of a task, from ListAITaskEvents."""

    agent_type: str | None = Field(None, alias="AgentType")
    handler_type: str | None = Field(None, alias="HandlerType")
    handler_process_status: str | None = Field(None, alias="HandlerProcessStatus")
    event_data: str | None = Field(None, alias="EventData")
    estimated_processing_time: str | None = Field(None, alias="EstimatedProcessingTime")
    create_time: str | None = Field(None, alias="CreateTime")


class ListAITaskEventsResponse(_Answer):
    """One page of a task's events, with the task's status."""

    task_id: str | None = Field(None, alias="TaskId")
    task_type: str | None = Field(None, alias="TaskType")
    task_status: str | None = Field(None, alias="TaskStatus")
    next_token: str | None = Field(None, alias="NextToken")
    events: list[AITaskEvent] = Field(default_factory=list, alias="Events")


class RosClient:
    """Typed ROS AI-task calls over an :class:`OpenApiClient` for the ROS product."""

    def __init__(self, api: OpenApiClient) -> None:
        self.api = api

    def create_ai_task(self, request: CreateAITaskRequest) -> CreateAITaskResponse:
        """Start a task; ``Template`` goes in the form body. Not retried once it may have been sent."""
        query = request.to_wire()
        template = query.pop("Template", None)
        form = {"Template": template} if template is not None else None
        return CreateAITaskResponse.model_validate(self.api.call(CREATE_AI_TASK, query=query, form=form))

    def get_ai_task(self, task_id: str, *, output: bool = False) -> AITask:
        """A task's status; with ``output`` (``OutputOption=Enabled``) its TaskOutput once it has ended."""
        query = {"TaskId": task_id, "OutputOption": "Enabled" if output else None}
        return AITask.model_validate(self.api.call(GET_AI_TASK, query=query))

    def list_ai_tasks(
        self,
        *,
        task_id: str | None = None,
        task_type: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> ListAITasksResponse:
        """One page of tasks, optionally filtered by id or type."""
        query = {"TaskId": task_id, "TaskType": task_type, "MaxResults": max_results, "NextToken": next_token}
        return ListAITasksResponse.model_validate(self.api.call(LIST_AI_TASKS, query=query))

    def iter_ai_tasks(
        self, *, task_id: str | None = None, task_type: str | None = None, page_size: int | None = None
    ) -> Iterator[AITaskSummary]:
        """Every matching task across all pages, following ``NextToken`` until it runs out."""
        token: str | None = None
        while True:
            page = self.list_ai_tasks(
                task_id=task_id, task_type=task_type, max_results=page_size, next_token=token
            )
            yield from page.tasks
            token = page.next_token
            if not token:
                return

    def list_ai_task_events(
        self, task_id: str, *, max_results: int | None = None, next_token: str | None = None
    ) -> ListAITaskEventsResponse:
        """One page of a task's handler events, oldest first (``MaxResults`` is a string on the wire)."""
        query = {
            "TaskId": task_id,
            "MaxResults": None if max_results is None else str(max_results),
            "NextToken": next_token,
        }
        return ListAITaskEventsResponse.model_validate(self.api.call(LIST_AI_TASK_EVENTS, query=query))


def wait_for_ai_task(
    client: RosClient,
    task_id: str,
    *,
    timeout: float = 600.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    backoff: Backoff | None = None,
) -> AITask:
    """Poll GetAITask (with its output) until ``SUCCESS`` or ``FAILURE``, and return the final state.

    Delays double from ``base_delay`` up to ``max_delay``, so a task taking ``T`` seconds costs about
    ``log2(T / base_delay)`` polls. A task still running after ``timeout`` raises
    :class:`~pulumi_alicloud_ai.client.waiter.WaitTimeoutError` naming the task, its last status and its
    latest event. A ``FAILURE`` is returned, not raised: read ``status_reason``.
    """

    def latest_event(task: AITask) -> str:
        try:
            events = client.list_ai_task_events(task_id).events
        except AlibabaCloudError:  # a detail for the timeout message must not replace the timeout
            return ""
        if not events:
            return ""
        last = events[-1]
        return f"Latest event: {last.handler_type} {last.handler_process_status}."

    if backoff is None:  # a Backoff, when given, replaces the five pacing arguments (as EasClient takes one)
        backoff = Backoff(
            timeout=timeout, base_delay=base_delay, max_delay=max_delay, clock=clock, sleep=sleep
        )
    return poll_until(
        lambda: client.get_ai_task(task_id, output=True),
        lambda task: task.finished,
        lambda task: task.status or "unknown",
        describe=f"ROS AI task {task_id}",
        backoff=backoff,
        timeout_detail=latest_event,
    ).value
