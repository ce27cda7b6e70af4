"""The dynamic provider behind ``AITask``: one ROS AI task (CreateAITask), generating or fixing a template.

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
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pulumi_alicloud_ai._bounded import TEMPLATE_BOUNDS, BoundsError, load_json, load_yaml, parse_hcl
from pulumi_alicloud_ai.client.endpoints import ROS, known_regions
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, NotFoundError, ServerError, TransportError
from pulumi_alicloud_ai.client.ros import (
    FIX_TEMPLATE,
    GENERATE_TEMPLATE,
    TEMPLATE_TYPES,
    AITask,
    CreateAITaskRequest,
    RosClient,
    wait_for_ai_task,
)
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError
from pulumi_alicloud_ai.resources._inputs import REGION_ENV, Timeouts, compact_json, region_problem
from pulumi_alicloud_ai.resources._provider import (
    OUTPUTS_VERSION,
    DiffTable,
    ProviderError,
    check_inputs,
    product_client,
    user_props,
)
from pulumi_alicloud_ai.resources._waiting import poll_backoff

TASK_TYPES = (GENERATE_TEMPLATE, FIX_TEMPLATE)
ROS_TEMPLATE = TEMPLATE_TYPES[0]
MAX_TEMPLATE_BYTES = 524288
"""The ROS template body limit, which CreateAITask applies to ``Template``."""
DEFAULT_CREATE_TIMEOUT = 1800.0
IMPORT_REGION = "cn-hangzhou"
"""The region an import uses when none is known: every region resolves to ros.aliyuncs.com."""
BEHAVIOUR = ("timeouts", "connection")

TABLE = DiffTable(
    {
        "task_type": "replace",
        "prompt": "replace",
        "template": "replace",
        "template_type": "replace",
        "region": "ignore",
        "timeouts": "ignore",
        "connection": "ignore",
    }
)


class TaskTimeouts(Timeouts):
    """How long create may wait for the task to end, in seconds or ``'30m'``."""

    create: float | None = None


def _choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{field} {value!r} is not supported; allowed values: {', '.join(allowed)}")
    return value


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


class AITaskInputs(BaseModel):
    """The provider's view of the inputs; validation messages name the field, the allowed values and
    the limit. Field order matters: ``prompt`` and ``template`` are judged against ``task_type``."""

    model_config = ConfigDict(extra="forbid")
    task_type: str
    template_type: str = ROS_TEMPLATE
    prompt: str | None = Field(None, validate_default=True)
    template: str | None = Field(None, validate_default=True)
    region: str = Field(None, validate_default=True)
    timeouts: TaskTimeouts | None = None
    connection: dict[str, str] | None = None

    @field_validator("task_type")
    @classmethod
    def _task_type(cls, value: str) -> str:
        return _choice("task_type", value, TASK_TYPES)

    @field_validator("template_type")
    @classmethod
    def _template_type(cls, value: str) -> str:
        return _choice("template_type", value, TEMPLATE_TYPES)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("task_type") == GENERATE_TEMPLATE and not (value or "").strip():
            raise ValueError("prompt is required for GenerateTemplate: describe the resources to build")
        return value

    @field_validator("template", mode="before")
    @classmethod
    def _template(cls, value: Any, info: ValidationInfo) -> Any:
        value = template_text(value)
        task_type = info.data.get("task_type")
        if task_type == GENERATE_TEMPLATE and value is not None:
            raise ValueError(
                "template is only used with task_type FixTemplate; GenerateTemplate writes one from the prompt"
            )
        if task_type == FIX_TEMPLATE and not value:
            raise ValueError("template is required for FixTemplate: give the template to repair")
        if isinstance(value, str) and (size := len(value.encode("utf-8"))) > MAX_TEMPLATE_BYTES:
            raise ValueError(
                f"template is {size} bytes; a ROS template body may be at most {MAX_TEMPLATE_BYTES} bytes"
            )
        if isinstance(value, str) and (
            problem := template_bounds_problem(value, info.data.get("template_type"))
        ):
            raise ValueError(problem)
        return value

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        if problem := region_problem(value, tuple(sorted(known_regions(ROS))), "ROS"):
            raise ValueError(problem)
        return str(value)

    def create_timeout(self) -> float:
        """The wait limit for the task to end."""
        return (self.timeouts.create if self.timeouts else None) or DEFAULT_CREATE_TIMEOUT


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


class AITaskProvider(ResourceProvider):
    """Submit, wait for and read a ROS AI task. Holds no state: safe to pickle."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the combination of inputs without touching the network; a dict template becomes JSON."""
        return check_inputs(AITaskInputs, news, passthrough=("connection",))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Every API input replaces: a task cannot be edited. Region, timeouts and connection do not."""
        return TABLE.diff(as_inputs(olds), news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Submit, wait for SUCCESS (or fail with the task's reason), and output the template."""
        inputs = AITaskInputs.model_validate(user_props(props))
        with self._client(inputs.region, inputs.connection) as ros:
            task_id = self._submit(ros, inputs)
            task = self._wait(ros, inputs, task_id)
            if task.status != "SUCCESS":
                raise ProviderError(self._failure(ros, inputs, task_id, task))
            outputs = self._outputs(inputs.model_dump(mode="json", exclude_none=True), task_id, task)
            return CreateResult(task_id, outputs)

    def _submit(self, ros: RosClient, inputs: AITaskInputs) -> str:
        request = CreateAITaskRequest(
            task_type=inputs.task_type,
            prompt=inputs.prompt,
            template=inputs.template,
            template_type=inputs.template_type,
        )
        try:
            task_id = ros.create_ai_task(request).task_id
        except (TransportError, ServerError) as exc:
            raise ProviderError(
                f"CreateAITask may have reached ROS ({exc}); it has no ClientToken, so a {inputs.task_type} "
                "task may exist that the stack does not know (ListAITasks lists it). That is harmless: a "
                "task is a record, not infrastructure; `pulumi up` again submits another."
            ) from None
        if not task_id:
            raise ProviderError("CreateAITask answered without a TaskId; `pulumi up` again submits another")
        return task_id

    def _wait(self, ros: RosClient, inputs: AITaskInputs, task_id: str) -> AITask:
        backoff = poll_backoff(inputs.create_timeout())
        try:
            return wait_for_ai_task(
                ros,
                task_id,
                backoff=backoff,
            )
        except WaitTimeoutError as exc:
            raise ProviderError(
                f"ROS AI task {task_id} was still {exc.last_status} after {exc.waited:.0f}s, so it is not in "
                f"the stack; it keeps running. Take it over once it ends with ResourceOptions(import_="
                f"{task_id!r}), or set a longer timeouts.create; `pulumi up` again submits another task."
            ) from None

    def _failure(self, ros: RosClient, inputs: AITaskInputs, task_id: str, task: AITask) -> str:
        reason = task.status_reason or task.message or "(no reason given)"
        if task.code and task.code not in reason:
            reason = f"{task.code}: {reason}"
        try:
            events = ros.list_ai_task_events(task_id).events
        except AlibabaCloudError:  # a detail of the message must not replace the failure
            events = []
        failed = [event.handler_type for event in events if event.handler_process_status == "FAILURE"]
        where = f" in {failed[-1]}" if failed and failed[-1] else ""
        reason = " ".join(reason.split()).rstrip(".")  # the error is one line
        return (
            f"ROS AI task {task_id} ({inputs.task_type}, {inputs.template_type}) ended "
            f"{task.status}{where}: {reason}. Its record stays in ROS (the API cannot delete AI tasks); "
            "`pulumi up` submits a new task (change the inputs first if the reason is about them)."
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import by TaskId; inputs are rebuilt from GetAITask and ListAITasks (gone: empty)."""
        known = user_props(props)
        region = known.get("region") or os.environ.get(REGION_ENV) or IMPORT_REGION
        with self._client(region, known.get("connection")) as ros:
            try:
                task = ros.get_ai_task(id_, output=True)
            except NotFoundError:
                return ReadResult("", {})
            listed = next(iter(ros.list_ai_tasks(task_id=id_).tasks), None)
            live: dict[str, Any] = {
                "task_type": task.task_type or known.get("task_type"),
                "template_type": live_template_type(task) or known.get("template_type"),
                "prompt": (listed.prompt if listed else None) or known.get("prompt"),
                "template": known.get("source_template"),  # no call returns the submitted template
                "region": region,
            }
            inputs = {key: value for key, value in live.items() if value is not None}
            inputs.update({key: known[key] for key in BEHAVIOUR if known.get(key) is not None})
            return ReadResult(id_, self._outputs(inputs, id_, task), inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the task: ROS has no call that deletes AI tasks, so GetAITask keeps returning it."""

    def _client(self, region: str, captured: dict[str, str] | None) -> AbstractContextManager[RosClient]:
        return product_client(ROS, RosClient, region, captured)

    def _outputs(self, inputs: dict[str, Any], task_id: str, task: AITask) -> dict[str, Any]:
        output = task.task_output or {}
        text, as_object = result_template(output.get("Result"))
        outputs = dict(inputs)
        outputs.update(
            {
                "task_id": task_id,
                "status": task.status,
                "template": text,
                "template_json": as_object,
                "changes": [change_output(change) for change in output.get("Changes") or []],
                "message": output.get("Message") or task.status_reason,
                "source_template": inputs.get("template"),
                "_outputs_version": OUTPUTS_VERSION,
            }
        )
        return outputs
