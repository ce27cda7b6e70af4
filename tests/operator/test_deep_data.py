"""Neither the dashboard nor the ``--record`` writer dies on what is stored or sent, however deep.

Requests are bounded at the door now, but a data directory written before that can hold values nested
hundreds of levels deep; the page, its live part, the feed and the recorder must still work on it.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.emulator.recorder import Recorder
from pulumi_alicloud_ai.emulator.store import Entity, Store
from tests.conftest import EmulatorFactory
from tests.deep_documents import nested
from tests.official_sdk import eas_client, ros_client
from tests.signed_requests import signed_eas_create

STORED_DEPTH = 600
"""The depth of the Config that was once accepted and then broke every dashboard view."""


def _store_deep_entities(data_dir: Path) -> None:
    """What an emulator without bounds at the door could have stored: an EAS service whose Config
    and a ROS task whose template nest 600 levels deep."""
    store = Store(data_dir / "emulator.sqlite3")
    now = time.time()
    service = Entity("eas", "service", "eas-m-deep0000000001", "cn-shanghai", "deep_llm", "Running", now)
    service.data = {
        "AppType": "LLM",
        "ServiceSpec": "llama_7b_fp16",
        "Replicas": 1,
        "Config": {"Extra": nested(STORED_DEPTH, "leaf")},
        "AccessToken": "stored-token",
        "Uid": "1234567890123456",
        "CallerUid": "1234567890123456",
    }
    task = Entity(
        "ros", "ai_task", "t-deep0000000000001", "cn-shanghai", "t-deep0000000000001", "SUCCESS", now
    )
    task.data = {
        "TaskType": "FixTemplate",
        "TemplateType": "ROS",
        "Prompt": "",
        "Outcome": {
            "ok": True,
            "reason": "",
            "failed_stage": None,
            "notes": ["parsed", "fixed"],
            "output": {"Result": {"Resources": nested(STORED_DEPTH, "leaf")}, "TemplateType": "ROS"},
        },
    }
    with store.transaction():
        for entity in (service, task):
            entity.created_at = entity.updated_at = now
            store.put(entity)
    store.close()


def test_dashboard_and_recorder_work_on_deep_data_already_stored(
    tmp_path: Path, emulators: EmulatorFactory
) -> None:
    """Page, live fragment and feed answer 200 over 600-deep stored values (cut to a note at
    32 levels), the API still reads them, and the recorder writes every exchange."""
    data_dir, record = tmp_path / "data", tmp_path / "record.jsonl"
    _store_deep_entities(data_dir)
    running = emulators.start(data_dir=data_dir, record=record)
    for path in ("/ui", "/ui/live", "/ui/feed"):
        response = httpx.get(f"{running.url}/_emulator{path}", timeout=30)
        assert response.status_code == 200, (path, response.text[:300])
    feed = httpx.get(f"{running.url}/_emulator/ui/feed", timeout=30).json()
    services = next(group for group in feed["groups"] if group["key"] == "eas-service")["entities"]
    shown = json.dumps(next(e for e in services if e["name"] == "deep_llm")["details"])
    assert "nested deeper than 32 levels" in shown
    described = eas_client(running).describe_service("cn-shanghai", "deep_llm").body
    assert described.status == "Running"
    task = ros_client(running).get_aitask(
        _ros_models().GetAITaskRequest(task_id="t-deep0000000000001", output_option="Enabled")
    )
    assert task.body.status == "SUCCESS"
    recorder = running.state.recorder
    assert recorder is not None
    emulators.stop(running)
    assert (recorder.error, recorder.lost) == (None, 0)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    actions = [line["headers"].get("x-acs-action") for line in lines if line["type"] == "api"]
    assert actions == ["DescribeService", "GetAITask"]


def _ros_models() -> Any:
    from alibabacloud_ros20190910 import models

    return models


def _eas_create(url: str, body: bytes) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.send(signed_eas_create(url, body))


def test_recorder_writes_on_after_a_body_too_deep_to_scrub(
    tmp_path: Path, emulators: EmulatorFactory
) -> None:
    """A 100,000-deep body is recorded without its body (it says why), and every later exchange is
    still written: the writer thread used to die on it, silently."""
    record = tmp_path / "record.jsonl"
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    valid = json.dumps(
        {"ServiceName": "after_deep", "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1}
    ).encode()
    running = emulators.start(data_dir=None, record=record)
    _eas_create(running.url, deep)
    assert _eas_create(running.url, valid).status_code == 200
    recorder = running.state.recorder
    assert recorder is not None
    emulators.stop(running)
    assert (recorder.error, recorder.lost) == (None, 0)
    api = [
        json.loads(line)
        for line in record.read_text().splitlines()
        if '"type":"api"' in line.replace(" ", "")
    ]
    assert [line["status"] for line in api] == [400, 200]
    assert "nests deeper than" in api[0]["body"]["omitted"]
    assert api[0]["body"]["bytes"] == len(deep)
    assert api[1]["body"]["json"]["ServiceName"] == "after_deep"


def test_an_exchange_the_writer_cannot_encode_is_a_lost_line_not_the_end(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever one queued exchange holds, the writer logs it, writes a ``lost`` line naming the
    request, counts it, and goes on with the next."""
    path = tmp_path / "record.jsonl"
    recorder = Recorder(path, {"version": "test"})
    common: dict[str, Any] = {
        "arrived": 1.0,
        "clock": 2.0,
        "method": "POST",
        "path": "/",
        "query": b"",
        "body": b"",
        "status": 200,
        "response": b"{}",
    }
    with caplog.at_level(logging.ERROR, logger="pulumi_alicloud_ai.emulator"):
        recorder.api(request_id="BROKEN", headers={7: "not a header name"}, **common)  # type: ignore[dict-item]
        recorder.api(request_id="NEXT", headers={"x-acs-action": "Next"}, **common)
        recorder.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["type"] for line in lines] == ["meta", "lost", "api"]
    assert lines[1]["requestId"] == "BROKEN"
    assert lines[2]["requestId"] == "NEXT"
    assert (recorder.lost, recorder.error) == (1, None)
    assert any("could not write" in record.getMessage() for record in caplog.records)
