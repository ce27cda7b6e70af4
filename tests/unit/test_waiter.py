"""Polling until final: how many polls, the timeout boundary, and what the timeout error says."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.client.waiter import Backoff, WaitTimeoutError, poll_until
from tests.fake_time import FakeTime


def _statuses(*values: str) -> list[str]:
    return list(values)


def test_counts_polls_and_doubles_the_delay_up_to_its_cap() -> None:
    """Four polls, three waits of 1, 2 and 2 s (capped), then the final value."""
    time = FakeTime()
    states = _statuses("Creating", "Creating", "Creating", "Running")
    seen: list[str] = []
    poll = poll_until(
        lambda: states.pop(0),
        lambda status: status == "Running",
        str,
        describe="service s",
        backoff=Backoff(timeout=60, base_delay=1, max_delay=2, clock=time.clock, sleep=time.sleep),
        on_poll=seen.append,
    )
    assert (poll.value, poll.polls) == ("Running", 4)
    assert time.slept == [1, 2, 2]
    assert seen == ["Creating", "Creating", "Creating", "Running"]


def test_gives_up_before_a_wait_would_pass_the_timeout() -> None:
    """With 3 s left and a 4 s delay next, it stops; a wait ending exactly at the timeout is taken."""
    time = FakeTime()
    with pytest.raises(WaitTimeoutError) as timed_out:
        poll_until(
            lambda: "Creating",
            lambda status: False,
            lambda status: f"<{status}>",
            describe="EAS service chat in cn-shanghai",
            backoff=Backoff(timeout=7, base_delay=1, max_delay=8, clock=time.clock, sleep=time.sleep),
            timeout_detail=lambda status: f"last seen {status}",
        )
    assert time.slept == [1, 2, 4]  # 1 + 2 + 4 = 7 = the timeout: the last wait still fits
    error = timed_out.value
    assert (error.code, error.resource, error.last_status, error.waited) == (
        "WaitTimeout",
        "EAS service chat in cn-shanghai",
        "<Creating>",
        7,
    )
    assert error.message == (
        "EAS service chat in cn-shanghai was still <Creating> after 7s; it may finish later: run the "
        "operation again (e.g. `pulumi up` or `pulumi refresh`) to pick it up. last seen Creating"
    )


def test_a_timeout_without_detail_ends_with_the_advice() -> None:
    """No ``timeout_detail``: the message ends at the advice, with nothing appended."""
    time = FakeTime()
    with pytest.raises(WaitTimeoutError) as timed_out:
        poll_until(
            lambda: "PENDING",
            lambda status: False,
            str,
            describe="task t",
            backoff=Backoff(timeout=0.5, base_delay=1, clock=time.clock, sleep=time.sleep),
        )
    assert timed_out.value.message.endswith("to pick it up.")
    assert time.slept == []


def test_a_timeout_error_made_without_detail_adds_nothing() -> None:
    """``WaitTimeoutError`` built directly (as providers do) ends its message at the advice."""
    error = WaitTimeoutError("AI task t", "RUNNING", 61.4)
    assert error.message == (
        "AI task t was still RUNNING after 61s; it may finish later: run the operation again "
        "(e.g. `pulumi up` or `pulumi refresh`) to pick it up."
    )
