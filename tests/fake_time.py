"""A clock that moves only when slept on: waiting code runs at once, and the test sees every wait."""

from __future__ import annotations


class FakeTime:
    """``clock`` and ``sleep`` for code that takes them as parameters."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
