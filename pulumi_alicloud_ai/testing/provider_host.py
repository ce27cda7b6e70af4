"""Drive dynamic providers exactly as the Pulumi engine does, without the CLI.

Public so that users can test providers and components the same way (and the demo and local engine
use it).

Starts the Pulumi SDK's own dynamic-provider host (``python -m pulumi.dynamic``) in a subprocess, reads
its port from stdout, and sends real protobuf Check / Diff / Create / Read / Update / Delete requests
whose properties carry the provider dill-serialized under ``__provider``, as the engine sends them.
Reusable by every resource's tests.
"""

from __future__ import annotations

import asyncio
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

UNKNOWN = rpc.UNKNOWN
"""Put this in news to play a value Pulumi does not know yet (preview)."""


def read_line(proc: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The next line a child process prints, or RuntimeError (with its stderr) if none comes in time."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = proc.stdout.readline()
                if line:
                    return line.strip()
            if proc.poll() is not None:
                break
    finally:
        selector.close()
    stderr = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
    raise RuntimeError(f"no line from {proc.args!r} (exit {proc.poll()}): {stderr}")


def secret(value: Any) -> Any:
    """A secret-wrapped input value, as the engine sends secrets."""
    return rpc.wrap_rpc_secret(value)


def _struct(props: Mapping[str, Any]) -> Any:
    # A private loop: asyncio.run would unset the thread's current loop, which Pulumi's runtime uses.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def _plain(struct: Any) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


class ProviderCallError(Exception):
    """The host aborted the call; ``details`` is the traceback text the engine would show."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details

    @property
    def last_line(self) -> str:
        """What a user reads: the exception line at the end of the traceback."""
        return self.details.strip().splitlines()[-1]


@dataclass
class CheckOutcome:
    """A CheckResponse, decoded."""

    inputs: dict[str, Any]
    failures: dict[str, str] = field(default_factory=dict)


class ProviderHost:
    """One ``python -m pulumi.dynamic`` process and a gRPC stub to it."""

    def __init__(self, provider: ResourceProvider | None, env: Mapping[str, str]) -> None:
        """``provider`` is serialized into each call that does not carry its own ``__provider``."""
        self.serialized = serialize_provider(provider) if provider is not None else None
        self.urn_type = "pulumi-python:dynamic:Resource"
        # stderr goes to a file: it can be read at any time and never fills a pipe and stalls the host.
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in close()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=dict(env),
        )
        port = read_line(self._proc)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def logs(self) -> str:
        """Everything the host process has written to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read()

    def close(self) -> None:
        """Stop the host process."""
        self._channel.close()
        self._proc.kill()
        self._proc.wait(timeout=10)
        if self._proc.stdout:
            self._proc.stdout.close()
        self._stderr.close()

    def kill(self) -> None:
        """SIGKILL the host, as a crash would."""
        self._proc.kill()

    def urn(self, name: str) -> str:
        """``name`` if it is a URN already, else a URN of this provider's type."""
        return name if name.startswith("urn:") else f"urn:pulumi:test::project::{self.urn_type}::{name}"

    def _with_provider(self, props: Mapping[str, Any]) -> dict[str, Any]:
        if "__provider" in props or self.serialized is None:
            return dict(props)
        return {**props, "__provider": self.serialized}

    def _call(self, method: str, request: Any, timeout: float = 120) -> Any:
        try:
            return getattr(self._stub, method)(request, timeout=timeout)
        except grpc.RpcError as exc:
            raise ProviderCallError(exc.code(), exc.details() or "") from None

    def configure(self, config: Mapping[str, Any]) -> None:
        """Send the stack config, as the engine does before any call."""
        self._call("Configure", proto.ConfigureRequest(args=_struct(config)))

    def check(
        self, name: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> CheckOutcome:
        """Check, decoded into inputs (without ``__provider``) and ``{property: reason}`` failures."""
        request = proto.CheckRequest(
            urn=self.urn(name),
            olds=_struct(self._with_provider(olds or {})),
            news=_struct(self._with_provider(news)),
        )
        response = self._call("Check", request)
        inputs = _plain(response.inputs)
        inputs.pop("__provider", None)
        return CheckOutcome(inputs, {f.property: f.reason for f in response.failures})

    def diff(self, name: str, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        """The raw DiffResponse (``changes``, ``replaces``, ``deleteBeforeReplace``)."""
        request = proto.DiffRequest(
            urn=self.urn(name),
            id=resource_id,
            olds=_struct(self._with_provider(olds)),
            news=_struct(self._with_provider(news)),
        )
        return self._call("Diff", request)

    def create(
        self, name: str, props: Mapping[str, Any], timeout: float = 120
    ) -> tuple[str, dict[str, Any], Any]:
        """Create: ``(id, outputs decoded, the raw properties Struct)``."""
        request = proto.CreateRequest(urn=self.urn(name), properties=_struct(self._with_provider(props)))
        response = self._call("Create", request, timeout)
        outs = _plain(response.properties)
        outs.pop("__provider", None)
        return response.id, outs, response.properties

    def read(
        self, name: str, resource_id: str, props: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Read (refresh, or import when ``props`` is empty): ``(id, outputs, inputs)``.

        An import's read carries the program's ``inputs`` (and the pickled provider) in
        ``properties`` too, where the SDK's host looks for them: the host of pulumi 3.260 does not
        fall back to ``inputs``. (The real engine sends neither on import, so ``pulumi import`` of a
        dynamic resource fails: docs/engine.md.)"""
        request = proto.ReadRequest(
            id=resource_id,
            urn=self.urn(name),
            properties=_struct(self._with_provider(props or inputs or {})),
            inputs=_struct(self._with_provider(inputs or {})),
        )
        response = self._call("Read", request)
        outs = _plain(response.properties)
        new_inputs = _plain(response.inputs) if response.HasField("inputs") else {}
        outs.pop("__provider", None)
        new_inputs.pop("__provider", None)
        return response.id, outs, new_inputs

    def update(
        self, name: str, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Update: the new outputs."""
        request = proto.UpdateRequest(
            urn=self.urn(name),
            id=resource_id,
            olds=_struct(self._with_provider(olds)),
            news=_struct(self._with_provider(news)),
        )
        outs = _plain(self._call("Update", request).properties)
        outs.pop("__provider", None)
        return outs

    def delete(self, name: str, resource_id: str, props: Mapping[str, Any]) -> None:
        """Delete."""
        request = proto.DeleteRequest(
            urn=self.urn(name), id=resource_id, properties=_struct(self._with_provider(props))
        )
        self._call("Delete", request)


def provider_env(emulator_url: str, tmp_home: str, **extra: str) -> dict[str, str]:
    """Environment for a provider host talking to a test emulator, with no ambient cloud settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALIBABA_CLOUD_", "ALICLOUD_")) and not key.lower().endswith("_proxy")
    }
    env.update(
        {
            "HOME": tmp_home,
            "ALICLOUD_AI_ENDPOINT": emulator_url,
            "ALICLOUD_AI_EMULATOR_HOME": os.path.join(tmp_home, "embedded"),
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "ALICLOUD_AI_POLL_INTERVAL": "0.01",
            "PULUMI_PROJECT": "project",
        }
    )
    env.update(extra)
    return env
