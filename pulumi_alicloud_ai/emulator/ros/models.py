"""The AI task: its validation, the work done when it is created, and how it reads back on the wire.

A task is an :class:`Entity` of kind ``ai_task``. Its work (generate or fix) runs once, at creation,
and its outcome is stored with it: the lifecycle only decides *when* the outcome is shown (a task
reads ``PENDING``, then ``RUNNING``, then ``SUCCESS``/``FAILURE`` as the clock moves). A failed outcome
rides the lifecycle's fault branch, so failures need no status strings in handlers. A model-backed
generation is the exception: it runs in ``generation_pool.py``, off the event loop, and the task waits
in ``RUNNING`` (``states.GENERATING``) until its outcome is stored.

``TaskOutput`` (GetAITask with ``OutputOption=Enabled``, once the task has ended) holds ``Result`` as
the public reference shows it (the ROS template as an object; Terraform as HCL text), plus our keys:
``TemplateType``, ``Message``, and for FixTemplate ``Changes`` (and ``Faults`` when it failed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._bounded import BoundsError
from pulumi_alicloud_ai.emulator.errors import ApiError, missing_parameter
from pulumi_alicloud_ai.emulator.formats import iso_utc, new_id
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY
from pulumi_alicloud_ai.emulator.ros import errors
from pulumi_alicloud_ai.emulator.ros.fixer import fix_template
from pulumi_alicloud_ai.emulator.ros.fixes import FixError
from pulumi_alicloud_ai.emulator.ros.generation_pool import pool_for
from pulumi_alicloud_ai.emulator.ros.generator import GenerationError, TemplateGenerator, generator_from_env
from pulumi_alicloud_ai.emulator.ros.states import (
    AGENTS,
    AI_TASK,
    FAILURE,
    FIX_TEMPLATE,
    GENERATE_TEMPLATE,
    GENERATING,
    PIPELINES,
    QUEUED_SECONDS,
    RUNNING,
    RUNNING_SECONDS,
    SUCCESS,
    TASK_TYPES,
    TEMPLATE_TYPES,
    TERMINAL,
)
from pulumi_alicloud_ai.emulator.routing import Call
from pulumi_alicloud_ai.emulator.store import Entity
from pulumi_alicloud_ai.templates.validator import ROS

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

PRODUCT, KIND = AI_TASK.product, AI_TASK.kind
DEFAULT_PAGE = 50


def choice(call: Call, name: str, allowed: tuple[str, ...]) -> str | None:
    """An optional enumerated parameter, checked against its allowed values."""
    value = call.param(name)
    if value is not None and value not in allowed:
        raise errors.not_allowed(name, value, allowed)
    return value


def create(call: Call) -> Entity:
    """Validate a CreateAITask call, do the task's work, and store it ``PENDING``."""
    task_type = choice(call, "TaskType", TASK_TYPES)
    if task_type is None:
        raise missing_parameter("TaskType")
    template_type = choice(call, "TemplateType", TEMPLATE_TYPES) or ROS
    prompt, template = call.param("Prompt"), call.param("Template")
    if task_type == GENERATE_TEMPLATE and not (prompt or "").strip():
        raise missing_parameter("Prompt")
    if task_type == GENERATE_TEMPLATE and template is not None:
        raise errors.template_not_used()
    if task_type == FIX_TEMPLATE and template is None:
        raise missing_parameter("Template")
    if template is not None and len(template.encode("utf-8")) > errors.MAX_TEMPLATE_BYTES:
        raise errors.template_too_large(len(template.encode("utf-8")))
    outcome, off_loop = _work(call, task_type, template_type, prompt, template)
    if call.effect is not None:
        message = call.effect.message or "The task failed (injected fault)."
        if call.effect.code:
            message = f"{call.effect.code}: {message}"
        outcome = failed(message, len(PIPELINES[(task_type, template_type)]) - 1, outcome["notes"])
    data: dict[str, Any] = {
        "TaskType": task_type,
        "TemplateType": template_type,
        "Prompt": prompt or "",
        "Outcome": outcome,
    }
    if off_loop is not None:
        data[GENERATING] = True
    elif not outcome["ok"]:
        data[FAULT_KEY] = {"reason": "TaskFailed", "message": outcome["reason"]}
    task_id = new_id("t-", 20)
    entity = call.state.lifecycles.create(
        AI_TASK, entity_id=task_id, region=call.region, name=task_id, data=data
    )
    if off_loop is not None:
        assert prompt is not None
        _generate_off_loop(call.state, task_id, prompt, template_type, off_loop)
    return entity


