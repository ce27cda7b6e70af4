"""Every example program, run by the local engine against a real emulator: up, change, destroy."""

from __future__ import annotations

from pulumi.runtime import rpc

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing import LocalEngine
from tests.examples.conftest import EXAMPLES
from tests.official_sdk import eas_client


def test_llm_service_example_scales_in_place_and_destroys(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """The LLM example deploys with autoscaling and labels, previews 1 -> 3 replicas as an in-place
    update and applies it, then changes the autoscaler's bounds and a label in place, and destroys."""
    program = EXAMPLES / "llm-service"
    engine.project = "llm-service"
    steps, outputs = engine.up(program, {"replicas": "1"})
    assert [(s.op, s.name) for s in steps] == [("create", "chat")]
    assert outputs["status"] == "Running"
    assert outputs["internet_endpoint"].endswith("/api/predict/chat_llm")
    assert rpc.is_rpc_secret(engine.state[next(iter(engine.state))].outputs["access_token"])

    preview = engine.preview(program, {"replicas": "3"})
    assert [(s.op, s.diffs) for s in preview] == [("update", [("replicas", 1.0, 3.0)])]
    assert "~ replicas: 1 => 3" in preview[0].render()
    assert eas_client(example_emulator).describe_service("cn-shanghai", "chat_llm").body.total_instance == 1

    steps, outputs = engine.up(program, {"replicas": "3"})
    assert [s.op for s in steps] == ["update"]
    assert eas_client(example_emulator).describe_service("cn-shanghai", "chat_llm").body.total_instance == 3
    assert [s.op for s in engine.preview(program, {"replicas": "3"})] == ["same"]

    sdk = eas_client(example_emulator)
    scaler = sdk.describe_service_auto_scaler("cn-shanghai", "chat_llm").body
    assert (scaler.min_replica, scaler.max_replica) == (1, 4)
    assert [(s.metric_name, s.threshold) for s in scaler.scale_strategies] == [("qps", 50)]
    live = sdk.describe_service("cn-shanghai", "chat_llm").body
    assert {label.label_key: label.label_value for label in live.labels} == {"app": "chat", "team": "ml"}

    bigger = {"replicas": "3", "maxReplicas": "8", "team": "search"}
    preview = engine.preview(program, bigger)
    assert [(s.op, sorted(name for name, *_ in s.diffs)) for s in preview] == [
        ("update", ["autoscaling", "labels"])
    ]
    steps, _ = engine.up(program, bigger)
    assert [s.op for s in steps] == ["update"]
    assert sdk.describe_service_auto_scaler("cn-shanghai", "chat_llm").body.max_replica == 8
    live = sdk.describe_service("cn-shanghai", "chat_llm").body
    assert {label.label_key: label.label_value for label in live.labels} == {"app": "chat", "team": "search"}

    assert [s.op for s in engine.destroy()] == ["delete"]
    listed = eas_client(example_emulator).list_services(_list("chat_llm")).body
    assert listed.total_count == 0


def _list(name: str) -> object:
    from alibabacloud_eas20210701.models import ListServicesRequest

    return ListServicesRequest(filter=name)


def test_custom_component_example_builds_the_tree_and_destroys(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """The user's own component creates both services under it and exports their endpoints."""
    engine.project = "custom-component"
    steps, outputs = engine.up(EXAMPLES / "custom-component")
    assert sorted((s.op, s.name) for s in steps) == [
        ("create", "assistant"),
        ("create", "assistant-chat"),
        ("create", "assistant-chat-service"),
        ("create", "assistant-draft"),
        ("create", "assistant-draft-service"),
    ]
    assert [name for _, name, _ in engine.components] == ["assistant", "assistant-chat", "assistant-draft"]
    assert outputs["endpoints"]["chat"].endswith("/api/predict/assistant_chat")
    assert outputs["endpoints"]["draft"].endswith("/api/predict/assistant_draft")
    live = eas_client(example_emulator).describe_service("cn-shanghai", "assistant_chat").body
    assert (live.total_instance, live.app_spec_name) == (2, "llama_13b_fp16")
    assert {s.op for s in engine.destroy()} == {"delete"}
    assert eas_client(example_emulator).list_services(_list("assistant")).body.total_count == 0
