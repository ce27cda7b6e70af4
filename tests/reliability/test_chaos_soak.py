"""Chaos soak: a mix of creates, updates, refreshes and deletes through the real provider host while
the emulator injects 30% throttling, 10% 5xx and random latency (seeded). Afterwards the emulator
holds exactly what the operations promised: no orphan, no duplicate; every failure was a typed error.

A failed operation is retried the way a user would run ``pulumi up`` again.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701.models import ListServicesRequest

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.official_sdk import eas_client

SEED = 20261123
CHAOS = [
    {
        "id": "throttle",
        "probability": 0.3,
        "error": {
            "code": "Throttling.User",
            "status": 400,
            "message": "Request was denied due to user flow control.",
        },
    },
    {
        "id": "5xx",
        "probability": 0.1,
        "error": {
            "code": "ServiceUnavailable",
            "status": 503,
            "message": "The request has failed due to a temporary failure of the server.",
        },
    },
    {"id": "slow", "probability": 0.2, "latency_ms": 15},
]
TYPED = "pulumi_alicloud_ai.resources._provider.ProviderError: "


@pytest.fixture
def chaos_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An instant emulator with a fixed seed for its fault draws."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0, seed=SEED)) as running:
        yield running


class Soak:
    """Runs operations, retrying failures as a user re-running `pulumi up` would, and keeps books."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host
        self.live: dict[str, dict[str, Any]] = {}  # name -> outputs, what Pulumi state would hold
        self.failures: list[str] = []

    def attempt(self, action: Any, tries: int = 10) -> Any:
        for _ in range(tries):
            try:
                return action()
            except ProviderCallError as exc:
                self.failures.append(exc.last_line)
        raise AssertionError(f"still failing after {tries} runs: {self.failures[-1]}")

    def create(self, name: str, replicas: int) -> None:
        news = self.host.check(name, _inputs(name, replicas)).inputs
        _, outs, _ = self.attempt(lambda: self.host.create(name, news))
        self.live[name] = outs

    def update(self, name: str, replicas: int) -> None:
        olds = self.live[name]
        news = self.host.check(name, _inputs(name, replicas), olds=olds).inputs
        self.live[name] = self.attempt(lambda: self.host.update(name, f"cn-shanghai/{name}", olds, news))

    def refresh(self, name: str) -> None:
        _, outs, _ = self.attempt(lambda: self.host.read(name, f"cn-shanghai/{name}", self.live[name]))
        self.live[name] = outs

    def delete(self, name: str) -> None:
        self.attempt(lambda: self.host.delete(name, f"cn-shanghai/{name}", self.live[name]))
        del self.live[name]


def _inputs(name: str, replicas: int) -> dict[str, Any]:
    return {
        "service_name": name,
        "region": "cn-shanghai",
        "service_spec": "llama_7b_fp16",
        "replicas": replicas,
    }


def test_chaos_soak_leaves_exactly_what_was_promised(chaos_emulator: RunningEmulator, tmp_path: Path) -> None:
    """Under seeded chaos, the final state equals the books: no orphans, no duplicates, typed errors."""
    httpx.post(f"{chaos_emulator.url}/_emulator/faults", json=CHAOS).raise_for_status()
    # Two attempts per call, so faults reach the provider and the "run pulumi up again" paths are
    # exercised; the rate limiter is off because random throttling is not a rate (bench/scale.py
    # measures rate adaptation against a real rate limit).
    env = provider_env(
        chaos_emulator.url, str(tmp_path), ALICLOUD_AI_MAX_ATTEMPTS="2", ALICLOUD_AI_ADAPTIVE_RATE="off"
    )
    host = ProviderHost(AppServiceProvider(), env)
    chooser = random.Random(SEED)
    try:
        host.configure({})
        soak = Soak(host)
        for step in range(60):
            existing = sorted(soak.live)
            op = chooser.choice(["create", "create", "update", "refresh", "delete"]) if existing else "create"
            if op == "create":
                soak.create(f"soak_{step}", chooser.randint(1, 3))
            elif op == "update":
                soak.update(chooser.choice(existing), chooser.randint(1, 5))
            elif op == "refresh":
                soak.refresh(chooser.choice(existing))
            else:
                soak.delete(chooser.choice(existing))
    finally:
        host.close()
    httpx.delete(f"{chaos_emulator.url}/_emulator/faults").raise_for_status()

    services = (
        eas_client(chaos_emulator)
        .list_services(ListServicesRequest(filter="soak_", page_size=100))
        .body.services
    )
    names = [service.service_name for service in services]
    assert len(names) == len(set(names)), "duplicates"
    assert set(names) == set(soak.live), "orphans or losses"
    for service in services:
        assert service.total_instance == soak.live[service.service_name]["replicas"]
    assert all(line.startswith(TYPED + "An error occurred (") for line in soak.failures), soak.failures
    assert soak.failures, "the chaos rules never made an operation fail; the soak proved nothing"
