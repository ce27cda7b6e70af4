"""What the dashboard shows, as plain data: every entity with its state, history and requests.

The snapshot only reads. An entity's *current* state is projected from its stored state and the clock
with the same lifecycle table the services use (the next API read would write exactly that), so looking
at the page never moves anything along. Secrets are masked here, once, for both the HTML and the JSON
feed: fields whose name says token, secret, password or key, and such parameters inside URLs.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai._version import __version__
from pulumi_alicloud_ai.emulator.lifecycle import FAULT_KEY, GONE, Lifecycle
from pulumi_alicloud_ai.emulator.recorder import origin_of
from pulumi_alicloud_ai.emulator.store import Entity, Event

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.recorder import RequestRecord
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

MASK = "••••••"
MAX_ENTITIES = 100
"""Newest entities shown per kind."""
MAX_EVENTS = 30
MAX_REQUESTS_PER_ENTITY = 10
RECENT_REQUESTS = 50
MAX_TEXT = 300
"""Longer strings in an entity's details are cut (a generated template can be long)."""
MAX_DEPTH = 32
"""Deeper values in an entity's details are shown as a note: the page must render whatever is stored
(data written before requests were bounded at the door may nest hundreds of levels)."""

_SECRET_KEY = re.compile(r"(?i)(token|secret|password|passwd|credential|signature|authorization|accesskey)")
_NOT_SECRET = frozenset({"nexttoken", "accesskeyid"})
_URL_SECRET = re.compile(
    r"(?i)([?&#](?:[\w.-]*(?:token|secret|password|passwd|signature|key|auth|credential)[\w.-]*)=)([^&#\s\"']+)"
)


@dataclass(frozen=True)
class Kind:
    """One kind of entity the page lists."""

    product: str
    kind: str
    title: str
    lifecycle_module: str | None
    """``module:NAME`` of its lifecycle table, or None for entities without one."""
    summary: tuple[str, ...]
    """``Entity.data`` keys shown in the row."""
    match_by_name: bool = False
    """Requests name it by name (EAS services), not only by id."""


KINDS = (
    Kind(
        "eas",
        "service",
        "EAS services",
        "pulumi_alicloud_ai.emulator.eas.states:APP_SERVICE",
        ("ServiceSpec", "Replicas", "AppVersion"),
        match_by_name=True,
    ),
    Kind("vod", "aitemplate", "VOD AI templates", None, ("type", "default")),
    Kind("vod", "video", "VOD videos", None, ("duration", "corrupt")),
    Kind(
        "vod",
        "aiimagejob",
        "VOD AI image jobs",
        "pulumi_alicloud_ai.emulator.vod.states:AI_IMAGE_JOB",
        ("video_id", "template_id"),
    ),
    Kind(
        "vod", "aijob", "VOD AI jobs", "pulumi_alicloud_ai.emulator.vod.states:AI_JOB", ("video_id", "type")
    ),
    Kind(
        "vod",
        "aiauditjob",
        "VOD review jobs",
        "pulumi_alicloud_ai.emulator.vod.states:AI_AUDIT_JOB",
        ("video_id", "type", "template_id"),
    ),
    Kind(
        "ros",
        "ai_task",
        "ROS AI tasks",
        "pulumi_alicloud_ai.emulator.ros.states:AI_TASK",
        ("TaskType", "TemplateType", "Prompt"),
    ),
)


def _lifecycle(kind: Kind) -> Lifecycle | None:
    if kind.lifecycle_module is None:
        return None
    module_name, _, attribute = kind.lifecycle_module.partition(":")
    try:
        table = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None
    return table if isinstance(table, Lifecycle) else None


# --- masking ----------------------------------------------------------------------------------------


def is_secret_key(key: str) -> bool:
    """Whether a field of this name holds a secret."""
    return key.lower() not in _NOT_SECRET and bool(_SECRET_KEY.search(key))


def mask_text(text: str) -> str:
    """A string with secret-looking URL parameters masked, cut to :data:`MAX_TEXT` characters."""
    masked = _URL_SECRET.sub(lambda found: found.group(1) + MASK, text)
    return masked if len(masked) <= MAX_TEXT else masked[: MAX_TEXT - 1] + "…"


