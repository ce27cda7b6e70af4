"""The local engine's own contracts: check failures surface as Pulumi prints them, and do not leak;
a project directory runs under its own name and config defaults."""

from __future__ import annotations

import gc
import json
import logging
import os
from pathlib import Path

import pulumi
import pytest

from pulumi_alicloud_ai.resources.app_service import AppService, AppServiceArgs
from pulumi_alicloud_ai.testing import LocalEngine, LocalEngineError
from pulumi_alicloud_ai.testing.local_engine import CheckFailedError
from tests.examples.conftest import EXAMPLES


def _program(replicas: int) -> None:
    AppService(
        "svc", AppServiceArgs(service_name="engine_svc", service_spec="llama_7b_fp16", replicas=replicas)
    )


def test_a_failed_check_is_reported_and_the_next_run_is_clean(engine: LocalEngine) -> None:
    """A preview that fails check names the field; a later run in the same process is unaffected."""
    with pytest.raises(CheckFailedError, match="replicas: must be from 1 to 100"):
        engine.preview(lambda: _program(0))
    steps, _ = engine.up(lambda: _program(1))
    assert [(s.op, s.name) for s in steps] == [("create", "svc")]
    assert [s.op for s in engine.destroy()] == ["delete"]


def test_a_failed_check_in_a_project_does_not_poison_another_engine(
    engine: LocalEngine, tmp_path: Path
) -> None:
    """A project whose check fails, then another engine in the same process, runs cleanly."""
    engine.project = "llm-service"
    with pytest.raises(CheckFailedError, match="replicas"):
        engine.up(EXAMPLES / "llm-service", {"replicas": "-1"})
    with LocalEngine("llm-service", env=dict(os.environ)) as other:
        steps, outputs = other.up(EXAMPLES / "llm-service", {"replicas": "1"})
        assert [s.op for s in steps] == ["create"]
        assert outputs["status"] == "Running"
        other.destroy()


def test_failing_previews_print_no_unretrieved_future_tracebacks(
    engine: LocalEngine, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preview that fails reports its error once: no "Future exception was never retrieved" for the
    outputs the failed resource (and those waiting on it) never resolved, even after collection."""
    engine.project = "video-ai-images"
    config = {"videoIds": json.dumps([f"clip-{n}" for n in range(8)]), "imageCount": "99"}
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        for _ in range(2):
            with pytest.raises(CheckFailedError, match=r"config: count must be a whole number from 1 to 10"):
                engine.preview(EXAMPLES / "video-ai-images", config)
        gc.collect()
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []
    assert "never retrieved" not in capsys.readouterr().err


def test_a_project_runs_under_its_own_name_only(engine: LocalEngine) -> None:
    """The CLI takes the project name from Pulumi.yaml (it is in every URN): another name is refused."""
    with pytest.raises(LocalEngineError, match=r"project 'llm-service'.*LocalEngine\('llm-service'"):
        engine.up(EXAMPLES / "llm-service")
    assert engine.state == {}


def test_project_config_defaults_apply_and_declared_values_are_required(engine: LocalEngine) -> None:
    """Pulumi.yaml defaults fill unset config; a declared key without a default must be set; types hold."""
    engine.project = "video-ai-images"
    with pytest.raises(
        LocalEngineError, match="Stack 'dev' is missing configuration value 'video-ai-images:videoIds'"
    ):
        engine.preview(EXAMPLES / "video-ai-images")
    with pytest.raises(LocalEngineError, match="'video-ai-images:imageCount' must be of type 'integer'"):
        engine.preview(EXAMPLES / "video-ai-images", {"videoIds": "[]", "imageCount": "many"})
    engine.project = "llm-service"
    steps, outputs = engine.up(EXAMPLES / "llm-service")  # replicas, serviceName, modelPath: defaults
    assert [(s.op, s.name) for s in steps] == [("create", "chat")]
    assert outputs["internet_endpoint"].endswith("/api/predict/chat_llm")
    engine.destroy()


def test_a_run_exports_only_what_its_own_program_exports(engine: LocalEngine) -> None:
    """Each run has a stack of its own (one process per run under the CLI): a failed run's exports
    neither leak into the next run's outputs nor re-raise its error there."""

    def failing() -> None:
        _program(0)
        pulumi.export("from_the_failed_run", "x")

    def succeeding() -> None:
        pulumi.export("answer", 42)

    with pytest.raises(CheckFailedError):
        engine.up(failing)
    _, outputs = engine.up(succeeding)
    assert outputs == {"answer": 42}
