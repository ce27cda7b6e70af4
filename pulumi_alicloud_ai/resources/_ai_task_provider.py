"""The dynamic provider behind ``AITask``: one ROS AI task (CreateAITask), generating or fixing a
template, on the lifecycle core.

Resource id: the ``TaskId``. A task cannot be edited, so every API input (task type, prompt, template,
template type) replaces it. ``region`` only picks the endpoint (ROS has one central endpoint and AI tasks
are not scoped by region), so it changes nothing, like ``timeouts`` and ``connection``.

* ``check`` enforces at preview what CreateAITask would refuse, naming the field: an unknown task or
  template type, a GenerateTemplate without a prompt or with a template, a FixTemplate without a
  template, a template over 524288 bytes (the ROS template body limit). A FixTemplate's prompt is
  optional: the service records it but does not need it. A dict template becomes compact JSON text.
* ``create`` submits the task and polls GetAITask until ``SUCCESS`` or ``FAILURE``; a failure is an error
  carrying the task's StatusReason (code and message) and the handler that failed.
* ``read`` refreshes from GetAITask (with its TaskOutput) and ListAITasks (the only call that returns
  the Prompt); import by TaskId rebuilds the inputs from them.
* ``delete`` forgets the task: ROS has no call that deletes AI tasks, so its record stays readable.

The input ``template`` (what FixTemplate repairs) and the output ``template`` (the generated or repaired
template, as text) share one property name, so the submitted text is kept as the ``source_template``
output and ``diff`` and ``read`` use that. The submitted template of an imported task cannot be
recovered (no call returns it), nor can the prompt when ListAITasks no longer lists the task.

CreateAITask has no ClientToken: a create interrupted after the task was submitted leaves a task the
stack does not know. That is harmless (a task is a record, not infrastructure), so it is never looked
for; the next ``pulumi up`` submits another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, get_args

from pydantic import Field, ValidationInfo, field_validator

from pulumi_alicloud_ai._bounded import TEMPLATE_BOUNDS, BoundsError, load_json, load_yaml, parse_hcl
from pulumi_alicloud_ai.client.endpoints import ROS, known_regions
from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.ros import (
    FIX_TEMPLATE,
    GENERATE_TEMPLATE,
    AITask,
    CreateAITaskRequest,
    RosClient,
)
from pulumi_alicloud_ai.resources._inputs import ResourceInputs, choice, compact_json
from pulumi_alicloud_ai.resources._lifecycle import Lifecycle
from pulumi_alicloud_ai.resources._provider import DiffTable, ProviderError
from pulumi_alicloud_ai.resources.ai_task import AITaskTypeName, TemplateTypeName

TASK_TYPES: tuple[str, ...] = get_args(AITaskTypeName)
TEMPLATE_TYPES: tuple[str, ...] = get_args(TemplateTypeName)
ROS_TEMPLATE = TEMPLATE_TYPES[0]
MAX_TEMPLATE_BYTES = 524288
"""The ROS template body limit (CreateStack reference, TemplateBody: 1 to 524,288 bytes), applied to
CreateAITask's ``Template``."""

TABLE = DiffTable(
    {"task_type": "replace", "prompt": "replace", "template": "replace", "template_type": "replace"}
)


def template_text(value: Any) -> Any:
    """A template as CreateAITask receives it: text as given, a dict (a ROS template) as compact JSON."""
    return compact_json(value) if isinstance(value, Mapping) else value


