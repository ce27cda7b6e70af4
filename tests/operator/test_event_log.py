"""The provider event log: written through the shared client scope, named in errors, tailed by ``events``."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pulumi
import pytest
from pulumi.runtime import rpc

from pulumi_alicloud_ai import AppService, AppServiceArgs, events
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources import _events, _program
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing import LocalEngine
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env, read_line
from tests.conftest import EmulatorFactory

EMULATOR_SECRET = "event-log-secret-value-93c1"
INPUTS = {
    "service_name": "logged_llm",
    "service_spec": "llama_7b_fp16",
    "region": "cn-shanghai",
    "replicas": 2,
}


@pytest.fixture(scope="module")
def emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """Transitions happen at the next read (time scale 0); keys of its own, so a leak would be visible."""
    return module_emulators.start(time_scale=0, access_key_id="events-key", access_key_secret=EMULATOR_SECRET)


def _env(emulator: RunningEmulator, home: Path, **extra: str) -> dict[str, str]:
    return provider_env(
        emulator.url,
        str(home),
        ALICLOUD_AI_EVENTS_DIR=str(home / "events"),
        ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID="events-key",
        ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET=EMULATOR_SECRET,
        **extra,
    )


@pytest.fixture
def host(emulator: RunningEmulator, tmp_path: Path) -> Iterator[ProviderHost]:
    """The Pulumi SDK's dynamic-provider host serving AppServiceProvider, its event log in tmp_path."""
    started = ProviderHost(AppServiceProvider(), _env(emulator, tmp_path))
    try:
        started.configure({})
        yield started
    finally:
        started.close()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_create_writes_calls_transitions_and_outcome(host: ProviderHost, tmp_path: Path) -> None:
    """A create through the real host logs its URN, each call with its RequestId, Creating → Running, ok."""
    checked = host.check("chat", {**INPUTS, "service_name": "logged_llm"})
    host.create("chat", checked.inputs)
    path = tmp_path / "events" / "project-test.jsonl"  # ProviderHost's URNs: stack "test", project "project"
    lines = _lines(path)
    assert {line["urn"] for line in lines} == {
        "urn:pulumi:test::project::pulumi-python:dynamic:Resource::chat"
    }
    assert {(line["resource"], line["type"], line["operation"]) for line in lines} == {
        ("chat", "Resource", "create")
    }
    assert [line["event"] for line in lines][:2] == ["start", "call"]
    assert lines[0]["target"].startswith("emulator at http://127.0.0.1:")
    calls = [line for line in lines if line["event"] == "call"]
    assert calls[0]["action"] == "CreateAppService"
    assert all(len(call["request_id"]) == 36 and call["http_status"] == 200 for call in calls)
    statuses = [(line["previous"], line["status"]) for line in lines if line["event"] == "status"]
    assert statuses == [(None, "Creating"), ("Creating", "Running")]
    end = lines[-1]
    assert (end["event"], end["outcome"], end["status"]) == ("end", "ok", "Running")
    assert end["elapsed_s"] >= 0
    assert len({line["op"] for line in lines}) == 1


