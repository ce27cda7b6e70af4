"""AIMediaAuditJob through the Pulumi dynamic-provider host against the emulator over HTTP; the official
SDK reads the job back, so the outputs are checked against what VOD answers, not against our client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod
from pulumi.runtime import proto

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.resources._ai_media_audit_job_provider import AIMediaAuditJobProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.callback_receiver import ReceiverFactory
from tests.official_sdk import vod_client

AUDIT = {
    "AuditItem": ["porn", "terrorism"],
    "AuditRange": ["video", "image-cover", "text-title"],
    "AuditContent": ["screen"],
    "AuditAutoBlock": "no",
}


@pytest.fixture(scope="module")
def audit_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """The dynamic-provider host serving AIMediaAuditJobProvider against the instant emulator."""
    host = ProviderHost(
        AIMediaAuditJobProvider(), provider_env(instant_emulator.url, str(tmp_path_factory.mktemp("home")))
    )
    host.configure({})
    yield host
    host.close()


@pytest.fixture(scope="module")
def default_template(instant_emulator: RunningEmulator) -> str:
    """An AIMediaAudit template made VOD's default (jobs without a template use it)."""
    template_id = _template(instant_emulator)
    request = vod.SetDefaultAITemplateRequest(template_id=template_id)
    vod_client(instant_emulator).set_default_aitemplate(request)
    return template_id


def _video(emulator: RunningEmulator, **extra: Any) -> str:
    response = httpx.post(
        f"{emulator.url}/_emulator/vod/videos", json={"Title": "clip", "Duration": 90, **extra}
    )
    response.raise_for_status()
    return str(response.json()["VideoId"])


def _template(emulator: RunningEmulator, template_type: str = "AIMediaAudit") -> str:
    config = AUDIT if template_type == "AIMediaAudit" else {"Count": 2}
    request = vod.AddAITemplateRequest(
        template_name=f"review-{template_type}",
        template_type=template_type,
        template_config=json.dumps(config),
    )
    return str(vod_client(emulator).add_aitemplate(request).body.template_id)


def _inputs(video_id: str, **overrides: Any) -> dict[str, Any]:
    return {"video_id": video_id, "region": "cn-shanghai", **overrides}


