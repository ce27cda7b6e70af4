"""A small stand-in for the Pulumi engine: run a program, carry out its dynamic resources.

The program runs under ``pulumi.runtime.set_mocks``, but the mock's ``new_resource`` is the engine's
``RegisterResource``: it sends the resource's real inputs (with the dill-serialized provider the
program put under ``__provider``) to the Pulumi SDK's dynamic-provider host over gRPC: Check, then
Diff against the recorded state, then Create, Update, replace or nothing, and hands the real outputs
back to the program, so resources that depend on others get real values. Resources the program no
longer declares are deleted. Component resources are recorded, not carried out.

It is what the demo runs when the Pulumi CLI is absent, and how the tests run every example. It
does not do what the real engine does beyond that (no checkpoints on disk, no parallelism, no
protect or ignoreChanges).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
from pulumi.runtime import proto, rpc
from pulumi.runtime.settings import get_root_resource

from pulumi_alicloud_ai.testing.provider_host import ProviderHost

Operation = Literal["create", "update", "replace", "same", "delete", "read"]
SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "same": " ", "delete": "-", "read": ">"}


def _plain(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return _plain(value["value"])
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _secret_keys(props: Mapping[str, Any]) -> set[str]:
    return {key for key, value in props.items() if rpc.is_rpc_secret(value)}


def _show(value: Any, secret: bool) -> str:
    if secret:
        return "[secret]"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # protobuf numbers are doubles
    return repr(value)


@dataclass
class ResourceState:
    """What the engine remembers of one resource between runs."""

    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Step:
    """One planned or applied change, printable like ``pulumi preview --diff``."""

    op: Operation
    type: str
    name: str
    diffs: list[tuple[str, Any, Any]] = field(default_factory=list)
    secret: set[str] = field(default_factory=set)

    def render(self) -> str:
        """Lines as the Pulumi CLI shows them."""
        keys = ", ".join(f"~{key}" for key, _, _ in self.diffs)
        head = f"{SYMBOLS[self.op]:>2} {self.type} {self.name} {self.op}" + (
            f" [diff: {keys}]" if keys else ""
        )
        lines = [head]
        for key, old, new in self.diffs:
            hidden = key in self.secret
            lines.append(f"      ~ {key}: {_show(old, hidden)} => {_show(new, hidden)}")
        return "\n".join(lines)


class CheckFailedError(Exception):
    """``check`` refused the inputs: what ``pulumi preview`` prints, one line per property."""


class LocalEngine:
    """Preview, up and destroy Pulumi programs whose resources are dynamic providers."""

    def __init__(
        self,
        project: str,
        stack: str = "dev",
        *,
        env: Mapping[str, str] | None = None,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.state: dict[str, ResourceState] = {}
        self.components: list[tuple[str, str, dict[str, Any]]] = []
        self._env = dict(os.environ if env is None else env)
        self._on_step = on_step
        self._host: ProviderHost | None = None
        self._steps: list[Step] = []
        self._seen: set[str] = set()
        self._preview = False
        # The SDK registers resources from several threads at once; steps are carried out one at a
        # time (the real engine runs them in parallel, which makes no difference to the outcome here).
        self._lock = threading.RLock()

    def close(self) -> None:
        """Stop the provider host."""
        if self._host is not None:
            self._host.close()
            self._host = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def host(self) -> ProviderHost:
        """The dynamic-provider host, started on first use."""
        if self._host is None:
            self._host = ProviderHost(None, self._env)
            self._host.configure({})
        return self._host

    # --- the three commands -----------------------------------------------------------------------

    def preview(
        self, program: Path | Callable[[], None], config: Mapping[str, str] | None = None
    ) -> list[Step]:
        """What ``up`` would do, changing nothing."""
        steps, _ = self._run(program, config or {}, preview=True)
        return steps

    def up(
        self, program: Path | Callable[[], None], config: Mapping[str, str] | None = None
    ) -> tuple[list[Step], dict[str, Any]]:
        """Carry out the program; returns the steps and the stack outputs (secrets unwrapped)."""
        return self._run(program, config or {}, preview=False)

    def destroy(self) -> list[Step]:
        """Delete every resource, newest first."""
        steps = []
        for urn in reversed(list(self.state)):
            steps.append(self._delete(self.state.pop(urn)))
        return steps

    # --- running a program ------------------------------------------------------------------------

    def _run(
        self, program: Path | Callable[[], None], config: Mapping[str, str], *, preview: bool
    ) -> tuple[list[Step], dict[str, Any]]:
        self._steps, self._seen, self._preview, self.components = [], set(), preview, []
        saved_state = dict(self.state)
        pulumi.runtime.set_mocks(_EngineMocks(self), project=self.project, stack=self.stack, preview=preview)
        pulumi.runtime.set_all_config(
            {key if ":" in key else f"{self.project}:{key}": value for key, value in config.items()}
        )
        captured: dict[str, Any] = {}

        async def exports() -> None:
            root = get_root_resource()
            for name, value in dict(getattr(root, "outputs", {})).items():
                output = pulumi.Output.from_input(value)
                captured[name] = await output.future(with_unknowns=True)

        @pulumi.runtime.test  # type: ignore[untyped-decorator]
        def run() -> Any:
            if callable(program):
                program()
            else:
                _run_project(Path(program))
            return pulumi.Output.from_input(asyncio.ensure_future(exports()))

        run()
        for urn in reversed([urn for urn in self.state if urn not in self._seen]):
            state = self.state[urn]
            if preview:
                self._record(Step("delete", state.type, state.name))
            else:
                self._delete(self.state.pop(urn))
        if preview:
            self.state = saved_state
        return self._steps, captured

    def _record(self, step: Step) -> Step:
        self._steps.append(step)
        if self._on_step is not None:
            self._on_step(step)
        return step

    def register(
        self, typ: str, name: str, inputs: dict[str, Any], import_id: str | None
    ) -> tuple[str, dict[str, Any]]:
        """The engine's RegisterResource for a custom (dynamic) resource."""
        with self._lock:
            return self._register(typ, name, inputs, import_id)

    def _register(
        self, typ: str, name: str, inputs: dict[str, Any], import_id: str | None
    ) -> tuple[str, dict[str, Any]]:
        urn = f"urn:pulumi:{self.stack}::{self.project}::{typ}::{name}"
        self._seen.add(urn)
        # The dynamic-provider host answers Configure with acceptSecrets=false, so the engine sends
        # secrets unwrapped (the serialized provider itself is a secret).
        secret_inputs = _secret_keys(inputs)
        inputs = _plain(inputs)
        old = self.state.get(urn)
        if old is None and import_id:
            old = self._import(urn, typ, name, inputs, import_id)
        checked = self.host.check(urn, inputs, olds=old.inputs if old else {})
        if checked.failures:
            problems = "; ".join(f"{prop}: {reason}" for prop, reason in checked.failures.items())
            raise CheckFailedError(f"{typ} resource '{name}' has a problem: {problems}")
        news = {**checked.inputs, "__provider": inputs["__provider"]}
        if old is None:
            self._record(Step("create", typ, name, secret=secret_inputs))
            if self._preview:
                return "", {**news, **{key: rpc.UNKNOWN for key in inputs if key not in news}}
            resource_id, outs, _ = self.host.create(urn, news)
            outs["__provider"] = news["__provider"]  # the host keeps it in state, as the engine does
            self.state[urn] = ResourceState(urn, typ, name, resource_id, news, outs)
            return resource_id, outs
        return self._change(old, news)

    def _change(self, old: ResourceState, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        diff = self.host.diff(old.urn, old.id, old.outputs, news)
        olds_plain, news_plain = _plain(old.inputs), _plain(news)
        diffs = [
            (key, olds_plain.get(key), news_plain.get(key))
            for key in sorted(set(olds_plain) | set(news_plain))
            if key != "__provider" and olds_plain.get(key) != news_plain.get(key)
        ]
        secret = _secret_keys(old.outputs) | _secret_keys(news)
        if diff.changes != proto.DiffResponse.DIFF_SOME:
            self._record(Step("same", old.type, old.name))
            return old.id, old.outputs
        replacing = list(diff.replaces)
        step = self._record(Step("replace" if replacing else "update", old.type, old.name, diffs, secret))
        if self._preview:
            return old.id, {**old.outputs, **news}
        if step.op == "update":
            outs = {**self.host.update(old.urn, old.id, old.outputs, news), "__provider": news["__provider"]}
            self.state[old.urn] = ResourceState(old.urn, old.type, old.name, old.id, news, outs)
            return old.id, outs
        if diff.deleteBeforeReplace:
            self.host.delete(old.urn, old.id, old.outputs)
        resource_id, outs, _ = self.host.create(old.urn, news)
        outs["__provider"] = news["__provider"]
        if not diff.deleteBeforeReplace:
            self.host.delete(old.urn, old.id, old.outputs)
        self.state[old.urn] = ResourceState(old.urn, old.type, old.name, resource_id, news, outs)
        return resource_id, outs

    def _import(self, urn: str, typ: str, name: str, inputs: dict[str, Any], import_id: str) -> ResourceState:
        read_id, outs, read_inputs = self.host.read(urn, import_id, {}, inputs)
        if not read_id:
            raise CheckFailedError(f"{typ} resource '{name}': nothing to import with id {import_id!r}")
        self._record(Step("read", typ, name))
        state = ResourceState(
            urn, typ, name, read_id, {**read_inputs, "__provider": inputs["__provider"]}, outs
        )
        self.state[urn] = state
        return state

    def _delete(self, state: ResourceState) -> Step:
        self.host.delete(state.urn, state.id, state.outputs)
        return self._record(Step("delete", state.type, state.name))


def _run_project(directory: Path) -> None:
    """Run ``__main__.py`` as the Python language host does: from its directory, which is on sys.path."""
    sys.path.insert(0, str(directory))
    try:
        with contextlib.chdir(directory):
            runpy.run_path(str(directory / "__main__.py"), run_name="__main__")
    finally:
        sys.path.remove(str(directory))


class _EngineMocks(pulumi.runtime.Mocks):
    """The mock monitor's hooks, routed to the engine."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            with self._engine._lock:
                self._engine.components.append((args.typ, args.name, dict(args.inputs)))
            return None, dict(args.inputs)
        return self._engine.register(args.typ, args.name, dict(args.inputs), args.resource_id or None)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        raise NotImplementedError(f"the local engine does not serve invokes ({args.token})")
