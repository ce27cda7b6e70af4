"""The resource monitor the program talks to: each ``RegisterResource`` becomes a :class:`Goal`.

It replaces the SDK mock monitor's hooks, which drop every resource option, so the engine sees what the
Pulumi engine sees: parent, dependencies, protect, ignore_changes, aliases and the rest. Options the
local engine does not carry out are refused here, by name, instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from google.protobuf import empty_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from pulumi_alicloud_ai.testing._errors import UnsupportedFeatureError
from pulumi_alicloud_ai.testing._state import ROOT_STACK_TYPE

if TYPE_CHECKING:
    from pulumi.runtime.proto import alias_pb2

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"


def _thread_loop() -> None:
    """Make sure this (executor) thread has an event loop: deserializing resource references needs one."""
    _ensure_event_loop()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class AliasSpec:
    """An alias given by parts (``pulumi.Alias(name=...)``); empty parts default to the resource's own."""

    name: str = ""
    type: str = ""
    stack: str = ""
    project: str = ""
    parent: str = ""
    no_parent: bool = False


@dataclass(frozen=True)
class Goal:
    """What the program asked for one resource: its inputs and the options the engine acts on."""

    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    protect: bool = False
    dependencies: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    retain_on_delete: bool = False
    deleted_with: str = ""
    import_id: str = ""
    aliases: tuple[AliasSpec | str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()


def _refuse(feature: str, typ: str, name: str) -> UnsupportedFeatureError:
    return UnsupportedFeatureError(
        f"{typ} resource '{name}' uses {feature}, which LocalEngine does not carry out; "
        "run this program with the Pulumi CLI"
    )


def _alias(alias: alias_pb2.Alias) -> AliasSpec | str:
    if alias.WhichOneof("alias") == "urn":
        return alias.urn
    spec = alias.spec
    return AliasSpec(
        name=spec.name,
        type=spec.type,
        stack=spec.stack,
        project=spec.project,
        parent=spec.parentUrn if spec.WhichOneof("parent") == "parentUrn" else "",
        no_parent=spec.WhichOneof("parent") == "noParent" and spec.noParent,
    )


def goal_from_request(request: Any, inputs: dict[str, Any]) -> Goal:
    """The goal a ``RegisterResourceRequest`` states; options the engine cannot honour raise."""
    typ, name = request.type, request.name
    hooks = request.hooks
    unsupported = {
        "a remote (multi-language) component": request.remote,
        "ResourceOptions.transforms": len(request.transforms) > 0,
        "ResourceOptions.hooks": request.HasField("hooks")
        and any(len(getattr(hooks, kind)) for kind in ("before_create", "after_create", "before_update",
                                                        "after_update", "before_delete", "after_delete",
                                                        "on_error")),
        "ResourceOptions.replace_with": len(request.replace_with) > 0,
        "ResourceOptions.replacement_trigger": request.HasField("replacement_trigger"),
        "ResourceOptions.state_migrations": len(request.state_migrations) > 0,
        "ResourceOptions.env_var_mappings": len(request.envVarMappings) > 0,
        "an explicit provider (ResourceOptions.provider)": request.custom and bool(request.provider),
    }  # fmt: skip
    for feature, used in unsupported.items():
        if used:
            raise _refuse(feature, typ, name)
    if request.custom and not typ.startswith(DYNAMIC_TYPE_PREFIX):
        raise _refuse("a provider plugin (it is not a Python dynamic-provider resource)", typ, name)
    aliases: tuple[AliasSpec | str, ...] = tuple(_alias(alias) for alias in request.aliases) or tuple(
        request.aliasURNs
    )
    return Goal(
        type=typ,
        name=name,
        custom=request.custom,
        parent=request.parent,
        inputs=inputs,
        protect=request.HasField("protect") and request.protect,
        dependencies=tuple(dict.fromkeys(request.dependencies)),
        ignore_changes=tuple(request.ignoreChanges),
        replace_on_changes=tuple(request.replaceOnChanges),
        delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
        retain_on_delete=request.HasField("retainOnDelete") and request.retainOnDelete,
        deleted_with=request.deletedWith,
        import_id=request.importId,
        aliases=aliases,
        additional_secret_outputs=tuple(request.additionalSecretOutputs),
    )


Register = Callable[[Goal], tuple[str, str, dict[str, Any]]]
RegisterOutputs = Callable[[str, dict[str, Any]], None]


class EngineMonitor(MockMonitor):
    """The SDK's mock monitor with ``RegisterResource`` routed to the engine, options and all."""

    def __init__(self, stack_urn: str, register: Register, register_outputs: RegisterOutputs) -> None:
        super().__init__(_NoInvokes())
        self._stack_urn = stack_urn
        self._register = register
        self._register_outputs = register_outputs

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method's name
        if request.type == ROOT_STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=self._stack_urn)
        _thread_loop()
        goal = goal_from_request(request, dict(rpc.deserialize_properties(request.object)))
        urn, resource_id, outputs = self._register(goal)
        struct = _sync_await(rpc.serialize_properties(outputs, {}))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=struct)

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        if request.urn != self._stack_urn:
            _thread_loop()
            self._register_outputs(request.urn, dict(rpc.deserialize_properties(request.outputs)))
        return empty_pb2.Empty()

    def ReadResource(self, request: Any) -> Any:  # noqa: N802
        raise _refuse("a read of an existing resource (Resource.get / ResourceOptions(id=...))",
                      request.type, request.name)  # fmt: skip

    def RegisterStackTransform(self, request: Any) -> Any:  # noqa: N802
        raise UnsupportedFeatureError(
            "LocalEngine does not run stack transforms (register_resource_transform)"
        )

    def RegisterStackInvokeTransform(self, request: Any) -> Any:  # noqa: N802
        raise UnsupportedFeatureError("LocalEngine does not run invoke transforms")

    def RegisterResourceHook(self, request: Any) -> Any:  # noqa: N802
        raise UnsupportedFeatureError("LocalEngine does not run resource hooks")

    def RegisterErrorHook(self, request: Any) -> Any:  # noqa: N802
        raise UnsupportedFeatureError("LocalEngine does not run error hooks")


class _NoInvokes(pulumi.runtime.Mocks):
    """Invokes (data sources) go to provider plugins, which the local engine does not run."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        raise AssertionError("the engine monitor registers resources itself")  # pragma: no cover

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        raise UnsupportedFeatureError(f"LocalEngine does not serve invokes ({args.token})")
