"""Programs run under pulumi.runtime.set_mocks: resources are recorded, not deployed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from pulumi_alicloud_ai.resources import _program


class RecordingMonitor(MockMonitor):
    """The mock monitor, also keeping each RegisterResource and ReadResource request (type, id, parent,
    protect, dependencies, additional secret outputs) and the outputs each component registers (secrets
    stay wrapped, see ``rpc.is_rpc_secret``), by resource name."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.requests: dict[str, Any] = {}
        self.outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.requests[request.name] = request
        return super().RegisterResource(request)

    def ReadResource(self, request: Any) -> Any:
        self.requests[request.name] = request
        return super().ReadResource(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.outputs[request.urn.rsplit("::", 1)[-1]] = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource registered and echoes its inputs back as outputs."""

    monitor: RecordingMonitor

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        outputs = dict(args.inputs)
        if "service_name" in outputs:
            outputs.update(
                status="Running",
                access_token="token-value",
                service_id="eas-m-mock",
                internet_endpoint=f"http://{args.name}.internet.example",
                intranet_endpoint=f"http://{args.name}.intranet.example",
            )
        if "template_name" in outputs and outputs.get("template_id") is None:
            outputs["template_id"] = f"{args.name}_id"
        if "video_id" in outputs and outputs.get("images") is None:
            outputs["images"] = [{"url": f"https://img/{outputs['video_id']}/0.png"}]
        return f"{args.name}_id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def run_program(program: Callable[[], Any]) -> None:
    """Run ``program`` under the mocks set, returning once every registration it started has reached the
    monitor (the components' ``register_outputs`` included)."""
    pulumi.runtime.test(program)()


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[RecordingMocks]:
    """Fresh mocks and settings per test, with no credentials anywhere (HOME is empty)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALICLOUD_AI_ENDPOINT", "http://127.0.0.1:9")  # never called under mocks
    _program.reset_cache()
    recording = RecordingMocks()
    recording.monitor = RecordingMonitor(recording)
    pulumi.runtime.set_mocks(
        recording, project="project", stack="test", preview=False, monitor=recording.monitor
    )
    try:
        yield recording
    finally:
        _program.reset_cache()
