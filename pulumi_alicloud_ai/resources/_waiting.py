"""How providers pace every wait: the one poller's cadence, its clock, and cleanup that insists.

The first poll comes at once, the next ``ALICLOUD_AI_POLL_INTERVAL`` seconds later (default 2),
doubling up to 30 s between polls. A lower interval suits the embedded emulator.

With ``ALICLOUD_AI_WAIT_CLOCK=emulator`` (only against an emulator) waits run on the emulator's
clock: the poller reads the emulator's time and, where it would sleep, moves that clock forward by the
same delay. A 30-minute wait then takes exactly the polls it takes in real time, and no real time:
tests and demos use it to run lifecycles at their real length.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import httpx

from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.waiter import Backoff
from pulumi_alicloud_ai.resources._inputs import parse_duration

DEFAULT_INTERVAL = 2.0
MAX_INTERVAL = 30.0
CLEANUP_WINDOW = 60.0
"""How long cleanup (undoing half a create) keeps trying, at most."""
CLEANUP_ATTEMPTS = 5
INTERVAL_ENV = "ALICLOUD_AI_POLL_INTERVAL"
WAIT_CLOCK_ENV = "ALICLOUD_AI_WAIT_CLOCK"

T = TypeVar("T")


class WaitClockError(AlibabaCloudError):
    """``ALICLOUD_AI_WAIT_CLOCK`` cannot be honoured (unknown value, or not an emulator)."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidWaitClock", message)


class EmulatorClock:
    """The emulator's clock through its admin API: read it, and advance it instead of sleeping."""

    def __init__(self, endpoint: str) -> None:
        self.url = endpoint.rstrip("/") + "/_emulator/clock"

    def now(self) -> float:
        """The emulator's time, in seconds."""
        return float(self._call("GET")["now"])

    def advance(self, seconds: float) -> None:
        """Move the emulator's time forward by ``seconds`` (where the poller would sleep)."""
        self._call("POST", {"seconds": seconds})

    def _call(self, method: str, body: dict[str, float] | None = None) -> dict[str, float]:
        try:
            response = httpx.request(method, self.url, json=body, timeout=10.0)
            response.raise_for_status()
            answer: dict[str, float] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WaitClockError(f"{WAIT_CLOCK_ENV}=emulator could not use {self.url}: {exc}") from None
        return answer


def interval() -> float:
    """Seconds before the second poll (``ALICLOUD_AI_POLL_INTERVAL``, kept within 1 ms and 30 s)."""
    try:
        base = parse_duration(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL), INTERVAL_ENV)
    except ValueError:  # not a duration (NaN, infinity, text): the default
        base = DEFAULT_INTERVAL
    return min(max(base, 0.001), MAX_INTERVAL)


def pacing(timeout: float, emulator: str | None) -> Backoff:
    """The cadence of one wait of at most ``timeout`` seconds; ``emulator`` is the emulator's URL
    when calls go to one (its clock may then drive the wait)."""
    base = interval()
    backoff = Backoff(timeout=timeout, base_delay=base, max_delay=max(base, MAX_INTERVAL))
    chosen = os.environ.get(WAIT_CLOCK_ENV, "").strip().lower()
    if chosen in ("", "real"):
        return backoff
    if chosen != "emulator":
        raise WaitClockError(f"{WAIT_CLOCK_ENV}={chosen!r} is not supported; allowed values: real, emulator")
    if emulator is None:
        raise WaitClockError(f"{WAIT_CLOCK_ENV}=emulator needs calls to go to an emulator, not Alibaba Cloud")
    clock = EmulatorClock(emulator)
    return Backoff(
        timeout=timeout,
        base_delay=backoff.base_delay,
        max_delay=backoff.max_delay,
        clock=clock.now,
        sleep=clock.advance,
    )


def persist(action: Callable[[], T], backoff: Backoff, attempts: int = CLEANUP_ATTEMPTS) -> T:
    """Run a cleanup step harder than an ordinary call: up to ``attempts`` rounds, each with the
    client's own retries, pausing between rounds as ``backoff`` paces. A leftover is worse than a
    slow failure. Raises the last error when every round failed."""
    delay = backoff.base_delay
    for _ in range(attempts - 1):
        try:
            return action()
        except AlibabaCloudError:
            backoff.sleep(delay)
            delay = min(delay * 2, backoff.max_delay)
    return action()
