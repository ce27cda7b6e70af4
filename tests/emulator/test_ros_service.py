"""The official ROS SDK against the emulated AI-task service: every action, its successes and errors.

Tasks move by advancing the emulator's clock through the admin API, never by sleeping. This module runs
its own emulator, so moving the clock does not disturb other modules' tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import hcl2
import httpx
import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.ros.generation_pool import pool_for
from pulumi_alicloud_ai.emulator.ros.states import AI_TASK, PIPELINES, TASK_TYPES, TEMPLATE_TYPES, TERMINAL
from tests.conftest import Admin, EmulatorFactory
from tests.official_sdk import ros_client

AGENT_TYPES = {"GenerateTemplateAgent", "FixUserTemplateAgent"}
HANDLER_TYPES = {handler for pipeline in PIPELINES.values() for handler in pipeline}
ROS_MD_HANDLERS = {
    "TerraformTemplateGenerator",
    "TemplateGenerator",
    "ROSTemplateModifier",
    "TerraformTemplateStaticFixer",
    "TerraformTemplateDynamicFixer",
    "DocumentTemplateGenerator",
    "TerraformTemplateModifier",
    "TemplateModifier",
    "FixTemplateInputPreprocessor",
    "TemplateStaticFixer",
    "GenerateTemplateInputPreprocessor",
    "ROSTemplateGenerator",
    "TemplateDynamicFixer",
    "BaseDynamicFixer",
    "ROSTemplateStaticFixer",
    "ROSTemplateDynamicFixer",
}


@pytest.fixture(scope="module")
def ros_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of this module's own: its clock is moved freely."""
    return module_emulators.start()


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    httpx.post(f"{emulator.url}/_emulator/clock", json={"seconds": seconds}).raise_for_status()


def _models() -> Any:
    from alibabacloud_ros20190910 import models

    return models


def _create(emulator: RunningEmulator, **fields: Any) -> str:
    body = ros_client(emulator).create_aitask(_models().CreateAITaskRequest(**fields)).body
    assert body.success == "true"
    assert body.http_status_code == 200
    assert body.request_id
    task_id: str = body.task_id
    return task_id


def _get(emulator: RunningEmulator, task_id: str, output: str | None = "Enabled") -> Any:
    request = _models().GetAITaskRequest(task_id=task_id, output_option=output)
    return ros_client(emulator).get_aitask(request).body


def _finished(emulator: RunningEmulator, **fields: Any) -> Any:
    task_id = _create(emulator, **fields)
    _advance(emulator, 60)
    return _get(emulator, task_id)


def _generated(emulator: RunningEmulator, **fields: Any) -> Any:
    """A GenerateTemplate task written by the model, once the model has answered and the clock passed."""
    task_id = _create(emulator, **fields)
    assert pool_for(emulator.state).wait_idle(timeout=30), "the model's answer was never stored"
    _advance(emulator, 60)
    return _get(emulator, task_id)


def _raised(call: Callable[[], Any]) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


