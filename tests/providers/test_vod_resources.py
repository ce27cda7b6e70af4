"""VodAITemplate and AIImageJob through the Pulumi dynamic-provider host against the emulator over HTTP."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod
from pulumi.runtime import proto

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing.provider_host import UNKNOWN, ProviderCallError, ProviderHost, provider_env
from tests.callback_receiver import ReceiverFactory
from tests.conftest import EmulatorFactory
from tests.official_sdk import vod_client

AUDIT = {"AuditItem": ["porn"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}


def _host(provider: Any, emulator: RunningEmulator, factory: pytest.TempPathFactory) -> ProviderHost:
    host = ProviderHost(provider, provider_env(emulator.url, str(factory.mktemp("home"))))
    host.configure({})
    return host


@pytest.fixture(scope="module")
def template_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """The dynamic-provider host serving VodAITemplateProvider against the instant emulator."""
    host = _host(VodAITemplateProvider(), instant_emulator, tmp_path_factory)
    yield host
    host.close()


@pytest.fixture(scope="module")
def job_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """The dynamic-provider host serving AIImageJobProvider against the instant emulator."""
    host = _host(AIImageJobProvider(), instant_emulator, tmp_path_factory)
    yield host
    host.close()


def _video(emulator: RunningEmulator, region: str = "cn-shanghai", **extra: Any) -> str:
    body = {"Title": "clip", "Duration": 90, "Region": region, **extra}
    response = httpx.post(f"{emulator.url}/_emulator/vod/videos", json=body)
    response.raise_for_status()
    video_id: str = response.json()["VideoId"]
    return video_id


def _create(
    host: ProviderHost, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = host.check(name, inputs)
    assert checked.failures == {}
    resource_id, outs, _ = host.create(name, checked.inputs)
    return resource_id, outs, checked.inputs


_names = itertools.count()


def _template_inputs(**overrides: Any) -> dict[str, Any]:
    base = {
        # Unique: a create adopts a recent template of the same name and config (an interrupted create).
        "template_name": f"thumbs_{next(_names)}",
        "template_type": "AIImage",
        "config": {"Count": 3},
        "region": "cn-shanghai",
    }
    return {**base, **overrides}


def _template(host: ProviderHost, **overrides: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    return _create(host, "template", _template_inputs(**overrides))


def _job(
    host: ProviderHost, video_id: str, template_id: str, **overrides: Any
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    inputs = {"video_id": video_id, "ai_template_id": template_id, "region": "cn-shanghai", **overrides}
    return _create(host, "job", inputs)


def _live(emulator: RunningEmulator, template_id: str) -> Any:
    return (
        vod_client(emulator)
        .get_aitemplate(vod.GetAITemplateRequest(template_id=template_id))
        .body.template_info
    )


def _infos(emulator: RunningEmulator, video_id: str) -> list[Any]:
    request = vod.ListAIImageInfoRequest(video_id=video_id)
    infos: list[Any] = vod_client(emulator).list_aiimage_info(request).body.aiimage_info_list
    return infos


class TestCheck:
    """Preview-time validation names the field and the allowed values or limit, without any network call."""

    @pytest.mark.parametrize(
        ("override", "field", "fragment"),
        [
            ({"template_name": "é" * 65}, "template_name", "at most 128 bytes"),
            ({"template_type": "Thumbs"}, "template_type", "allowed values: AIImage, AIMediaAudit"),
            ({"config": {"Count": 11}}, "config", "count must be a whole number from 1 to 10"),
            ({"config": {"Format": "jpg"}}, "config", "allowed values: png, gif"),
            (
                {"template_type": "AIMediaAudit", "config": {**AUDIT, "AuditItem": ["ads"]}},
                "config",
                "terrorism, porn",
            ),
            (
                {"template_type": "AIMediaAudit", "config": {"AuditItem": ["porn"]}},
                "config",
                "audit_range is required",
            ),
            ({"region": "eu-west-1"}, "region", "allowed values: ap-southeast-1, cn-beijing, cn-shanghai"),
            ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ],
    )
    def test_bad_template_input_fails_naming_the_field(
        self, template_host: ProviderHost, override: dict[str, Any], field: str, fragment: str
    ) -> None:
        """Each bad template input is a failure on its property whose reason says what is allowed."""
        failures = template_host.check("bad", _template_inputs(**override)).failures
        assert fragment in failures[field], failures

    @pytest.mark.parametrize(
        ("override", "field", "reason"),
        [
            (
                {"template_name": "é" * 64 + "a"},
                "template_name",
                "is 129 bytes long; at most 128 bytes (UTF-8)",
            ),
            ({"template_name": " "}, "template_name", "must not be empty"),
            ({"config": {"Count": 0}}, "config", "count must be a whole number from 1 to 10, got 0"),
            ({"config": {"Count": True}}, "config", "count must be a whole number from 1 to 10, got True"),
            ({"config": {"Count": "3"}}, "config", "count must be a whole number from 1 to 10, got '3'"),
            ({"config": {"Count": 2.5}}, "config", "count must be a whole number from 1 to 10, got 2.5"),
            (
                {"config": {"Count": 11, "Format": "jpg"}},
                "config",
                "count must be a whole number from 1 to 10, got 11; "
                "format 'jpg' is not supported; allowed values: png, gif",
            ),
            ({"config": ["Count"]}, "config", "must be an object (a dict, or a typed template config)"),
            (
                {
                    "template_type": "AIMediaAudit",
                    "config": {
                        "AuditItem": [],
                        "AuditRange": "video",
                        "AuditContent": ["screen", "cover"],
                        "AuditAutoBlock": "maybe",
                    },
                },
                "config",
                "audit_items is required: a non-empty list of terrorism, porn; "
                "audit_range is required: a non-empty list of text-title, video, image-cover; "
                "audit_content has ['cover']; allowed values: screen; "
                "auto_block must be one of yes, no, got 'maybe'",
            ),
        ],
    )
    def test_a_bad_template_config_says_every_problem_in_full(
        self, template_host: ProviderHost, override: dict[str, Any], field: str, reason: str
    ) -> None:
        """The reason is the whole rule: each problem of the config, in the input's Python names."""
        failures = template_host.check("bad", _template_inputs(**override)).failures
        assert failures == {field: reason}

    def test_an_audit_template_without_config_is_refused_at_preview(
        self, template_host: ProviderHost
    ) -> None:
        """An AIMediaAudit template needs its lists: leaving config out fails check, not the next one."""
        inputs = {
            key: value
            for key, value in _template_inputs(template_type="AIMediaAudit").items()
            if key != "config"
        }
        reason = template_host.check("bad", inputs).failures["config"]
        assert reason.startswith("audit_items is required: a non-empty list of terrorism, porn; "), reason

    @pytest.mark.parametrize(
        ("override", "config"),
        [
            ({"template_name": "é" * 64, "config": {"Count": 10}}, {"Count": 10}),
            ({"config": {"Format": "png", "Count": 1}}, {"Count": 1, "Format": "png"}),
            ({"config": {"Format": "gif", "Count": None}}, {"Format": "gif"}),
            ({"config": None}, {}),
            ({"template_type": "AIMediaAudit", "config": {**AUDIT, "AuditAutoBlock": "yes"}}, None),
        ],
    )
    def test_the_limits_themselves_pass_and_the_config_is_normalised(
        self, template_host: ProviderHost, override: dict[str, Any], config: dict[str, Any] | None
    ) -> None:
        """A 128-byte name, Count 1 or 10, a config without Count, no config: accepted; keys set to
        None are dropped, so the config diffs as VOD returns it."""
        checked = template_host.check("ok", _template_inputs(**override))
        assert checked.failures == {}
        assert checked.inputs["config"] == (
            config if config is not None else dict(sorted(override["config"].items()))
        )

    @pytest.mark.parametrize(
        ("override", "field", "fragment"),
        [
            ({"user_data": {"Extend": {"blob": "x" * 600}}}, "user_data", "at most 512 bytes"),
            ({"user_data": {"Note": "hi"}}, "user_data", "must contain MessageCallback or Extend"),
            (
                {"user_data": {"MessageCallback": {"CallbackURL": "ftp://x/"}}},
                "user_data",
                "http or https URL",
            ),
            ({"region": "ap-southeast-1"}, "region", "allowed values: cn-beijing, cn-shanghai"),
            ({"video_id": ""}, "video_id", "at least 1 character"),
            ({"timeouts": {"create": "soon"}}, "timeouts.create", "not a duration"),
        ],
    )
    def test_bad_job_input_fails_naming_the_field(
        self, job_host: ProviderHost, override: dict[str, Any], field: str, fragment: str
    ) -> None:
        """Each bad job input, UserData size included, is a failure on its property naming the rule."""
        inputs = {"video_id": "v", "ai_template_id": "t", "region": "cn-shanghai", **override}
        failures = job_host.check("bad", inputs).failures
        assert fragment in failures[field], failures

    def test_unknown_template_id_is_tolerated(self, job_host: ProviderHost) -> None:
        """A template id not known at preview (the template is still to be created) passes check."""
        inputs = {"video_id": "v", "ai_template_id": UNKNOWN, "region": "cn-shanghai"}
        assert job_host.check("later", inputs).failures == {}