def template_bounds_problem(text: str, template_type: str | None) -> str | None:
    """Why ``text`` is past the template parser's bounds (too deep, too many YAML aliases, too large
    once they are expanded), or None. Syntax is not judged here: repairing it is FixTemplate's job."""
    import yaml
    from lark.exceptions import LarkError

    try:
        if template_type == TEMPLATE_TYPES[1]:
            parse_hcl(text, TEMPLATE_BOUNDS, what="template")
            return None
        if text.lstrip().startswith("{"):
            try:
                load_json(text, TEMPLATE_BOUNDS, what="template")
            except BoundsError:
                raise
            except ValueError:  # FixTemplate reads broken JSON with YAML's lenient flow syntax
                load_yaml(text, None, TEMPLATE_BOUNDS, what="template")
            return None
        load_yaml(text, None, TEMPLATE_BOUNDS, what="template")
    except BoundsError as exc:
        return f"{exc}; the template parser refuses it"
    except (ValueError, yaml.YAMLError, LarkError):
        return None
    return None


class AITaskInputs(ResourceInputs):
    """The provider's view of the inputs; validation messages name the field, the allowed values and
    the limit. Field order matters: ``prompt`` and ``template`` are judged against ``task_type``."""

    TIMEOUTS: ClassVar[dict[str, float]] = {"create": 1800.0}
    REGIONS: ClassVar[tuple[str, ...] | None] = tuple(sorted(known_regions(ROS)))
    OFFERS: ClassVar[str] = "ROS"

    task_type: str
    template_type: str = ROS_TEMPLATE
    prompt: str | None = Field(None, validate_default=True)
    template: str | None = Field(None, validate_default=True)

    @field_validator("task_type")
    @classmethod
    def _task_type(cls, value: str) -> str:
        return choice(value, TASK_TYPES)

    @field_validator("template_type")
    @classmethod
    def _template_type(cls, value: str) -> str:
        return choice(value, TEMPLATE_TYPES)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("task_type") == GENERATE_TEMPLATE and not (value or "").strip():
            raise ValueError("is required for GenerateTemplate: describe the resources to build")
        return value

    @field_validator("template", mode="before")
    @classmethod
    def _template(cls, value: Any, info: ValidationInfo) -> Any:
        value = template_text(value)
        task_type = info.data.get("task_type")
        if task_type == GENERATE_TEMPLATE and value is not None:
            raise ValueError(
                "is only used with task_type FixTemplate; GenerateTemplate writes one from the prompt"
            )
        if task_type == FIX_TEMPLATE and not value:
            raise ValueError("is required for FixTemplate: give the template to repair")
        if isinstance(value, str) and (size := len(value.encode("utf-8"))) > MAX_TEMPLATE_BYTES:
            raise ValueError(
                f"is {size} bytes; a ROS template body may be at most {MAX_TEMPLATE_BYTES} bytes"
            )
        if isinstance(value, str) and (
            problem := template_bounds_problem(value, info.data.get("template_type"))
        ):
            raise ValueError(problem)
        return value


def as_inputs(olds: Mapping[str, Any]) -> dict[str, Any]:
    """Old outputs as the inputs they came from: the output ``template`` is the result, the submitted
    one is ``source_template``."""
    return {**olds, "template": olds.get("source_template")}


def result_template(result: Any) -> tuple[str | None, dict[str, Any] | None]:
    """TaskOutput.Result as ``(text, object)``: a ROS template object as indented JSON text and itself;
    Terraform HCL text as is, with no object."""
    if isinstance(result, Mapping):
        return json.dumps(result, indent=2, ensure_ascii=False), dict(result)
    if isinstance(result, str):
        return result, None
    return None, None


