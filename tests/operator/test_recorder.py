"""``--record FILE`` and ``python -m pulumi_alicloud_ai replay FILE``: a bug report as one attached file."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai import replay
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.recorder import MASK, scrub_body, scrub_json, scrub_pairs
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client, ros_client, vod_client
from tests.operator.scenario import access_token, admin, create_service
from tests.processes import emulator_process


def _session(emulator: RunningEmulator) -> dict[str, str]:
    """A little of everything: EAS create/describe/fail, a clock move, VOD video/template/job, ROS task,
    a fault rule, and calls signed with STS credentials. Returns the secrets that went over the wire."""
    from alibabacloud_ros20190910 import models as ros
    from alibabacloud_vod20170321 import models as vod
    from Tea.exceptions import TeaException

    create_service(emulator, "recorded_llm", replicas=2)
    admin(emulator, "POST", "/clock", {"seconds": 31})
    token = access_token(emulator, "recorded_llm")
    with pytest.raises(TeaException):
        eas_client(emulator).describe_service("cn-shanghai", "missing_llm")
    sts = admin(emulator, "POST", "/sts", {"DurationSeconds": 900})["Credentials"]
    signed_with_sts = eas_client(
        emulator, key=sts["AccessKeyId"], secret=sts["AccessKeySecret"], token=sts["SecurityToken"]
    )
    signed_with_sts.describe_service("cn-shanghai", "recorded_llm")
    sdk = vod_client(emulator)
    template_id = sdk.add_aitemplate(
        vod.AddAITemplateRequest(
            template_name="thumbs", template_type="AIImage", template_config='{"Count": 2}'
        )
    ).body.template_id
    video_id = admin(emulator, "POST", "/vod/videos", {"Title": "clip", "Duration": 40})["VideoId"]
    job_id = sdk.submit_aiimage_job(
        vod.SubmitAIImageJobRequest(video_id=video_id, aitemplate_id=template_id)
    ).body.job_id
    admin(emulator, "POST", "/clock", {"seconds": 20})
    sdk.get_aiimage_jobs(vod.GetAIImageJobsRequest(job_ids=job_id))
    task_id = (
        ros_client(emulator)
        .create_aitask(ros.CreateAITaskRequest(task_type="GenerateTemplate", prompt="A VPC with one vSwitch"))
        .body.task_id
    )
    admin(emulator, "POST", "/clock", {"seconds": 20})
    ros_client(emulator).get_aitask(ros.GetAITaskRequest(task_id=task_id, output_option="Enabled"))
    admin(emulator, "POST", "/faults", {"product": "eas", "action": "DescribeService", "count": 1,
                                        "error": {"code": "Throttling.User", "status": 400}})  # fmt: skip
    with pytest.raises(TeaException):
        eas_client(emulator).describe_service("cn-shanghai", "recorded_llm")
    eas_client(emulator).describe_service("cn-shanghai", "recorded_llm")
    return {"access token": token, "STS secret": sts["AccessKeySecret"], "STS token": sts["SecurityToken"]}


@pytest.fixture
def recording(emulators: EmulatorFactory, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A recorded session (the emulator is stopped, so the file is complete) and its secrets."""
    path = tmp_path / "session.jsonl"
    running = emulators.start(data_dir=None, record=path, time_scale=1.0)
    secrets = _session(running)
    emulators.stop(running)
    return path, secrets


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_recording_holds_every_request_and_no_secret(recording: tuple[Path, dict[str, str]]) -> None:
    """Each API call and state-changing admin call is a line with its answer; no secret is in the file."""
    path, secrets = recording
    text = path.read_text()
    for name, secret in secrets.items():
        assert secret not in text, f"the {name} was recorded"
    lines = _lines(path)
    assert lines[0]["type"] == "meta"
    assert lines[0]["region"] == "cn-shanghai"
    api = [line for line in lines if line["type"] == "api"]
    actions = [line["headers"].get("x-acs-action") for line in api]
    assert actions[:3] == ["CreateAppService", "DescribeService", "DescribeService"]
    assert "SubmitAIImageJob" in actions
    assert "CreateAITask" in actions
    failed = [(line["status"], line["response"]["json"]["Code"]) for line in api if line["status"] >= 400]
    assert failed == [(404, "ServiceNotFound"), (400, "Throttling.User")]
    assert all(line["requestId"] == line["response"]["json"]["RequestId"] for line in api)
    sts_signed = [line for line in api if "x-acs-security-token" in line["headers"]]
    assert sts_signed
    assert all(line["headers"]["x-acs-security-token"] == MASK for line in sts_signed)
    assert all(line["headers"]["authorization"] == MASK for line in api)
    described = next(line for line in api if line["headers"].get("x-acs-action") == "DescribeService")
    assert described["response"]["json"]["AccessToken"] == MASK
    admin_paths = [line["path"] for line in lines if line["type"] == "admin"]
    assert admin_paths[:2] == ["/_emulator/clock", "/_emulator/sts"]
    assert "/_emulator/vod/videos" in admin_paths