class TestTemplate:
    """Create, update in place, replace, defaults, refresh, import and delete of a VodAITemplate."""

    def test_create_sends_whole_numbers_and_outputs_the_id(
        self, template_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """The template is created with compact JSON config (Pulumi's doubles as whole numbers)."""
        template_id, outs, _ = _template(template_host, config={"Format": "gif", "Count": 2})
        assert (outs["template_id"], outs["source"], outs["is_default"]) == (template_id, "Custom", False)
        live = _live(instant_emulator, template_id)
        assert (live.template_type, live.template_config) == ("AIImage", '{"Count":2,"Format":"gif"}')

    @pytest.mark.parametrize(("field", "value"), [("template_name", "renamed"), ("config", {"Count": 5})])
    def test_name_or_config_changes_in_place(
        self, template_host: ProviderHost, instant_emulator: RunningEmulator, field: str, value: Any
    ) -> None:
        """A new name or config is an in-place update that sends both (UpdateAITemplate replaces them)."""
        template_id, outs, inputs = _template(template_host, config={"Count": 4})
        news = template_host.check("template", {**inputs, field: value}).inputs
        diff = template_host.diff("template", template_id, outs, news)
        assert (diff.changes, list(diff.replaces)) == (proto.DiffResponse.DIFF_SOME, [])
        assert template_host.update("template", template_id, outs, news)[field] == value
        live = _live(instant_emulator, template_id)
        assert (live.template_name, json.loads(live.template_config)) == (
            news["template_name"],
            news["config"],
        )

    def test_type_change_replaces(self, template_host: ProviderHost) -> None:
        """A new template type replaces the template (UpdateAITemplate cannot change it)."""
        template_id, outs, inputs = _template(template_host)
        diff = template_host.diff("template", template_id, outs, {**inputs, "template_type": "AIMediaAudit"})
        assert (list(diff.replaces), diff.deleteBeforeReplace) == (["template_type"], False)

    def test_default_moves_and_cannot_be_unset_or_deleted_while_default(
        self, template_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """is_default moves the default; unsetting or deleting the default is refused until another takes over."""
        region = {"region": "cn-beijing", "template_type": "AIMediaAudit", "config": AUDIT}
        first_id, first, first_inputs = _template(template_host, is_default=True, **region)
        second_id, second, second_inputs = _template(template_host, **region)

        with pytest.raises(ProviderCallError) as unset:
            template_host.update("t", first_id, first, {**first_inputs, "is_default": False})
        assert (
            f"VOD AI template {first_id} is still the default AIMediaAudit template in cn-beijing, and VOD "
            "has no call that unsets a default: set is_default=True on another template of this type (it "
            "takes over; if both change in one update, make this resource depend on that one), or keep "
            "is_default=True here"
        ) in unset.value.last_line
        with pytest.raises(ProviderCallError) as deleting:
            template_host.delete("t", first_id, first)
        assert re.search(
            rf"VOD AI template {first_id} in cn-beijing cannot be deleted: .+\. To delete it, make another "
            r"AIMediaAudit template the default first \(is_default=True on it\), then delete this one\. "
            r"\[InvalidAITemplate\.IsDefault, RequestId: [0-9A-F-]+\]",
            deleting.value.last_line,
        ), deleting.value.last_line

        template_host.update("t", second_id, second, {**second_inputs, "is_default": True})
        assert template_host.read("t", second_id, second, second_inputs)[2]["is_default"] is True
        _, refreshed, read_inputs = template_host.read("t", first_id, first, first_inputs)
        assert read_inputs["is_default"] is False  # drift: the program still says True
        assert (
            template_host.diff("t", first_id, refreshed, first_inputs).changes == proto.DiffResponse.DIFF_SOME
        )
        assert template_host.update("t", first_id, refreshed, read_inputs)["is_default"] is False
        template_host.delete("t", first_id, refreshed)

    def test_refresh_shows_a_rename_outside_pulumi_as_drift(
        self, template_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """A name changed outside Pulumi reads back into inputs; the program's name then diffs in place."""
        template_id, outs, inputs = _template(template_host)
        request = vod.UpdateAITemplateRequest(
            template_id=template_id, template_name="ops", template_config='{"Count":3}'
        )
        vod_client(instant_emulator).update_aitemplate(request)
        _, read_outs, read_inputs = template_host.read("t", template_id, outs, inputs)
        assert read_inputs["template_name"] == "ops"
        diff = template_host.diff("t", template_id, read_outs, inputs)
        assert (diff.changes, list(diff.replaces)) == (proto.DiffResponse.DIFF_SOME, [])

    def test_import_by_template_id_rebuilds_inputs(
        self, template_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Read with only a TemplateId (import) returns the live template's inputs."""
        request = vod.AddAITemplateRequest(
            template_name="audit", template_type="AIMediaAudit", template_config=json.dumps(AUDIT)
        )
        template_id = vod_client(instant_emulator).add_aitemplate(request).body.template_id
        read_id, outs, inputs = template_host.read("t", template_id, {}, {"region": "cn-shanghai"})
        assert read_id == template_id == outs["template_id"]
        assert inputs == {
            "template_name": "audit",
            "template_type": "AIMediaAudit",
            "config": dict(sorted(AUDIT.items())),
            "is_default": False,
            "region": "cn-shanghai",
        }

    def test_delete_tolerates_gone_and_read_reports_it(self, template_host: ProviderHost) -> None:
        """Deleting twice is fine; a deleted template reads back empty (gone)."""
        template_id, outs, _ = _template(template_host)
        template_host.delete("t", template_id, outs)
        template_host.delete("t", template_id, outs)
        assert template_host.read("t", template_id, outs)[0] == ""


class TestJob:
    """Submit, wait, fail, call back, refresh, replace and delete of an AIImageJob."""

    def test_job_succeeds_with_the_images_of_its_template(
        self, template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Create waits for success and outputs the job id, status and each image's url, format and score."""
        template_id, _, _ = _template(template_host, config={"Count": 4, "Format": "gif"})
        video_id = _video(instant_emulator)
        job_id, outs, _ = _job(job_host, video_id, template_id, user_data={"Extend": {"ref": "intro"}})
        assert (outs["job_id"], outs["status"], outs.get("error_code")) == (job_id, "success", None)
        assert outs["template_config"] == {"Count": 4, "Format": "gif"}
        assert outs["images"] == [
            {
                "id": info.aiimage_info_id,
                "url": info.file_url,
                "format": "gif",
                "score": float(info.score),
                "version": info.version,
                "creation_time": info.creation_time,
            }
            for info in _infos(instant_emulator, video_id)
        ]
        assert all(0.5 <= i["score"] <= 1.0 for i in outs["images"])
        request = vod.GetAIImageJobsRequest(job_ids=job_id)
        job = vod_client(instant_emulator).get_aiimage_jobs(request).body.aiimage_job_list[0]
        assert (outs["ai_image_result"], outs["creation_time"]) == (job.aiimage_result, job.creation_time)
        assert outs["ai_image_result"] and outs["creation_time"]

    @pytest.mark.parametrize(
        ("fault", "corrupt", "expected"),
        [
            (
                {"code": "AIImage.NoFaces", "message": "no faces found"},
                False,
                "ended fail after create: AIImage.NoFaces: no faces found",
            ),
            (None, True, "ended fail after create: InvalidVideo.DecodeFailed: The video"),
        ],
    )
    def test_failed_job_is_an_error_with_code_and_message(
        self,
        template_host: ProviderHost,
        job_host: ProviderHost,
        instant_emulator: RunningEmulator,
        fault: dict[str, str] | None,
        corrupt: bool,
        expected: str,
    ) -> None:
        """A job that ends fail (fault rule, corrupt video) fails the create with its Code and Message."""
        if fault is not None:
            rule = {"product": "vod", "action": "SubmitAIImageJob", "effect": "fail", "count": 1, **fault}
            httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
        template_id, _, _ = _template(template_host)
        with pytest.raises(ProviderCallError) as info:
            _job(job_host, _video(instant_emulator, Corrupt=corrupt), template_id)
        assert expected in info.value.last_line
        assert "the API cannot delete AI image jobs" in info.value.last_line

    def test_a_failed_job_not_waited_for_shows_its_error_in_the_outputs(
        self, template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """wait_for_final=False: the create succeeds; the job's fail, Code and Message are outputs."""
        rule = {
            "product": "vod",
            "action": "SubmitAIImageJob",
            "effect": "fail",
            "count": 1,
            "code": "AIImage.NoFaces",
            "message": "no faces found",
        }
        httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
        template_id, _, _ = _template(template_host)
        job_id, outs, _ = _job(job_host, _video(instant_emulator), template_id, wait_for_final=False)
        assert (outs["job_id"], outs["status"], outs["images"]) == (job_id, "fail", [])
        assert (outs["error_code"], outs["error_message"]) == ("AIImage.NoFaces", "no faces found")

    def test_callback_url_receives_the_completion_event(
        self,
        template_host: ProviderHost,
        job_host: ProviderHost,
        instant_emulator: RunningEmulator,
        receiver_factory: ReceiverFactory,
    ) -> None:
        """A loopback CallbackURL in user_data gets the completion event, with Extend as given."""
        receiver = receiver_factory([204])
        template_id, _, _ = _template(template_host)
        user_data = {"MessageCallback": {"CallbackURL": receiver.url}, "Extend": {"order": 7}}
        job_id, _, _ = _job(job_host, _video(instant_emulator), template_id, user_data=user_data)
        event = receiver.wait_for(1)[0]
        assert (event["JobId"], event["Status"], event["Extend"]) == (job_id, "success", {"order": 7})

    def test_refresh_after_images_were_deleted_shows_the_rest(
        self, template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Images deleted outside Pulumi disappear from the outputs at refresh; the inputs do not change."""
        template_id, _, _ = _template(template_host)
        job_id, outs, inputs = _job(job_host, _video(instant_emulator), template_id)
        ids = [image["id"] for image in outs["images"]]
        request = vod.DeleteAIImageInfosRequest(aiimage_info_ids=",".join(ids[:2]))
        vod_client(instant_emulator).delete_aiimage_infos(request)
        read_id, read_outs, read_inputs = job_host.read("job", job_id, outs, inputs)
        assert (read_id, [image["id"] for image in read_outs["images"]]) == (job_id, ids[2:])
        assert job_host.diff("job", job_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE
        assert read_inputs["video_id"] == inputs["video_id"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("video_id", "another"),
            ("ai_template_id", UNKNOWN),
            ("user_data", {"Extend": {"ref": "b"}}),
            ("ai_pipeline_id", "pipeline-1"),
            ("region", "cn-beijing"),
        ],
    )
    def test_any_input_change_replaces(
        self,
        template_host: ProviderHost,
        job_host: ProviderHost,
        instant_emulator: RunningEmulator,
        field: str,
        value: Any,
    ) -> None:
        """A job cannot be edited: every API input change is a replacement (created before the old is deleted)."""
        template_id, _, _ = _template(template_host)
        job_id, outs, inputs = _job(
            job_host, _video(instant_emulator), template_id, user_data={"Extend": {"ref": "a"}}
        )
        diff = job_host.diff("job", job_id, outs, {**inputs, field: value})
        assert (list(diff.replaces), diff.deleteBeforeReplace) == ([field], False)
        behaviour = {**inputs, "wait_for_final": False, "timeouts": {"create": 60.0}}
        assert job_host.diff("job", job_id, outs, behaviour).changes == proto.DiffResponse.DIFF_NONE

    def test_delete_removes_only_its_images_and_leaves_the_job_record(
        self, template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Delete removes the job's images (not another job's on the video); the job record stays readable."""
        template_id, _, _ = _template(template_host, config={"Count": 2})
        other_template, _, _ = _template(template_host, config={"Count": 3})
        video_id = _video(instant_emulator)
        job_id, outs, _ = _job(job_host, video_id, template_id)
        _, other, _ = _job(job_host, video_id, other_template)
        job_host.delete("job", job_id, outs)
        job_host.delete("job", job_id, outs)
        assert [info.job_id for info in _infos(instant_emulator, video_id)] == [other["job_id"]] * 3
        read_id, read_outs, _ = job_host.read("job", job_id, outs)
        assert (read_id, read_outs["images"]) == (job_id, [])

    def test_import_by_job_id_and_unknown_id_is_gone(
        self, template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
    ) -> None:
        """Read with only a JobId rebuilds the inputs (UserData as a dict); an unknown id reads as gone."""
        template_id, _, _ = _template(template_host)
        video_id = _video(instant_emulator)
        request = vod.SubmitAIImageJobRequest(
            video_id=video_id, aitemplate_id=template_id, user_data='{"Extend":{"n":1}}'
        )
        job_id = vod_client(instant_emulator).submit_aiimage_job(request).body.job_id
        read_id, outs, inputs = job_host.read("job", job_id, {}, {"region": "cn-shanghai"})
        assert (read_id, outs["status"], len(outs["images"])) == (job_id, "success", 3)
        assert inputs == {
            "video_id": video_id,
            "ai_template_id": template_id,
            "user_data": {"Extend": {"n": 1}},
            "region": "cn-shanghai",
        }
        assert job_host.read("job", "f" * 32, {}, {"region": "cn-shanghai"})[0] == ""


def _fail_next(emulator: RunningEmulator, action: str) -> None:
    rule = {"product": "vod", "action": action, "count": 1, "error": {"code": "InternalError", "status": 500}}
    httpx.post(f"{emulator.url}/_emulator/faults", json=rule).raise_for_status()


def test_failed_add_says_running_up_again_is_safe_and_it_is(
    template_host: ProviderHost, instant_emulator: RunningEmulator
) -> None:
    """A 5xx on AddAITemplate (never retried) says whether VOD made a template; the rerun makes exactly one."""
    _fail_next(instant_emulator, "AddAITemplate")
    with pytest.raises(ProviderCallError) as info:
        _template(template_host, template_name="lookalike", config={"Count": 7})
    line = info.value.last_line
    assert "(InternalError) when calling the AddAITemplate operation" in line
    assert (
        "may have reached the service: no VOD AI template was made, so running `pulumi up` again is safe"
        in line
    )
    template_id, _, _ = _template(template_host, template_name="lookalike", config={"Count": 7})
    listed = vod_client(instant_emulator).list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage"))
    assert [t.template_id for t in listed.body.template_info_list if t.template_name == "lookalike"] == [
        template_id
    ]


def test_identical_recent_templates_are_ambiguous(
    template_host: ProviderHost, instant_emulator: RunningEmulator
) -> None:
    """Two recent templates of the same name and config cannot be told apart: the create lists them."""
    request = vod.AddAITemplateRequest(
        template_name="twin", template_type="AIImage", template_config='{"Count":2}'
    )
    made = [vod_client(instant_emulator).add_aitemplate(request).body.template_id for _ in range(2)]
    with pytest.raises(ProviderCallError) as info:
        _template(template_host, template_name="twin", config={"Count": 2})
    assert f"({', '.join(made)})" in info.value.last_line
    assert "take over the one to manage with adopt_id='<TemplateId>'" in info.value.last_line
    template_id, _, _ = _template(template_host, template_name="twin", config={"Count": 2}, adopt_id=made[0])
    assert template_id == made[0]
    listed = vod_client(instant_emulator).list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage"))
    assert sorted(
        t.template_id for t in listed.body.template_info_list if t.template_name == "twin"
    ) == sorted(made)


def test_lost_submit_answer_says_a_job_may_exist(
    template_host: ProviderHost, job_host: ProviderHost, instant_emulator: RunningEmulator
) -> None:
    """A 5xx on SubmitAIImageJob (never retried) says a job may exist and how to find and take it over."""
    template_id, _, _ = _template(template_host)
    video_id = _video(instant_emulator)
    _fail_next(instant_emulator, "SubmitAIImageJob")
    with pytest.raises(ProviderCallError) as info:
        _job(job_host, video_id, template_id)
    line = info.value.last_line
    assert f"a job on video {video_id} may exist" in line
    assert (
        "to take over with adopt_id=<JobId> (ResourceOptions(import_=...) works only with LocalEngine)"
        in line
    )


@pytest.fixture(scope="module")
def slow_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """Time scale 1: a job stays running until the test advances the emulator clock."""
    return module_emulators.start()


def test_running_job_holds_its_template_until_it_finishes(
    slow_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Without waiting the job is recorded running; its template cannot be deleted until the job finishes."""
    templates = _host(VodAITemplateProvider(), slow_emulator, tmp_path_factory)
    jobs = _host(AIImageJobProvider(), slow_emulator, tmp_path_factory)
    try:
        template_id, template, _ = _template(templates)
        job_id, job, _ = _job(jobs, _video(slow_emulator), template_id, wait_for_final=False)
        assert job["status"] == "submitted"
        with pytest.raises(ProviderCallError) as info:
            templates.delete("t", template_id, template)
        assert re.search(
            rf"VOD AI template {template_id} in cn-shanghai cannot be deleted: .+\. To delete it, wait until "
            r"the AI image jobs using it have finished, then run the delete again\. \[InvalidAITemplate\.InUse, ",
            info.value.last_line,
        ), info.value.last_line

        with pytest.raises(ProviderCallError) as timeout:
            _job(jobs, _video(slow_emulator), template_id, timeouts={"create": "0.05s"})
        assert "it keeps going but is not in the stack: take it over with adopt_id=" in (
            timeout.value.last_line
        )

        httpx.post(f"{slow_emulator.url}/_emulator/clock", json={"seconds": 12}).raise_for_status()
        assert jobs.read("job", job_id, job)[1]["status"] == "success"
        templates.delete("t", template_id, template)
    finally:
        templates.close()
        jobs.close()
