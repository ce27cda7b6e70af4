"""Never act on the wrong target: every resource type, through the dynamic-provider host, against two
emulators over HTTP. A resource made in emulator A is refused by a provider pointed at emulator B (or
at the cloud), and nothing is lost; pointed at A again, everything works."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ResourceProvider

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env

_names = itertools.count()


def _instance(emulator: RunningEmulator) -> str:
    instance: str = httpx.get(f"{emulator.url}/_emulator/health").json()["instance"]
    return instance


def _video(emulator: RunningEmulator) -> str:
    response = httpx.post(f"{emulator.url}/_emulator/vod/videos", json={"Title": "clip", "Duration": 90})
    response.raise_for_status()
    video_id: str = response.json()["VideoId"]
    return video_id


def _template_id(host: ProviderHost) -> str:
    inputs = {"template_name": f"t{next(_names)}", "template_type": "AIImage", "config": {"Count": 2}}
    checked = host.check("template", {**inputs, "region": "cn-shanghai"})
    resource_id, _, _ = host.create("template", checked.inputs)
    return resource_id


@dataclass(frozen=True)
class Kind:
    """One resource type: its provider, inputs that create one in an emulator, and an in-place change."""

    name: str
    provider: Callable[[], ResourceProvider]
    inputs: Callable[[RunningEmulator, dict[str, ProviderHost]], dict[str, Any]]
    change: dict[str, Any] | None
    deletes: bool = True
    """False for AITask: ROS cannot delete AI tasks, so delete makes no call at all."""
    removes: bool = True
    """False for AIImageJob: its delete removes the job's images; VOD keeps the job's record."""


KINDS = [
    Kind(
        "AppService",
        AppServiceProvider,
        lambda _e, _h: {"service_name": f"svc_{next(_names)}", "service_spec": "llama_7b_fp16"},
        {"replicas": 2},
    ),
    Kind(
        "VodAITemplate",
        VodAITemplateProvider,
        lambda _e, _h: {
            "template_name": f"tpl{next(_names)}",
            "template_type": "AIImage",
            "config": {"Count": 3},
        },
        {"config": {"Count": 4}},
    ),
    Kind(
        "AIImageJob",
        AIImageJobProvider,
        lambda e, h: {"video_id": _video(e), "ai_template_id": _template_id(h["VodAITemplate"])},
        None,
        removes=False,
    ),
    Kind(
        "AITask",
        AITaskProvider,
        lambda _e, _h: {"task_type": "GenerateTemplate", "prompt": f"A VPC {next(_names)}"},
        None,
        deletes=False,
    ),
]


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, RunningEmulator]]:
    """Two emulators, A and B, with the same keys: only their instance ids tell them apart."""
    config_a = EmulatorConfig(data_dir=tmp_path_factory.mktemp("a"), time_scale=0)
    config_b = EmulatorConfig(data_dir=tmp_path_factory.mktemp("b"), time_scale=0)
    with serve_in_thread(config_a) as a, serve_in_thread(config_b) as b:
        yield a, b


@pytest.fixture(scope="module")
def hosts(
    emulators: tuple[RunningEmulator, RunningEmulator], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, ProviderHost]]]:
    """A provider host per resource type pointed at A (ALICLOUD_AI_ENDPOINT), and one pointed at B."""
    started: dict[str, dict[str, ProviderHost]] = {"a": {}, "b": {}}
    try:
        for side, emulator in zip("ab", emulators, strict=True):
            for kind in KINDS:
                host = ProviderHost(
                    kind.provider(), provider_env(emulator.url, str(tmp_path_factory.mktemp(side)))
                )
                host.configure({})
                started[side][kind.name] = host
        yield started
    finally:
        for side in started.values():
            for host in side.values():
                host.close()


def _create(host: ProviderHost, inputs: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = host.check("r", {**inputs, "region": "cn-shanghai"})
    assert checked.failures == {}
    resource_id, outs, _ = host.create("r", checked.inputs)
    return resource_id, outs, checked.inputs


def _actions_since(emulator: RunningEmulator, before: int) -> list[str]:
    return [record.action for record in emulator.state.request_records()[before:]]


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_another_emulator_is_refused_and_nothing_is_lost(
    kind: Kind, emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """read, update and delete through emulator B fail naming both instances and the setting; B is
    asked nothing about the resource, and A still has it."""
    a, b = emulators
    on_a, on_b = hosts["a"][kind.name], hosts["b"][kind.name]
    resource_id, outs, inputs = _create(on_a, kind.inputs(a, hosts["a"]))
    assert outs["_target"]["instance"] == _instance(a)
    before = len(b.state.requests)
    attempts: list[Callable[[], Any]] = [lambda: on_b.read("r", resource_id, outs, inputs)]
    if kind.change is not None:
        attempts.append(lambda: on_b.update("r", resource_id, outs, {**inputs, **kind.change}))
    if kind.deletes:
        attempts.append(lambda: on_b.delete("r", resource_id, outs))
    for attempt in attempts:
        with pytest.raises(ProviderCallError) as refused:
            attempt()
        line = refused.value.last_line
        assert "TargetMismatch" in line
        assert f"the emulator {_instance(a)}" in line
        assert f"the emulator {_instance(b)}" in line
        assert "ALICLOUD_AI_ENDPOINT" in line
    assert set(_actions_since(b, before)) <= {"GetCallerIdentity"}
    read_id, _, _ = on_a.read("r", resource_id, outs, inputs)
    assert read_id == resource_id


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_the_recorded_emulator_still_reads_updates_and_deletes(
    kind: Kind, emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """The right target works: read, update and delete, after which the resource reads back gone."""
    a, _ = emulators
    on_a = hosts["a"][kind.name]
    resource_id, outs, inputs = _create(on_a, kind.inputs(a, hosts["a"]))
    read_id, read_outs, _ = on_a.read("r", resource_id, outs, inputs)
    assert (read_id, read_outs["_target"]) == (resource_id, outs["_target"])
    if kind.change is not None:
        outs = on_a.update("r", resource_id, outs, {**inputs, **kind.change})
        assert outs["_target"]["instance"] == _instance(a)
    if kind.deletes:
        on_a.delete("r", resource_id, outs)
        assert on_a.read("r", resource_id, outs, inputs)[0] == ("" if kind.removes else resource_id)


@pytest.mark.parametrize("kind", [k for k in KINDS if k.deletes], ids=[k.name for k in KINDS if k.deletes])
def test_a_cloud_resource_is_never_sent_to_an_emulator(
    kind: Kind, emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """State that says "Alibaba Cloud, account 1234" is refused by a provider whose settings resolve to
    an emulator, before any call about the resource reaches it."""
    a, _ = emulators
    on_a = hosts["a"][kind.name]
    resource_id, outs, inputs = _create(on_a, kind.inputs(a, hosts["a"]))
    in_cloud = {**outs, "_target": {"kind": "cloud", "region": "cn-shanghai", "account": "1234567890123456"}}
    before = len(a.state.requests)
    for attempt in (
        lambda: on_a.delete("r", resource_id, in_cloud),
        lambda: on_a.read("r", resource_id, in_cloud, inputs),
    ):
        with pytest.raises(ProviderCallError) as refused:
            attempt()
        assert "was created in Alibaba Cloud, account 1234567890123456" in refused.value.last_line
        assert "alicloud-ai:mode cloud" in refused.value.last_line
    assert set(_actions_since(a, before)) <= {"GetCallerIdentity"}


def test_a_wiped_emulator_at_the_same_url_is_another_target(tmp_path: Path) -> None:
    """After a reset the emulator has a new instance id: the old service is not declared deleted."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "data", time_scale=0)) as emulator:
        host = ProviderHost(AppServiceProvider(), provider_env(emulator.url, str(tmp_path)))
        try:
            host.configure({})
            resource_id, outs, inputs = _create(
                host, {"service_name": "wiped", "service_spec": "llama_7b_fp16"}
            )
            old = _instance(emulator)
            httpx.post(f"{emulator.url}/_emulator/reset").raise_for_status()
            with pytest.raises(ProviderCallError) as refused:
                host.read("r", resource_id, outs, inputs)
            assert f"the emulator {old}" in refused.value.last_line
            with pytest.raises(ProviderCallError):
                host.delete("r", resource_id, outs)
        finally:
            host.close()


