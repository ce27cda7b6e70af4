"""Chaos soak: creates, updates, refreshes and deletes of every resource kind through the real provider
host while the emulator injects 30% throttling, 10% 5xx and random latency (seeded). Afterwards the
emulator holds exactly what the operations promised: no orphan, no duplicate; every failure was a
typed error.

A failed operation is retried the way a user would run ``pulumi up`` again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701.models import ListServicesRequest
from alibabacloud_ros20190910.models import GetAITaskRequest
from alibabacloud_vod20170321 import models as vod
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client, ros_client, vod_client

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
VIDEO = "soak-video-0001"


@pytest.fixture
def chaos_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An instant emulator with a fixed seed for its fault draws and one registered video."""
    running = emulators.start(time_scale=0, seed=SEED)
    body = {"Title": "soak", "Duration": 60, "VideoId": VIDEO}
    httpx.post(f"{running.url}/_emulator/vod/videos", json=body).raise_for_status()
    return running


@dataclass
class Kind:
    """How the soak exercises one resource type."""

    provider: str  # the serialized provider, as the engine sends it
    inputs: Callable[[int, random.Random], dict[str, Any]]
    change: Callable[[dict[str, Any], random.Random], dict[str, Any]] | None  # an in-place update


class Soak:
    """Runs operations, retrying failures as a user re-running `pulumi up` would, and keeps books."""

    def __init__(self, host: ProviderHost, kinds: dict[str, Kind]) -> None:
        self.host = host
        self.kinds = kinds
        self.live: dict[
            str, tuple[str, str, dict[str, Any], dict[str, Any]]
        ] = {}  # name -> kind, id, inputs, outs
        self.failures: list[str] = []

    def attempt(self, action: Callable[[], Any], tries: int = 10) -> Any:
        for _ in range(tries):
            try:
                return action()
            except ProviderCallError as exc:
                self.failures.append(exc.last_line)
        raise AssertionError(f"still failing after {tries} runs: {self.failures[-1]}")

    def _news(self, kind: str, props: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
        provider = {"__provider": self.kinds[kind].provider}
        checked = self.host.check(kind, {**props, **provider}, olds={**(olds or {}), **provider})
        assert not checked.failures, checked.failures
        return {**checked.inputs, **provider}

    def create(self, kind: str, name: str, props: dict[str, Any]) -> None:
        news = self._news(kind, props)
        resource_id, outs, _ = self.attempt(lambda: self.host.create(name, news))
        self.live[name] = (kind, resource_id, news, {**outs, "__provider": news["__provider"]})

    def update(self, name: str, chooser: random.Random) -> None:
        kind, resource_id, inputs, outs = self.live[name]
        change = self.kinds[kind].change
        if change is None:
            return self.refresh(name)
        news = self._news(kind, change(inputs, chooser), olds=inputs)
        updated = self.attempt(lambda: self.host.update(name, resource_id, outs, news))
        self.live[name] = (kind, resource_id, news, {**updated, "__provider": news["__provider"]})
        return None

    def refresh(self, name: str) -> None:
        kind, resource_id, inputs, outs = self.live[name]
        read_id, read_outs, _ = self.attempt(lambda: self.host.read(name, resource_id, outs, inputs))
        assert read_id == resource_id
        self.live[name] = (kind, resource_id, inputs, {**read_outs, "__provider": outs["__provider"]})

    def delete(self, name: str) -> None:
        _, resource_id, _, outs = self.live[name]
        self.attempt(lambda: self.host.delete(name, resource_id, outs))
        del self.live[name]

    def of(self, kind: str) -> dict[str, tuple[str, dict[str, Any], dict[str, Any]]]:
        return {name: (rid, inputs, outs) for name, (k, rid, inputs, outs) in self.live.items() if k == kind}


def _kinds(soak_templates: Callable[[], list[str]]) -> dict[str, Kind]:
    return {
        "AppService": Kind(
            serialize_provider(AppServiceProvider()),
            lambda n, r: {
                "service_name": f"soak_{n}",
                "region": "cn-shanghai",
                "service_spec": "llama_7b_fp16",
                "replicas": r.randint(1, 3),
            },
            lambda inputs, r: {**inputs, "replicas": r.randint(1, 5)},
        ),
        "VodAITemplate": Kind(
            serialize_provider(VodAITemplateProvider()),
            lambda n, r: {
                "template_name": f"soak_{n}",
                "template_type": "AIImage",
                "config": {"Count": r.randint(1, 3)},
                "region": "cn-shanghai",
            },
            lambda inputs, r: {**inputs, "config": {"Count": r.randint(1, 4)}},
        ),
        "AIImageJob": Kind(
            serialize_provider(AIImageJobProvider()),
            lambda n, r: {
                "video_id": VIDEO,
                "ai_template_id": r.choice(soak_templates()),
                "region": "cn-shanghai",
                "user_data": {"Extend": {"soak": n}},
            },
            None,
        ),
        "AITask": Kind(
            serialize_provider(AITaskProvider()),
            lambda n, r: {
                "task_type": "GenerateTemplate",
                "prompt": f"a VPC with a vSwitch, soak {n}",
                "template_type": r.choice(["ROS", "Terraform"]),
                "region": "cn-hangzhou",
            },
            None,
        ),
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
    host = ProviderHost(None, env)
    chooser = random.Random(SEED)
    try:
        host.configure({})
        soak = Soak(host, {})
        soak.kinds = _kinds(lambda: [rid for rid, _, _ in soak.of("VodAITemplate").values()])
        for step in range(80):
            kind = chooser.choice(list(soak.kinds))
            if kind == "AIImageJob" and not soak.of("VodAITemplate"):
                kind = "VodAITemplate"
            existing = sorted(soak.of(kind))
            op = chooser.choice(["create", "create", "update", "refresh", "delete"]) if existing else "create"
            in_use = {outs["ai_template_id"] for _, _, outs in soak.of("AIImageJob").values()}
            if op == "create":
                soak.create(kind, f"soak_{step}", soak.kinds[kind].inputs(step, chooser))
            elif op == "update":
                soak.update(chooser.choice(existing), chooser)
            elif op == "refresh":
                soak.refresh(chooser.choice(existing))
            elif kind != "VodAITemplate" or soak.live[(name := chooser.choice(existing))][1] not in in_use:
                soak.delete(name if kind == "VodAITemplate" else chooser.choice(existing))
    finally:
        host.close()
    httpx.delete(f"{chaos_emulator.url}/_emulator/faults").raise_for_status()
    _assert_books_match(chaos_emulator, soak)


def _assert_books_match(emulator: RunningEmulator, soak: Soak) -> None:
    services = (
        eas_client(emulator).list_services(ListServicesRequest(filter="soak_", page_size=100)).body.services
    )
    names = [service.service_name for service in services]
    assert len(names) == len(set(names)), "duplicate services"
    assert set(names) == {inputs["service_name"] for _, inputs, _ in soak.of("AppService").values()}, (
        "orphans or losses"
    )
    for service in services:
        booked = next(
            outs
            for _, inputs, outs in soak.of("AppService").values()
            if inputs["service_name"] == service.service_name
        )
        assert service.total_instance == booked["replicas"]

    listed = vod_client(emulator).list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage")).body
    templates = {
        t.template_id for t in listed.template_info_list if (t.template_name or "").startswith("soak_")
    }
    assert templates == {rid for rid, _, _ in soak.of("VodAITemplate").values()}, "template orphans or losses"

    infos = (
        vod_client(emulator)
        .list_aiimage_info(vod.ListAIImageInfoRequest(video_id=VIDEO))
        .body.aiimage_info_list
    )
    stray = {info.job_id for info in infos} - {rid for rid, _, _ in soak.of("AIImageJob").values()}
    assert not stray, ("stray images", stray)

    for task_id, _, _ in soak.of("AITask").values():
        assert ros_client(emulator).get_aitask(GetAITaskRequest(task_id=task_id)).body.status == "SUCCESS"

    assert soak.failures, "the chaos rules never made an operation fail; the soak proved nothing"
    assert all(line.startswith(TYPED) for line in soak.failures), soak.failures
    assert len({kind for kind, _, _, _ in soak.live.values()} | {"AppService"}) >= 3, "the mix was too thin"