def test_replay_of_a_recording_matches(recording: tuple[Path, dict[str, str]]) -> None:
    """Replayed on a fresh emulator, every answer matches (ids mapped, clock re-aligned, times ignored)."""
    path, _ = recording
    out = io.StringIO()
    assert replay.main([str(path)], out=out) == 0, out.getvalue()
    assert out.getvalue().rstrip().endswith("same, 0 different")


def test_replay_reports_each_answer_that_differs(
    recording: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A recorded answer that the emulator no longer gives is reported with the field, old and new."""
    path, _ = recording
    lines = _lines(path)
    running = next(
        line
        for line in lines
        if line["type"] == "api" and line["response"].get("json", {}).get("Status") == "Running"
    )
    running["response"]["json"]["Status"] = "Stopped"
    missing = next(line for line in lines if line["type"] == "api" and line["status"] == 404)
    missing["status"] = 200
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = io.StringIO()
    assert replay.main([str(tampered)], out=out) == 1
    report = out.getvalue()
    assert "Status: 'Stopped' -> 'Running'" in report
    assert "HTTP 200 -> 404" in report
    assert report.rstrip().endswith("2 different")


def test_replay_against_a_running_emulator(
    recording: tuple[Path, dict[str, str]], emulators: EmulatorFactory
) -> None:
    """``--endpoint`` replays against an emulator that is already running."""
    path, _ = recording
    target = emulators.start()
    out = io.StringIO()
    assert replay.main([str(path), "--endpoint", target.url], out=out) == 0, out.getvalue()
    assert httpx.get(f"{target.url}/_emulator/ui/feed").json()["groups"][0]["entities"]


def test_replay_refuses_a_file_that_is_not_a_recording(tmp_path: Path) -> None:
    """A file without recorded requests is a usage error (exit 2), not a pass."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"type": "meta"}\n')
    assert replay.main([str(empty)], out=io.StringIO()) == 2


def test_cli_record_flag_writes_the_file(tmp_path: Path) -> None:
    """``alicloud-ai-emulator --record FILE`` records, and the file is complete after SIGTERM."""
    path = tmp_path / "cli.jsonl"
    with emulator_process(["--record", str(path)]) as (proc, url):
        response = httpx.post(f"{url}/_emulator/clock", json={"seconds": 5})
        assert response.status_code == 200
        httpx.get(f"{url}/api/v2/services")  # unsigned: refused, and recorded all the same
        proc.terminate()
        proc.wait(timeout=15)
    kinds = [(line["type"], line.get("status")) for line in _lines(path)]
    assert kinds == [("meta", None), ("admin", 200), ("api", 400)]


def test_replay_command_is_wired_into_the_package_cli(recording: tuple[Path, dict[str, str]]) -> None:
    """``python -m pulumi_alicloud_ai replay FILE`` runs the replay."""
    path, _ = recording
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai", "replay", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 different" in done.stdout


@pytest.mark.parametrize(
    ("pairs", "scrubbed"),
    [
        (
            {"Authorization": "ACS3-HMAC-SHA256 Credential=x", "host": "h"},
            {"Authorization": MASK, "host": "h"},
        ),
        ({"SecurityToken": "CAIS...", "Action": "GetAITask"}, {"SecurityToken": MASK, "Action": "GetAITask"}),
    ],
)
def test_scrub_pairs_masks_secret_headers_and_parameters(
    pairs: dict[str, str], scrubbed: dict[str, str]
) -> None:
    """Secret headers and query parameters are masked; everything else is kept for the replay."""
    assert scrub_pairs(pairs) == scrubbed


def test_scrub_masks_json_and_form_bodies_at_any_depth() -> None:
    """JSON fields and form fields named like secrets are masked wherever they are."""
    assert scrub_json({"a": [{"AccessKeySecret": "s"}], "NextToken": "n"}) == {
        "a": [{"AccessKeySecret": MASK}],
        "NextToken": "n",
    }
    form = scrub_body(b"Template=x&SecurityToken=tok", "application/x-www-form-urlencoded")
    assert form == {"form": [["Template", "x"], ["SecurityToken", MASK]]}
