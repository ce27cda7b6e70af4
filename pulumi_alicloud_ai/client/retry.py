"""When to try a call again, and how long to wait first.

The official SDK retries nothing by default (errors.md); this is our policy: throttling, 5xx and
transport failures are retried with exponential backoff and full jitter, ``Retry-After`` is honoured,
and the whole call is bounded in attempts and time. A call that is not idempotent is retried only when
the server certainly did not act on it (throttled, or the connection was never made), so a create is
never sent twice; callers look the resource up instead (see the resource providers).

``sleep`` and ``random`` are fields, so tests make retries instant and repeatable (stamina's habit).
"""

from __future__ import annotations

import os
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import tenacity

from pulumi_alicloud_ai.client.errors import (
    ServerError,
    ThrottlingError,
    TransportError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff parameters and the retry decision, shared by every call of one client."""

    max_attempts: int = 6
    max_elapsed: float = 90.0
    base_delay: float = 0.25
    max_delay: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    random: Callable[[], float] = field(default=_random.random, repr=False)

    def is_retryable(self, error: BaseException, *, idempotent: bool) -> bool:
        """True when ``error`` is transient and retrying cannot repeat a side effect."""
        if isinstance(error, ThrottlingError):
            return True  # the gateway refused the call before the service acted on it
        if isinstance(error, TransportError):
            return idempotent or not error.maybe_sent
        if isinstance(error, ServerError):
            return idempotent
        return False

    def backoff(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``: the server's hint, else full jitter."""
        hint = error.retry_after if isinstance(error, ThrottlingError) else None
        if hint is not None:
            return min(hint, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return float(self.random()) * ceiling

    def retrying(self, *, idempotent: bool, after: int = 0) -> tenacity.Retrying:
        """A tenacity controller for the attempts after the first ``after`` (already made and waited
        for); it re-raises the last error when it gives up."""

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.backoff(state.attempt_number + after, error)

        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts - after)
            | tenacity.stop_before_delay(self.max_elapsed),
            wait=wait,
            retry=tenacity.retry_if_exception(lambda exc: self.is_retryable(exc, idempotent=idempotent)),
            sleep=self.sleep,
            reraise=True,
        )


NO_RETRIES = RetryPolicy(max_attempts=1)
"""For tests and callers that handle failures themselves."""

MAX_ATTEMPTS_ENV = "ALICLOUD_AI_MAX_ATTEMPTS"


def policy_from_env(environ: Mapping[str, str] | None = None) -> RetryPolicy:
    """The default policy, with ``ALICLOUD_AI_MAX_ATTEMPTS`` (1-20) when set: CI jobs that would rather
    fail fast, or tests that want failures to surface."""
    raw = (os.environ if environ is None else environ).get(MAX_ATTEMPTS_ENV)
    if not raw:
        return RetryPolicy()
    try:
        attempts = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_ATTEMPTS_ENV}={raw!r} is not a whole number from 1 to 20") from None
    if not 1 <= attempts <= 20:
        raise ValueError(f"{MAX_ATTEMPTS_ENV}={raw!r} is not a whole number from 1 to 20")
    return RetryPolicy(max_attempts=attempts)
