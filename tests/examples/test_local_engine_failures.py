"""Failed deletes and imports through the local engine: it never forgets a resource whose delete failed,
and an import is read, checked and kept as the Pulumi engine keeps it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pulumi
import pytest
from alibabacloud_vod20170321 import models as vod

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources.app_service import AppService, AppServiceArgs
from pulumi_alicloud_ai.resources.vod_ai_template import (
    AIImageTemplateConfig,
    VodAITemplate,
    VodAITemplateArgs,
)
from pulumi_alicloud_ai.testing import LocalEngine, LocalEngineError, ProviderCallError
from tests.conftest import EmulatorFactory
from tests.examples.conftest import engine_against
from tests.official_sdk import eas_client, vod_client

JOB_SECONDS = 12
"""An AI image job's emulated run time: submitted 2 s, processing 10 s (emulator/vod/states.py)."""


@pytest.fixture
def timed_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator whose jobs take their time (moved on through the admin clock, never waited for)."""
    return emulators.start()


@pytest.fixture
def timed_engine(
    timed_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalEngine]:
    """A local engine against the timed emulator."""
    with engine_against(timed_emulator, tmp_path, monkeypatch) as running:
        yield running


def _fail_next(emulator: RunningEmulator, action: str) -> None:
    rule = {
        "product": "eas",
        "action": action,
        "count": 1,
        "error": {"code": "Forbidden.Delete", "status": 403},
    }
    httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()


def _service(name: str, service_name: str, replicas: int = 1, import_: str | None = None) -> None:
    args = AppServiceArgs(service_name=service_name, service_spec="llama_7b_fp16", replicas=replicas)
    AppService(name, args, pulumi.ResourceOptions(import_=import_))


def _services(emulator: RunningEmulator) -> list[str]:
    from alibabacloud_eas20210701.models import ListServicesRequest

    body = eas_client(emulator).list_services(ListServicesRequest()).body
    return sorted(service.service_name for service in body.services)


def test_a_refused_delete_keeps_the_template_and_the_retry_deletes_it(
    timed_engine: LocalEngine, timed_emulator: RunningEmulator
) -> None:
    """VOD refuses to delete a template a running job uses: destroy fails and the state keeps the
    template; once the job has finished, destroy again deletes it."""

    def program() -> None:
        template = VodAITemplate(
            "thumbs", VodAITemplateArgs(template_name="busy", config=AIImageTemplateConfig(count=2))
        )
        pulumi.export("template_id", template.template_id)

    _, outputs = timed_engine.up(program)
    httpx.post(
        f"{timed_emulator.url}/_emulator/vod/videos",
        json={"Title": "clip", "Duration": 60, "VideoId": "clip"},
    ).raise_for_status()
    request = vod.SubmitAIImageJobRequest(video_id="clip", aitemplate_id=outputs["template_id"])
    vod_client(timed_emulator).submit_aiimage_job(request)  # someone else's job, still running

    with pytest.raises(ProviderCallError, match=r"InvalidAITemplate\.InUse"):
        timed_engine.destroy()
    assert [res.name for res in timed_engine.state.values()] == ["thumbs"]

    httpx.post(f"{timed_emulator.url}/_emulator/clock", json={"seconds": JOB_SECONDS + 1}).raise_for_status()
    assert [(step.op, step.name) for step in timed_engine.destroy()] == [("delete", "thumbs")]
    assert timed_engine.state == {}
    template = vod.GetAITemplateRequest(template_id=outputs["template_id"])
    with pytest.raises(Exception, match=r"InvalidAITemplate\.NotFound"):
        vod_client(timed_emulator).get_aitemplate(template)


def test_a_replaced_service_whose_delete_fails_is_deleted_by_the_next_up(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """The replacement stays in the state and the old service waits as a pending delete; the next up
    deletes it (shown as delete-replaced) and changes nothing else."""
    engine.up(lambda: _service("svc", "first_svc"))
    _fail_next(example_emulator, "DeleteService")
    with pytest.raises(ProviderCallError, match=r"Forbidden\.Delete"):
        engine.up(lambda: _service("svc", "second_svc"))
    assert [res.outputs["service_name"] for res in engine.state.values()] == ["second_svc"]
    assert [res.outputs["service_name"] for res in engine.pending_deletes] == ["first_svc"]
    assert _services(example_emulator) == ["first_svc", "second_svc"]

    steps, _ = engine.up(lambda: _service("svc", "second_svc"))
    assert [(step.op, step.name) for step in steps] == [("same", "svc"), ("delete-replaced", "svc")]
    assert engine.pending_deletes == []
    assert _services(example_emulator) == ["second_svc"]
    engine.destroy()


def test_an_imported_service_is_kept_and_destroy_deletes_it(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Import reads the service into the state (the serialized provider kept with it): the next up is
    the same, and destroy deletes it."""
    with LocalEngine("example", env=engine._env) as creator:
        creator.up(lambda: _service("made", "imported_svc"))
        service_id = next(iter(creator.state.values())).id

    steps, _ = engine.up(lambda: _service("svc", "imported_svc", import_=service_id))
    assert [(step.op, step.name) for step in steps] == [("import", "svc")]
    assert "pulumi/pulumi#16175" in engine.warnings[-1]  # where the CLI differs, it says so
    assert next(iter(engine.state.values())).import_id == service_id
    steps, _ = engine.up(lambda: _service("svc", "imported_svc", import_=service_id))
    assert [(step.op, step.name) for step in steps] == [("same", "svc")]
    assert [(step.op, step.name) for step in engine.destroy()] == [("delete", "svc")]
    assert _services(example_emulator) == []


def test_an_import_whose_inputs_differ_from_the_service_is_refused(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """The program says 3 replicas, the service has 1: up refuses the import (preview warns), and
    nothing is changed or recorded."""
    with LocalEngine("example", env=engine._env) as creator:
        creator.up(lambda: _service("made", "mismatched_svc"))
        service_id = next(iter(creator.state.values())).id

    def program() -> None:
        _service("svc", "mismatched_svc", replicas=3, import_=service_id)

    assert [(step.op, step.name) for step in engine.preview(program)] == [("import", "svc")]
    assert any("inputs to import do not match" in warning for warning in engine.warnings)
    with pytest.raises(
        LocalEngineError, match=r"inputs to import do not match the existing resource: \['replicas'\]"
    ):
        engine.up(program)
    assert engine.state == {}
    assert (
        eas_client(example_emulator).describe_service("cn-shanghai", "mismatched_svc").body.total_instance
        == 1
    )