def _create(host: ProviderHost, inputs: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = host.check("review", inputs)
    assert checked.failures == {}
    resource_id, outs, _ = host.create("review", checked.inputs)
    return resource_id, outs, dict(checked.inputs)


def _fail_next_review(emulator: RunningEmulator) -> None:
    """The next review submitted ends ``fail`` with Code ``Audit.Unavailable`` and Message ``no reviewer``."""
    rule = {
        "product": "vod",
        "action": "SubmitAIMediaAuditJob",
        "effect": "fail",
        "count": 1,
        "code": "Audit.Unavailable",
        "message": "no reviewer",
    }
    httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()


def _sdk_job(emulator: RunningEmulator, job_id: str) -> Any:
    request = vod.GetAIMediaAuditJobRequest(job_id=job_id)
    return vod_client(emulator).get_aimedia_audit_job(request).body.media_audit_job


class TestCheck:
    @pytest.mark.parametrize(
        ("inputs", "field", "fragment"),
        [
            ({"region": "cn-shanghai"}, "video_id", "required"),
            (_inputs("v1", region="eu-central-1"), "region", "allowed values: cn-beijing, cn-shanghai"),
            (_inputs("v1", user_data={"Other": 1}), "user_data", "MessageCallback or Extend"),
            (_inputs("v1", timeouts={"delete": "5m"}), "timeouts", "operations that wait: create"),
        ],
    )
    def test_bad_input_fails_naming_the_field(
        self, audit_host: ProviderHost, inputs: dict[str, Any], field: str, fragment: str
    ) -> None:
        failures = audit_host.check("bad", inputs).failures
        assert field in failures, failures
        assert fragment in failures[field]


class TestLifecycle:
    def test_findings_are_the_jobs_results(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Create waits for success; the verdict, every finding and the times are what GetAIMediaAuditJob
        says. The video is one the review flags in all three audited ranges."""
        template_id = _template(instant_emulator)
        video_id = _video(instant_emulator, VideoId="review0001")
        job_id, outs, _ = _create(audit_host, _inputs(video_id, ai_template_id=template_id))
        job = _sdk_job(instant_emulator, job_id)
        assert (outs["job_id"], outs["status"], job.status, job.media_id) == (
            job_id,
            "success",
            "success",
            video_id,
        )
        assert (outs["suggestion"], outs["label"]) == (job.data.suggestion, job.data.label)
        assert job.data.abnormal_modules == "video,image-cover,text-title"
        assert outs["abnormal_modules"] == ["video", "image-cover", "text-title"]
        assert outs["video_result"] == job.data.video_result.to_map()
        assert outs["image_results"] == [image.to_map() for image in job.data.image_result]
        assert [text["Type"] for text in outs["text_results"]] == ["title"]  # the template's AuditRange
        assert outs["audio_results"] == [audio.to_map() for audio in job.data.audio_result]
        assert (outs.get("error_code"), outs.get("error_message")) == (None, None)  # None is left out
        assert (outs["creation_time"], outs["complete_time"]) == (job.creation_time, job.complete_time)
        assert job.complete_time

    def test_default_template_is_used_when_none_is_given(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator, default_template: str
    ) -> None:
        job_id, outs, inputs = _create(audit_host, _inputs(_video(instant_emulator)))
        assert "ai_template_id" not in inputs
        assert outs["status"] == "success"
        assert outs["suggestion"] == _sdk_job(instant_emulator, job_id).data.suggestion

    def test_a_template_of_another_type_is_refused(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        thumbs = _template(instant_emulator, "AIImage")
        with pytest.raises(ProviderCallError) as info:
            _create(audit_host, _inputs(_video(instant_emulator), ai_template_id=thumbs))
        assert "AIMediaAudit template" in info.value.last_line

    def test_failed_job_is_an_error_with_code_and_message(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator, default_template: str
    ) -> None:
        _fail_next_review(instant_emulator)
        with pytest.raises(ProviderCallError) as info:
            _create(audit_host, _inputs(_video(instant_emulator)))
        assert "ended fail after create: Audit.Unavailable: no reviewer" in info.value.last_line
        assert "the API cannot delete review jobs" in info.value.last_line

    def test_a_failed_job_not_waited_for_shows_its_error_in_the_outputs(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator, default_template: str
    ) -> None:
        """wait_for_final=False: the create succeeds; the job's fail, Code, Message and times are outputs."""
        _fail_next_review(instant_emulator)
        job_id, outs, _ = _create(audit_host, _inputs(_video(instant_emulator), wait_for_final=False))
        job = _sdk_job(instant_emulator, job_id)
        assert (outs["status"], outs["error_code"], outs["error_message"]) == (
            "fail",
            "Audit.Unavailable",
            "no reviewer",
        )
        assert (outs.get("suggestion"), outs["abnormal_modules"]) == (None, [])
        assert (outs["creation_time"], outs["complete_time"]) == (job.creation_time, job.complete_time)

    def test_callback_url_in_user_data_receives_the_review_event(
        self,
        audit_host: ProviderHost,
        instant_emulator: RunningEmulator,
        default_template: str,
        receiver_factory: ReceiverFactory,
    ) -> None:
        """A loopback CallbackURL in user_data gets the job's AIMediaAuditComplete event, Extend as given."""
        receiver = receiver_factory([204])
        video_id = _video(instant_emulator)
        user_data = {"MessageCallback": {"CallbackURL": receiver.url}, "Extend": {"order": 7}}
        job_id, outs, _ = _create(audit_host, _inputs(video_id, user_data=user_data))
        event = receiver.wait_for(1)[0]
        assert (event["EventType"], event["JobId"], event["MediaId"], event["Status"], event["Extend"]) == (
            "AIMediaAuditComplete",
            job_id,
            video_id,
            "success",
            {"order": 7},
        )
        assert json.loads(event["Data"])["Suggestion"] == outs["suggestion"]

    @pytest.mark.parametrize(
        ("field", "value"), [("video_id", "other"), ("ai_template_id", "t-2"), ("region", "cn-beijing")]
    )
    def test_any_input_change_replaces(
        self,
        audit_host: ProviderHost,
        instant_emulator: RunningEmulator,
        default_template: str,
        field: str,
        value: str,
    ) -> None:
        job_id, outs, inputs = _create(audit_host, _inputs(_video(instant_emulator)))
        diff = audit_host.diff("review", job_id, outs, {**inputs, field: value})
        assert list(diff.replaces) == [field]

    def test_import_by_job_id_and_unknown_id_is_gone(
        self, audit_host: ProviderHost, instant_emulator: RunningEmulator, default_template: str
    ) -> None:
        video_id = _video(instant_emulator)
        job_id = (
            vod_client(instant_emulator)
            .submit_aimedia_audit_job(vod.SubmitAIMediaAuditJobRequest(media_id=video_id, media_type="video"))
            .body.job_id
        )
        read_id, outs, inputs = audit_host.read("review", job_id, {}, {"region": "cn-shanghai"})
        assert (read_id, inputs["video_id"], outs["job_id"]) == (job_id, video_id, job_id)
        gone_id, _, _ = audit_host.read("review", "no-such-job", {}, {"region": "cn-shanghai"})
        assert gone_id == ""
        audit_host.delete("review", job_id, outs)  # forgets: VOD keeps the job
        assert _sdk_job(instant_emulator, job_id).job_id == job_id


def test_without_waiting_the_findings_come_on_refresh(tmp_path_factory: pytest.TempPathFactory) -> None:
    """At time scale 1 the job is recorded running; once the clock moves, refresh brings its findings
    and is no diff (the template and UserData, which GetAIMediaAuditJob does not return, are kept)."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path_factory.mktemp("audit-slow"))) as slow:
        template_id = _template(slow)
        host = ProviderHost(
            AIMediaAuditJobProvider(), provider_env(slow.url, str(tmp_path_factory.mktemp("h")))
        )
        try:
            host.configure({})
            inputs = _inputs(
                _video(slow),
                ai_template_id=template_id,
                user_data={"Extend": {"ref": 7}},
                wait_for_final=False,
            )
            job_id, outs, inputs = _create(host, inputs)
            assert outs["status"] == "submitted"
            assert (outs.get("suggestion"), outs["abnormal_modules"]) == (None, [])
            httpx.post(f"{slow.url}/_emulator/clock", json={"seconds": 12}).raise_for_status()
            _, read_outs, read_inputs = host.read("review", job_id, outs, inputs)
            assert {key: read_inputs.get(key) for key in inputs} == inputs
            assert read_outs["status"] == "success"
            assert read_outs["suggestion"] == _sdk_job(slow, job_id).data.suggestion
            assert host.diff("review", job_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE
        finally:
            host.close()
