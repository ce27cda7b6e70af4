"""Client-side rate adaptation: slow down when the service throttles, speed up while it does not.

Retrying alone makes callers that share one quota (four stacks deploying at once) collide again and
again; backing off exponentially then leaves the quota idle. A token bucket whose rate follows CUBIC
(TCP's congestion control, and botocore's ``adaptive`` retry mode) converges on the share of the quota
each caller can use, and takes up the share of a caller that has finished. The rules (bench/scale.py
measures them; tests/unit/test_ratelimit.py pins them):

* Until the first throttle the limiter does not limit: a caller alone never waits for it.
* **Multiplicative decrease, once per congestion event.** A throttle remembers the rate in use as
  ``w_max`` (before any rate is set: what the service accepted from this process over the last
  ``window`` seconds) and drops the rate to ``beta * w_max``. Throttles of requests sent before that
  decrease belong to the same event and change nothing: otherwise the four requests a host has in
  flight would cut its rate four times over (0.7⁴ ≈ 0.24).
* After a decrease the bucket starts empty, so the next request waits one interval.
* **Growth along the CUBIC curve** ``rate(t) = c * (t - k)³ + w_max`` with ``t`` the seconds since the
  decrease and ``k = cbrt(w_max * (1 - beta) / c)``: back to ``w_max`` quickly (concave), flat around it,
  then faster and faster (convex) when the quota has room again, e.g. because another stack finished.
  The rate grows only while it is used: never beyond twice what the service accepted over the last
  ``window``.
* ``record(throttled=True, retry_after=s)`` (the server's ``x-acs-retry-after``, if the transport passes
  it) also holds this process's sends back for ``s`` seconds.

A limiter is shared by every client of one process that talks to one endpoint (:func:`shared_limiter`),
since the quota belongs to the account and API, not to one client object. It tells which request a
response belongs to by thread: the transport calls :meth:`acquire`, sends, and calls :meth:`record` on
one thread, so the send time is kept thread-locally between the two.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

_EPSILON = 1e-6


class AdaptiveRateLimiter:
    """A thread-safe token bucket whose fill rate follows the service's throttling signals."""

    def __init__(
        self,
        *,
        beta: float = 0.7,
        scale: float = 0.4,
        min_rate: float = 0.5,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``beta``: the share of the rate kept after a throttle; ``scale``: CUBIC's ``c`` (requests/s per
        s³); ``min_rate``: the floor (requests/s); ``window``: seconds over which accepted requests count."""
        self.beta = beta
        self.scale = scale
        self.min_rate = min_rate
        self.window = window
        self.rate: float | None = None  # None: no throttle seen yet, send freely
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._local = threading.local()
        self._tokens = 0.0
        self._last_refill = clock()
        self._w_max = 0.0
        self._k = 0.0
        self._last_decrease: float | None = None
        self._accepted: deque[float] = deque()  # when answers that were not throttles came back

    def acquire(self) -> None:
        """Block until a request may be sent under the current rate."""
        while True:
            with self._lock:
                now = self._clock()
                if self.rate is None:
                    self._local.sent_at = now
                    return
                self._refill(now)
                if self._tokens >= 1.0 - _EPSILON:  # a sleep's rounding must not cost another sleep
                    self._tokens -= 1.0
                    self._local.sent_at = now
                    return
                wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)

    def record(self, *, throttled: bool, retry_after: float | None = None) -> None:
        """Adjust the rate after an answer: decrease on a throttle, grow along the curve otherwise.

        Call it on the thread that called :meth:`acquire` for the request. ``retry_after`` (seconds, from
        a throttling answer) additionally holds every send of this process back for that long.
        """
        with self._lock:
            now = self._clock()
            self._trim(now)
            if not throttled:
                self._accepted.append(now)
                if self.rate is not None and self._last_decrease is not None:
                    self._grow(now)
                return
            sent_at = getattr(self._local, "sent_at", None)
            if self._last_decrease is None or sent_at is None or sent_at >= self._last_decrease:
                self._decrease(now)
            if retry_after and retry_after > 0:
                assert self.rate is not None
                self._refill(now)
                self._tokens = min(self._tokens, 0.0) - retry_after * self.rate

    def _decrease(self, now: float) -> None:
        self._w_max = len(self._accepted) / self.window if self.rate is None else self.rate
        self._w_max = max(self._w_max, self.min_rate)
        self._k = (self._w_max * (1.0 - self.beta) / self.scale) ** (1.0 / 3.0)
        self.rate = max(self.min_rate, self._w_max * self.beta)
        self._last_refill = now
        self._tokens = 0.0
        self._last_decrease = now

    def _grow(self, now: float) -> None:
        assert self.rate is not None
        assert self._last_decrease is not None
        t = now - self._last_decrease - self._k
        target = self.scale * t * t * t + self._w_max
        in_use = 2.0 * len(self._accepted) / self.window
        if target > self.rate:
            self._refill(now)
            self.rate = max(self.rate, min(target, in_use))

    def _refill(self, now: float) -> None:
        assert self.rate is not None
        capacity = max(1.0, self.rate)
        self._tokens = min(capacity, self._tokens + (now - self._last_refill) * self.rate)
        self._last_refill = now

    def _trim(self, now: float) -> None:
        horizon = now - self.window
        accepted = self._accepted
        while accepted and accepted[0] <= horizon:
            accepted.popleft()


_SHARED: dict[str, AdaptiveRateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(key: str) -> AdaptiveRateLimiter:
    """The process-wide limiter for ``key`` (an endpoint host), created on first use."""
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = AdaptiveRateLimiter()
        return limiter