def test_state_without_a_target_is_placed_and_said_once(
    emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """Old state (no _target) keeps working: the target is inferred, a warning is printed once, and
    the next read records it."""
    a, _ = emulators
    on_a = hosts["a"]["AppService"]
    resource_id, outs, inputs = _create(
        on_a, {"service_name": f"old_{next(_names)}", "service_spec": "llama_7b_fp16"}
    )
    old = {key: value for key, value in outs.items() if key != "_target"}
    for _ in range(2):
        read_id, read_outs, _ = on_a.read("r", resource_id, old, inputs)
        assert read_id == resource_id
        assert read_outs["_target"]["instance"] == _instance(a)
    said = [line for line in on_a.logs().splitlines() if "has no recorded target" in line]
    assert len(said) == 1
    assert resource_id.split("/")[1] in said[0]


def test_an_import_records_where_it_was_found(
    emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """Import (or .get) by id has nothing recorded: it reads where the settings point, and records it."""
    a, _ = emulators
    on_a = hosts["a"]["AppService"]
    name = f"imported_{next(_names)}"
    resource_id, _, _ = _create(on_a, {"service_name": name, "service_spec": "llama_7b_fp16"})
    read_id, outs, _ = on_a.read("imported", resource_id, {}, {"service_name": name})
    assert read_id == resource_id
    assert outs["_target"]["instance"] == _instance(a)


def _as_cloud(cloud: RunningEmulator, home: Path) -> dict[str, str]:
    """A provider environment where the emulator plays the cloud: mode cloud at a local endpoint,
    signed by the default chain's keys."""
    return provider_env(
        cloud.url,
        str(home),
        ALICLOUD_AI_MODE="cloud",
        ALIBABA_CLOUD_ACCESS_KEY_ID="test",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="test",
    )


def test_not_found_is_not_gone_when_the_account_cannot_be_confirmed(tmp_path: Path) -> None:
    """A cloud resource whose account cannot be learnt now (STS fails): a NotFound is refused, not
    taken as "already deleted"; once STS answers again, the same delete succeeds."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "data", time_scale=0)) as cloud:
        env = _as_cloud(cloud, tmp_path)
        host = ProviderHost(AppServiceProvider(), env)
        try:
            host.configure({})
            resource_id, outs, _ = _create(
                host, {"service_name": "vanishing", "service_spec": "llama_7b_fp16"}
            )
            assert outs["_target"]["kind"] == "cloud"
            assert outs["_target"]["account"]
            host.delete("r", resource_id, outs)  # gone now
            rule = {
                "product": "sts",
                "action": "GetCallerIdentity",
                "error": {"code": "ServiceUnavailable", "status": 503},
            }
            httpx.post(f"{cloud.url}/_emulator/faults", json=rule).raise_for_status()
            for sts_fails in (True, False):  # each a new run (a new provider process): nothing cached
                if not sts_fails:
                    httpx.delete(f"{cloud.url}/_emulator/faults").raise_for_status()
                run = ProviderHost(AppServiceProvider(), env)
                try:
                    run.configure({})
                    if sts_fails:
                        with pytest.raises(ProviderCallError) as refused:
                            run.delete("r", resource_id, outs)
                        assert "TargetNotConfirmed" in refused.value.last_line
                    else:
                        run.delete("r", resource_id, outs)
                finally:
                    run.close()
        finally:
            host.close()


def test_an_update_with_settings_pointing_elsewhere_is_refused(
    emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """New settings that resolve to another emulator refuse the update, naming the setting; settings
    that still reach the recorded emulator update it and are recorded."""
    a, b = emulators
    on_a = hosts["a"]["AppService"]
    resource_id, outs, inputs = _create(
        on_a, {"service_name": f"moved_{next(_names)}", "service_spec": "llama_7b_fp16"}
    )
    with pytest.raises(ProviderCallError) as refused:
        on_a.update("r", resource_id, outs, {**inputs, "replicas": 2, "settings": {"endpoint": b.url}})
    assert f"settings.endpoint is {b.url}" in refused.value.last_line
    same = on_a.update("r", resource_id, outs, {**inputs, "replicas": 2, "settings": {"endpoint": a.url}})
    assert (same["replicas"], same["settings"]) == (2, {"endpoint": a.url})


def test_a_not_found_that_cannot_be_trusted_names_the_resource(tmp_path: Path) -> None:
    """Without the account (STS fails), a NotFound is refused naming the resource, wherever it comes:
    DescribeService at delete, DeleteService itself, or DescribeService at refresh."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "data", time_scale=0)) as cloud:
        env = _as_cloud(cloud, tmp_path)
        host = ProviderHost(AppServiceProvider(), env)
        run = ProviderHost(AppServiceProvider(), env)
        try:
            host.configure({})
            resource_id, outs, inputs = _create(
                host, {"service_name": "doubted", "service_spec": "llama_7b_fp16"}
            )
            faults = f"{cloud.url}/_emulator/faults"
            sts_down = {"code": "ServiceUnavailable", "status": 503}
            not_found = {"code": "InvalidService.NotFound", "status": 404}
            rules = [
                {"product": "sts", "action": "GetCallerIdentity", "error": sts_down},
                {"product": "eas", "action": "DeleteService", "count": 1, "error": not_found},
            ]
            for rule in rules:
                httpx.post(faults, json=rule).raise_for_status()
            run.configure({})
            refusals = []
            with pytest.raises(ProviderCallError) as refused:
                run.delete("r", resource_id, outs)  # DeleteService answers NotFound
            refusals.append(refused.value.last_line)
            host.delete("r", resource_id, outs)  # this run knows the account: the service goes
            with pytest.raises(ProviderCallError) as refused:
                run.delete("r", resource_id, outs)  # DescribeService answers NotFound
            refusals.append(refused.value.last_line)
            with pytest.raises(ProviderCallError) as refused:
                run.read("r", resource_id, outs, inputs)
            refusals.append(refused.value.last_line)
            for line in refusals:
                assert (
                    "TargetNotConfirmed" in line
                    and "EAS service doubted in cn-shanghai was not found in" in line
                ), line
        finally:
            run.close()
            host.close()


def test_the_endpoint_the_program_recorded_beats_the_environment(
    emulators: tuple[RunningEmulator, RunningEmulator], hosts: dict[str, dict[str, ProviderHost]]
) -> None:
    """A provider whose environment points at B creates in A when the program recorded A's endpoint
    (``alicloud-ai:endpoint``, in the ``connection`` input): stack config comes before the environment."""
    a, _ = emulators
    on_b = hosts["b"]["AppService"]
    inputs = {
        "service_name": f"recorded_{next(_names)}",
        "service_spec": "llama_7b_fp16",
        "connection": {"endpoint": a.url},
    }
    _, outs, _ = _create(on_b, inputs)
    assert (outs["_target"]["instance"], outs["connection"]) == (_instance(a), {"endpoint": a.url})
