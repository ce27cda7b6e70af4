"""The emulator's six-field cron: parsing and the last firing at or before a moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulumi_alicloud_ai.emulator.eas.cron import Cron, CronError


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("schedule", "now", "fired"),
    [
        ("0 18 * * * *", "2026-11-30 10:20:00", "2026-11-30 10:18:00"),
        ("0 18 * * * *", "2026-11-30 10:17:59", "2026-11-30 09:18:00"),
        ("0 0 8 * * *", "2026-11-30 07:00:00", "2026-11-29 08:00:00"),
        ("0 0 8 * * MON-FRI", "2026-11-30 07:00:00", "2026-11-27 08:00:00"),  # Monday 07:00 -> Friday
        ("0 0 */6 * * *", "2026-11-30 13:00:00", "2026-11-30 12:00:00"),
        ("30 15 10 1 JAN *", "2026-11-30 00:00:00", "2026-01-01 10:15:30"),
        ("0 0 9,17 * * *", "2026-11-30 16:59:59", "2026-11-30 09:00:00"),
    ],
)
def test_last_fire(schedule: str, now: str, fired: str) -> None:
    """The latest matching second at or before now (UTC; weekday 0 is Sunday)."""
    assert Cron.parse(schedule).last_fire(_at(now), since=0) == _at(fired)


def test_last_fire_skips_excluded_moments() -> None:
    """An exclusion that matches a firing removes it; the one before counts."""
    weekends = (Cron.parse("* * * * * 0,6"),)
    # Sunday 2026-11-29 and Saturday 2026-11-28 are excluded: Friday's firing is the last.
    assert Cron.parse("0 0 8 * * *").last_fire(_at("2026-11-29 12:00:00"), 0, weekends) == _at(
        "2026-11-27 08:00:00"
    )


def test_last_fire_before_since_is_none() -> None:
    """A schedule that has not fired since the scaler was set has no last firing."""
    since = _at("2026-11-30 08:30:00")
    assert Cron.parse("0 0 8 * * *").last_fire(_at("2026-11-30 09:00:00"), since) is None
    assert Cron.parse("0 0 9 * * *").last_fire(_at("2026-11-30 09:00:00"), since) == _at(
        "2026-11-30 09:00:00"
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("0 18 * * *", "6"),
        ("61 * * * * *", "second"),
        ("0 0 24 * * *", "hour"),
        ("0 0 0 0 * *", "day"),
        ("0 0 0 1 FOO *", "month"),
        ("0 0 0 * * 5-2", "weekday"),
    ],
)
def test_bad_expressions_name_the_field(text: str, named: str) -> None:
    """A bad expression is refused with the field (or the field count) in the message."""
    with pytest.raises(CronError, match=named):
        Cron.parse(text)
