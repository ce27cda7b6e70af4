"""AppService through the Pulumi dynamic-provider host against the emulator over HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from pulumi.output import Unknown
from pulumi.runtime import proto, rpc

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing.provider_host import UNKNOWN, ProviderCallError, ProviderHost, secret
from tests.deep_documents import nested
from tests.official_sdk import eas_client


def _inputs(name: str, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "service_name": name,
        "region": "cn-shanghai",
        "service_spec": "llama_7b_fp16",
        "replicas": 1,
        "config": {"OssPath": "oss://models/llama/", "ModelStorage": "oss"},
    }
    base.update(overrides)
    return base


def _unknowns_marked(value: Any) -> Any:
    """Inputs as decoded from the host, with each value not known yet written as the marker sent."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _unknowns_marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknowns_marked(item) for item in value]
    return value


def _create(host: ProviderHost, name: str, **overrides: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    checked = host.check(name, _inputs(name, **overrides))
    assert checked.failures == {}
    resource_id, outs, _ = host.create(name, checked.inputs)
    return resource_id, outs, checked.inputs


class TestCheck:
    """Preview-time validation names the field and the allowed values, without any network call."""

    @pytest.mark.parametrize(
        ("override", "field", "fragment"),
        [
            ({"service_spec": "gpt_5"}, "service_spec", "allowed values: llama_7b_fp16"),
            ({"app_type": "CV"}, "app_type", "allowed values: LLM"),
            ({"service_name": "Bad-Name"}, "service_name", "lowercase letters"),
            ({"replicas": 0}, "replicas", "the API wants > 0"),
            ({"replicas": 2.5}, "replicas", "whole number"),
            ({"config": {"ModelStorage": "oss", "OssPath": "s3://x/y"}}, "config", "oss://<bucket>/<path>/"),
            ({"config": {"ModelStorage": "nas", "NasPath": "/m"}}, "config", "mount_target is required"),
            ({"config": {"ModelStorage": "disk"}}, "config", "allowed values: oss, nas"),
            ({"region": None}, "region", "alicloud:region"),
            ({"timeouts": {"create": "soon"}}, "timeouts.create", "not a duration"),
            ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ],
    )
    def test_bad_input_fails_naming_the_field(
        self, eas_host: ProviderHost, override: dict[str, Any], field: str, fragment: str
    ) -> None:
        """Each bad input is one failure on its property, and the reason says what is allowed."""
        outcome = eas_host.check("bad", _inputs("bad_input", **override))
        assert field in outcome.failures, outcome.failures
        assert fragment in outcome.failures[field]
        assert not outcome.failures[field].startswith(field)  # the engine shows the property already

    def test_config_problems_use_the_python_names(self, eas_host: ProviderHost) -> None:
        """A bad model storage names its fields as OssModelStorage and NasModelStorage spell them."""
        bad_oss = eas_host.check(
            "bad", _inputs("bad_oss", config={"ModelStorage": "oss", "OssPath": "s3://x/"})
        )
        bad_nas = eas_host.check(
            "bad", _inputs("bad_nas", config={"ModelStorage": "nas", "NasPath": "m", "VpcID": "v"})
        )
        assert bad_oss.failures["config"].startswith("oss_path 's3://x/' is invalid")
        for reason in (bad_oss.failures["config"], bad_nas.failures["config"]):
            assert not re.search(r"OssPath|NasMountTarget|NasPath|SecurityGroupID|VpcID|VswitchID", reason)
        assert "mount_target is required" in bad_nas.failures["config"]
        assert "vpc_id 'v' should start with 'vpc-'" in bad_nas.failures["config"]
        assert "path 'm' must be an absolute path" in bad_nas.failures["config"]

    def test_unknown_values_are_tolerated(self, eas_host: ProviderHost) -> None:
        """Values not known at preview (outputs of other resources) pass check untouched."""
        outcome = eas_host.check("later", _inputs("later", config=UNKNOWN, service_name=UNKNOWN))
        assert outcome.failures == {}

    def test_unknown_values_inside_objects_and_lists_are_not_judged(self, eas_host: ProviderHost) -> None:
        """An input holding a value not known yet, at any depth, passes check as given (neither judged
        nor normalised), while the known inputs beside it are valid."""
        news = _inputs(
            "later_inside",
            config={"ModelStorage": "oss", "OssPath": UNKNOWN},
            cron_scaling={"schedules": [{"schedule": "0 0 8 * * *", "target_size": UNKNOWN}]},
        )
        outcome = eas_host.check("later", news)
        assert outcome.failures == {}
        assert _unknowns_marked(outcome.inputs) == news

    def test_a_value_nested_too_deep_fails_naming_the_field_once(self, eas_host: ProviderHost) -> None:
        """The reason does not repeat the property the engine shows beside it, and the inputs come back
        as given, so the engine can show the value that failed."""
        news = _inputs("deep", config={"Extra": nested(64)})
        outcome = eas_host.check("deep", news)
        assert outcome.failures == {
            "config": "nests deeper than 64 levels; nested inputs are limited to keep every reader safe"
        }
        assert outcome.inputs == news

    def test_checked_inputs_are_the_given_ones_unwrapped_with_defaults(self, eas_host: ProviderHost) -> None:
        """What the engine records: secrets unwrapped at every depth, defaults filled, durations in
        seconds, and nothing that was not given (no nulls); a secret that resolves to nothing (an
        optional secret output) counts as not given."""
        news = _inputs(
            "recorded",
            replicas=secret(None),
            timeouts={"create": "10m"},
            cron_scaling={"schedules": [{"schedule": secret("0 0 8 * * *"), "target_size": 2}]},
        )
        outcome = eas_host.check("recorded", news)
        assert outcome.failures == {}
        assert outcome.inputs == {
            "service_name": "recorded",
            "region": "cn-shanghai",
            "service_spec": "llama_7b_fp16",
            "replicas": 1,
            "app_type": "LLM",
            "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            "timeouts": {"create": 600.0},
            "cron_scaling": {"schedules": [{"schedule": "0 0 8 * * *", "target_size": 2}]},
            "wait_for_ready": True,
            "adopt_existing": False,
        }

    def test_defaults_are_filled(self, eas_host: ProviderHost) -> None:
        """Check fills the defaults, so state records what was really asked for."""
        outcome = eas_host.check("norm", _inputs("norm"))
        assert outcome.inputs["app_type"] == "LLM"
        assert outcome.inputs["wait_for_ready"] is True
        assert outcome.inputs["adopt_existing"] is False


class TestLifecycle:
    """Create, scale, update, replace, refresh, import and delete against the emulator."""

    def test_create_runs_and_outputs_endpoints_and_secret_token(
        self, eas_host: ProviderHost, unique: str
    ) -> None:
        """Create waits for Running and returns the id, endpoints, and the token as a secret."""
        name = f"create_{unique}"
        resource_id, outs, _ = _create(eas_host, name)
        assert resource_id == f"cn-shanghai/{name}"
        assert outs["status"] == "Running"
        assert outs["service_id"].startswith("eas-m-")
        assert outs["internet_endpoint"].endswith(f".cn-shanghai.pai-eas.aliyuncs.com/api/predict/{name}")
        assert ".vpc.cn-shanghai." in outs["intranet_endpoint"]
        assert rpc.is_rpc_secret(outs["access_token"])
        assert len(rpc.unwrap_rpc_secret(outs["access_token"])) > 20

    def test_replicas_change_is_in_place_with_one_update_call(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """1 -> 3 replicas diffs as an in-place change and the service then runs 3 instances."""
        name = f"scale_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        news = eas_host.check(name, {**inputs, "replicas": 3}, olds=inputs).inputs
        diff = eas_host.diff(name, resource_id, outs, news)
        assert diff.changes == proto.DiffResponse.DIFF_SOME
        assert list(diff.replaces) == []
        updated = eas_host.update(name, resource_id, outs, news)
        assert updated["replicas"] == 3
        assert updated["status"] == "Running"
        live = eas_client(instant_emulator).describe_service("cn-shanghai", name).body
        assert live.total_instance == 3
        events = (
            eas_client(instant_emulator).describe_service_event("cn-shanghai", name, _event_request()).body
        )
        assert [e.message for e in events.events if e.reason == "UpdateRequested"] == ["update: Replicas=3"]

    def test_spec_change_is_in_place(self, eas_host: ProviderHost, unique: str) -> None:
        """A ServiceSpec change updates in place."""
        name = f"spec_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        news = eas_host.check(name, {**inputs, "service_spec": "llama_13b_fp16"}).inputs
        diff = eas_host.diff(name, resource_id, outs, news)
        assert diff.changes == proto.DiffResponse.DIFF_SOME
        assert list(diff.replaces) == []
        assert eas_host.update(name, resource_id, outs, news)["service_spec"] == "llama_13b_fp16"

    @pytest.mark.parametrize(
        ("field", "value", "dbr"), [("service_name", "renamed", False), ("app_type", UNKNOWN, True)]
    )
    def test_identity_changes_replace(
        self, eas_host: ProviderHost, unique: str, field: str, value: Any, dbr: bool
    ) -> None:
        """A new name replaces (create first); a same-name replacement deletes first."""
        name = f"ident_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        diff = eas_host.diff(name, resource_id, outs, {**inputs, field: value})
        assert list(diff.replaces) == [field]
        assert diff.deleteBeforeReplace is dbr

    def test_no_diff_when_nothing_changed_even_with_reordered_config(
        self, eas_host: ProviderHost, unique: str
    ) -> None:
        """Same inputs (config keys in another order) make no diff."""
        name = f"same_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        news = {**inputs, "config": {"OssPath": "oss://models/llama/", "ModelStorage": "oss"}}
        assert eas_host.diff(name, resource_id, outs, news).changes == proto.DiffResponse.DIFF_NONE

    def test_refresh_shows_out_of_band_change_as_drift(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """Replicas changed outside Pulumi read back into inputs; the program's value then diffs."""
        from alibabacloud_eas20210701.models import UpdateAppServiceRequest

        name = f"drift_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        eas_client(instant_emulator).update_app_service(
            "cn-shanghai", name, UpdateAppServiceRequest(replicas=5)
        )
        read_id, read_outs, read_inputs = eas_host.read(name, resource_id, outs, inputs)
        assert read_id == resource_id
        assert read_inputs["replicas"] == 5
        assert eas_host.diff(name, resource_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_SOME
        assert (
            eas_host.diff(name, resource_id, read_outs, read_inputs).changes == proto.DiffResponse.DIFF_NONE
        )

    def test_workspace_and_quota_reach_the_service_and_read_back(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """The workspace and quota a service is created in are the service's, and refresh and import
        read them back (so neither shows a replacement)."""
        name = f"placed_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, workspace_id="ws-1", quota_id="quota-1")
        live = eas_client(instant_emulator).describe_service("cn-shanghai", name).body
        assert (live.workspace_id, live.quota_id) == ("ws-1", "quota-1")
        _, read_outs, read_inputs = eas_host.read(name, resource_id, outs, inputs)
        assert (read_inputs["workspace_id"], read_inputs["quota_id"]) == ("ws-1", "quota-1")
        assert eas_host.diff(name, resource_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE
        _, _, imported = eas_host.read(name, resource_id, {}, {"service_name": name})
        assert (imported["workspace_id"], imported["quota_id"]) == ("ws-1", "quota-1")

    def test_refresh_without_drift_is_no_diff(self, eas_host: ProviderHost, unique: str) -> None:
        """A refresh of an unchanged service leaves nothing to apply."""
        name = f"refresh_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        _, read_outs, _ = eas_host.read(name, resource_id, outs, inputs)
        assert eas_host.diff(name, resource_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE

    def test_import_by_id_rebuilds_inputs(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """Read with only an id (pulumi import) returns the live service's inputs and outputs."""
        from alibabacloud_eas20210701.models import CreateAppServiceRequest

        name = f"imported_{unique}"
        eas_client(instant_emulator).create_app_service(
            CreateAppServiceRequest(
                service_name=name, app_type="LLM", service_spec="chatglm_6b_int8", replicas=2
            )
        )
        read_id, outs, inputs = eas_host.read(name, f"cn-shanghai/{name}", {}, {"service_name": name})
        assert read_id == f"cn-shanghai/{name}"
        assert inputs == {
            "service_name": name,
            "region": "cn-shanghai",
            "app_type": "LLM",
            "service_spec": "chatglm_6b_int8",
            "replicas": 2,
        }
        assert outs["status"] == "Running"

    def test_adopt_existing_takes_over_a_matching_service(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """adopt_existing creates nothing when the live service matches; it refuses when it does not."""
        from alibabacloud_eas20210701.models import CreateAppServiceRequest

        name = f"adopt_{unique}"
        eas_client(instant_emulator).create_app_service(
            CreateAppServiceRequest(
                service_name=name,
                app_type="LLM",
                service_spec="llama_7b_fp16",
                replicas=1,
                config={"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            )
        )
        resource_id, outs, _ = _create(eas_host, name, adopt_existing=True)
        assert (resource_id, outs["status"]) == (f"cn-shanghai/{name}", "Running")
        with pytest.raises(ProviderCallError) as info:
            _create(eas_host, name, adopt_existing=True, replicas=4)
        assert (
            f"EAS service {name} in cn-shanghai does not match the inputs (replicas: live 1 != wanted 4): "
            "align the inputs with it to take it over with adopt_existing"
        ) in info.value.last_line, info.value.last_line
        listed = eas_client(instant_emulator).list_services(_list_request(name)).body
        assert listed.total_count == 1

    @pytest.mark.parametrize("bad_id", ["my_llm", "/my_llm", "cn-shanghai/", "cn-shanghai/my/llm"])
    def test_an_id_that_is_not_region_and_name_is_refused_saying_the_form(
        self, eas_host: ProviderHost, bad_id: str
    ) -> None:
        """pulumi import with an id missing its region or name, or with a name holding a slash, is
        refused before any call, with the form an id takes."""
        with pytest.raises(ProviderCallError) as info:
            eas_host.read("bad_id", bad_id, {}, {})
        assert (
            f"AppService id {bad_id!r} is not '<region>/<service_name>' (e.g. 'cn-shanghai/my_llm')"
            in info.value.last_line
        ), info.value.last_line

    def test_existing_name_with_other_settings_is_refused_clearly(
        self, eas_host: ProviderHost, unique: str
    ) -> None:
        """Creating over a different service of the same name fails with what differs and how to take
        it over under the CLI."""
        name = f"taken_{unique}"
        _create(eas_host, name)
        with pytest.raises(ProviderCallError) as info:
            _create(eas_host, name, replicas=2)
        line = info.value.last_line
        assert "already exists in cn-shanghai with other settings (replicas: live 1 != wanted 2)" in line
        assert (
            "take it over with adopt_existing=True (ResourceOptions(import_=...) works only with LocalEngine)"
            in line
        )

    def test_every_setting_that_differs_is_named(self, eas_host: ProviderHost, unique: str) -> None:
        """Two settings differ from the service of the same name: both are named, in one list."""
        name = f"taken2_{unique}"
        _create(eas_host, name)
        with pytest.raises(ProviderCallError) as info:
            _create(eas_host, name, replicas=2, service_spec="llama_13b_fp16")
        assert (
            "with other settings (service_spec: live 'llama_7b_fp16' != wanted 'llama_13b_fp16'; "
            "replicas: live 1 != wanted 2). Align the inputs"
        ) in info.value.last_line, info.value.last_line

    def test_delete_removes_the_service_and_tolerates_gone(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """Delete waits until the service is gone; deleting it again is fine; read then reports it gone."""
        name = f"delete_{unique}"
        resource_id, outs, _ = _create(eas_host, name)
        eas_host.delete(name, resource_id, outs)
        eas_host.delete(name, resource_id, outs)
        read_id, _, _ = eas_host.read(name, resource_id, outs, {})
        assert read_id == ""


def test_failed_service_surfaces_events_and_is_cleaned_up(
    eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """A service that goes Failed is an error carrying its events, and nothing is left behind."""
    name = f"failing_{unique}"
    rule = {
        "product": "eas",
        "action": "CreateAppService",
        "effect": "fail",
        "count": 1,
        "message": "OSS path oss://models/missing/ does not exist",
    }
    httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    with pytest.raises(ProviderCallError) as info:
        _create(eas_host, name, config={"ModelStorage": "oss", "OssPath": "oss://models/missing/"})
    line = info.value.last_line
    assert f"EAS service {name} in cn-shanghai ended Failed after create" in line
    assert "OSS path oss://models/missing/ does not exist" in line
    assert "deleted, so nothing is left behind" in line
    listed = eas_client(instant_emulator).list_services(_list_request(name)).body
    assert listed.total_count == 0  # deleted (time scale 0: Deleting ends at this read)


def test_a_service_that_fails_again_names_each_warning_oldest_first(
    eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """A service left Failed by one update and failed again by the next: the second error gives both
    Warning events, each as ``reason: message``, oldest first."""
    name = f"refailing_{unique}"
    resource_id, outs, inputs = _create(eas_host, name)
    lines = []
    for replicas, message in ((2, "quota exhausted"), (3, "image pull failed")):
        rule = {
            "product": "eas",
            "action": "UpdateAppService",
            "effect": "fail",
            "count": 1,
            "message": message,
        }
        httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
        news = eas_host.check(name, {**inputs, "replicas": replicas}, olds=inputs).inputs
        with pytest.raises(ProviderCallError) as info:
            eas_host.update(name, resource_id, outs, news)
        lines.append(info.value.last_line)
    ended = f"EAS service {name} in cn-shanghai ended Failed after update: "
    assert f"{ended}ServiceFailed: quota exhausted." in lines[0], lines[0]
    assert f"{ended}ServiceFailed: quota exhausted; ServiceFailed: image pull failed." in lines[1], lines[1]


def test_api_errors_reach_the_user_as_one_line_with_request_id(
    eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """A non-retryable API error reaches the user as one line with its code, action and RequestId."""
    rule = {
        "product": "eas",
        "action": "CreateAppService",
        "error": {
            "code": "Forbidden.RAM",
            "status": 403,
            "message": "You are not authorized to do this action.",
        },
        "count": 1,
    }
    httpx.post(f"{instant_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    with pytest.raises(ProviderCallError) as info:
        _create(eas_host, f"denied_{unique}")
    line = info.value.last_line
    assert "Forbidden.RAM" in line
    assert "CreateAppService" in line
    assert "RequestId: " in line
    assert "HTTP 403" in line


def _event_request() -> Any:
    from alibabacloud_eas20210701.models import DescribeServiceEventRequest

    return DescribeServiceEventRequest()


def _list_request(name: str) -> Any:
    from alibabacloud_eas20210701.models import ListServicesRequest

    return ListServicesRequest(service_name=name)
