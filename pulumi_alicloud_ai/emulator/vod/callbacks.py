"""Completion events: POSTed to ``UserData.MessageCallback.CallbackURL`` once an AI image job is final.

The event mirrors VOD's AI completion events (the SDK is silent on the payload)::

    {"EventType": "AIImageComplete", "EventTime": "2024-05-01T08:00:12Z", "JobId": "…", "VideoId": "…",
     "Status": "success" | "fail", "Code": "", "Message": "", "AIImageResult": "https://…/result.json",
     "Extend": <UserData.Extend, only when it was given>}

``EventTime`` is when the job became final; ``Code``/``Message`` are empty on success and
``AIImageResult`` empty on failure. The body is compact JSON with ``Content-Type: application/json``.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.store import Event
from pulumi_alicloud_ai.emulator.vod.models import CALLBACK, PRODUCT, Vod
from pulumi_alicloud_ai.emulator.vod.states import AI_IMAGE_JOB, FINAL, SUCCESS

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState
    from pulumi_alicloud_ai.emulator.store import Entity

log = logging.getLogger("pulumi_alicloud_ai.emulator.vod")

EVENT_TYPE = "AIImageComplete"
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
    url: str
    event: dict[str, Any]


def completion_event(job: Entity) -> dict[str, Any]:
    """The event for a final job."""
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
    extend = job.data["callback"].get("extend")
    if extend is not None:
        event["Extend"] = extend
    return event


def retry_delay(attempts: int) -> float:
    """Seconds (before time scaling) to wait after ``attempts`` failed attempts."""
    return float(min(MAX_DELAY, BASE_DELAY * 2 ** (attempts - 1)))


def due_deliveries(state: EmulatorState) -> list[Delivery]:
    """Jobs that are final and whose next attempt is due, settling each through the lifecycle."""
    now = state.clock.now()
    due: list[Delivery] = []
    with state.store.transaction():
        for pending in state.store.list_entities(PRODUCT, CALLBACK):
            job = Vod(state, pending.region).load_job(pending.id)
            callback = job.data.get("callback") if job is not None else None
            if job is None or not callback or callback["delivered"] or callback["gave_up"]:
                state.store.delete(PRODUCT, CALLBACK, pending.id)
                continue
            if job.status not in FINAL or (callback["next_at"] is not None and callback["next_at"] > now):
                continue
            due.append(Delivery(job.id, callback["url"], completion_event(job)))
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
        job = state.store.get(PRODUCT, AI_IMAGE_JOB.kind, delivery.job_id)
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
