"""Our RosClient against the emulator: AI tasks generated and fixed, pages followed, errors typed, waits
driven by the emulator's clock (the injected ``sleep`` advances it instead of sleeping)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import hcl2
import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.endpoints import ROS
from pulumi_alicloud_ai.client.errors import InvalidParameterError, NotFoundError, ServerError
from pulumi_alicloud_ai.client.retry import RetryPolicy
from pulumi_alicloud_ai.client.ros import (
    CREATE_AI_TASK,
    GET_AI_TASK,
    AITask,
    CreateAITaskRequest,
    CreateAITaskResponse,
    RosClient,
    wait_for_ai_task,
)
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError
from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import Admin, EmulatorFactory


@pytest.fixture(scope="module")
def ros_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of this module's own: its clock is moved freely."""
    return module_emulators.start()


def _client(emulator: RunningEmulator) -> RosClient:
    settings = ClientSettings(
        region="cn-hangzhou", endpoint=emulator.url, retry=RetryPolicy(sleep=lambda _: None)
    )
    return RosClient(open_client(ROS, settings, StaticCredentialsProvider("test", "test")))


@pytest.fixture
def ros(ros_emulator: RunningEmulator) -> Iterator[RosClient]:
    """A RosClient for the module's emulator."""
    client = _client(ros_emulator)
    try:
        yield client
    finally:
        client.api.close()