def change_output(change: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of TaskOutput.Changes as the ``changes`` output shows it."""
    return {
        "code": change.get("Code"),
        "location": change.get("Location"),
        "description": change.get("Description"),
    }


def live_template_type(task: AITask) -> str | None:
    """The TemplateType of a task: TaskOutput names it, else the Result's shape tells (GetAITask does
    not echo it; a ROS Result is an object, a Terraform one is text)."""
    output = task.task_output or {}
    named = output.get("TemplateType")
    if named in TEMPLATE_TYPES:
        return str(named)
    result = output.get("Result")
    if isinstance(result, Mapping):
        return ROS_TEMPLATE
    return TEMPLATE_TYPES[1] if isinstance(result, str) else None


class AITaskProvider(Lifecycle[AITaskInputs, RosClient, AITask]):
    """Submit, wait for and read a ROS AI task. Holds no state: safe to pickle."""

    inputs = AITaskInputs
    table = TABLE
    product = ROS
    client = RosClient
    noun = "ROS AI task"
    forgets = True
    unfindable = (
        "it has no ClientToken, so a {task_type} task may exist that the stack does not know (ListAITasks "
        "lists it). That is harmless: a task is a record, not infrastructure; `pulumi up` again submits another"
    )
    removed = (
        "Its record stays in ROS (the API cannot delete AI tasks); `pulumi up` submits a new task (change "
        "the inputs first if the reason is about them)."
    )

    def recorded_inputs(self, olds: Mapping[str, Any]) -> Mapping[str, Any]:
        """The output ``template`` is the result; the submitted one is ``source_template``."""
        return as_inputs(olds)

    def submit(self, api: RosClient, inputs: AITaskInputs) -> str:
        """CreateAITask."""
        request = CreateAITaskRequest(
            task_type=inputs.task_type,
            prompt=inputs.prompt,
            template=inputs.template,
            template_type=inputs.template_type,
        )
        task_id = api.create_ai_task(request).task_id
        if not task_id:
            raise ProviderError("CreateAITask answered without a TaskId; `pulumi up` again submits another")
        return task_id

    def fetch(self, api: RosClient, id_: str, region: str) -> AITask | None:
        """GetAITask with its output."""
        return api.get_ai_task(id_, output=True)

    def status(self, live: AITask) -> str:
        """``PENDING``, ``RUNNING``, ``SUCCESS`` or ``FAILURE``."""
        return live.status or "UNKNOWN"

    def is_final(self, live: AITask) -> bool:
        """SUCCESS or FAILURE."""
        return live.finished

    def failure(self, api: RosClient, id_: str, live: AITask, inputs: AITaskInputs) -> str | None:
        """A FAILURE: its reason, and the handler that failed (from ListAITaskEvents)."""
        if live.status == "SUCCESS":
            return None
        reason = live.status_reason or live.message or "(no reason given)"
        if live.code and live.code not in reason:
            reason = f"{live.code}: {reason}"
        try:
            events = api.list_ai_task_events(id_).events
        except AlibabaCloudError:  # a detail of the message must not replace the failure
            events = []
        failed = [event.handler_type for event in events if event.handler_process_status == "FAILURE"]
        where = f" in {failed[-1]}" if failed and failed[-1] else ""
        return f"({inputs.task_type}, {inputs.template_type}){where}: " + " ".join(reason.split()).rstrip(".")

    def live_inputs(
        self, api: RosClient, id_: str, region: str, live: AITask, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """Type and template type from GetAITask, the prompt from ListAITasks, the submitted template
        as recorded (no call returns it)."""
        listed = next(iter(api.list_ai_tasks(task_id=id_).tasks), None)
        rebuilt = {
            "task_type": live.task_type or recorded.get("task_type"),
            "template_type": live_template_type(live) or recorded.get("template_type"),
            "prompt": (listed.prompt if listed else None) or recorded.get("prompt"),
            "template": recorded.get("source_template"),
            "region": region,
        }
        return {key: value for key, value in rebuilt.items() if value is not None}

    def outputs(
        self, api: RosClient, id_: str, region: str, live: AITask, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """The task's template as text and object, what it changed, and its summary."""
        output = live.task_output or {}
        text, as_object = result_template(output.get("Result"))
        return {
            "task_id": id_,
            "status": live.status,
            "template": text,
            "template_json": as_object,
            "changes": [change_output(change) for change in output.get("Changes") or []],
            "message": output.get("Message") or live.status_reason,
            "source_template": inputs.get("template"),
        }

    def label(self, id_: str, region: str) -> str:
        """ROS AI tasks are not regional."""
        return f"ROS AI task {id_}"
