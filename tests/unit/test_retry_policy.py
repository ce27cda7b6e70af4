"""The retry policy: which errors are retried, and the ALICLOUD_AI_MAX_ATTEMPTS bounds."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.client.errors import (
    InvalidParameterError,
    ServerError,
    ThrottlingError,
    TransportError,
)
from pulumi_alicloud_ai.client.retry import RetryPolicy, policy_from_env


class TestMaxAttemptsFromEnvironment:
    """``ALICLOUD_AI_MAX_ATTEMPTS`` takes whole numbers from 1 to 20; anything else is refused."""

    @pytest.mark.parametrize("raw", ["1", "7", "20"])
    def test_values_within_bounds_are_used(self, raw: str) -> None:
        """1, a middle value and 20 become the policy's attempt count."""
        assert policy_from_env({"ALICLOUD_AI_MAX_ATTEMPTS": raw}).max_attempts == int(raw)

    @pytest.mark.parametrize("raw", ["0", "21", "-1", "three", "2.5"])
    def test_values_out_of_bounds_are_refused_naming_the_variable(self, raw: str) -> None:
        """0, 21, negatives and non-integers are an error naming the variable and the range."""
        with pytest.raises(
            ValueError, match=r"ALICLOUD_AI_MAX_ATTEMPTS=.* is not a whole number from 1 to 20"
        ):
            policy_from_env({"ALICLOUD_AI_MAX_ATTEMPTS": raw})

    @pytest.mark.parametrize("environ", [{}, {"ALICLOUD_AI_MAX_ATTEMPTS": ""}])
    def test_unset_means_the_default(self, environ: dict[str, str]) -> None:
        """Unset or empty keeps the default of 6 attempts."""
        assert policy_from_env(environ).max_attempts == RetryPolicy().max_attempts == 6


class TestRetryDecision:
    """Only transient failures are retried, and never one that may repeat a side effect."""

    @pytest.mark.parametrize(
        ("error", "idempotent", "retried"),
        [
            (ThrottlingError("Throttling.User", "slow down"), False, True),
            (ServerError("InternalError", "oops"), True, True),
            (ServerError("InternalError", "oops"), False, False),
            (TransportError("reset", maybe_sent=True), False, False),
            (TransportError("refused", maybe_sent=False), False, True),
            (TransportError("reset", maybe_sent=True), True, True),
            (InvalidParameterError("InvalidParameter", "bad"), True, False),
        ],
    )
    def test_decision(self, error: Exception, idempotent: bool, retried: bool) -> None:
        """A create that may have reached the server is never sent twice; reads are retried."""
        assert RetryPolicy().is_retryable(error, idempotent=idempotent) is retried
