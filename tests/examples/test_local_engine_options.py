"""Resource options through the local engine, as the Pulumi engine applies them, against the emulator.

Each test would fail on an engine that ignored the option (or applied it differently from the Pulumi
engine); options the local engine cannot carry out are refused by name, never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources.ai_task import AITask, AITaskArgs, AITaskType
from pulumi_alicloud_ai.resources.app_service import AppService, AppServiceArgs, OssModelStorage
from pulumi_alicloud_ai.resources.llm_service import LlmService, LlmServiceArgs
from pulumi_alicloud_ai.testing import (
    CheckFailedError,
    LocalEngine,
    LocalEngineError,
    UnsupportedFeatureError,
)
from tests.official_sdk import eas_client


def _service(
    name: str, service_name: str, opts: pulumi.ResourceOptions | None = None, replicas: int = 1
) -> AppService:
    args = AppServiceArgs(service_name=service_name, service_spec="llama_7b_fp16", replicas=replicas)
    return AppService(name, args, opts)


def _services(emulator: RunningEmulator) -> list[str]:
    from alibabacloud_eas20210701.models import ListServicesRequest

    body = eas_client(emulator).list_services(ListServicesRequest()).body
    return sorted(service.service_name for service in body.services)


def _calls(emulator: RunningEmulator, *actions: str) -> list[tuple[str, tuple[str, ...]]]:
    """The emulator's request log: each call to one of ``actions`` and the names it touched."""
    return [
        (record.action, record.subjects)
        for record in emulator.state.request_records()
        if record.action in actions
    ]


def _ops(steps: list[Any]) -> list[tuple[str, str]]:
    return [(step.op, step.name) for step in steps]


