"""Completion events: POSTed to ``UserData.MessageCallback.CallbackURL`` once an AI job is final.

Each job kind builds its own event (:data:`KINDS`). An AI image job (SubmitAIImageJob) sends::

    {"EventType": "AIImageComplete", "EventTime": "2024-05-01T08:00:12Z", "JobId": "…", "VideoId": "…",
     "Status": "success" | "fail", "Code": "", "Message": "", "AIImageResult": "https://…/result.json",
     "Extend": <UserData.Extend, only when it was given>}

with ``Code``/``Message`` empty on success and ``AIImageResult`` empty on failure (the SDK is silent on
this payload). SubmitAIJob's and SubmitAIMediaAuditJob's jobs send the events of VOD's event reference,
``AIVideoTagComplete``, ``AIMediaDNAComplete`` and ``AIMediaAuditComplete`` (:data:`AI_EVENT_TYPES`)::

    {"EventType": "AIVideoTagComplete", "EventTime": "…", "JobId": "…", "MediaId": "…",
     "Status": "success", "Data": "<the result as JSON text>", "Extend": <as above>}

where a ``fail`` has ``Code`` and ``Message`` and an empty ``Data``, and ``AIMediaDNAComplete`` also
has ``CompleteTime``. ``EventTime`` is when the job became final. The body is compact JSON with
``Content-Type: application/json``.

Delivery is at least once: an answer other than 2xx, a connection error or a timeout counts as a
failed attempt, retried after ``1 s · 2^(attempt-1)`` (at most 60 s, scaled by ``--time-scale``) of
emulated time, so advancing the clock through the admin API brings a retry forward. After
:data:`MAX_ATTEMPTS` the emulator gives up. Attempts, next try, and the outcome live in the job's
entity data (``callback``), so a restarted emulator carries on where it stopped; each attempt is also
an event in the job's history.

:func:`deliver_callbacks` is a ``BACKGROUND_TASKS`` coroutine: it is the server's scheduler, waking every
:data:`WAKE_SECONDS` of wall time. It reads and writes the store only between awaits, in short
transactions of its own, because request handlers share the store on the same event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.store import Event
from pulumi_alicloud_ai.emulator.vod.ai_jobs import MEDIA_AUDIT, ai_job_wire
from pulumi_alicloud_ai.emulator.vod.models import CALLBACK, PRODUCT, Vod
from pulumi_alicloud_ai.emulator.vod.states import AI_AUDIT_JOB, AI_IMAGE_JOB, AI_JOB, FINAL, SUCCESS

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.lifecycle import Lifecycle
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState
    from pulumi_alicloud_ai.emulator.store import Entity

log = logging.getLogger("pulumi_alicloud_ai.emulator.vod")

EVENT_TYPE = "AIImageComplete"
AI_EVENT_TYPES = {
    "AIVideoTag": "AIVideoTagComplete",
    "AIMediaDNA": "AIMediaDNAComplete",
    MEDIA_AUDIT: "AIMediaAuditComplete",
}
"""The event of each SubmitAIJob and SubmitAIMediaAuditJob job type, as VOD's event reference names it."""
MAX_ATTEMPTS = 5
BASE_DELAY = 1.0
MAX_DELAY = 60.0
WAKE_SECONDS = 0.1
ATTEMPT_TIMEOUT = 5.0
BATCH = 32
"""At most this many deliveries per wake, sent concurrently."""


@dataclass(frozen=True)
class Delivery:
    """One attempt to make: where, and what."""

    job_id: str
    kind: str
    """The job's lifecycle kind, where its delivery state is stored."""
    url: str
    event: dict[str, Any]


def completion_event(job: Entity) -> dict[str, Any]:
    """The event for a final AI image job."""
    failure = job.data.get("failure") or {}
    event: dict[str, Any] = {
        "EventType": EVENT_TYPE,
        "EventTime": iso_utc(job.status_since),
        "JobId": job.id,
        "VideoId": job.data["video_id"],
        "Status": job.status,
        "Code": failure.get("code", "") if job.status != SUCCESS else "",
        "Message": failure.get("message", "") if job.status != SUCCESS else "",
        "AIImageResult": job.data["result"]["url"] if job.status == SUCCESS else "",
    }
    return _with_extend(event, job)


def ai_job_event(job: Entity) -> dict[str, Any]:
    """The event for a final tagging, fingerprint or media review job: its ``Data`` is the result as
    JSON text (the reference types it String); ``Code`` and ``Message`` come only with ``fail``."""
    wire = ai_job_wire(job)
    event: dict[str, Any] = {
        "EventType": AI_EVENT_TYPES[job.data["type"]],
        "EventTime": iso_utc(job.status_since),
        "JobId": job.id,
        "MediaId": job.data["video_id"],
        "Status": job.status,
    }
    if job.status != SUCCESS:
        event["Code"], event["Message"] = wire["Code"], wire["Message"]
    event["Data"] = wire["Data"]
    if job.data["type"] == "AIMediaDNA":
        event["CompleteTime"] = wire["CompleteTime"]  # only the fingerprint event's reference lists it
    return _with_extend(event, job)