class TestLifecycle:
    def test_table_reaches_every_state_and_ends_in_success_or_failure(self) -> None:
        """Every task state is reachable from PENDING; only SUCCESS and FAILURE are terminal."""
        reached, frontier = {AI_TASK.initial}, [AI_TASK.initial]
        while frontier:
            state = frontier.pop()
            targets = {step.to for source, step in AI_TASK.steps.items() if source == state}
            targets |= {target for source, target in AI_TASK.on_fault.items() if source == state}
            frontier.extend(targets - reached)
            reached |= targets
        assert reached == AI_TASK.states
        assert {state for state in AI_TASK.states if AI_TASK.terminal(state)} == TERMINAL
        assert set(PIPELINES) == {(task, template) for task in TASK_TYPES for template in TEMPLATE_TYPES}

    def test_generate_moves_pending_running_success_with_the_clock(
        self, ros_emulator: RunningEmulator
    ) -> None:
        """A GenerateTemplate task is PENDING, RUNNING after 2 s, SUCCESS after 14 s, as the clock moves."""
        task_id = _create(ros_emulator, task_type="GenerateTemplate", prompt="an ECS instance")
        first = _get(ros_emulator, task_id)
        assert (first.status, first.task_type, first.task_output) == ("PENDING", "GenerateTemplate", None)
        _advance(ros_emulator, 2)
        assert _get(ros_emulator, task_id).status == "RUNNING"
        _advance(ros_emulator, 12)
        done = _get(ros_emulator, task_id)
        assert done.status == "SUCCESS"
        assert done.success == "true"
        result = done.task_output["Result"]
        assert result["ROSTemplateFormatVersion"] == "2015-09-01"
        assert result["Resources"]["EcsInstance"]["Type"] == "ALIYUN::ECS::Instance"
        assert done.task_output["TemplateType"] == "ROS"

    def test_output_only_when_enabled(self, ros_emulator: RunningEmulator) -> None:
        """TaskOutput comes back with OutputOption=Enabled only (Disabled is the default)."""
        task_id = _create(ros_emulator, task_type="GenerateTemplate", prompt="an OSS bucket")
        _advance(ros_emulator, 60)
        assert _get(ros_emulator, task_id, output=None).task_output is None
        assert _get(ros_emulator, task_id, output="Disabled").task_output is None
        assert _get(ros_emulator, task_id).task_output["Result"]["Resources"]["Bucket"]

    def test_generate_terraform_returns_hcl_text(self, ros_emulator: RunningEmulator) -> None:
        """TemplateType=Terraform yields HCL text under Result that python-hcl2 parses."""
        done = _finished(
            ros_emulator, task_type="GenerateTemplate", prompt="a MySQL database", template_type="Terraform"
        )
        assert done.status == "SUCCESS"
        parsed = hcl2.loads(done.task_output["Result"])
        assert any('"alicloud_db_instance"' in block for block in parsed["resource"])
        assert done.task_output["TemplateType"] == "Terraform"

    def test_unmappable_prompt_ends_failure_with_a_reason(self, ros_emulator: RunningEmulator) -> None:
        """A prompt naming nothing buildable ends FAILURE, and StatusReason says what can be asked for."""
        done = _finished(ros_emulator, task_type="GenerateTemplate", prompt="a haiku about rain")
        assert done.status == "FAILURE"
        assert "does not name any resource" in done.status_reason
        assert done.task_output is None


class TestFixTemplate:
    def test_fix_repairs_a_template_sent_in_the_form_body(self, ros_emulator: RunningEmulator) -> None:
        """The SDK sends Template in the form body; the fixed template and its Changes come back."""
        template = {
            "Resources": {
                "Vpc": {"Type": "ALIYUN::ECS::Vpc", "Properties": {"CidrBlock": "10.0.0.0/8"}},
                "Pad": {"Type": "ALIYUN::ROS::WaitConditionHandle", "Metadata": {"x": "y" * 20_000}},
            }
        }
        done = _finished(ros_emulator, task_type="FixTemplate", template=json.dumps(template))
        assert done.status == "SUCCESS"
        output = done.task_output
        assert output["Result"]["ROSTemplateFormatVersion"] == "2015-09-01"
        assert output["Result"]["Resources"]["Vpc"]["Type"] == "ALIYUN::ECS::VPC"
        assert {change["Code"] for change in output["Changes"]} == {
            "MissingFormatVersion",
            "UnknownResourceType",
        }
        assert all(change["Description"] for change in output["Changes"])

    def test_fix_with_nothing_to_fix_says_so(self, ros_emulator: RunningEmulator) -> None:
        """A valid template comes back unchanged with no Changes and a message."""
        template = {
            "ROSTemplateFormatVersion": "2015-09-01",
            "Resources": {"Vpc": {"Type": "ALIYUN::ECS::VPC"}},
        }
        done = _finished(ros_emulator, task_type="FixTemplate", template=json.dumps(template))
        assert done.task_output["Result"] == template
        assert done.task_output["Changes"] == []
        assert "no faults" in done.task_output["Message"]

    def test_fix_terraform_returns_repaired_text(self, ros_emulator: RunningEmulator) -> None:
        """A Terraform file without a provider block gets one; Result stays HCL text."""
        text = 'resource "alicloud_vpc" "main" {\n  cidr_block = "10.0.0.0/8"\n}\n'
        done = _finished(ros_emulator, task_type="FixTemplate", template=text, template_type="Terraform")
        assert done.status == "SUCCESS"
        assert 'provider "alicloud"' in done.task_output["Result"]
        hcl2.loads(done.task_output["Result"])

    def test_unparseable_template_fails_naming_the_line(self, ros_emulator: RunningEmulator) -> None:
        """A template no parser reads ends FAILURE; the reason names the line, the output lists no fix."""
        done = _finished(ros_emulator, task_type="FixTemplate", template='{\n "Resources": {\n "A" 1\n}')
        assert done.status == "FAILURE"
        assert "line 3" in done.status_reason
        assert done.task_output["Changes"] == []

    def test_unrepairable_faults_fail_and_are_listed(self, ros_emulator: RunningEmulator) -> None:
        """Faults no repair answers end FAILURE and are listed under TaskOutput.Faults."""
        template = {
            "ROSTemplateFormatVersion": "2015-09-01",
            "Resources": {"X": {"Type": "ALIYUN::Made::Up"}},
        }
        done = _finished(ros_emulator, task_type="FixTemplate", template=json.dumps(template))
        assert done.status == "FAILURE"
        assert "ALIYUN::Made::Up" in done.status_reason
        assert [fault["Code"] for fault in done.task_output["Faults"]] == ["UnknownResourceType"]


