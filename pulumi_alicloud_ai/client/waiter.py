"""Wait for an asynchronous resource to settle by polling with capped exponential backoff.

Intervals double from ``base_delay`` up to ``max_delay``, so a wait of ``T`` seconds costs about
``log2(T / base_delay)`` polls while the wait is short, and one poll per ``max_delay`` after that.
``clock`` and ``sleep`` are parameters: tests drive the emulator's clock instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pulumi_alicloud_ai.client.errors import AlibabaCloudError

T = TypeVar("T")


class WaitTimeoutError(AlibabaCloudError):
    """The resource did not reach a final state in time.

    :ivar resource: what was waited for, e.g. ``EAS service my_llm in cn-shanghai``.
    :ivar last_status: the status at the last poll.
    :ivar waited: seconds between the first poll and the last.
    """

    def __init__(
        self, resource: str, last_status: str, waited: float, detail: str = "", *, advice: str = ""
    ) -> None:
        self.resource = resource
        self.last_status = last_status
        self.waited = waited
        advice = advice or DEFAULT_ADVICE
        tail = f" {detail}" if detail else ""
        super().__init__(
            "WaitTimeout", f"{resource} was still {last_status} after {waited:.0f}s; {advice}.{tail}"
        )


DEFAULT_ADVICE = (
    "it may finish later: run the operation again (e.g. `pulumi up` or `pulumi refresh`) to pick it up"
)


@dataclass(frozen=True)
class Backoff:
    """Polling cadence and limits."""

    timeout: float = 1800.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


@dataclass
class Poll(Generic[T]):
    """The outcome of :func:`poll_until`: the final value and how many polls it took."""

    value: T
    polls: int


def poll_until(
    fetch: Callable[[], T],
    is_final: Callable[[T], bool],
    status_of: Callable[[T], str],
    *,
    describe: str,
    backoff: Backoff,
    on_poll: Callable[[T], None] | None = None,
    timeout_detail: Callable[[T], str] | None = None,
    advice: str = "",
) -> Poll[T]:
    """Call ``fetch`` until ``is_final`` holds; past the timeout raise :class:`WaitTimeoutError` with
    ``advice`` (what to do next) and ``timeout_detail`` of the last value."""
    started = backoff.clock()
    delay = backoff.base_delay
    polls = 0
    while True:
        value = fetch()
        polls += 1
        if on_poll is not None:
            on_poll(value)
        if is_final(value):
            return Poll(value, polls)
        waited = backoff.clock() - started
        if waited + delay > backoff.timeout:
            detail = timeout_detail(value) if timeout_detail else ""
            raise WaitTimeoutError(describe, status_of(value), waited, detail, advice=advice)
        backoff.sleep(delay)
        delay = min(delay * 2, backoff.max_delay)
