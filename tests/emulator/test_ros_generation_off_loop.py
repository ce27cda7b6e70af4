"""The OpenAI-compatible generator never blocks the emulator: while a slow model writes a template,
every product keeps answering; generations are bounded in number and in time.

The model is a fake on 127.0.0.1 that holds each request until the test releases it (an Event, not a
sleep), so "the model is still writing" is a state the test controls. Tasks move by advancing the
emulator's clock; a generation's end is awaited with the pool's ``wait_idle``, never by sleeping.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701 import models as eas
from alibabacloud_ros20190910 import models as ros
from alibabacloud_vod20170321 import models as vod
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.ros.generation_pool import pool_for
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client, ros_client, vod_client

TEMPLATE = {
    "ROSTemplateFormatVersion": "2015-09-01",
    "Resources": {"Bucket": {"Type": "ALIYUN::OSS::Bucket", "Properties": {"BucketName": "b-1"}}},
}
HOLD_LIMIT = 30.0
"""A held request is answered anyway after this long, so a broken emulator fails the test, not hangs it."""


class SlowModel:
    """An OpenAI-compatible endpoint that answers only once released.

    ``mode``: ``hold`` answers when released; ``trickle`` sends a byte every fifth of a second until
    released (each read is quick, the answer never ends); ``huge`` answers at once with 5 MB.
    """

    def __init__(self, mode: str = "hold") -> None:
        self.mode = mode
        self.received = threading.Event()
        self.answered = threading.Event()
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                fake.received.set()
                reply = json.dumps({"choices": [{"message": {"content": json.dumps(TEMPLATE)}}]}).encode()
                if fake.mode == "huge":
                    reply = b" " * (5 * 1024 * 1024) + reply
                self.send_response(200)
                self.send_header("content-type", "application/json")
                if fake.mode == "trickle":
                    self.end_headers()
                    while not fake.release.wait(0.2):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                else:
                    self.send_header("content-length", str(len(reply)))
                    self.end_headers()
                    if fake.mode == "hold":
                        fake.release.wait(HOLD_LIMIT)
                with contextlib.suppress(OSError):  # the emulator gave up on the answer (its deadline)
                    self.wfile.write(reply)
                fake.answered.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _model(monkeypatch: pytest.MonkeyPatch, mode: str, **settings: str) -> Iterator[SlowModel]:
    model = SlowModel(mode)
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR", "openai")
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR_BASE_URL", model.url)
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR_MODEL", "slow-model")
    for name, value in settings.items():
        monkeypatch.setenv(f"ALICLOUD_AI_EMULATOR_ROS_GENERATOR_{name}", value)
    try:
        yield model
    finally:
        model.close()


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowModel]:
    """A model that holds every request until released; two generations may run at once."""
    yield from _model(monkeypatch, "hold", CONCURRENCY="2")


def _create(emulator: RunningEmulator, prompt: str = "a bucket") -> str:
    request = ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt=prompt)
    task_id: str = ros_client(emulator).create_aitask(request).body.task_id
    return task_id


def _get(emulator: RunningEmulator, task_id: str) -> Any:
    request = ros.GetAITaskRequest(task_id=task_id, output_option="Enabled")
    return ros_client(emulator).get_aitask(request).body


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    httpx.post(f"{emulator.url}/_emulator/clock", json={"seconds": seconds}).raise_for_status()


def _settled(emulator: RunningEmulator) -> None:
    assert pool_for(emulator.state).wait_idle(timeout=HOLD_LIMIT + 10), "a generation never ended"


def test_every_product_answers_while_the_model_writes(
    fresh_emulator: RunningEmulator, model: SlowModel
) -> None:
    """CreateAITask answers before the model does; EAS, VOD and ROS calls answer while it writes; the
    task stays RUNNING however far the clock moves, then ends SUCCESS with the model's template."""
    task_id = _create(fresh_emulator)
    assert model.received.wait(HOLD_LIMIT), "the model was never asked"
    assert not model.answered.is_set(), "CreateAITask waited for the model"

    service = eas.CreateAppServiceRequest(
        service_name="meanwhile_llm", app_type="LLM", service_spec="llama_7b_fp16", replicas=1
    )
    assert eas_client(fresh_emulator).create_app_service(service).body.service_name == "meanwhile_llm"
    template = vod.AddAITemplateRequest(
        template_name="t", template_type="AIImage", template_config='{"Count": 1}'
    )
    assert vod_client(fresh_emulator).add_aitemplate(template).body.template_id
    _advance(fresh_emulator, 600)
    waiting = _get(fresh_emulator, task_id)
    assert (waiting.status, waiting.task_output) == ("RUNNING", None)
    events = ros_client(fresh_emulator).list_aitask_events(ros.ListAITaskEventsRequest(task_id=task_id)).body
    assert [(e.handler_type, e.handler_process_status) for e in events.events] == [
        ("GenerateTemplateInputPreprocessor", "SUCCESS"),
        ("ROSTemplateGenerator", "RUNNING"),
    ]
    assert not model.answered.is_set()

    model.release.set()
    _settled(fresh_emulator)
    done = _get(fresh_emulator, task_id)
    assert done.status == "SUCCESS", done.status_reason
    assert done.task_output["Result"] == TEMPLATE


