"""A small stand-in for the Pulumi engine: run a program, carry out its dynamic resources.

The program runs under ``pulumi.runtime.set_mocks`` with a resource monitor of our own: each
``RegisterResource`` request, with its options, goes through the steps the Pulumi engine's step
generator takes, and each step is carried out through the Pulumi SDK's dynamic-provider host
(``python -m pulumi.dynamic``) over gRPC: Check, Diff against the recorded state, then Create, Update,
replace or nothing; real outputs go back to the program, so resources that depend on others get real
values. Resources the program no longer declares are deleted at the end, dependents first.

What it does as the engine does:

* URNs (a child's type is qualified by its parent's), component resources kept in the state;
* ``protect`` (a protected resource is neither deleted nor replaced), ``ignore_changes`` (ignored
  inputs take their old values before Check and Diff), ``retain_on_delete``, ``deleted_with``,
  ``depends_on`` (kept as dependencies; deletes go dependents first), ``delete_before_replace``,
  ``aliases`` (children of a renamed component follow it), ``replace_on_changes`` (it acts on the keys
  the engine knows changed: none from the dynamic-provider host, so only when a diff answers
  "unknown"), ``additional_secret_outputs``, ``import_`` (the inputs must match what was read);
  ``custom_timeouts`` are accepted and, as under the engine, reach nothing the dynamic-provider host reads;
* a replacement is created first and the old resource deleted at the end of the run; a delete that
  fails keeps the resource in the state (a replaced one stays marked for deletion), so the next run
  retries it;
* state saved to and loaded from a file (:meth:`LocalEngine.save`, ``state_file=``), secrets encrypted;
* ``Pulumi.yaml``'s project name and config defaults when a project directory runs.
* providers configured with each run's stack config (namespaced keys), as the engine configures them;
  ``destroy`` keeps the config of the last run.

What it does not do (each refused with :class:`UnsupportedFeatureError`, naming the feature, unless
said otherwise):

* provider plugins, explicit providers, invokes, ``Resource.get`` reads, remote components;
* resource and stack transforms, resource and error hooks, ``replace_with``, ``replacement_trigger``,
  ``state_migrations``, ``env_var_mappings``, ``ignore_changes`` paths with wildcards;
* delete-before-replace of a resource that others depend on, and an import over a resource the state
  already holds under another id;
* ``refresh``, ``--target``, policy packs, stack references, secret config (config values are plain):
  there is simply no way to ask for them; ``hide_diffs`` (display only) changes nothing;
* parallelism: steps run one at a time, and once a step fails no other step starts (the engine lets the
  steps already running finish, so under it independent steps may also have happened);
* the state keeps no stack resource and no default-provider resource, and nothing is checkpointed while
  a run goes on: the state is written when ``up`` or ``destroy`` returns or raises;
* import sends the program's inputs with the Read, so it works where the CLI's import of a dynamic
  resource fails (pulumi/pulumi#16175).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import proto, rpc, settings
from pulumi.runtime.settings import get_root_resource

from pulumi_alicloud_ai.testing import _paths, _state_file
from pulumi_alicloud_ai.testing._aliases import alias_urns
from pulumi_alicloud_ai.testing._errors import CheckFailedError, LocalEngineError, UnsupportedFeatureError
from pulumi_alicloud_ai.testing._loop import fresh_event_loop, reported
from pulumi_alicloud_ai.testing._monitor import EngineMonitor, Goal
from pulumi_alicloud_ai.testing._project import project_config
from pulumi_alicloud_ai.testing._props import PROVIDER_KEY, annotate_secrets, changed_keys, plain, secret_keys
from pulumi_alicloud_ai.testing._state import ResourceState, delete_order, dependents_of, new_urn, stack_urn
from pulumi_alicloud_ai.testing._step import Operation, Step
from pulumi_alicloud_ai.testing.provider_host import ProviderHost

__all__ = [
    "CheckFailedError",
    "LocalEngine",
    "LocalEngineError",
    "ResourceState",
    "Step",
    "UnsupportedFeatureError",
]


@dataclass
class _Run:
    """One preview or up: what the step generator tracks while the program registers resources."""

    preview: bool
    olds: dict[str, ResourceState]
    steps: list[Step] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    aliased: dict[str, str] = field(default_factory=dict)
    """Old URN -> the new URN that claimed it through an alias."""
    alias_of: dict[str, str] = field(default_factory=dict)
    """New URN -> the old URN it was found under (its children inherit the alias)."""
    replaced: list[ResourceState] = field(default_factory=list)
    """Old resources replaced in this run, deleted at its end."""
    failure: BaseException | None = None
    report: bool = True
    """Whether ``on_step`` hears of its steps (not for the preview that ``up`` runs first)."""


def _protected_message(urn: str) -> str:
    return (
        f"resource {urn!r} cannot be deleted\nbecause it is protected. To unprotect the resource, either "
        "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or "
        f"call LocalEngine.unprotect({urn!r}) (`pulumi state unprotect`)"
    )


class LocalEngine:
    """Preview, up and destroy Pulumi programs whose resources are dynamic providers."""

    def __init__(
        self,
        project: str,
        stack: str = "dev",
        *,
        env: Mapping[str, str] | None = None,
        on_step: Callable[[Step], None] | None = None,
        state_file: Path | str | None = None,
        passphrase: str | None = None,
    ) -> None:
        """``state_file``: loaded now if it exists, written after each ``up`` and ``destroy``.
        ``passphrase`` (default: ``PULUMI_CONFIG_PASSPHRASE``) encrypts the secrets in state files."""
        self.project = project
        self.stack = stack
        self.state: dict[str, ResourceState] = {}
        """Live resources (components too) by URN."""
        self.pending_deletes: list[ResourceState] = []
        """Replaced resources whose delete has not succeeded yet; the next run retries them."""
        self.warnings: list[str] = []
        """What the Pulumi CLI would print as warnings, and where the CLI would do otherwise."""
        self._env = dict(os.environ if env is None else env)
        self._on_step = on_step
        self._host: ProviderHost | None = None
        self._passphrase = passphrase if passphrase is not None else self._env.get("PULUMI_CONFIG_PASSPHRASE")
        self._cipher: _state_file.StateCipher | None = None
        self._state_file = Path(state_file) if state_file is not None else None
        self._run: _Run | None = None
        self._stack_config: dict[str, str] = {}
        """The stack config providers are configured with (namespaced keys, as the engine sends it)."""
        # The SDK registers resources from several threads at once; steps are carried out one at a time.
        self._lock = threading.RLock()
        if self._state_file is not None and self._state_file.exists():
            self.load(self._state_file)

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
        """The dynamic-provider host, started on first use (no deadline on calls, as in the engine) and
        configured with the stack config of the latest run, as the engine configures providers."""
        if self._host is None:
            self._host = ProviderHost(None, self._env, call_timeout=None)
            self._host.configure(self._stack_config)
        return self._host

    def _configure(self, stack_config: Mapping[str, str]) -> None:
        """The engine starts providers for each command with that command's stack config: a run with
        other config gets a freshly configured host; ``destroy`` keeps the config of the last run."""
        if self._host is not None and dict(stack_config) != self._stack_config:
            self.close()
        self._stack_config = dict(stack_config)

    @property
    def components(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``(type, name, inputs)`` of each component resource in the state."""
        return [(res.type, res.name, res.inputs) for res in self.state.values() if not res.custom]

    # --- the commands -----------------------------------------------------------------------------

    def preview(
        self, program: Path | Callable[[], None], config: Mapping[str, str] | None = None
    ) -> list[Step]:
        """What ``up`` would do, changing nothing."""
        steps, _ = self._execute(program, config or {}, preview=True)
        return steps

    def up(
        self,
        program: Path | Callable[[], None],
        config: Mapping[str, str] | None = None,
        *,
        skip_preview: bool = False,
    ) -> tuple[list[Step], dict[str, Any]]:
        """Carry out the program; returns the steps and the stack outputs (secrets unwrapped).

        As ``pulumi up --yes`` does, a preview runs first, and an error it finds (a failed check, a
        protected resource to replace or delete) stops the update before anything changes;
        ``skip_preview=True`` is ``--skip-preview``.
        """
        if not skip_preview:
            self._execute(program, config or {}, preview=True, report=False)
        with self._saving():
            return self._execute(program, config or {}, preview=False)

    def destroy(self, *, skip_preview: bool = False) -> list[Step]:
        """Delete every resource, dependents first; a failed delete keeps the resource, and raises.

        As ``pulumi destroy --yes`` does, a preview first refuses a protected resource before anything
        is deleted; with ``skip_preview=True`` the resources that depend on it are deleted first.
        """
        condemned = [*self.pending_deletes, *self.state.values()]
        if not skip_preview:
            self._delete(_Run(preview=True, olds=dict(self.state), report=False), condemned)
        with self._saving():
            return self._delete(_Run(preview=False, olds=dict(self.state)), condemned)

    def unprotect(self, urn: str) -> None:
        """Clear a resource's ``protect`` flag in the state, as ``pulumi state unprotect`` does."""
        if urn not in self.state:
            raise LocalEngineError(f"no resource {urn!r} in the state")
        self.state[urn].protect = False
        self._autosave()

    def save(self, path: Path | str | None = None) -> None:
        """Write the state to ``path`` (default: ``state_file``), secrets encrypted with the passphrase."""
        target = Path(path) if path is not None else self._state_file
        if target is None:
            raise LocalEngineError("save needs a path (or a LocalEngine created with state_file=...)")
        resources = [*self.state.values(), *self.pending_deletes]
        if self._cipher is None and self._passphrase is not None:
            self._cipher = _state_file.StateCipher.new(self._passphrase)
        _state_file.write(target, self.project, self.stack, resources, self._cipher)

    def load(self, path: Path | str) -> None:
        """Replace the state with the one saved in ``path`` (same project and stack)."""
        project, stack, resources, cipher = _state_file.read(Path(path), self._passphrase)
        if (project, stack) != (self.project, self.stack):
            raise LocalEngineError(f"{path} holds stack {project}/{stack}, not {self.project}/{self.stack}")
        self.state = {res.urn: res for res in resources if not res.delete}
        self.pending_deletes = [res for res in resources if res.delete]
        self._cipher = cipher

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        try:
            yield
        finally:
            self._autosave()

    def _autosave(self) -> None:
        if self._state_file is not None:
            self.save(self._state_file)

    # --- running a program ------------------------------------------------------------------------

    def _execute(
        self,
        program: Path | Callable[[], None],
        config: Mapping[str, str],
        *,
        preview: bool,
        report: bool = True,
    ) -> tuple[list[Step], dict[str, Any]]:
        if callable(program):
            values = {key if ":" in key else f"{self.project}:{key}": value for key, value in config.items()}
        else:
            values = project_config(Path(program).resolve(), self.project, self.stack, config)
        self._configure(values)
        run = _Run(preview=preview, olds=dict(self.state), report=report)
        captured: dict[str, Any] = {}

        async def exports() -> None:
            root = get_root_resource()
            for name, value in dict(getattr(root, "outputs", {})).items():
                output = pulumi.Output.from_input(value)
                captured[name] = await output.future(with_unknowns=True)

        @pulumi.runtime.test  # type: ignore[untyped-decorator]
        def run_program() -> Any:
            if callable(program):
                program()
            else:
                _run_project(Path(program).resolve())
            return pulumi.Output.from_input(asyncio.ensure_future(exports()))

        try:
            with fresh_event_loop():
                self._run = run
                urn = stack_urn(self.project, self.stack)
                monitor = EngineMonitor(urn, self._register, self._register_outputs)
                settings.ROOT.set(None)  # a new stack resource: exports of an earlier run must not leak in
                pulumi.runtime.set_mocks(monitor.mocks, self.project, self.stack, preview, monitor=monitor)
                pulumi.runtime.set_all_config(values)
                run_program()
        except BaseException as exc:
            reported(exc)
            if run.failure is not None and run.failure is not exc:
                raise run.failure from None
            raise
        finally:
            self._run = None
        self._delete(run, [*self.pending_deletes, *self._removed(run)])
        return run.steps, captured

    def _warn(self, message: str) -> None:
        """A warning the CLI would print (once, though ``up`` previews first)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def _record(self, run: _Run, step: Step) -> Step:
        run.steps.append(step)
        if self._on_step is not None and run.report:
            self._on_step(step)
        return step

    def _register(self, goal: Goal) -> tuple[str, str, dict[str, Any]]:
        """The engine's RegisterResource: one step, carried out; later ones refused after a failure."""
        with self._lock:
            run = self._run
            if run is None:
                raise LocalEngineError("a resource was registered outside a LocalEngine run")
            if run.failure is not None:
                raise reported(LocalEngineError(f"not carried out: an earlier step failed ({run.failure})"))
            try:
                return self._step(run, goal)
            except BaseException as exc:
                run.failure = reported(exc)
                raise

    def _register_outputs(self, urn: str, outputs: dict[str, Any]) -> None:
        with self._lock:
            if self._run is not None and not self._run.preview and urn in self.state:
                self.state[urn].outputs = outputs

    def _step(self, run: _Run, goal: Goal) -> tuple[str, str, dict[str, Any]]:
        urn = new_urn(self.project, self.stack, goal.parent, goal.type, goal.name)
        if urn in run.seen:
            raise LocalEngineError(f"Duplicate resource URN {urn!r}; try giving it a unique name")
        run.seen.add(urn)
        old, old_urn = None, urn
        for candidate in (urn, *alias_urns(goal, run.alias_of, self.project, self.stack)):
            if candidate in run.olds:
                if candidate != urn and (candidate in run.seen or candidate in run.aliased):
                    raise LocalEngineError(
                        f"{candidate!r} is claimed by an alias of {urn!r} and another resource"
                    )
                old, old_urn = run.olds[candidate], candidate
                break
        if old is not None and old_urn != urn:
            run.aliased[old_urn] = urn
            run.alias_of[urn] = old_urn
        if not goal.custom:
            return self._component(run, goal, urn, old, old_urn)
        return self._custom(run, goal, urn, old, old_urn)

    # --- steps --------------------------------------------------------------------------------------

    def _put(self, state: ResourceState, old_urn: str) -> None:
        if old_urn != state.urn:
            self.state.pop(old_urn, None)
        self.state[state.urn] = state

    def _new_state(self, goal: Goal, urn: str, resource_id: str, inputs: dict[str, Any],
                   outputs: dict[str, Any], import_id: str = "") -> ResourceState:  # fmt: skip
        return ResourceState(
            urn=urn,
            type=goal.type,
            name=goal.name,
            id=resource_id,
            inputs=inputs,
            outputs=outputs,
            custom=goal.custom,
            parent=goal.parent,
            dependencies=list(goal.dependencies),
            protect=goal.protect,
            retain_on_delete=goal.retain_on_delete,
            deleted_with=goal.deleted_with,
            import_id=import_id,
        )

    def _component(
        self, run: _Run, goal: Goal, urn: str, old: ResourceState | None, old_urn: str
    ) -> tuple[str, str, dict[str, Any]]:
        op: Operation = "create" if old is None else "same" if old.inputs == goal.inputs else "update"
        self._record(run, Step(op, goal.type, goal.name, urn=urn, custom=False))
        if not run.preview:
            self._put(self._new_state(goal, urn, "", goal.inputs, old.outputs if old else {}), old_urn)
        return urn, "", goal.inputs

    def _custom(
        self, run: _Run, goal: Goal, urn: str, old: ResourceState | None, old_urn: str
    ) -> tuple[str, str, dict[str, Any]]:
        inputs = goal.inputs
        if old is not None and goal.ignore_changes:
            inputs = _paths.ignore_changes(inputs, old.inputs, goal.ignore_changes)
        if goal.import_id and (old is None or (old.import_id or old.id) != goal.import_id):
            if old is not None:
                raise UnsupportedFeatureError(
                    f"{goal.type} resource '{goal.name}': import_={goal.import_id!r} over the resource the "
                    f"state holds with id {old.id!r} (an import-replacement) is not done by LocalEngine"
                )
            return self._import(run, goal, urn)
        checked = self._check(urn, goal, inputs, old.inputs if old else None)
        if old is None:
            return self._create(run, goal, urn, checked)
        return self._change(run, goal, urn, old, old_urn, checked)

    def _check(
        self, urn: str, goal: Goal, news: dict[str, Any], olds: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Check through the host; the checked inputs keep the secret marks of the program's inputs."""
        outcome = self.host.check(urn, plain(news), olds=plain(olds) if olds else {})
        if outcome.failures:
            problems = "; ".join(f"{prop}: {reason}" for prop, reason in outcome.failures.items())
            raise CheckFailedError(f"{goal.type} resource '{goal.name}' has a problem: {problems}")
        checked = {**outcome.inputs, PROVIDER_KEY: plain(news[PROVIDER_KEY])}
        annotate_secrets(checked, news)
        return checked

    def _outputs(self, outs: dict[str, Any], inputs: dict[str, Any], goal: Goal) -> dict[str, Any]:
        """Outputs as the engine keeps them: secret where the input was, the provider alongside."""
        outputs = dict(outs)
        annotate_secrets(outputs, inputs)
        outputs[PROVIDER_KEY] = inputs[PROVIDER_KEY]
        for key in goal.additional_secret_outputs:
            if key in outputs:
                outputs[key] = rpc.wrap_rpc_secret(outputs[key])
        return outputs

    def _create(
        self, run: _Run, goal: Goal, urn: str, checked: dict[str, Any]
    ) -> tuple[str, str, dict[str, Any]]:
        self._record(run, Step("create", goal.type, goal.name, secret=secret_keys(checked), urn=urn))
        if run.preview:
            return urn, "", checked  # the host cannot preview: outputs not known yet stay unknown
        resource_id, outs, _ = self.host.create(urn, plain(checked))
        outputs = self._outputs(outs, checked, goal)
        self._put(self._new_state(goal, urn, resource_id, checked, outputs), urn)
        return urn, resource_id, outputs

    def _import(self, run: _Run, goal: Goal, urn: str) -> tuple[str, str, dict[str, Any]]:
        """The engine's ImportStep: read, check the program's inputs, and refuse if they differ."""
        provider = plain(goal.inputs[PROVIDER_KEY])
        program = plain(goal.inputs)  # the engine sends none; the host needs the provider from them
        read_id, outs, read_inputs = self.host.read(urn, goal.import_id, {}, program)
        if not read_id:
            raise LocalEngineError(
                f"{goal.type} resource '{goal.name}': resource {goal.import_id!r} does not exist"
            )
        olds = {**read_inputs, PROVIDER_KEY: provider}
        inputs = (
            _paths.ignore_changes(goal.inputs, olds, goal.ignore_changes)
            if goal.ignore_changes
            else goal.inputs
        )
        checked = self._check(urn, goal, inputs, olds)
        diff = self._diff(urn, read_id, {**outs, PROVIDER_KEY: provider}, olds, checked)
        if diff.changes:
            keys = changed_keys(olds, checked) or diff.changed_keys
            message = f"inputs to import do not match the existing resource: {keys}"
            if not run.preview:
                raise LocalEngineError(f"{goal.type} resource '{goal.name}': {message}")
            self._warn(f"{urn}: {message}; importing this resource will fail")
        self._warn(
            f"{urn}: imported with the program's inputs sent along with the Read; the Pulumi CLI sends "
            "none, and its import of a dynamic-provider resource fails with KeyError: '__provider' "
            "(pulumi/pulumi#16175)"
        )
        self._record(run, Step("import", goal.type, goal.name, secret=secret_keys(checked), urn=urn))
        outputs = self._outputs(outs, checked, goal)
        if not run.preview:
            self._put(self._new_state(goal, urn, read_id, checked, outputs, import_id=goal.import_id), urn)
        return urn, read_id, outputs

    def _diff(
        self, urn: str, resource_id: str, old_outputs: Mapping[str, Any], old_inputs: Mapping[str, Any],
        news: Mapping[str, Any],
    ) -> _Diff:  # fmt: skip
        """The provider's Diff; an "unknown" answer is settled by comparing inputs, as the engine does."""
        response = self.host.diff(urn, resource_id, plain(old_outputs), plain(news))
        changed = list(response.diffs)  # the keys the engine knows changed; the Python host sends none
        changes = response.changes == proto.DiffResponse.DIFF_SOME
        if response.changes == proto.DiffResponse.DIFF_UNKNOWN:
            changed = changed_keys(old_inputs, news, with_provider=True)
            changes = bool(changed)
        return _Diff(changes, list(response.replaces), changed, response.deleteBeforeReplace)

    def _change(
        self, run: _Run, goal: Goal, urn: str, old: ResourceState, old_urn: str, checked: dict[str, Any]
    ) -> tuple[str, str, dict[str, Any]]:
        diff = self._diff(urn, old.id, old.outputs, old.inputs, checked)
        replaces = list(diff.replaces)
        if diff.changes:
            replaces += [
                key
                for key in diff.changed_keys
                if any(_paths.contains_key(path, key) for path in goal.replace_on_changes)
            ]
        olds_plain, news_plain = plain(old.inputs), plain(checked)
        shown = [(key, olds_plain.get(key), news_plain.get(key)) for key in changed_keys(old.inputs, checked)]
        secret = secret_keys(old.outputs) | secret_keys(checked)
        if old.pending_replacement or (diff.changes and replaces):
            step = Step("replace", goal.type, goal.name, shown, secret, urn=urn)
            return self._replace(run, goal, step, old, old_urn, diff.delete_before_replace)
        if diff.changes:
            self._record(run, Step("update", goal.type, goal.name, shown, secret, urn=urn))
            if run.preview:
                return urn, old.id, checked  # the host cannot preview: outputs come back as the inputs
            outs = self.host.update(urn, old.id, plain(old.outputs), plain(checked))
            outputs = self._outputs(outs, checked, goal)
            self._put(self._new_state(goal, urn, old.id, checked, outputs), old_urn)
            return urn, old.id, outputs
        self._record(run, Step("same", goal.type, goal.name, urn=urn))
        if not run.preview:
            self._put(self._new_state(goal, urn, old.id, checked, old.outputs), old_urn)
        return urn, old.id, old.outputs

    def _replace(
        self, run: _Run, goal: Goal, step: Step, old: ResourceState, old_urn: str, provider_dbr: bool
    ) -> tuple[str, str, dict[str, Any]]:
        """Create the replacement, then (at the end of the run) delete the old one; or the other way
        round when the provider or ``delete_before_replace`` asks for it."""
        urn = step.urn
        if goal.protect and old.protect:
            raise LocalEngineError(
                f"unable to replace resource {urn!r}\nas it is currently marked for protection. To unprotect "
                "the resource, remove the `protect` flag from the resource in your Pulumi program and run "
                "`pulumi up`"
            )
        if goal.import_id:
            message = (
                "previously-imported resources that still specify an ID may not be replaced; please remove "
                "the `import` declaration from your program"
            )
            if not run.preview:
                raise LocalEngineError(f"{goal.type} resource '{goal.name}': {message}")
            self._warn(f"{urn}: {message}")
        checked = self._check(urn, goal, goal.inputs, None)  # a new resource: defaults from the program
        self._record(run, step)
        if run.preview:
            return urn, "", checked
        delete_first = provider_dbr if goal.delete_before_replace is None else goal.delete_before_replace
        if delete_first and not old.pending_replacement:
            dependents = dependents_of(old_urn, self.state.values())
            if dependents:
                names = ", ".join(sorted(res.urn for res in dependents))
                raise UnsupportedFeatureError(
                    f"{goal.type} resource '{goal.name}' is replaced delete-before-replace, and {names} "
                    "depend on it; the Pulumi engine would delete and replace those first, which LocalEngine "
                    "does not do: run this program with the Pulumi CLI"
                )
            self._delete_at_provider(old)
            old.pending_replacement = True
        resource_id, outs, _ = self.host.create(urn, plain(checked))
        outputs = self._outputs(outs, checked, goal)
        self._put(self._new_state(goal, urn, resource_id, checked, outputs), old_urn)
        if not old.pending_replacement:
            condemned = dataclasses.replace(old, delete=True)
            self.pending_deletes.append(condemned)
            run.replaced.append(condemned)
        return urn, resource_id, outputs

    # --- deletes ----------------------------------------------------------------------------------

    def _removed(self, run: _Run) -> list[ResourceState]:
        return [res for urn, res in run.olds.items() if urn not in run.seen and urn not in run.aliased]

    def _delete(self, run: _Run, condemned: Sequence[ResourceState]) -> list[Step]:
        """Delete dependents first; a resource leaves the state only once its delete succeeded."""
        deleting = {res.urn for res in condemned}
        steps = []
        for res in delete_order(condemned):
            if not res.delete and res.protect:
                raise LocalEngineError(_protected_message(res.urn))
            if not any(res is replaced for replaced in run.replaced):  # shown by its replace step
                op: Operation = "delete-replaced" if res.delete else "delete"
                steps.append(self._record(run, Step(op, res.type, res.name, urn=res.urn, custom=res.custom)))
            if run.preview:
                continue
            if not (res.deleted_with and res.deleted_with in deleting):
                self._delete_at_provider(res)
            if res.delete:
                self.pending_deletes = [other for other in self.pending_deletes if other is not res]
            elif self.state.get(res.urn) is res:
                del self.state[res.urn]
        return steps

    def _delete_at_provider(self, res: ResourceState) -> None:
        """The provider's Delete, unless there is nothing to delete there (component, retained, deleted)."""
        if res.custom and not res.retain_on_delete and not res.pending_replacement:
            self.host.delete(res.urn, res.id, plain(res.outputs))


@dataclass(frozen=True)
class _Diff:
    changes: bool
    replaces: list[str]
    changed_keys: list[str]
    delete_before_replace: bool


def _run_project(directory: Path) -> None:
    """Run ``__main__.py`` as the Python language host does: from its directory, which is on sys.path."""
    sys.path.insert(0, str(directory))
    try:
        with contextlib.chdir(directory):
            runpy.run_path(str(directory / "__main__.py"), run_name="__main__")
    finally:
        sys.path.remove(str(directory))
