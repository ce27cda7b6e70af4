"""How providers pace their polling while they wait for a resource to settle.

The first poll comes ``ALICLOUD_AI_POLL_INTERVAL`` seconds (default 2) after the call, doubling up to
30 s between polls. A lower interval suits the embedded emulator, whose lifecycles run faster.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.waiter import Backoff
from pulumi_alicloud_ai.resources._provider import parse_duration

DEFAULT_INTERVAL = 2.0
MAX_INTERVAL = 30.0


def poll_backoff(timeout: float) -> Backoff:
    """The backoff for one wait of at most ``timeout`` seconds."""
    try:
        base = parse_duration(os.environ.get("ALICLOUD_AI_POLL_INTERVAL", DEFAULT_INTERVAL), "")
    except ValueError:  # not a duration (NaN, infinity, text): the default
        base = DEFAULT_INTERVAL
    base = min(max(base, 0.001), MAX_INTERVAL)
    return Backoff(timeout=timeout, base_delay=base, max_delay=max(base, MAX_INTERVAL))


T = TypeVar("T")
CLEANUP_ATTEMPTS = 5


def persist(action: Callable[[], T], attempts: int = CLEANUP_ATTEMPTS) -> T:
    """Run a cleanup step (undoing half a create) harder than an ordinary call: up to ``attempts``
    rounds, each with the client's own retries, pausing between rounds. A leftover is worse than a
    slow failure. Raises the last error when every round failed."""
    backoff = poll_backoff(60.0)
    delay = backoff.base_delay
    for round_ in range(attempts):
        try:
            return action()
        except AlibabaCloudError:
            if round_ == attempts - 1:
                raise
            backoff.sleep(delay)
            delay = min(delay * 2, backoff.max_delay)
    raise AssertionError("unreachable")  # pragma: no cover