def mask(value: Any, depth: int = 0) -> Any:
    """A copy of a JSON value safe to show, cut below :data:`MAX_DEPTH` levels."""
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return f"… (nested deeper than {MAX_DEPTH} levels)"
    if isinstance(value, dict):
        return {
            str(key): MASK if is_secret_key(str(key)) and item not in (None, "") else mask(item, depth + 1)
            for key, item in value.items()
            if key != FAULT_KEY
        }
    if isinstance(value, list):
        return [mask(item, depth + 1) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


# --- projection -------------------------------------------------------------------------------------


def project(
    lifecycle: Lifecycle | None, entity: Entity, now: float, scale: float
) -> tuple[str, float, list[Event]]:
    """``(status, since, events not yet written)`` as the next read would find them; ``GONE`` when due."""
    status, since = entity.status, entity.status_since
    pending: list[Event] = []
    if lifecycle is None:
        return status, since, pending
    fault = entity.data.get(FAULT_KEY)
    while (step := lifecycle.steps.get(status)) is not None:
        due = since + step.after * scale
        if due > now or lifecycle.held(status, entity.data):
            break
        target = lifecycle.on_fault.get(status, step.to) if fault else step.to
        if fault and target != step.to:
            pending.append(
                Event(due, "Warning", str(fault.get("reason", "Failed")), str(fault.get("message", "")))
            )
            fault = None
        else:
            pending.append(Event(due, "Normal", step.reason, f"status changed to {target}"))
        status, since = target, due
        if target == GONE:
            break
    return status, since, pending


def next_step(lifecycle: Lifecycle | None, status: str, since: float, scale: float) -> dict[str, Any] | None:
    """The timed step still ahead: ``{"to": state, "at": time}``."""
    if lifecycle is None:
        return None
    step = lifecycle.steps.get(status)
    return None if step is None else {"to": step.to, "at": since + step.after * scale}


def origin_view(urn: str) -> dict[str, str] | None:
    """Which Pulumi stack and resource made an entity, from the URN its creating call carried
    (``urn:pulumi:STACK::PROJECT::TYPE::NAME``; a component child's type is ``PARENT$TYPE``)."""
    parts = urn.removeprefix("urn:pulumi:").split("::")
    if not urn.startswith("urn:pulumi:") or len(parts) < 4:
        return None
    return {
        "urn": urn,
        "stack": parts[0],
        "project": parts[1],
        "type": parts[2].split("$")[-1],
        "resource": "::".join(parts[3:]),
    }


# --- the snapshot -----------------------------------------------------------------------------------


def _event(event: Event) -> dict[str, Any]:
    return {
        "time": event.time,
        "type": event.type,
        "reason": event.reason,
        "message": mask_text(event.message),
    }


def entity_view(
    state: EmulatorState,
    kind: Kind,
    lifecycle: Lifecycle | None,
    entity: Entity,
    records: list[RequestRecord],
) -> dict[str, Any]:
    """One entity as the page shows it."""
    clock = state.clock
    status, since, pending = project(lifecycle, entity, clock.now(), clock.time_scale)
    events = [_event(event) for event in state.store.events(entity.product, entity.kind, entity.id)]
    events += [_event(event) for event in pending]
    names = (entity.id, entity.name) if kind.match_by_name else (entity.id,)
    requests = [record.as_json() for record in records if record.touches(entity.product, *names)]
    return {
        "id": entity.id,
        "name": entity.name,
        "region": entity.region,
        "status": "Deleted" if status == GONE else status,
        "since": since,
        "next": next_step(lifecycle, status, since, clock.time_scale) if status != GONE else None,
        "created": entity.created_at,
        "origin": origin_view(origin_of(state.store, entity.product, entity.region, *names)),
        "summary": {key: mask(entity.data.get(key)) for key in kind.summary if key in entity.data},
        "events": events[-MAX_EVENTS:],
        "requests": requests[-MAX_REQUESTS_PER_ENTITY:],
        # Keys starting with "_" are the emulator's own bookkeeping (cached texts, pending faults).
        "details": mask({key: value for key, value in entity.data.items() if not key.startswith("_")}),
    }


def snapshot(state: EmulatorState) -> dict[str, Any]:
    """Everything the page shows, secrets masked: the JSON feed, and what the HTML is rendered from."""
    clock = state.clock
    records = state.request_records()
    groups = []
    for kind in KINDS:
        lifecycle = _lifecycle(kind)
        entities = state.store.newest(kind.product, kind.kind, MAX_ENTITIES)
        groups.append(
            {
                "key": f"{kind.product}-{kind.kind}",
                "title": kind.title,
                "product": kind.product,
                "kind": kind.kind,
                "entities": [
                    entity_view(state, kind, lifecycle, entity, records) for entity in reversed(entities)
                ],
            }
        )
    recent = records[-RECENT_REQUESTS:]
    return {
        "emulator": {
            "version": __version__,
            "region": state.config.region,
            "now": clock.now(),
            "offset": clock.offset,
            "timeScale": clock.time_scale,
            "requestsSeen": len(state.requests),
            "recording": str(state.recorder.path) if state.recorder is not None else None,
        },
        "faults": [mask(rule.model_dump(exclude_none=True)) for rule in state.faults.rules],
        "groups": groups,
        "requests": [record.as_json() for record in reversed(recent)],
    }
