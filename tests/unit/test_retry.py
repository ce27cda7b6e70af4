"""The retry policy: what is retried, how long it waits, and the ALICLOUD_AI_MAX_ATTEMPTS knob."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.client.errors import ServerError, ThrottlingError, TransportError
from pulumi_alicloud_ai.client.retry import MAX_ATTEMPTS_ENV, RetryPolicy, policy_from_env


def _throttled(retry_after: float | None = None) -> ThrottlingError:
    error = ThrottlingError("Throttling.User", "slow down", http_status=400)
    error.retry_after = retry_after
    return error


class TestRetrying:
    """The tenacity controller the transport runs each call under."""

    def _run(self, policy: RetryPolicy, errors: list[BaseException], *, idempotent: bool) -> int:
        calls = 0

        def call() -> str:
            nonlocal calls
            calls += 1
            if errors:
                raise errors.pop(0)
            return "ok"

        for attempt in policy.retrying(idempotent=idempotent):
            with attempt:
                call()
        return calls

    def test_waits_come_from_the_error_that_was_raised(self) -> None:
        """The server's retry-after hint of the failed attempt sets the wait before the next one."""
        waits: list[float] = []
        policy = RetryPolicy(sleep=waits.append, random=lambda: 0.5, max_delay=20.0)
        assert self._run(policy, [_throttled(3.0), _throttled(7.0)], idempotent=False) == 3
        assert waits == [3.0, 7.0]

    def test_a_5xx_is_retried_only_for_idempotent_calls(self) -> None:
        """A server error may mean the server acted: a create is not sent twice, a read is."""
        policy = RetryPolicy(sleep=lambda _: None, random=lambda: 0.0)
        assert self._run(policy, [ServerError("InternalError", "x", http_status=500)], idempotent=True) == 2
        with pytest.raises(ServerError):
            self._run(policy, [ServerError("InternalError", "x", http_status=500)], idempotent=False)

    def test_a_fresh_call_gets_every_attempt(self) -> None:
        """With no attempts made yet, a call that keeps being throttled is tried ``max_attempts`` times."""
        policy = RetryPolicy(max_attempts=4, sleep=lambda _: None, random=lambda: 0.0)
        errors: list[BaseException] = [_throttled() for _ in range(5)]
        with pytest.raises(ThrottlingError):
            self._run(policy, errors, idempotent=False)
        assert len(errors) == 1

    def test_attempts_already_made_count_against_the_limit(self) -> None:
        """``after=2`` of 3 attempts leaves one: the first failure is final."""
        policy = RetryPolicy(max_attempts=3, sleep=lambda _: None)
        failures: list[BaseException] = [_throttled(), _throttled()]

        def run() -> None:
            for attempt in policy.retrying(idempotent=True, after=2):
                with attempt:
                    raise failures.pop(0)

        with pytest.raises(ThrottlingError):
            run()
        assert len(failures) == 1

    def test_backoff_after_prior_attempts_grows_from_where_they_left_off(self) -> None:
        """The jitter ceiling of the first retry after ``after=2`` is that of attempt 3: 4 x base."""
        waits: list[float] = []
        policy = RetryPolicy(base_delay=1.0, sleep=waits.append, random=lambda: 1.0)
        failures: list[BaseException] = [TransportError("refused", maybe_sent=False)]
        for attempt in policy.retrying(idempotent=False, after=2):
            with attempt:
                if failures:
                    raise failures.pop(0)
        assert waits == [4.0]


class TestPolicyFromEnv:
    """``ALICLOUD_AI_MAX_ATTEMPTS``: 1 to 20, else a clear error; unset keeps the default."""

    @pytest.mark.parametrize("value", ["1", "20", " 7 "])
    def test_values_from_1_to_20_set_the_attempts(self, value: str) -> None:
        """The bounds themselves are allowed."""
        assert policy_from_env({MAX_ATTEMPTS_ENV: value}).max_attempts == int(value)

    @pytest.mark.parametrize("value", ["0", "21", "-1", "three", "2.5"])
    def test_other_values_are_refused_naming_the_variable(self, value: str) -> None:
        """Out of range or not a whole number: the error names the variable, the value and the range."""
        with pytest.raises(ValueError, match="not a whole number from 1 to 20") as refused:
            policy_from_env({MAX_ATTEMPTS_ENV: value})
        assert str(refused.value).startswith(f"{MAX_ATTEMPTS_ENV}={value!r}")

    def test_unset_or_empty_keeps_the_default(self) -> None:
        """No variable, or an empty one: six attempts."""
        assert policy_from_env({}).max_attempts == policy_from_env({MAX_ATTEMPTS_ENV: ""}).max_attempts == 6

    def test_the_process_environment_is_read_when_none_is_given(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without an explicit mapping, the process environment decides."""
        monkeypatch.setenv(MAX_ATTEMPTS_ENV, "2")
        assert policy_from_env().max_attempts == 2