def test_generations_past_the_limit_are_throttled(fresh_emulator: RunningEmulator, model: SlowModel) -> None:
    """With two generations in flight, a third CreateAITask is Throttling.Concurrent (retryable) and no
    task is made; once they end, the next is accepted."""
    first, second = _create(fresh_emulator, "one"), _create(fresh_emulator, "two")
    with pytest.raises(TeaException) as info:
        _create(fresh_emulator, "three")
    assert info.value.code == "Throttling.Concurrent"
    assert info.value.data["statusCode"] == 400
    listed = ros_client(fresh_emulator).list_aitasks(ros.ListAITasksRequest()).body.tasks
    assert sorted(task.task_id for task in listed) == sorted([first, second])
    model.release.set()
    _settled(fresh_emulator)
    third = _create(fresh_emulator, "three")
    _settled(fresh_emulator)
    _advance(fresh_emulator, 60)
    assert [_get(fresh_emulator, task).status for task in (first, second, third)] == ["SUCCESS"] * 3


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("hold", "did not answer within 1 s"),
        ("trickle", "did not finish answering within 1 s"),
        ("huge", "sent more than 4194304 bytes"),
    ],
)
def test_a_model_that_is_too_slow_or_says_too_much_fails_its_task(
    fresh_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, mode: str, reason: str
) -> None:
    """A model that never answers, one that trickles its answer for ever, and one that answers 5 MB
    are cut off at the deadline or the size cap; the task ends FAILURE saying which."""
    for slow in _model(monkeypatch, mode, TIMEOUT="1"):
        task_id = _create(fresh_emulator)
        _settled(fresh_emulator)
        _advance(fresh_emulator, 60)
        failed = _get(fresh_emulator, task_id)
        assert failed.status == "FAILURE"
        assert reason in failed.status_reason
        assert not slow.release.is_set()


def test_a_generation_lost_with_a_restart_fails_its_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: SlowModel, emulators: EmulatorFactory
) -> None:
    """A task whose model was still writing when the emulator stopped fails at its next read, saying
    so, instead of staying RUNNING for ever; the model's late answer harms nothing."""
    first = emulators.start(data_dir=tmp_path / "data")
    task_id = _create(first)
    assert model.received.wait(HOLD_LIMIT)
    old_pool = pool_for(first.state)
    emulators.stop(first)
    second = emulators.start(data_dir=tmp_path / "data")
    _advance(second, 60)
    lost = _get(second, task_id)
    assert lost.status == "FAILURE"
    assert "stopped while the model was writing" in lost.status_reason
    model.release.set()
    assert old_pool.wait_idle(timeout=HOLD_LIMIT + 10)
    assert _get(second, task_id).status == "FAILURE"