def test_failure_names_the_log_and_the_log_has_the_error(
    host: ProviderHost, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The error the engine shows ends with the log's path; the log's last line carries the same error."""
    rule = {"product": "eas", "action": "CreateAppService", "count": 1,
            "error": {"code": "Forbidden.RAM", "status": 403, "message": "not allowed"}}  # fmt: skip
    httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()
    checked = host.check("denied", {**INPUTS, "service_name": "denied_llm"})
    with pytest.raises(ProviderCallError) as failure:
        host.create("denied", checked.inputs)
    path = tmp_path / "events" / "project-test.jsonl"
    assert failure.value.last_line.endswith(f"(event log: {path})")
    end = _lines(path)[-1]
    assert end["outcome"] == "error"
    assert "Forbidden.RAM" in end["error"]
    assert end["error"].endswith(f"(event log: {path})")
    failed_call = _lines(path)[-2]
    assert (failed_call["action"], failed_call["http_status"], failed_call["code"]) == (
        "CreateAppService",
        403,
        "Forbidden.RAM",
    )
    assert end["request_ids"] == [failed_call["request_id"]]


def test_the_log_holds_no_secret(host: ProviderHost, emulator: RunningEmulator, tmp_path: Path) -> None:
    """Neither the signing secret nor the service's AccessToken is written."""
    checked = host.check("quiet", {**INPUTS, "service_name": "quiet_llm"})
    _, outputs, _ = host.create("quiet", checked.inputs)
    text = (tmp_path / "events" / "project-test.jsonl").read_text()
    assert EMULATOR_SECRET not in text
    token = rpc.unwrap_rpc_secret(outputs["access_token"])
    assert token
    assert token not in text


def test_log_can_be_turned_off(emulator: RunningEmulator, tmp_path: Path) -> None:
    """``ALICLOUD_AI_EVENT_LOG=off`` writes nothing, and errors do not point at a log."""
    host = ProviderHost(AppServiceProvider(), _env(emulator, tmp_path, ALICLOUD_AI_EVENT_LOG="off"))
    try:
        host.configure({})
        checked = host.check("off", {**INPUTS, "service_name": "off_llm", "adopt_existing": True})
        with pytest.raises(ProviderCallError) as failure:
            host.create("off", checked.inputs)
    finally:
        host.close()
    assert "event log" not in failure.value.last_line
    assert not (tmp_path / "events").exists()


def test_a_program_run_logs_under_its_project_and_stack(emulator: RunningEmulator, tmp_path: Path) -> None:
    """Run by an engine, each resource's lines carry its real URN in ``<project>-<stack>.jsonl``."""

    def program() -> None:
        AppService("assistant", AppServiceArgs(service_name="program_llm", service_spec="llama_7b_fp16"))

    with LocalEngine("shop", "prod", env=_env(emulator, tmp_path)) as engine:
        engine.up(program)
        engine.destroy()
    lines = _lines(tmp_path / "events" / "shop-prod.jsonl")
    assert {line["resource"] for line in lines} == {"assistant"}
    assert [line["operation"] for line in lines if line["event"] == "start"] == ["create", "delete"]
    assert lines[0]["urn"] == "urn:pulumi:prod::shop::pulumi-python:dynamic/alicloud-ai:AppService::assistant"


def test_stack_settings_capture_project_and_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Program side, resources record the project and stack (the log's fallback names)."""

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return args.name, dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
            return {}, None

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALICLOUD_AI_ENDPOINT", "http://127.0.0.1:9")
    _program.reset_cache()
    pulumi.runtime.set_mocks(Mocks(), project="shop", stack="prod", preview=False)
    connection = _program.stack_settings().connection
    assert (connection["project"], connection["stack"]) == ("shop", "prod")


def test_without_the_host_request_the_captured_names_are_used(tmp_path: Path) -> None:
    """Outside a host call the log is named from the captured project/stack, operation ``call``."""
    env = {_events.EVENTS_DIR_ENV: str(tmp_path)}
    log = _events.open_operation("eas", "cn-shanghai", {"project": "shop", "stack": "prod"}, env)
    log.start("emulator")
    log.finish(None)
    assert log.path == tmp_path / "shop-prod.jsonl"
    assert [line["operation"] for line in _lines(log.path)] == ["call", "call"]


def test_the_host_request_in_the_calling_frames_names_the_resource(tmp_path: Path) -> None:
    """A caller frame shaped like the host's ``Create(self, request, context)`` gives URN and operation."""

    class Request:
        urn = "urn:pulumi:prod::shop::pulumi-python:dynamic/alicloud-ai:AppService::chat"

    def Create(request: Request) -> _events.OperationLog:
        assert request.urn
        return _events.open_operation("eas", "cn-shanghai", None, {_events.EVENTS_DIR_ENV: str(tmp_path)})

    log = Create(Request())
    log.finish(None)
    assert (log.origin.name, log.origin.type, log.origin.operation) == ("chat", "AppService", "create")
    assert log.path == tmp_path / "shop-prod.jsonl"


def test_a_log_past_its_size_limit_is_rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log grown past the limit becomes ``<name>.1`` and the next operation starts a fresh file."""
    monkeypatch.setattr(_events, "MAX_LOG_BYTES", 200)
    env = {_events.EVENTS_DIR_ENV: str(tmp_path)}
    path = tmp_path / "shop-prod.jsonl"
    path.write_text("x" * 201 + "\n")
    log = _events.open_operation("eas", "cn-shanghai", {"project": "shop", "stack": "prod"}, env)
    log.finish(None)
    assert (tmp_path / "shop-prod.jsonl.1").read_text() == "x" * 201 + "\n"
    assert [line["event"] for line in _lines(path)] == ["end"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"Status": "Running"}, "Running"),
        ({"AIImageJobList": [{"JobId": "j", "Status": "processing"}]}, "processing"),
        ({"Services": [{"Status": "Running"}, {"Status": "Failed"}]}, None),
        ({"Events": []}, None),
        (None, None),
    ],
)
def test_status_is_read_from_the_answer_or_its_one_listed_item(body: Any, status: str | None) -> None:
    """A status is the top-level ``Status`` or that of the only item listed; lists of several say nothing."""
    assert _events.status_of(body) == status


def _write(path: Path, *lines: dict[str, Any]) -> None:
    with path.open("a") as handle:
        for line in lines:
            handle.write(json.dumps(line) + "\n")


def _line(event: str, **fields: Any) -> dict[str, Any]:
    base = {"time": 100.0, "op": "o1", "operation": "create", "urn": "urn:pulumi:dev::shop::t:m:AppService::chat",
            "resource": "chat", "type": "AppService", "product": "eas", "region": "cn-shanghai"}  # fmt: skip
    return {**base, "event": event, **fields}


def test_events_prints_one_progress_line_per_resource(tmp_path: Path) -> None:
    """``events --file F`` folds the log into a line per resource: operation, statuses, outcome, calls."""
    path = tmp_path / "shop-dev.jsonl"
    _write(
        path,
        _line("start", target="emulator"),
        _line("call", action="CreateAppService", http_status=200, request_id="RID-1"),
        _line("status", status="Creating", previous=None),
        _line("call", action="DescribeService", http_status=200, request_id="RID-2"),
        _line("status", status="Running", previous="Creating"),
        _line("end", outcome="ok", status="Running", elapsed_s=12.5, time=112.5),
    )
    out = io.StringIO()
    assert events.main(["--file", str(path)], out=out) == 0
    progress = out.getvalue().splitlines()[1].strip()
    assert progress == (
        "chat  AppService  create  Creating → Running  done  12.5s  (2 calls; last DescribeService 200 RID-2)"
    )


def test_events_follow_prints_progress_while_the_log_grows(tmp_path: Path) -> None:
    """``events --follow`` (a real process) prints a resource's line as it starts, changes and ends."""
    path = tmp_path / "shop-dev.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_alicloud_ai", "events", "--follow", "--file", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_line(proc).startswith("following ")
        _write(path, _line("start", target="emulator"))
        assert read_line(proc).startswith("chat  AppService  create  -  ...")
        _write(
            path,
            _line("call", action="CreateAppService", http_status=200),
            _line("status", status="Creating"),
        )
        assert "Creating  ..." in read_line(proc)
        _write(
            path, _line("end", outcome="error", status="Creating", error="boom (event log: x)", time=130.0)
        )
        assert read_line(proc).endswith(
            "FAILED  30.0s  (1 calls; last CreateAppService 200)  boom (event log: x)"
        )
    finally:
        proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_events_without_a_log_says_so(tmp_path: Path) -> None:
    """Asked for a stack that has no log yet, ``events`` exits 1 with a hint."""
    env = {_events.EVENTS_DIR_ENV: str(tmp_path)}
    assert events.main(["--project", "shop", "--stack", "dev"], out=io.StringIO(), environ=env) == 1


class Screen:
    """Just enough of a terminal to replay what ``events --follow`` writes: rows of a fixed width that
    wrap, ``ESC[nF`` (up n rows, to the first column) and ``ESC[J`` (clear to the end)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[str] = [""]
        self.row = 0

    def write(self, text: str) -> None:
        index = 0
        while index < len(text):
            if text.startswith("\x1b[", index):
                end = index + 2
                while not text[end].isalpha():
                    end += 1
                command, count = text[end], text[index + 2 : end]
                if command == "F":
                    self.row = max(self.row - int(count or 1), 0)
                    self.rows[self.row] = self.rows[self.row]
                elif command == "J":
                    del self.rows[self.row :]
                    self.rows.append("")
                index = end + 1
                continue
            char = text[index]
            if char == "\n":
                self.row += 1
                if self.row == len(self.rows):
                    self.rows.append("")
                self.rows[self.row] = ""
            else:
                if len(self.rows[self.row]) == self.width:  # the terminal wraps
                    self.row += 1
                    if self.row == len(self.rows):
                        self.rows.append("")
                self.rows[self.row] += char
            index += 1

    def text(self) -> list[str]:
        return [row for row in self.rows if row]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_redraws_move_up_by_screen_rows_so_long_lines_never_repeat(tmp_path: Path) -> None:
    """At 60 columns a failed resource's long line takes several rows; after every redraw of the
    following view, each resource is on the screen exactly once."""
    path = tmp_path / "shop-dev.jsonl"
    error = "InvalidParameter.Config: " + "the Config has unknown keys oss; " * 4
    _write(
        path, _line("start", time=time.time()), _line("start", urn="", resource="tpl", type="VodAITemplate")
    )
    updates = iter(
        [
            [_line("status", status="Creating")],
            [_line("end", outcome="error", error=error, time=time.time())],
            [_line("status", status="Normal", urn="", resource="tpl", type="VodAITemplate")],
        ]
    )

    def next_update(_: float) -> None:
        try:
            _write(path, *next(updates))
        except StopIteration:
            raise KeyboardInterrupt from None

    out = _Terminal()
    with pytest.raises(KeyboardInterrupt):
        events._follow(
            path, out, raw=False, sleep=next_update, terminal_size=lambda: os.terminal_size((60, 24))
        )
    screen = Screen(60)
    screen.write(out.getvalue())
    shown = screen.text()
    assert sum(row.startswith("  chat  AppService") for row in shown) == 1, shown
    assert sum(row.startswith("  tpl  VodAITemplate") for row in shown) == 1, shown
    assert "FAILED" in shown[0] and "unknown keys oss" in "".join(shown)
    assert len(shown) > 2  # the long line did take more than one row


def test_a_frame_taller_than_the_terminal_keeps_its_last_rows() -> None:
    """Twelve resources on an eight-row terminal: seven rows drawn, the first saying what was left out."""
    rows = events.frame([f"resource-{index}" for index in range(12)], 80, 8)
    assert len(rows) == 7
    assert rows[0] == "  (6 earlier rows not shown)"
    assert rows[-1] == "  resource-11"


def test_wide_characters_count_two_columns() -> None:
    """A row of CJK text is cut by display width, not by characters."""
    rows = events.screen_rows("模" * 30, 21)
    assert [len(row) for row in rows] == [10, 10, 10]


def _run(op: str, start: float, *, ended: bool = True) -> list[dict[str, Any]]:
    lines = [
        _line("start", op=op, time=start, resource=op),
        _line("call", op=op, time=start + 1, resource=op),
    ]
    return [*lines, _line("end", op=op, time=start + 2, outcome="ok", resource=op)] if ended else lines


def test_follow_starts_at_the_current_run(tmp_path: Path) -> None:
    """Lines of an earlier run are skipped; the run still going is shown from its first line."""
    path = tmp_path / "shop-dev.jsonl"
    now = 10_000.0
    _write(
        path, *_run("old", now - 3600), *_run("done-now", now - 20), *_run("running", now - 10, ended=False)
    )
    seen = itertools.islice(events.follow(path, sleep=lambda _: None, now=lambda: now), 5)
    names = [line["resource"] for _, line in seen if line is not None]
    assert names == ["done-now", "done-now", "done-now", "running", "running"]


def test_follow_after_a_finished_run_waits_for_the_next(tmp_path: Path) -> None:
    """When the last run is over, nothing old is replayed; the next run's lines are."""
    path = tmp_path / "shop-dev.jsonl"
    now = 10_000.0
    _write(path, *_run("old", now - 3600), *_run("last", now - 600))
    lines = events.follow(path, sleep=lambda _: None, now=lambda: now)
    assert next(lines)[1] is None
    _write(path, *_run("next", now + 1, ended=False))
    assert [next(lines)[1]["resource"] for _ in range(2)] == ["next", "next"]  # type: ignore[index]


@pytest.mark.parametrize("command", ["demo", "emulator", "emulator run", "doctor", "events", "replay", ""])
def test_every_command_answers_help_without_running(command: str, tmp_path: Path) -> None:
    """``--help`` prints the command's usage and exits 0; the demo does not run, no emulator starts."""
    argv = [sys.executable, "-m", "pulumi_alicloud_ai", *command.split(), "--help"]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m pulumi_alicloud_ai" + (f" {command}" if command else ""))
    assert "starting an emulator" not in done.stdout
    assert "listening on" not in done.stdout
    assert list(tmp_path.iterdir()) == []
