"""Every admin input is validated, and stored state can never hold a value that breaks a later read.

An attacker (or a typo) sent ``{"seconds": NaN}`` to ``/_emulator/clock``; the offset was persisted and
every create, the dashboard and ``/health`` answered 500, even after a restart. Each case below sends
one non-finite, huge or wrongly typed number to one admin input, as raw JSON text (Python's ``json``
reads ``NaN``, ``Infinity`` and ``1e400``), then checks the emulator still answers everything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.cli import parse_args
from tests.official_sdk import eas_client
from tests.operator.scenario import create_service

NOT_A_NUMBER = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e308",
    "1e400",
    "-1e400",
    '"nan"',
    '"1e308"',
    "true",
    "null",
    "[]",
    "{}",
    "1" + "0" * 400,
]

BAD_BODIES = [
    *[("/clock", f'{{"seconds": {value}}}') for value in NOT_A_NUMBER],
    ("/clock", '{"seconds": 1e9}'),
    ("/clock", '{"seconds": -1}'),
    ("/clock", '{"seconds": 5, "extra": NaN}'),
    *[("/sts", f'{{"DurationSeconds": {value}}}') for value in NOT_A_NUMBER],
    ("/sts", '{"DurationSeconds": 1e7}'),
    ("/faults", '{"probability": NaN, "latency_ms": 1}'),
    ("/faults", '{"rate_limit": Infinity}'),
    ("/faults", '{"rate_limit": 1e308}'),
    ("/faults", '{"latency_ms": NaN}'),
    ("/faults", '{"latency_ms": 1e400}'),
    ("/faults", '{"count": 1e308, "latency_ms": 1}'),
    ("/faults", '{"count": ' + "9" * 400 + ', "latency_ms": 1}'),
    ("/faults", '{"error": {"code": "X", "retry_after_ms": ' + "9" * 400 + "}}"),
    ("/faults", '{"error": {"code": "X", "status": NaN}}'),
    ("/faults", '{"effect": "fail", "message": NaN}'),
    ("/faults", '[{"latency_ms": 1}, {"rate_limit": NaN}]'),
    ("/vod/videos", '{"Title": "t", "Duration": NaN}'),
    ("/vod/videos", '{"Title": "t", "Duration": Infinity}'),
    ("/vod/videos", '{"Title": "t", "Duration": 1e400}'),
]


@pytest.fixture(scope="module")
def shared_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator for the refusals: each test checks that its refused input left nothing behind."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path_factory.mktemp("inputs-emulator"))) as running:
        yield running


def _everything_answers(emulator: RunningEmulator) -> None:
    for path in ("/health", "/clock", "/faults", "/ui", "/ui/live", "/ui/feed", "/vod/videos"):
        response = httpx.get(f"{emulator.url}/_emulator{path}", timeout=10)
        assert response.status_code == 200, (path, response.text[:300])


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_a_bad_admin_number_is_a_400_and_changes_nothing(
    shared_emulator: RunningEmulator, path: str, body: str
) -> None:
    """Non-finite, out-of-range and wrongly typed numbers are refused with a 4xx naming the input."""
    state = shared_emulator.state
    response = httpx.post(
        f"{shared_emulator.url}/_emulator{path}",
        content=body.encode(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["Code"].startswith("InvalidParameter")
    assert state.clock.offset == 0
    assert state.faults.rules == []
    assert state.store.list_entities("vod", "video") == []
    _everything_answers(shared_emulator)


def test_the_emulator_works_after_every_refused_input(shared_emulator: RunningEmulator) -> None:
    """After all the refusals above, a create and the dashboard still work."""
    for path, body in BAD_BODIES:
        httpx.post(f"{shared_emulator.url}/_emulator{path}", content=body.encode(), timeout=10)
    create_service(shared_emulator, "after_bad_inputs")
    assert eas_client(shared_emulator).describe_service("cn-shanghai", "after_bad_inputs").body.status
    _everything_answers(shared_emulator)


def test_the_clock_stops_where_dates_stop_being_dates(fresh_emulator: RunningEmulator) -> None:
    """Small advances add up, but never past the bound that keeps emulated time a readable date."""
    url = f"{fresh_emulator.url}/_emulator/clock"
    ok = httpx.post(url, json={"seconds": 3.5})
    assert ok.status_code == 200
    assert ok.json()["offset"] == 3.5
    refused = 0
    for _ in range(200):
        response = httpx.post(url, json={"seconds": 3e7})
        if response.status_code == 400:
            refused += 1
            break
    assert refused == 1
    _everything_answers(fresh_emulator)


STORED_OFFSETS = ["nan", "inf", "1e308", "-5", "not a number"]


@pytest.mark.parametrize("stored", STORED_OFFSETS)
def test_a_restart_survives_a_bad_clock_offset_already_stored(tmp_path: Path, stored: str) -> None:
    """A database an older emulator poisoned opens: the bad offset is dropped, and everything answers."""
    data_dir = tmp_path / "emulator"
    with serve_in_thread(EmulatorConfig(data_dir=data_dir)):
        pass
    with sqlite3.connect(data_dir / "emulator.sqlite3") as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('clock.offset', ?)", (stored,))
    with serve_in_thread(EmulatorConfig(data_dir=data_dir)) as running:
        assert running.state.clock.offset == 0
        _everything_answers(running)
        create_service(running, "after_restart")


@pytest.mark.parametrize(
    "rule",
    [
        '{"id": "a", "rate_limit": Infinity}',
        '{"id": "b", "latency_ms": 1, "probability": NaN}',
        '{"id": "c", "colour": "red", "latency_ms": 1}',
        '{"id": "d", "error": {"code": "X", "retry_after_ms": 1e400}}',
    ],
)
def test_a_restart_survives_a_bad_fault_rule_already_stored(tmp_path: Path, rule: str) -> None:
    """A stored rule that is no longer valid is skipped; good rules around it still apply."""
    data_dir = tmp_path / "emulator"
    with serve_in_thread(EmulatorConfig(data_dir=data_dir)) as running:
        httpx.post(f"{running.url}/_emulator/faults", json={"id": "good", "latency_ms": 1}).raise_for_status()
    with sqlite3.connect(data_dir / "emulator.sqlite3") as db:
        db.execute("INSERT INTO faults (id, rule) VALUES ('bad', ?)", (rule,))
    with serve_in_thread(EmulatorConfig(data_dir=data_dir)) as running:
        assert [r.id for r in running.state.faults.rules] == ["good"]
        _everything_answers(running)


@pytest.mark.parametrize(
    "argv",
    [
        ["--time-scale", "nan"],
        ["--time-scale", "inf"],
        ["--time-scale", "-1"],
        ["--max-body", "-5"],
        ["--max-connections", "0"],
        ["--header-timeout", "nan"],
        ["--header-timeout", "0"],
        ["--body-timeout", "inf"],
        ["--max-connections", "-3"],
    ],
)
def test_command_line_numbers_are_checked_too(argv: list[str]) -> None:
    """The operator's own inputs get the same care: a usage error, not an emulator that misbehaves."""
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
