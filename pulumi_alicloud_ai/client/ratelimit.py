"""Client-side rate adaptation: slow down when the service throttles, speed up while it does not.

Retrying alone makes callers that share one quota (four stacks deploying at once) collide again and
again; backing off exponentially then leaves the quota idle. An AIMD token bucket, as in botocore's
``adaptive`` retry mode, converges on the share of the quota each caller can use: on a throttle the
rate drops to ``beta`` times what was being sent, and each success adds a little back.

A limiter is shared by every client of one process that talks to one endpoint (:func:`shared_limiter`),
since the quota belongs to the account and API, not to one client object.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class AdaptiveRateLimiter:
    """A thread-safe token bucket whose fill rate follows the service's throttling signals."""

    def __init__(
        self,
        *,
        beta: float = 0.7,
        increase: float = 0.05,
        min_rate: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.beta = beta
        self.increase = increase
        self.min_rate = min_rate
        self.rate: float | None = None  # None: no throttle seen yet, send freely
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = 0.0
        self._last_refill = clock()
        self._sent: deque[float] = deque()

    def acquire(self) -> None:
        """Block until a request may be sent under the current rate."""
        while True:
            with self._lock:
                now = self._clock()
                self._sent.append(now)
                if self.rate is None:
                    return
                self._refill(now)
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                self._sent.pop()
                wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)

    def record(self, *, throttled: bool) -> None:
        """Adjust the rate after a response: multiplicative decrease, additive increase."""
        with self._lock:
            now = self._clock()
            if throttled:
                measured = self._measured_rate(now)
                current = measured if self.rate is None else min(self.rate, max(measured, self.min_rate))
                self.rate = max(self.min_rate, current * self.beta)
                self._tokens = min(self._tokens, 1.0)
            elif self.rate is not None:
                # Grow by a share of sqrt(rate): quick recovery from a low rate, gentle near the limit.
                self.rate += self.increase * max(1.0, self.rate) ** 0.5

    def _refill(self, now: float) -> None:
        assert self.rate is not None
        capacity = max(1.0, self.rate)
        self._tokens = min(capacity, self._tokens + (now - self._last_refill) * self.rate)
        self._last_refill = now

    def _measured_rate(self, now: float) -> float:
        while self._sent and now - self._sent[0] > 1.0:
            self._sent.popleft()
        return max(float(len(self._sent)), self.min_rate)


_SHARED: dict[str, AdaptiveRateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(key: str) -> AdaptiveRateLimiter:
    """The process-wide limiter for ``key`` (an endpoint host), created on first use."""
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = AdaptiveRateLimiter()
        return limiter
