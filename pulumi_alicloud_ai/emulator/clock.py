"""The emulator's clock: wall time plus an offset tests can advance, and a scale for durations.

Lifecycle durations are multiplied by ``time_scale`` (0 makes every pending transition happen at the
next read). ``advance`` moves emulated time forward and is persisted, so a restart keeps it. Signature
timestamps are checked against real wall time, never against this clock, so advancing it cannot make
a correctly signed request look expired.

The offset is always a finite number from 0 to :data:`MAX_OFFSET`: every timestamp the emulator stores
and shows is derived from it, and a NaN or an infinity stored once would break every later read. A bad
value already stored (by an older release) is dropped when the clock is opened.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from pulumi_alicloud_ai.emulator.store import Store

_OFFSET_KEY = "clock.offset"
MAX_OFFSET = 10 * 366 * 86_400.0
"""Ten years: far beyond any lifecycle, and far from where dates stop being printable."""

log = logging.getLogger("pulumi_alicloud_ai.emulator")


def _stored_offset(text: str | None) -> float:
    try:
        offset = float(text or 0)
    except ValueError:
        offset = math.nan
    if not 0 <= offset <= MAX_OFFSET:  # also false for NaN
        log.warning("ignoring a stored clock offset out of range (%r); the clock starts at wall time", text)
        return 0.0
    return offset


class Clock:
    """Emulated time for lifecycles; ``wall`` is injectable for unit tests."""

    def __init__(
        self, store: Store, *, time_scale: float = 1.0, wall: Callable[[], float] = time.time
    ) -> None:
        if not (math.isfinite(time_scale) and time_scale >= 0):
            raise ValueError(f"time_scale must be a finite number >= 0, got {time_scale}")
        self._store = store
        self.time_scale = time_scale
        self._wall = wall
        self._offset = _stored_offset(store.get_meta(_OFFSET_KEY, "0"))

    def now(self) -> float:
        """Emulated seconds since the epoch."""
        return self._wall() + self._offset

    @property
    def offset(self) -> float:
        """How far emulated time is ahead of wall time."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move emulated time forward (never back, never past :data:`MAX_OFFSET` in all) and persist
        it; returns the new ``now``. ValueError (and no change) for anything else."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"the clock only moves forward by a finite number of seconds, not {seconds}")
        if self._offset + seconds > MAX_OFFSET:
            raise ValueError(
                f"the clock is {self._offset:.0f} s ahead already and moves at most {MAX_OFFSET:.0f} s in all"
            )
        offset = self._offset + seconds
        with self._store.transaction():
            self._store.set_meta(_OFFSET_KEY, repr(offset))
        self._offset = offset
        return self.now()

    def reset(self) -> None:
        """Back to wall time (after an admin reset)."""
        self._offset = 0.0

    def scaled(self, seconds: float) -> float:
        """A lifecycle duration after ``time_scale``."""
        return seconds * self.time_scale
