"""The emulator's clock: wall time plus an offset tests can advance, and a scale for durations.

Lifecycle durations are multiplied by ``time_scale`` (0 makes every pending transition happen at the
next read). ``advance`` moves emulated time forward and is persisted, so a restart keeps it. Signature
timestamps are checked against real wall time, never against this clock, so advancing it cannot make
a correctly signed request look expired.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pulumi_alicloud_ai.emulator.store import Store

_OFFSET_KEY = "clock.offset"


class Clock:
    """Emulated time for lifecycles; ``wall`` is injectable for unit tests."""

    def __init__(
        self, store: Store, *, time_scale: float = 1.0, wall: Callable[[], float] = time.time
    ) -> None:
        if time_scale < 0:
            raise ValueError(f"time_scale must be >= 0, got {time_scale}")
        self._store = store
        self.time_scale = time_scale
        self._wall = wall
        self._offset = float(store.get_meta(_OFFSET_KEY, "0") or 0)

    def now(self) -> float:
        """Emulated seconds since the epoch."""
        return self._wall() + self._offset

    @property
    def offset(self) -> float:
        """How far emulated time is ahead of wall time."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move emulated time forward (never back) and persist it; returns the new ``now``."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        with self._store.transaction():
            self._store.set_meta(_OFFSET_KEY, repr(self._offset))
        return self.now()

    def reset(self) -> None:
        """Back to wall time (after an admin reset)."""
        self._offset = 0.0

    def scaled(self, seconds: float) -> float:
        """A lifecycle duration after ``time_scale``."""
        return seconds * self.time_scale