def _work(
    call: Call, task_type: str, template_type: str, prompt: str | None, template: str | None
) -> tuple[dict[str, Any], TemplateGenerator | None]:
    """The task's outcome, done now; or, for a model's generation, the outcome so far and the
    generator that will finish it off the loop (None when a fault decides the outcome anyway)."""
    if task_type == GENERATE_TEMPLATE:
        assert prompt is not None
        generator = _generator()
        if generator.inline:
            return generate(prompt, template_type, generator), None
        return accepted(prompt, template_type), generator if call.effect is None else None
    assert template is not None
    try:
        return fix(template, template_type), None
    except BoundsError as exc:
        raise errors.template_too_complex(exc) from None


def _generate_off_loop(
    state: EmulatorState, task_id: str, prompt: str, template_type: str, generator: TemplateGenerator
) -> None:
    """Hand the generation to the pool; its outcome is stored by :func:`settle_generation`.

    ``Throttling.Concurrent`` when the pool is full: raised inside the request's transaction, so the
    task just stored is rolled back with it."""

    def unexpected(exc: BaseException) -> dict[str, Any]:
        return failed(
            f"The template generator failed unexpectedly: {type(exc).__name__}.",
            1,
            accepted_notes(prompt, template_type),
        )

    pool_for(state).submit(
        task_id,
        lambda: generate(prompt, template_type, generator),
        lambda outcome: settle_generation(state, task_id, outcome),
        limit=generator.concurrency,
        on_error=unexpected,
    )


def settle_generation(state: EmulatorState, task_id: str, outcome: dict[str, Any]) -> None:
    """Store a generation's outcome (on the event loop, in a transaction of its own); a task the
    emulator no longer has (reset meanwhile) is left alone."""
    with state.store.transaction():
        entity = state.lifecycles.load(AI_TASK, state.store.get(PRODUCT, KIND, task_id))
        if entity is not None and GENERATING in entity.data:
            _conclude(state, entity, outcome)


def _conclude(state: EmulatorState, entity: Entity, outcome: dict[str, Any]) -> None:
    """Give a generating task its outcome. When the model took longer than the task's ``RUNNING`` time,
    the task ends now rather than at a moment already past."""
    data = entity.data
    data.pop(GENERATING, None)
    data["Outcome"] = outcome
    if not outcome["ok"]:
        data[FAULT_KEY] = {"reason": "TaskFailed", "message": outcome["reason"]}
    clock = state.clock
    if entity.status == RUNNING:
        entity.status_since = max(entity.status_since, clock.now() - clock.scaled(RUNNING_SECONDS))
    state.store.put(entity)
    state.lifecycles.load(AI_TASK, entity)


def _lost_generation(state: EmulatorState, entity: Entity) -> None:
    """A task marked generating that this process is not generating: the emulator restarted while
    the model worked. The task fails, saying so, instead of waiting for ever."""
    if GENERATING in entity.data and not pool_for(state).in_flight(entity.id):
        notes = accepted_notes(entity.data["Prompt"], entity.data["TemplateType"])
        reason = "The emulator stopped while the model was writing this template; create the task again."
        _conclude(state, entity, failed(reason, 1, notes))


def _generator() -> TemplateGenerator:
    try:
        return generator_from_env()
    except ValueError as exc:
        raise ApiError(
            "InternalError", f"The emulator's template generator is misconfigured: {exc}", 500
        ) from None


def failed(reason: str, stage: int, notes: list[str], output: dict[str, Any] | None = None) -> dict[str, Any]:
    """A failed outcome: why, which pipeline stage failed, and what each stage before it did."""
    return {"ok": False, "reason": reason, "failed_stage": stage, "notes": notes, "output": output}


def accepted_notes(prompt: str, template_type: str) -> list[str]:
    """What the first stage of GenerateTemplate reports."""
    return [f"Prompt accepted ({len(prompt)} characters); writing a {template_type} template."]


def accepted(prompt: str, template_type: str) -> dict[str, Any]:
    """The outcome of a generation still under way: only the first stage has reported."""
    return {
        "ok": False,
        "reason": "",
        "failed_stage": None,
        "notes": accepted_notes(prompt, template_type),
        "output": None,
    }


def generate(prompt: str, template_type: str, generator: TemplateGenerator) -> dict[str, Any]:
    """Run GenerateTemplate: the outcome to store. Touches no state, so it may run in any thread."""
    notes = accepted_notes(prompt, template_type)
    try:
        result = generator.generate(prompt, template_type)
    except GenerationError as exc:
        return failed(str(exc), 1, notes)
    notes += [
        result.summary,
        "The template validates: known resource types, required properties, references.",
    ]
    output = {"Result": result.template, "TemplateType": template_type, "Message": result.summary}
    return {"ok": True, "reason": "", "failed_stage": None, "notes": notes, "output": output}