def _sdk_call(emulator: RunningEmulator, action: str, **fields: Any) -> Any:
    models, client = _models(), ros_client(emulator)
    requests = {
        "CreateAITask": (models.CreateAITaskRequest, client.create_aitask),
        "GetAITask": (models.GetAITaskRequest, client.get_aitask),
        "ListAITasks": (models.ListAITasksRequest, client.list_aitasks),
        "ListAITaskEvents": (models.ListAITaskEventsRequest, client.list_aitask_events),
    }
    request_class, method = requests[action]
    return method(request_class(**fields))


ERRORS = [
    ("CreateAITask", {"prompt": "a VPC"}, "MissingParameter.TaskType", 400, "TaskType"),
    (
        "CreateAITask",
        {"task_type": "Deploy", "prompt": "x"},
        "InvalidParameter.TaskType",
        400,
        "GenerateTemplate, FixTemplate",
    ),
    (
        "CreateAITask",
        {"task_type": "GenerateTemplate", "prompt": "a VPC", "template_type": "CDK"},
        "InvalidParameter.TemplateType",
        400,
        "ROS, Terraform",
    ),
    ("CreateAITask", {"task_type": "GenerateTemplate"}, "MissingParameter.Prompt", 400, "Prompt"),
    (
        "CreateAITask",
        {"task_type": "GenerateTemplate", "prompt": "a VPC", "template": "{}"},
        "InvalidParameter.Template",
        400,
        "only used with TaskType FixTemplate",
    ),
    (
        "CreateAITask",
        {"task_type": "FixTemplate", "prompt": "fix it"},
        "MissingParameter.Template",
        400,
        "Template",
    ),
    (
        "CreateAITask",
        {"task_type": "FixTemplate", "template": "#" * 524_289},
        "InvalidParameter.TemplateTooLarge",
        400,
        "524289 bytes",
    ),
    ("GetAITask", {"task_id": "t-doesnotexist"}, "TaskNotFound", 404, "t-doesnotexist"),
    ("GetAITask", {}, "MissingParameter.TaskId", 400, "TaskId"),
    (
        "GetAITask",
        {"task_id": "t-x", "output_option": "Yes"},
        "InvalidParameter.OutputOption",
        400,
        "Enabled, Disabled",
    ),
    ("ListAITasks", {"max_results": 0}, "InvalidParameter.MaxResults", 400, "1 to 100"),
    ("ListAITasks", {"next_token": "bogus"}, "InvalidParameter.NextToken", 400, "bogus"),
    ("ListAITasks", {"task_type": "Other"}, "InvalidParameter.TaskType", 400, "GenerateTemplate"),
    ("ListAITaskEvents", {"task_id": "t-doesnotexist"}, "TaskNotFound", 404, "t-doesnotexist"),
    ("ListAITaskEvents", {}, "MissingParameter.TaskId", 400, "TaskId"),
    ("ListAITaskEvents", {"task_id": "t-x", "max_results": "101"}, "InvalidParameter.MaxResults", 400, "101"),
]


