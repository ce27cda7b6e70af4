"""Lookups in a program: ``AppService.get`` and ``get_app_service`` against the emulator, carried out by
the local engine through the provider host."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pulumi
import pytest
from pulumi.runtime import rpc

from pulumi_alicloud_ai import (
    AIImageJob,
    AITask,
    AppService,
    AppServiceArgs,
    ProviderSettings,
    VodAITemplate,
    get_app_service,
)
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing import LocalEngine


def _made(engine: LocalEngine, name: str) -> dict[str, object]:
    """A service made by a first program run, as its outputs."""

    def program() -> None:
        AppService(
            "made", AppServiceArgs(service_name=name, service_spec="llama_7b_fp16", region="cn-shanghai")
        )

    engine.up(program)
    return next(state.outputs for state in engine.state.values() if state.name == "made")


class _Reads(pulumi.runtime.Mocks):
    """Records each registration; a read echoes its id."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        return args.resource_id, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def test_get_is_a_read_of_the_live_service_by_id(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """AppService.get registers a read (the id, no create) whose provider read returns the live
    outputs and records the target it read them from."""
    made = _made(engine, "lookup_me")
    reads = _Reads()
    pulumi.runtime.set_mocks(reads, project="lookup", stack="dev", preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> Any:
        return AppService.get("found", "cn-shanghai/lookup_me").urn

    program()
    registered = reads.registered
    assert [(args.name, args.resource_id) for args in registered] == [("found", "cn-shanghai/lookup_me")]
    # Secrets arrive unwrapped (the host accepts no secrets), the serialized provider among them.
    props = {
        key: rpc.unwrap_rpc_secret(value) for key, value in registered[0].inputs.items() if value is not None
    }
    # What the engine then sends the provider: the program's properties (3.260 as state, 3.272 as inputs).
    read_id, outs, inputs = engine.host.read("found", "cn-shanghai/lookup_me", props, props)
    assert read_id == "cn-shanghai/lookup_me"
    assert (outs["status"], outs["internet_endpoint"]) == ("Running", made["internet_endpoint"])
    assert inputs["service_spec"] == "llama_7b_fp16"
    instance = httpx.get(f"{example_emulator.url}/_emulator/health").json()["instance"]
    assert outs["_target"]["instance"] == instance


def test_every_resource_type_has_a_read_only_get(monkeypatch: pytest.MonkeyPatch) -> None:
    """VodAITemplate, AIImageJob and AITask.get register reads by id, in the region given, else the
    settings object's, with the settings' references recorded."""
    monkeypatch.setenv("ALICLOUD_AI_ENDPOINT", "http://127.0.0.1:9")
    reads = _Reads()
    pulumi.runtime.set_mocks(reads, project="lookup", stack="dev", preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> Any:
        singapore = ProviderSettings(region="ap-southeast-1")
        return pulumi.Output.all(
            VodAITemplate.get("template", "tpl-1", region="cn-beijing").urn,
            AIImageJob.get("job", "job-1", settings=singapore).urn,
            AITask.get("task", "task-1").urn,
        )

    program()
    found = {
        args.name: (args.resource_id, args.inputs.get("region"), args.inputs.get("settings"))
        for args in reads.registered
    }
    assert found == {
        "template": ("tpl-1", "cn-beijing", None),
        "job": ("job-1", "ap-southeast-1", {"region": "ap-southeast-1"}),
        "task": ("task-1", "cn-shanghai", None),  # an emulator endpoint: its default region
    }


def test_get_app_service_returns_outputs_without_managing(engine: LocalEngine) -> None:
    """get_app_service reads the live service when the program runs; nothing enters the state, and
    the token comes back as a secret."""
    made = _made(engine, "read_only")
    token = rpc.unwrap_rpc_secret(made["access_token"])

    def program() -> None:
        info = get_app_service("read_only", "cn-shanghai")
        pulumi.export("status", info.status)
        pulumi.export("spec", info.service_spec)
        pulumi.export("target", info.target)
        pulumi.export("token", info.access_token)

    with LocalEngine("lookup", env=dict(os.environ)) as reader:
        steps, outputs = reader.up(program)
        assert reader.state == {}
    assert steps == []
    assert (outputs["status"], outputs["spec"]) == ("Running", "llama_7b_fp16")
    assert outputs["target"].startswith("the emulator emu-")
    assert outputs["token"] == token


def test_get_app_service_names_where_it_looked(engine: LocalEngine) -> None:
    """A missing service is a LookupError naming the service and the target it looked in."""

    def program() -> None:
        get_app_service("not_there", "cn-shanghai")

    with pytest.raises(Exception, match=r"no EAS service 'not_there' in the emulator emu-"):
        engine.up(program)