def fix(template: str, template_type: str) -> dict[str, Any]:
    """Run FixTemplate: the outcome to store."""
    try:
        fixed = fix_template(template, template_type)
    except FixError as exc:
        stage = 1 if exc.faults else 0
        output: dict[str, Any] = {
            "TemplateType": template_type,
            "Faults": [fault.to_wire() for fault in exc.faults],
            "Changes": [change.to_wire() for change in exc.changes],
        }
        notes = [] if stage == 0 else [f"The template parses as {template_type}."]
        return failed(str(exc), stage, notes, output)
    notes = [f"The template parses as {template_type}.", fixed.message]
    result: dict[str, Any] = {
        "Result": fixed.template,
        "TemplateType": template_type,
        "Changes": [change.to_wire() for change in fixed.changes],
        "Message": fixed.message,
    }
    return {"ok": True, "reason": "", "failed_stage": None, "notes": notes, "output": result}


def load(call: Call, task_id: str) -> Entity:
    """The task brought up to the clock, or ``TaskNotFound``."""
    entity = brought_up(call.state, call.state.store.get(PRODUCT, KIND, task_id))
    if entity is None:
        raise errors.task_not_found(task_id)
    return entity


def brought_up(state: EmulatorState, entity: Entity | None) -> Entity | None:
    """A stored task brought up to the clock (a generation lost to a restart fails it first)."""
    if entity is not None:
        _lost_generation(state, entity)
    return state.lifecycles.load(AI_TASK, entity)


def status_reason(entity: Entity) -> str:
    """Why a task failed; empty for every other status."""
    return str(entity.data["Outcome"]["reason"]) if entity.status == FAILURE else ""


def describe(entity: Entity, *, with_output: bool) -> dict[str, Any]:
    """GetAITask's fields for a task; ``TaskOutput`` only when asked for and the task has ended."""
    body: dict[str, Any] = {"TaskId": entity.id, "TaskType": entity.data["TaskType"], "Status": entity.status}
    if reason := status_reason(entity):
        body["StatusReason"] = reason
    output = entity.data["Outcome"]["output"]
    if with_output and entity.status in TERMINAL and output is not None:
        body["TaskOutput"] = output
    return body


def summary(entity: Entity) -> dict[str, Any]:
    """A task as ListAITasks shows it."""
    body = describe(entity, with_output=False)
    body.update(
        {
            "Prompt": entity.data["Prompt"],
            "CreateTime": iso_utc(entity.created_at),
            "UpdateTime": iso_utc(entity.updated_at),
        }
    )
    return body


def events(call: Call, entity: Entity) -> list[dict[str, Any]]:
    """The task's handler events visible at the clock's now (see ``states.py``); while a model is still
    writing the template, its stage shows ``RUNNING`` and none after it has started."""
    clock = call.state.clock
    now = clock.now()
    outcome = entity.data["Outcome"]
    handlers = PIPELINES[(entity.data["TaskType"], entity.data["TemplateType"])]
    share = clock.scaled(RUNNING_SECONDS / len(handlers))
    running_start = entity.created_at + clock.scaled(QUEUED_SECONDS)
    running_end = running_start + clock.scaled(RUNNING_SECONDS)
    failed_stage = outcome["failed_stage"]
    generating = GENERATING in entity.data
    shown: list[dict[str, Any]] = []
    for index, handler in enumerate(handlers):
        start = running_start + index * share
        if start > now or (failed_stage is not None and index > failed_stage):
            break
        if generating and index > 0:
            status, data = RUNNING, ""
        elif index == failed_stage:
            status, data = (FAILURE if now >= running_end else RUNNING), outcome["reason"]
        else:
            status = SUCCESS if now >= start + share else RUNNING
            notes = outcome["notes"]
            data = notes[index] if index < len(notes) else ""
        shown.append(
            {
                "AgentType": AGENTS[entity.data["TaskType"]],
                "HandlerType": handler,
                "HandlerProcessStatus": status,
                "EventData": data if status != RUNNING else "",
                "EstimatedProcessingTime": f"{share:.0f}",
                "CreateTime": iso_utc(start),
            }
        )
        if generating and index > 0:
            break
    return shown


def max_results(call: Call) -> int:
    """MaxResults, 1 to 100, default 50."""
    raw = call.param("MaxResults")
    if raw is None:
        return DEFAULT_PAGE
    try:
        value = int(raw)
    except ValueError:
        raise errors.bad_max_results(raw) from None
    if not 1 <= value <= 100:
        raise errors.bad_max_results(raw)
    return value


def page(items: list[dict[str, Any]], key: str, call: Call) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` and the token of the next: the ``key`` of its first item (so a page stays
    put when newer items arrive); a token not in the list is ``InvalidParameter.NextToken``."""
    size = max_results(call)
    start = 0
    token = call.param("NextToken")
    if token is not None:
        positions = [index for index, item in enumerate(items) if item[key] == token]
        if not positions:
            raise errors.bad_next_token(token)
        start = positions[0]
    chunk = items[start : start + size]
    following = items[start + size : start + size + 1]
    return chunk, (str(following[0][key]) if following else None)
