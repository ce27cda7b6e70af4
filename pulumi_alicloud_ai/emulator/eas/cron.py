"""EAS cron expressions: six fields (second minute hour day month weekday), read in UTC.

The API reference gives the syntax (``0 18 * * * *``; ``* / , -``; month names JAN-DEC, weekday names
SUN-SAT, 0 = Sunday) and uses the same syntax for ``ExcludeDates``. The emulator needs one question
answered: when did a schedule last fire at or before a moment, skipping instants an exclusion matches.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_FIELDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 0, 6),
)
_NAMES = {
    "month": {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name},
    "weekday": {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6},
}
LOOKBACK_DAYS = 400
"""How far back a last firing is looked for: every schedule fires at least once a year."""


class CronError(ValueError):
    """The expression is not a six-field cron expression; the message says which field."""


@dataclass(frozen=True)
class Cron:
    """A parsed expression: the allowed values of each field."""

    text: str
    second: frozenset[int]
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int]
    month: frozenset[int]
    weekday: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Cron:
        """Parse ``text``, or raise :class:`CronError` naming the bad field."""
        parts = text.split()
        if len(parts) != len(_FIELDS):
            raise CronError(
                f"{text!r} has {len(parts)} fields; a schedule has 6: second minute hour day month weekday"
            )
        values = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
        return cls(text, *values)

    def matches_day(self, day: datetime) -> bool:
        """Whether some instant of ``day`` (UTC) can match."""
        weekday = (day.weekday() + 1) % 7  # Python: Monday = 0; cron: Sunday = 0
        return day.month in self.month and day.day in self.day and weekday in self.weekday

    def covers_day(self, day: datetime) -> bool:
        """Whether every second of ``day`` matches (an exclusion that takes out whole days)."""
        return (
            self.matches_day(day)
            and len(self.hour) == 24
            and len(self.minute) == 60
            and len(self.second) == 60
        )

    def matches(self, moment: datetime) -> bool:
        """Whether the expression matches this second."""
        return (
            self.matches_day(moment)
            and moment.hour in self.hour
            and moment.minute in self.minute
            and moment.second in self.second
        )

    def last_fire(self, at: float, since: float, excluded: tuple[Cron, ...] = ()) -> float | None:
        """The latest instant in ``[since, at]`` the schedule fires and no exclusion matches, or None."""
        moment = datetime.fromtimestamp(int(at), UTC)
        floor = max(since, at - LOOKBACK_DAYS * 86400)
        day = moment.replace(hour=0, minute=0, second=0)
        limit = moment
        while day.timestamp() + 86399 >= floor:
            whole_day_off = any(exclusion.covers_day(day) for exclusion in excluded)
            if (
                not whole_day_off
                and self.matches_day(day)
                and (found := self._last_in_day(day, limit, excluded)) is not None
            ):
                return found if found >= since else None
            day -= timedelta(days=1)
            limit = day.replace(hour=23, minute=59, second=59)
        return None

    def _last_in_day(self, day: datetime, limit: datetime, excluded: tuple[Cron, ...]) -> float | None:
        for hour in sorted(self.hour, reverse=True):
            for minute in sorted(self.minute, reverse=True):
                for second in sorted(self.second, reverse=True):
                    moment = day.replace(hour=hour, minute=minute, second=second)
                    if moment > limit:
                        continue
                    if not any(exclusion.matches(moment) for exclusion in excluded):
                        return moment.timestamp()
        return None


def _field(part: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for item in part.split(","):
        base, _, step_text = item.partition("/")
        step = _number(step_text, name, 1, high) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, name, low, high), _number(last, name, low, high)
        else:
            start = _number(base, name, low, high)
            end = high if step_text else start
        if start > end:
            raise CronError(f"{name} range {base!r} runs backwards")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(text: str, name: str, low: int, high: int) -> int:
    named = _NAMES.get(name, {}).get(text.upper())
    if named is not None:
        return named
    if not text.isdigit() or not low <= int(text) <= high:
        raise CronError(f"{name} value {text!r} is not a number from {low} to {high}")
    return int(text)