@pytest.mark.parametrize(("action", "fields", "code", "status", "says"), ERRORS)
def test_errors_have_code_status_and_message(
    ros_emulator: RunningEmulator, action: str, fields: dict[str, Any], code: str, status: int, says: str
) -> None:
    """Each invalid call answers with its documented code, HTTP status and an explanatory message."""
    if fields.get("task_id") == "t-x":
        fields = {**fields, "task_id": _create(ros_emulator, task_type="GenerateTemplate", prompt="a VPC")}
    error = _raised(lambda: _sdk_call(ros_emulator, action, **fields))
    assert error.code == code
    assert error.data["statusCode"] == status
    assert says in error.data["Message"]
    assert error.data["RequestId"]


class TestListing:
    def test_list_pages_newest_first_and_filters(self, fresh_emulator: RunningEmulator) -> None:
        """ListAITasks pages by NextToken, newest first, and filters by TaskType and TaskId."""
        made = [
            _create(fresh_emulator, task_type="GenerateTemplate", prompt=f"VPC number {index}")
            for index in range(3)
        ]
        made.append(_create(fresh_emulator, task_type="FixTemplate", template="{}"))
        seen: list[str] = []
        token = None
        pages = 0
        while True:
            body = _sdk_call(fresh_emulator, "ListAITasks", max_results=3, next_token=token).body
            seen += [task.task_id for task in body.tasks]
            pages += 1
            token = body.next_token
            if not token:
                break
        assert pages == 2
        assert seen == list(reversed(made))
        generated = _sdk_call(fresh_emulator, "ListAITasks", task_type="GenerateTemplate").body.tasks
        assert [task.task_id for task in generated] == list(reversed(made[:3]))
        (one,) = _sdk_call(fresh_emulator, "ListAITasks", task_id=made[1]).body.tasks
        assert (one.task_id, one.prompt, one.status) == (made[1], "VPC number 1", "PENDING")
        assert one.create_time.endswith("Z")
        assert one.update_time.endswith("Z")

    def test_events_follow_the_clock(self, ros_emulator: RunningEmulator) -> None:
        """Handlers appear as their turn starts, RUNNING then SUCCESS, with ros.md's agent and handler names."""
        task_id = _create(
            ros_emulator, task_type="GenerateTemplate", prompt="a VPC", template_type="Terraform"
        )

        def events() -> Any:
            return _sdk_call(ros_emulator, "ListAITaskEvents", task_id=task_id).body

        assert events().events == []
        _advance(ros_emulator, 3)
        body = events()
        assert (body.task_status, body.task_type) == ("RUNNING", "GenerateTemplate")
        assert [(e.handler_type, e.handler_process_status) for e in body.events] == [
            ("GenerateTemplateInputPreprocessor", "RUNNING")
        ]
        _advance(ros_emulator, 11)
        body = events()
        assert body.task_status == "SUCCESS"
        assert [e.handler_type for e in body.events] == [
            "GenerateTemplateInputPreprocessor",
            "TerraformTemplateGenerator",
            "TerraformTemplateStaticFixer",
        ]
        assert {e.handler_process_status for e in body.events} == {"SUCCESS"}
        assert {e.agent_type for e in body.events} == {"GenerateTemplateAgent"}
        assert all(e.event_data and e.estimated_processing_time == "4" for e in body.events)

    def test_event_pages(self, ros_emulator: RunningEmulator) -> None:
        """ListAITaskEvents pages too (MaxResults is a string in the SDK)."""
        task_id = _create(ros_emulator, task_type="GenerateTemplate", prompt="a VPC")
        _advance(ros_emulator, 60)
        first = _sdk_call(ros_emulator, "ListAITaskEvents", task_id=task_id, max_results="2").body
        rest = _sdk_call(ros_emulator, "ListAITaskEvents", task_id=task_id, next_token=first.next_token).body
        assert len(first.events) == 2
        assert len(rest.events) == 1
        assert rest.next_token is None

    def test_failed_task_shows_the_failing_handler(self, ros_emulator: RunningEmulator) -> None:
        """A task whose generation failed ends with that handler's FAILURE event carrying the reason."""
        task_id = _create(ros_emulator, task_type="GenerateTemplate", prompt="nothing at all")
        _advance(ros_emulator, 60)
        body = _sdk_call(ros_emulator, "ListAITaskEvents", task_id=task_id).body
        assert body.task_status == "FAILURE"
        last = body.events[-1]
        assert (last.handler_type, last.handler_process_status) == ("ROSTemplateGenerator", "FAILURE")
        assert "does not name any resource" in last.event_data

    def test_handler_names_are_the_sdk_enumeration(self) -> None:
        """Every handler the emulator reports is one ros.md lists."""
        assert HANDLER_TYPES <= ROS_MD_HANDLERS


