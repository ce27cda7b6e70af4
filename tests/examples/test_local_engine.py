"""The local engine's own contracts: check failures surface as Pulumi prints them, and do not leak."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pulumi_alicloud_ai.resources.app_service import AppService, AppServiceArgs
from pulumi_alicloud_ai.testing import LocalEngine
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