def _with_extend(event: dict[str, Any], job: Entity) -> dict[str, Any]:
    extend = job.data["callback"].get("extend")
    if extend is not None:
        event["Extend"] = extend
    return event


@dataclass(frozen=True)
class JobKind:
    """A kind of job that calls back: its lifecycle and how its event is built."""

    lifecycle: Lifecycle
    event: Callable[[Entity], dict[str, Any]]


KINDS = {
    kind.lifecycle.kind: kind
    for kind in (
        JobKind(AI_IMAGE_JOB, completion_event),
        JobKind(AI_JOB, ai_job_event),
        JobKind(AI_AUDIT_JOB, ai_job_event),
    )
}
"""Every job kind that can owe a completion event, by lifecycle kind (the ``CALLBACK`` entries' ``kind``)."""


def retry_delay(attempts: int) -> float:
    """Seconds (before time scaling) to wait after ``attempts`` failed attempts."""
    return float(min(MAX_DELAY, BASE_DELAY * 2 ** (attempts - 1)))


def due_deliveries(state: EmulatorState) -> list[Delivery]:
    """Jobs that are final and whose next attempt is due, settling each through the lifecycle."""
    now = state.clock.now()
    due: list[Delivery] = []
    with state.store.transaction():
        for pending in state.store.list_entities(PRODUCT, CALLBACK):
            kind = KINDS.get(pending.data.get("kind", AI_IMAGE_JOB.kind))
            job = None if kind is None else Vod(state, pending.region).load_job(pending.id, kind.lifecycle)
            callback = job.data.get("callback") if job is not None else None
            if kind is None or job is None or not callback or callback["delivered"] or callback["gave_up"]:
                state.store.delete(PRODUCT, CALLBACK, pending.id)
                continue
            if job.status not in FINAL or (callback["next_at"] is not None and callback["next_at"] > now):
                continue
            due.append(Delivery(job.id, job.kind, callback["url"], kind.event(job)))
            if len(due) == BATCH:
                break
    return due


async def attempt(client: httpx.AsyncClient, delivery: Delivery) -> str | None:
    """POST one event; None on a 2xx answer, else why it failed."""
    try:
        response = await client.post(delivery.url, json=delivery.event, timeout=ATTEMPT_TIMEOUT)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


def record(state: EmulatorState, delivery: Delivery, failure: str | None) -> None:
    """Store an attempt's outcome in the job, and schedule the next one or stop."""
    with state.store.transaction():
        job = state.store.get(PRODUCT, delivery.kind, delivery.job_id)
        if job is None or not job.data.get("callback"):
            state.store.delete(PRODUCT, CALLBACK, delivery.job_id)
            return
        callback = job.data["callback"]
        callback["attempts"] += 1
        callback["last_error"] = failure
        now = state.clock.now()
        if failure is None:
            callback["delivered"] = True
            reason, message = "CallbackDelivered", f"completion event delivered to {delivery.url}"
        elif callback["attempts"] >= MAX_ATTEMPTS:
            callback["gave_up"] = True
            reason = "CallbackAbandoned"
            message = f"gave up on {delivery.url} after {callback['attempts']} attempts: {failure}"
        else:
            callback["next_at"] = now + state.clock.scaled(retry_delay(callback["attempts"]))
            reason = "CallbackFailed"
            message = f"attempt {callback['attempts']} to {delivery.url} failed: {failure}"
        if callback["delivered"] or callback["gave_up"]:
            state.store.delete(PRODUCT, CALLBACK, delivery.job_id)
        state.store.put(job)
        state.store.add_event(job, Event(now, "Normal" if failure is None else "Warning", reason, message))


async def deliver_due(state: EmulatorState, client: httpx.AsyncClient) -> int:
    """One round: send every due event concurrently and record the outcomes; returns how many were sent."""
    deliveries = due_deliveries(state)
    if not deliveries:
        return 0
    outcomes = await asyncio.gather(*(attempt(client, delivery) for delivery in deliveries))
    for delivery, failure in zip(deliveries, outcomes, strict=True):
        record(state, delivery, failure)
    return len(deliveries)


async def deliver_callbacks(state: EmulatorState) -> None:
    """Run for the server's lifetime, delivering completion events as they fall due."""
    async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
        while True:
            try:
                await deliver_due(state, client)
            except Exception:
                log.exception("delivering VOD completion events failed; retrying at the next wake")
            await asyncio.sleep(WAKE_SECONDS)