def test_effect_fault_ends_failure(fresh_emulator: RunningEmulator, admin: Admin) -> None:
    """An ``effect: fail`` rule on CreateAITask makes the task end FAILURE with the rule's message."""
    admin.post(
        "/faults", {"product": "ros", "action": "CreateAITask", "effect": "fail", "message": "quota gone"}
    )
    task_id = _create(fresh_emulator, task_type="GenerateTemplate", prompt="a VPC")
    assert _get(fresh_emulator, task_id).status == "PENDING"
    admin.post("/clock", {"seconds": 60})
    done = _get(fresh_emulator, task_id)
    assert (done.status, done.status_reason) == ("FAILURE", "quota gone")


class FakeChatServer:
    """A tiny OpenAI-compatible ``/v1/chat/completions`` on 127.0.0.1 that answers with ``reply``."""

    def __init__(self) -> None:
        self.reply = ""
        self.status = 200
        self.requests: list[tuple[str, dict[str, Any], str | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append((self.path, body, self.headers.get("authorization")))
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": fake.reply}}]})
                self.send_response(fake.status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChatServer]:
    """A fake model server, selected as the emulator's generator through the environment."""
    server = FakeChatServer()
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR", "openai")
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR_BASE_URL", server.url)
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR_MODEL", "tiny-model")
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_ROS_GENERATOR_API_KEY_ENV", "FAKE_MODEL_KEY")
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-local")
    try:
        yield server
    finally:
        server.close()


class TestOpenAICompatibleBackend:
    def test_model_answer_becomes_the_result(
        self, ros_emulator: RunningEmulator, chat: FakeChatServer
    ) -> None:
        """A valid fenced JSON answer from the model is the task's Result; the request was well formed."""
        template = {
            "ROSTemplateFormatVersion": "2015-09-01",
            "Resources": {"Bucket": {"Type": "ALIYUN::OSS::Bucket", "Properties": {"BucketName": "b-1"}}},
        }
        chat.reply = "```json\n" + json.dumps(template) + "\n```"
        done = _generated(ros_emulator, task_type="GenerateTemplate", prompt="a bucket")
        assert done.status == "SUCCESS"
        assert done.task_output["Result"] == template
        path, body, auth = chat.requests[-1]
        assert path == "/v1/chat/completions"
        assert body["model"] == "tiny-model"
        assert body["messages"][-1] == {"role": "user", "content": "a bucket"}
        assert auth == "Bearer sk-local"

    def test_invalid_model_answer_fails_the_task(
        self, ros_emulator: RunningEmulator, chat: FakeChatServer
    ) -> None:
        """A model answer that does not validate is never handed out: the task fails and says why."""
        chat.reply = json.dumps({"Resources": {"X": {"Type": "ALIYUN::Made::Up"}}})
        done = _generated(ros_emulator, task_type="GenerateTemplate", prompt="anything")
        assert done.status == "FAILURE"
        assert "does not validate" in done.status_reason
        assert "tiny-model" in done.status_reason

    def test_terraform_answer_is_checked_as_hcl(
        self, ros_emulator: RunningEmulator, chat: FakeChatServer
    ) -> None:
        """A Terraform answer must parse as HCL; broken HCL fails the task naming the line."""
        chat.reply = 'provider "alicloud" {}\nresource "alicloud_vpc" "v" {\n  cidr_block = \n}\n'
        done = _generated(
            ros_emulator, task_type="GenerateTemplate", prompt="a vpc", template_type="Terraform"
        )
        assert done.status == "FAILURE"
        assert "line 3" in done.status_reason

    def test_model_endpoint_errors_fail_the_task(
        self, ros_emulator: RunningEmulator, chat: FakeChatServer
    ) -> None:
        """An HTTP error from the model endpoint ends the task FAILURE with the status in the reason."""
        chat.status = 503
        done = _generated(ros_emulator, task_type="GenerateTemplate", prompt="a vpc")
        assert done.status == "FAILURE"
        assert "HTTP 503" in done.status_reason