def test_protect_refuses_destroy_until_the_program_unprotects(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """A protected service survives destroy (which fails, naming it); unprotected in the program, it goes."""
    engine.up(lambda: _service("svc", "kept_svc", pulumi.ResourceOptions(protect=True)))
    urn = next(iter(engine.state))
    with pytest.raises(LocalEngineError, match=r"cannot be deleted\nbecause it is protected"):
        engine.destroy()
    assert _services(example_emulator) == ["kept_svc"]
    assert list(engine.state) == [urn]

    steps, _ = engine.up(lambda: _service("svc", "kept_svc", pulumi.ResourceOptions(protect=False)))
    assert _ops(steps) == [("same", "svc")]
    assert _ops(engine.destroy()) == [("delete", "svc")]
    assert _services(example_emulator) == []


def test_destroy_refuses_a_protected_resource_before_deleting_anything(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """As ``pulumi destroy`` previews first, a protected service stops the destroy before the service
    that depends on it is deleted; with skip_preview (``--skip-preview``) that one goes first."""

    def program() -> None:
        backend = _service("backend", "protected_backend", pulumi.ResourceOptions(protect=True))
        _service("frontend", "dependent_frontend", pulumi.ResourceOptions(depends_on=[backend]))

    engine.up(program)
    with pytest.raises(LocalEngineError, match="because it is protected"):
        engine.destroy()
    assert _services(example_emulator) == ["dependent_frontend", "protected_backend"]
    with pytest.raises(LocalEngineError, match="because it is protected"):
        engine.destroy(skip_preview=True)
    assert _services(example_emulator) == ["protected_backend"]
    engine.unprotect(next(urn for urn in engine.state if urn.endswith("::backend")))
    engine.destroy()


def test_an_up_whose_preview_fails_changes_nothing(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """As ``pulumi up`` previews first, a failed check of the second service keeps the first from being
    created; with skip_preview the first is created before the second fails."""

    def program() -> None:
        first = _service("first", "first_of_two")
        _service("second", "second_of_two", pulumi.ResourceOptions(depends_on=[first]), replicas=0)

    with pytest.raises(CheckFailedError, match="replicas"):
        engine.up(program)
    assert _services(example_emulator) == []
    with pytest.raises(CheckFailedError, match="replicas"):
        engine.up(program, skip_preview=True)
    assert _services(example_emulator) == ["first_of_two"]
    engine.destroy()


def test_protect_refuses_a_replacement_and_a_removal(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Renaming a protected service (a replacement) fails before anything is created; so does dropping it
    from the program, at preview already."""
    protect = pulumi.ResourceOptions(protect=True)
    engine.up(lambda: _service("svc", "guarded_svc", protect))
    with pytest.raises(
        LocalEngineError,
        match=r"unable to replace resource '.*::svc'\nas it is currently marked for protection",
    ):
        engine.up(lambda: _service("svc", "renamed_svc", protect))
    with pytest.raises(LocalEngineError, match="because it is protected"):
        engine.preview(lambda: None)
    with pytest.raises(LocalEngineError, match="because it is protected"):
        engine.up(lambda: None)
    assert _services(example_emulator) == ["guarded_svc"]
    assert _calls(example_emulator, "DeleteService") == []
    engine.unprotect(next(iter(engine.state)))
    engine.destroy()


def test_ignore_changes_keeps_the_old_prompt_instead_of_replacing(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """An ignored input takes its old value before Check and Diff: no replace, and the state keeps it."""

    def program(prompt: str, ignore: list[str]) -> Callable[[], None]:
        return lambda: pulumi.export(
            "task",
            AITask(
                "net",
                AITaskArgs(task_type=AITaskType.GENERATE_TEMPLATE, prompt=prompt),
                pulumi.ResourceOptions(ignore_changes=ignore),
            ).task_id,
        )

    _, first = engine.up(program("A VPC with one vSwitch", ["prompt"]))
    assert _ops(engine.preview(program("An OSS bucket", ["prompt"]))) == [("same", "net")]
    steps, outputs = engine.up(program("An OSS bucket", ["prompt"]))
    assert _ops(steps) == [("same", "net")]
    assert outputs["task"] == first["task"]
    assert engine.state[next(iter(engine.state))].inputs["prompt"] == "A VPC with one vSwitch"
    assert len(_calls(example_emulator, "CreateAITask")) == 1
    assert _ops(engine.preview(program("An OSS bucket", []))) == [("replace", "net")]
    engine.destroy()


def test_retain_on_delete_leaves_the_service_running(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Destroy forgets a retained service without deleting it."""
    engine.up(lambda: _service("svc", "retained_svc", pulumi.ResourceOptions(retain_on_delete=True)))
    assert _ops(engine.destroy()) == [("delete", "svc")]
    assert engine.state == {}
    assert _services(example_emulator) == ["retained_svc"]
    assert _calls(example_emulator, "DeleteService") == []


def test_depends_on_orders_deletes_dependents_first(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """A dependency added later (so the state's order disagrees) still decides the delete order."""

    def program() -> None:
        frontend = _service("frontend", "frontend_svc")
        _service("backend", "backend_svc", pulumi.ResourceOptions(depends_on=[frontend]))

    def reversed_program() -> None:
        backend = _service("backend", "backend_svc")
        _service("frontend", "frontend_svc", pulumi.ResourceOptions(depends_on=[backend]))

    engine.up(program)
    steps, _ = engine.up(reversed_program)
    assert sorted(_ops(steps)) == [("same", "backend"), ("same", "frontend")]
    assert _ops(engine.destroy()) == [("delete", "frontend"), ("delete", "backend")]
    assert [subjects for _, subjects in _calls(example_emulator, "DeleteService")] == [
        ("frontend_svc",),
        ("backend_svc",),
    ]


def test_a_replacement_is_created_first_and_the_old_one_deleted_at_the_end(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """By default the replacement is created, the rest of the program runs, then the old one goes."""
    engine.up(lambda: _service("svc", "old_svc"))

    def renamed() -> None:
        first = _service("svc", "new_svc")
        _service("other", "other_svc", pulumi.ResourceOptions(depends_on=[first]))

    steps, _ = engine.up(renamed)
    assert _ops(steps) == [("replace", "svc"), ("create", "other")]
    assert [action for action, _ in _calls(example_emulator, "CreateAppService", "DeleteService")] == [
        "CreateAppService",
        "CreateAppService",
        "CreateAppService",
        "DeleteService",
    ]
    assert _services(example_emulator) == ["new_svc", "other_svc"]
    engine.destroy()


def test_delete_before_replace_deletes_the_old_service_first(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """ResourceOptions(delete_before_replace=True): the old service is deleted before the new one exists."""
    dbr = pulumi.ResourceOptions(delete_before_replace=True)
    engine.up(lambda: _service("svc", "first_svc", dbr))
    steps, _ = engine.up(lambda: _service("svc", "second_svc", dbr))
    assert _ops(steps) == [("replace", "svc")]
    assert _calls(example_emulator, "CreateAppService", "DeleteService")[1:] == [
        ("DeleteService", ("first_svc",)),
        ("CreateAppService", ("second_svc",)),
    ]
    assert _services(example_emulator) == ["second_svc"]
    engine.destroy()


def test_delete_before_replace_of_a_resource_others_depend_on_is_refused(engine: LocalEngine) -> None:
    """The engine would first delete and replace the dependents; the local engine refuses, by name."""
    dbr = pulumi.ResourceOptions(delete_before_replace=True)

    def program(name: str) -> None:
        first = _service("svc", name, dbr)
        _service("user", "user_svc", pulumi.ResourceOptions(depends_on=[first]))

    engine.up(lambda: program("first_svc"))
    with pytest.raises(UnsupportedFeatureError, match=r"delete-before-replace, and .*::user depend on it"):
        engine.up(lambda: program("second_svc"))
    engine.destroy()


def test_an_alias_renames_a_component_without_replacing_its_child(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """LlmService "chat" renamed "assistant" with an alias: its child "chat-service" follows as
    "assistant-service" (the engine's inherited child alias); nothing is created or deleted."""
    model = OssModelStorage(oss_path="oss://models/llama/")

    def program(name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        LlmService(name, LlmServiceArgs(service_name="aliased_llm", model=model), opts)

    engine.up(lambda: program("chat"))
    renamed = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="chat")])
    steps, _ = engine.up(lambda: program("assistant", renamed))
    assert _ops(steps) == [("same", "assistant"), ("same", "assistant-service")]
    assert sorted(engine.state) == [
        "urn:pulumi:dev::example::alicloud-ai:index:LlmService$pulumi-python:dynamic/alicloud-ai:AppService"
        "::assistant-service",
        "urn:pulumi:dev::example::alicloud-ai:index:LlmService::assistant",
    ]
    assert len(_calls(example_emulator, "CreateAppService")) == 1
    assert _calls(example_emulator, "DeleteService") == []
    engine.destroy()


def test_replace_on_changes_acts_only_on_keys_the_engine_knows_changed(engine: LocalEngine) -> None:
    """The dynamic-provider host reports no changed keys, so replace_on_changes=["replicas"] leaves a
    replicas change an update, as under the Pulumi engine."""
    roc = pulumi.ResourceOptions(replace_on_changes=["replicas"])
    engine.up(lambda: _service("svc", "roc_svc", roc))
    assert _ops(engine.preview(lambda: _service("svc", "roc_svc", roc, replicas=2))) == [("update", "svc")]
    engine.destroy()


@pytest.mark.parametrize(
    ("options", "feature"),
    [
        (pulumi.ResourceOptions(transforms=[lambda args: None]), "ResourceOptions.transforms"),
        (pulumi.ResourceOptions(id="cn-shanghai/someone_elses"), r"a read of an existing resource"),
        (pulumi.ResourceOptions(ignore_changes=["config.*"]), "has a wildcard"),
    ],
)
def test_options_the_engine_cannot_carry_out_are_refused_by_name(
    engine: LocalEngine, example_emulator: RunningEmulator, options: pulumi.ResourceOptions, feature: str
) -> None:
    """Transforms, reads of existing resources and wildcard ignore_changes raise, naming the feature."""
    engine.up(lambda: _service("svc", "refusing_svc"))
    with pytest.raises(UnsupportedFeatureError, match=feature):
        engine.up(lambda: _service("svc", "refusing_svc", options))
    assert _services(example_emulator) == ["refusing_svc"]
    engine.destroy()