class ClockDrivenSleep:
    """An injected ``sleep`` that moves the emulator's clock (and a fake monotonic clock) instead."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self.emulator = emulator
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        httpx.post(f"{self.emulator.url}/_emulator/clock", json={"seconds": seconds}).raise_for_status()


def _run(client: RosClient, emulator: RunningEmulator, request: CreateAITaskRequest) -> AITask:
    created = client.create_ai_task(request)
    assert created.success is True
    assert created.task_id
    sleep = ClockDrivenSleep(emulator)
    return wait_for_ai_task(client, created.task_id, timeout=300, clock=sleep.clock, sleep=sleep)


class TestTasks:
    def test_generate_ros_template(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A ROS template generated through our client comes back as an object."""
        done = _run(
            ros, ros_emulator, CreateAITaskRequest(task_type="GenerateTemplate", prompt="an ECS instance")
        )
        assert done.status == "SUCCESS"
        assert done.result["ROSTemplateFormatVersion"] == "2015-09-01"
        assert done.success is True

    def test_generate_terraform(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A Terraform file generated through our client is HCL text that parses."""
        request = CreateAITaskRequest(
            task_type="GenerateTemplate", prompt="an OSS bucket", template_type="Terraform"
        )
        done = _run(ros, ros_emulator, request)
        assert done.status == "SUCCESS"
        assert hcl2.loads(done.result)["resource"]

    def test_fix_ros_template(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A ROS template fixed through our client (Template in the form body) lists its changes."""
        template = json.dumps({"Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}}})
        done = _run(ros, ros_emulator, CreateAITaskRequest(task_type="FixTemplate", template=template))
        assert done.result["ROSTemplateFormatVersion"] == "2015-09-01"
        assert done.task_output is not None
        assert [change["Code"] for change in done.task_output["Changes"]] == ["MissingFormatVersion"]

    def test_fix_terraform(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A Terraform file fixed through our client gains the provider block it lacked."""
        text = 'resource "alicloud_vpc" "main" {}\n'
        request = CreateAITaskRequest(task_type="FixTemplate", template=text, template_type="Terraform")
        done = _run(ros, ros_emulator, request)
        assert 'provider "alicloud"' in done.result

    def test_failure_is_returned_with_its_reason(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A task that fails is returned (not raised) by the waiter, with its StatusReason."""
        done = _run(ros, ros_emulator, CreateAITaskRequest(task_type="GenerateTemplate", prompt="a sonnet"))
        assert done.status == "FAILURE"
        assert "does not name any resource" in (done.status_reason or "")

    def test_events_are_typed(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """ListAITaskEvents comes back as typed events, paged by NextToken."""
        done = _run(ros, ros_emulator, CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
        assert done.task_id is not None
        first = ros.list_ai_task_events(done.task_id, max_results=2)
        rest = ros.list_ai_task_events(done.task_id, next_token=first.next_token)
        handlers = [event.handler_type for event in first.events + rest.events]
        assert handlers == [
            "GenerateTemplateInputPreprocessor",
            "ROSTemplateGenerator",
            "ROSTemplateStaticFixer",
        ]
        assert first.task_status == "SUCCESS"
        assert rest.next_token is None


class TestWaiting:
    def test_waiting_costs_logarithmic_polls(self, ros: RosClient, ros_emulator: RunningEmulator) -> None:
        """A 14 s task is seen finished after sleeps of 1, 2, 4, 8 s: five polls, no real sleeping."""
        created = ros.create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
        assert created.task_id is not None
        sleep = ClockDrivenSleep(ros_emulator)
        done = wait_for_ai_task(
            ros, created.task_id, timeout=300, clock=sleep.clock, sleep=sleep, base_delay=1
        )
        assert done.status == "SUCCESS"
        assert sleep.slept == [1, 2, 4, 8]

    def test_timeout_names_the_task_and_its_last_status(
        self, ros: RosClient, ros_emulator: RunningEmulator
    ) -> None:
        """A task still running at the deadline raises WaitTimeoutError naming it, its status and event."""
        created = ros.create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
        assert created.task_id is not None
        sleep = ClockDrivenSleep(ros_emulator)
        with pytest.raises(WaitTimeoutError) as info:
            wait_for_ai_task(ros, created.task_id, timeout=5, clock=sleep.clock, sleep=sleep)
        error = info.value
        assert error.last_status == "RUNNING"
        assert created.task_id in str(error)
        assert "RUNNING" in str(error)
        assert "GenerateTemplateInputPreprocessor" in str(error)


class TestListing:
    def test_iterator_follows_every_page(self, fresh_emulator: RunningEmulator) -> None:
        """iter_ai_tasks walks NextToken to the end: every task once, newest first."""
        client = _client(fresh_emulator)
        try:
            made = [
                client.create_ai_task(
                    CreateAITaskRequest(task_type="GenerateTemplate", prompt=f"VPC {i}")
                ).task_id
                for i in range(5)
            ]
            page = client.list_ai_tasks(max_results=2)
            assert len(page.tasks) == 2
            assert page.next_token
            assert [task.task_id for task in client.iter_ai_tasks(page_size=2)] == list(reversed(made))
            assert [task.prompt for task in client.iter_ai_tasks(task_id=made[0])] == ["VPC 0"]
            assert list(client.iter_ai_tasks(task_type="FixTemplate")) == []
        finally:
            client.api.close()


class TestErrors:
    def test_unknown_task_is_not_found(self, ros: RosClient) -> None:
        """An unknown TaskId is a NotFoundError carrying code, message, request id and status."""
        with pytest.raises(NotFoundError) as info:
            ros.get_ai_task("t-nosuchtask")
        error = info.value
        assert (error.code, error.http_status, error.action) == ("TaskNotFound", 404, "GetAITask")
        assert "t-nosuchtask" in error.message
        assert error.request_id
        assert "(TaskNotFound) when calling the GetAITask operation" in str(error)

    def test_invalid_request_is_invalid_parameter(self, ros: RosClient) -> None:
        """A GenerateTemplate without Prompt is an InvalidParameterError (MissingParameter.Prompt)."""
        with pytest.raises(InvalidParameterError) as info:
            ros.create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate"))
        assert info.value.code == "MissingParameter.Prompt"
        assert info.value.http_status == 400

    def test_create_is_not_retried_but_reads_are(self, fresh_emulator: RunningEmulator, admin: Admin) -> None:
        """A 5xx on CreateAITask surfaces after one attempt (no ClientToken); GetAITask is retried."""
        client = _client(fresh_emulator)
        try:
            fault = {"product": "ros", "count": 1, "error": {"code": "InternalError", "status": 500}}
            admin.post("/faults", {**fault, "action": "CreateAITask"})
            with pytest.raises(ServerError) as info:
                client.create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
            assert info.value.attempts == 1
            assert client.list_ai_tasks().tasks == []
            created = client.create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
            admin.post("/faults", {**fault, "action": "GetAITask"})
            assert created.task_id is not None
            assert client.get_ai_task(created.task_id).status == "PENDING"
        finally:
            client.api.close()
        assert not CREATE_AI_TASK.idempotent
        assert GET_AI_TASK.idempotent


class TestWire:
    def test_template_travels_in_the_form_body(self) -> None:
        """CreateAITask puts Template in a form body and the rest in the query; a bool Success is read."""
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"RequestId": "r-1", "TaskId": "t-1", "Success": True})

        api = OpenApiClient(
            ROS,
            region="cn-hangzhou",
            credentials=StaticCredentialsProvider("k", "s"),
            transport=httpx.MockTransport(answer),
        )
        with api:
            request = CreateAITaskRequest(
                task_type="FixTemplate", prompt="fix it", template='{"a": "b & c"}', template_type="ROS"
            )
            created = RosClient(api).create_ai_task(request)
        assert (created.task_id, created.success) == ("t-1", True)
        (sent,) = seen
        assert dict(sent.url.params) == {"TaskType": "FixTemplate", "Prompt": "fix it", "TemplateType": "ROS"}
        assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
        assert sent.headers["x-acs-action"] == "CreateAITask"
        assert parse_qs(sent.content.decode()) == {"Template": ['{"a": "b & c"}']}

    @pytest.mark.parametrize(("wire", "read"), [("true", True), ("false", False), (True, True), (None, None)])
    def test_success_reads_strings_and_bools(self, wire: object, read: bool | None) -> None:
        """Success is "true"/"false" per the SDK; JSON booleans are read too."""
        assert CreateAITaskResponse.model_validate({"Success": wire}).success is read


def test_docs_example_runs(emulators: EmulatorFactory, capsys: pytest.CaptureFixture[str]) -> None:
    """The Python block in docs/ros.md runs as written against an emulator with --time-scale 0."""
    text = (Path(__file__).parents[2] / "docs" / "ros.md").read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    emulator = emulators.start(time_scale=0)
    namespace: dict[str, Any] = {"emulator_url": emulator.url}
    exec(compile(block, "docs/ros.md", "exec"), namespace)
    assert namespace["done"].status == "SUCCESS"
    assert 'resource "alicloud_db_instance"' in capsys.readouterr().out
