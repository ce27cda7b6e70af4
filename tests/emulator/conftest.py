"""Fixtures shared by the VOD completion-callback tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.emulator.test_vod_service import Receiver


@pytest.fixture
def receiver_factory() -> Iterator[Callable[[list[int]], Receiver]]:
    """Start receivers on 127.0.0.1:0; all are shut down after the test."""
    started: list[Receiver] = []

    def start(statuses: list[int]) -> Receiver:
        receiver = Receiver(statuses)
        receiver.thread.start()
        started.append(receiver)
        return receiver

    try:
        yield start
    finally:
        for receiver in started:
            receiver.server.shutdown()
            receiver.server.server_close()
