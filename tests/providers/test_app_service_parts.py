"""AppService's autoscaling, cron scaling, labels, safety lock and version outputs, through the
dynamic-provider host against the emulator over HTTP; the official SDK reads back what the service got."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pulumi.runtime import proto

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost
from tests.official_sdk import eas_client

REGION = "cn-shanghai"
AUTOSCALING = {"min": 1, "max": 4, "strategies": [{"metric_name": "QPS", "threshold": 10}]}
CRON = {"schedules": [{"name": "morning", "schedule": "0 0 8 * * MON-FRI", "target_size": 3}]}


def _inputs(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "service_name": name,
        "region": REGION,
        "service_spec": "llama_7b_fp16",
        "replicas": 1,
        "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
        **overrides,
    }


def _checked(host: ProviderHost, name: str, props: dict[str, Any]) -> dict[str, Any]:
    outcome = host.check(name, props)
    assert outcome.failures == {}
    return dict(outcome.inputs)


def _create(host: ProviderHost, name: str, **overrides: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    inputs = _checked(host, name, _inputs(name, **overrides))
    resource_id, outs, _ = host.create(name, inputs)
    return resource_id, outs, inputs


def _change(
    host: ProviderHost, name: str, resource_id: str, outs: dict[str, Any], news: dict[str, Any]
) -> dict[str, Any]:
    """Diff (an in-place change, nothing replaced), then update; the new outputs."""
    checked = _checked(host, name, news)
    diff = host.diff(name, resource_id, outs, checked)
    assert diff.changes == proto.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []
    return host.update(name, resource_id, outs, checked)


def _service(emulator: RunningEmulator, name: str) -> Any:
    return eas_client(emulator).describe_service(REGION, name).body


def _labels(emulator: RunningEmulator, name: str) -> dict[str, str]:
    return {label.label_key: label.label_value for label in _service(emulator, name).labels or []}


def _part(emulator: RunningEmulator, name: str, describe: str, missing: str) -> Any:
    """The SDK's Describe… body of a service part, or None when the service answers ``missing``."""
    from Tea.exceptions import TeaException

    code = ""
    try:
        return getattr(eas_client(emulator), describe)(REGION, name).body
    except TeaException as exc:
        code = exc.code
    assert code == missing
    return None


def _autoscaler(emulator: RunningEmulator, name: str) -> Any:
    return _part(emulator, name, "describe_service_auto_scaler", "ServiceAutoScalerNotFound")


def _cron_scaler(emulator: RunningEmulator, name: str) -> Any:
    return _part(emulator, name, "describe_service_cron_scaler", "ServiceCronScalerNotFound")


def _replica_updates(emulator: RunningEmulator, name: str) -> list[str]:
    """The service's UpdateAppService calls that set its instance count, as its events tell them."""
    from alibabacloud_eas20210701.models import DescribeServiceEventRequest

    events = eas_client(emulator).describe_service_event(REGION, name, DescribeServiceEventRequest()).body
    return [e.message for e in events.events if e.reason == "UpdateRequested" and "Replicas=" in e.message]


class TestCheck:
    """Preview-time validation names the nested field and says what is allowed."""

    @pytest.mark.parametrize(
        ("override", "field", "fragment"),
        [
            ({"autoscaling": {**AUTOSCALING, "min": 5, "max": 2}}, "autoscaling", "must not exceed"),
            (
                {"autoscaling": {**AUTOSCALING, "strategies": [{"metric_name": "RAM", "threshold": 1}]}},
                "autoscaling.strategies.0.metric_name",
                "allowed values: QPS, CPU",
            ),
            (
                {"autoscaling": {**AUTOSCALING, "strategies": [{"metric_name": "CPU", "threshold": 0}]}},
                "autoscaling.strategies.0.threshold",
                "greater than 0",
            ),
            ({"autoscaling": {**AUTOSCALING, "strategies": []}}, "autoscaling.strategies", "at least 1"),
            (
                {"autoscaling": {**AUTOSCALING, "behavior": {"scale_up_stabilization_seconds": -1}}},
                "autoscaling.behavior.scale_up_stabilization_seconds",
                "greater than or equal to 0",
            ),
            (
                {"cron_scaling": {"schedules": [{"schedule": "0 8 * * *", "target_size": 2}]}},
                "cron_scaling.schedules.0.schedule",
                "second minute hour day month weekday",
            ),
            (
                {"cron_scaling": {"schedules": [{"schedule": "0 0 25 * * *", "target_size": 2}]}},
                "cron_scaling.schedules.0.schedule",
                "the hour field '25' is out of range",
            ),
            (
                {"cron_scaling": {**CRON, "exclude_dates": ["* * * 32 * *"]}},
                "cron_scaling.exclude_dates",
                "the day field '32'",
            ),
            ({"safety_lock": "strict"}, "safety_lock", "allowed values: all, dangerous, none"),
            ({"labels": {f"k{i}": "v" for i in range(21)}}, "labels", "at most 20 labels"),
            ({"labels": {"": "v"}}, "labels", "1 to 128 characters"),
        ],
    )
    def test_bad_part_fails_naming_the_field(
        self, eas_host: ProviderHost, override: dict[str, Any], field: str, fragment: str
    ) -> None:
        """Each bad setting is a failure on its own property path, with the rule it breaks."""
        failures = eas_host.check("bad", _inputs("bad_parts", **override)).failures
        assert field in failures, failures
        assert fragment in failures[field]

    def test_metric_names_and_cron_text_are_normalised(self, eas_host: ProviderHost) -> None:
        """Lower-case metric names and extra cron spaces normalise, so they are no diff later."""
        inputs = _checked(
            eas_host,
            "norm",
            _inputs(
                "norm",
                autoscaling={**AUTOSCALING, "strategies": [{"metric_name": "cpu", "threshold": 70}]},
                cron_scaling={"schedules": [{"schedule": "0  0 8 * *  *", "target_size": 2}]},
                safety_lock="none",
            ),
        )
        assert inputs["autoscaling"]["strategies"] == [{"metric_name": "CPU", "threshold": 70}]
        assert inputs["cron_scaling"]["schedules"][0]["schedule"] == "0 0 8 * * *"
        assert "safety_lock" not in inputs  # "none" is the default: no lock to manage


class TestLabels:
    """Labels follow the inputs exactly: added, changed and removed in place."""

    def test_labels_are_set_changed_and_removed(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        name = f"labels_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, labels={"team": "ml", "env": "dev"})
        assert _labels(instant_emulator, name) == {"env": "dev", "team": "ml"}

        outs = _change(eas_host, name, resource_id, outs, {**inputs, "labels": {"env": "prod", "tier": "1"}})
        assert _labels(instant_emulator, name) == {"env": "prod", "tier": "1"}
        assert outs["labels"] == {"env": "prod", "tier": "1"}

        without = {key: value for key, value in inputs.items() if key != "labels"}
        _change(eas_host, name, resource_id, outs, without)
        assert _labels(instant_emulator, name) == {}

    def test_labels_added_elsewhere_are_drift(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """A label set outside the program shows on refresh and the next update removes it."""
        name = f"labdrift_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, labels={"team": "ml"})
        from alibabacloud_eas20210701.models import UpdateServiceLabelRequest

        eas_client(instant_emulator).update_service_label(
            REGION, name, UpdateServiceLabelRequest(labels={"owner": "someone"})
        )
        _, read_outs, read_inputs = eas_host.read(name, resource_id, outs, inputs)
        assert read_inputs["labels"] == {"owner": "someone", "team": "ml"}
        _change(eas_host, name, resource_id, read_outs, inputs)
        assert _labels(instant_emulator, name) == {"team": "ml"}


class TestAutoscaling:
    """The autoscaler is created, changed and removed in place; while it is on, instances are not drift."""

    def test_autoscaler_follows_the_inputs(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        name = f"auto_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, autoscaling=AUTOSCALING)
        scaler = _autoscaler(instant_emulator, name)
        assert (scaler.min_replica, scaler.max_replica) == (1, 4)
        assert [(s.metric_name, s.threshold) for s in scaler.scale_strategies] == [("qps", 10)]

        changed = {
            "min": 2,
            "max": 6,
            "strategies": [{"metric_name": "CPU", "threshold": 70, "service": name}],
            "behavior": {"scale_down_stabilization_seconds": 60, "on_zero_activation_replicas": 2},
        }
        outs = _change(eas_host, name, resource_id, outs, {**inputs, "autoscaling": changed})
        scaler = _autoscaler(instant_emulator, name)
        assert (scaler.min_replica, scaler.max_replica) == (2, 6)
        assert [(s.metric_name, s.threshold, s.service) for s in scaler.scale_strategies] == [
            ("cpu", 70, name)
        ]
        assert scaler.behavior == {
            "scaleDown": {"stabilizationWindowSeconds": 60},
            "onZero": {"scaleUpActivationReplicas": 2},
        }
        _, read_outs, read_inputs = eas_host.read(name, resource_id, outs, {**inputs, "autoscaling": changed})
        assert read_inputs["autoscaling"] == changed
        assert eas_host.diff(name, resource_id, read_outs, {**inputs, "autoscaling": changed}).changes == (
            proto.DiffResponse.DIFF_NONE
        )

        without = {key: value for key, value in inputs.items() if key != "autoscaling"}
        _change(eas_host, name, resource_id, read_outs, without)
        assert _autoscaler(instant_emulator, name) is None

    def test_instances_the_autoscaler_runs_are_not_drift(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """Load scales the service past ``replicas``: refresh reports it in running_instances only."""
        name = f"load_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, autoscaling=AUTOSCALING)
        assert outs["running_instances"] == 1
        load = f"{instant_emulator.url}/_emulator/eas/services/{REGION}/{name}/load"
        httpx.post(load, json={"qps": 35}).raise_for_status()
        httpx.post(f"{instant_emulator.url}/_emulator/clock", json={"seconds": 30}).raise_for_status()
        assert _service(instant_emulator, name).total_instance == 4  # ceil(35 / 10), within max 4

        _, read_outs, read_inputs = eas_host.read(name, resource_id, outs, inputs)
        assert read_inputs["replicas"] == 1
        assert read_outs["running_instances"] == _service(instant_emulator, name).running_instance
        assert read_outs["running_instances"] > 1
        assert eas_host.diff(name, resource_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_NONE

        without = {key: value for key, value in inputs.items() if key != "autoscaling"}
        _change(eas_host, name, resource_id, read_outs, without)
        assert _autoscaler(instant_emulator, name) is None
        assert _service(instant_emulator, name).total_instance == 1  # back to replicas

    def test_a_changed_autoscaler_keeps_the_instances_it_runs(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """Changing an autoscaler that stays on does not set the service back to ``replicas`` (only
        removing the last scaler does), and the count it reached, now the service's configured count,
        is still not drift."""
        name = f"keep_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, autoscaling=AUTOSCALING)
        load = f"{instant_emulator.url}/_emulator/eas/services/{REGION}/{name}/load"
        httpx.post(load, json={"qps": 35}).raise_for_status()
        httpx.post(f"{instant_emulator.url}/_emulator/clock", json={"seconds": 30}).raise_for_status()
        changed = {**inputs, "autoscaling": {**AUTOSCALING, "max": 6}}
        outs = _change(eas_host, name, resource_id, outs, changed)
        assert _autoscaler(instant_emulator, name).max_replica == 6
        assert _replica_updates(instant_emulator, name) == []
        assert _service(instant_emulator, name).total_instance == 4
        _, outs, read_inputs = eas_host.read(name, resource_id, outs, changed)
        assert read_inputs["replicas"] == 1
        assert eas_host.diff(name, resource_id, outs, changed).changes == proto.DiffResponse.DIFF_NONE

        without = {key: value for key, value in inputs.items() if key != "autoscaling"}
        _change(eas_host, name, resource_id, outs, without)
        assert _replica_updates(instant_emulator, name) == ["update: Replicas=1"]


def test_an_adopted_service_is_brought_to_the_inputs(
    eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
) -> None:
    """adopt_existing on a service that already has an autoscaler, labels and a lock: the autoscaler is
    updated (not created twice), labels become exactly the inputs, the lock is lifted first."""
    from alibabacloud_eas20210701 import models as eas

    name = f"adoptparts_{unique}"
    sdk = eas_client(instant_emulator)
    sdk.create_app_service(
        eas.CreateAppServiceRequest(
            service_name=name,
            app_type="LLM",
            service_spec="llama_7b_fp16",
            replicas=1,
            config={"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
        )
    )
    strategy = eas.CreateServiceAutoScalerRequestScaleStrategies(metric_name="cpu", threshold=80)
    sdk.create_service_auto_scaler(
        REGION, name, eas.CreateServiceAutoScalerRequest(min=1, max=2, scale_strategies=[strategy])
    )
    sdk.update_service_label(REGION, name, eas.UpdateServiceLabelRequest(labels={"old": "x"}))
    sdk.update_service_safety_lock(REGION, name, eas.UpdateServiceSafetyLockRequest(lock="all"))

    _create(eas_host, name, adopt_existing=True, autoscaling=AUTOSCALING, labels={"team": "ml"})
    scaler = _autoscaler(instant_emulator, name)
    assert (scaler.max_replica, [s.metric_name for s in scaler.scale_strategies]) == (4, ["qps"])
    assert _labels(instant_emulator, name) == {"team": "ml"}
    assert _service(instant_emulator, name).safety_lock == "none"


class TestCronScaling:
    def test_cron_scaler_follows_the_inputs(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        name = f"cron_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, cron_scaling=CRON)
        jobs = _cron_scaler(instant_emulator, name).scale_jobs
        assert [(j.name, j.schedule, j.target_size) for j in jobs] == [("morning", "0 0 8 * * MON-FRI", 3)]

        changed = {
            "schedules": [
                {"schedule": "0 0 8 * * *", "target_size": 2},
                {"name": "night", "schedule": "0 0 22 * * *", "target_size": 1},
            ],
            "exclude_dates": ["* * * 25 DEC *"],
        }
        outs = _change(eas_host, name, resource_id, outs, {**inputs, "cron_scaling": changed})
        scaler = _cron_scaler(instant_emulator, name)
        assert [(j.schedule, j.target_size) for j in scaler.scale_jobs] == [
            ("0 0 8 * * *", 2),
            ("0 0 22 * * *", 1),
        ]
        assert scaler.scale_jobs[1].name == "night"
        assert scaler.exclude_dates == ["* * * 25 DEC *"]
        _, read_outs, read_inputs = eas_host.read(
            name, resource_id, outs, {**inputs, "cron_scaling": changed}
        )
        assert read_inputs["cron_scaling"] == changed

        without = {key: value for key, value in inputs.items() if key != "cron_scaling"}
        _change(eas_host, name, resource_id, read_outs, without)
        assert _cron_scaler(instant_emulator, name) is None

    def test_the_count_a_cron_scaler_reached_is_not_drift(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """A job that fired sets the instance count; once the scaler changes, that count is the
        service's configured one, and refresh still keeps ``replicas`` as the program gave it."""
        name = f"cronkeep_{unique}"
        every_minute = {"schedules": [{"schedule": "0 * * * * *", "target_size": 3}]}
        resource_id, outs, inputs = _create(eas_host, name, cron_scaling=every_minute)
        httpx.post(f"{instant_emulator.url}/_emulator/clock", json={"seconds": 60}).raise_for_status()
        changed = {**inputs, "cron_scaling": {**every_minute, "exclude_dates": ["* * * 25 DEC *"]}}
        outs = _change(eas_host, name, resource_id, outs, changed)
        assert _service(instant_emulator, name).total_instance == 3
        _, outs, read_inputs = eas_host.read(name, resource_id, outs, changed)
        assert read_inputs["replicas"] == 1
        assert eas_host.diff(name, resource_id, outs, changed).changes == proto.DiffResponse.DIFF_NONE


class TestSafetyLockAndVersions:
    def test_lock_is_set_and_other_changes_still_apply(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """A tightened lock is set after the other changes, a loosened one before them."""
        name = f"lock_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, safety_lock="dangerous")
        assert _service(instant_emulator, name).safety_lock == "dangerous"

        outs = _change(eas_host, name, resource_id, outs, {**inputs, "safety_lock": "all", "replicas": 2})
        assert (
            _service(instant_emulator, name).safety_lock,
            _service(instant_emulator, name).total_instance,
        ) == (
            "all",
            2,
        )
        unlocked = {key: value for key, value in inputs.items() if key != "safety_lock"}
        _change(eas_host, name, resource_id, outs, {**unlocked, "replicas": 3, "labels": {"a": "b"}})
        live = _service(instant_emulator, name)
        assert (live.safety_lock, live.total_instance) == ("none", 3)
        assert _labels(instant_emulator, name) == {"a": "b"}

    def test_a_locked_service_is_not_deleted_and_the_error_says_why(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        """With safety_lock "dangerous", destroy fails with the service's ServiceLocked and the service
        stays; with the lock removed (an update), it is deleted."""
        name = f"locked_{unique}"
        resource_id, outs, inputs = _create(eas_host, name, safety_lock="dangerous")
        with pytest.raises(ProviderCallError) as info:
            eas_host.delete(name, resource_id, outs)
        assert "(ServiceLocked) when calling the DeleteService operation" in info.value.last_line
        assert _service(instant_emulator, name).status == "Running"
        unlocked = {key: value for key, value in inputs.items() if key != "safety_lock"}
        outs = _change(eas_host, name, resource_id, outs, unlocked)
        eas_host.delete(name, resource_id, outs)
        assert eas_host.read(name, resource_id, outs, unlocked)[0] == ""

    def test_version_outputs_follow_the_service(
        self, eas_host: ProviderHost, instant_emulator: RunningEmulator, unique: str
    ) -> None:
        name = f"ver_{unique}"
        resource_id, outs, inputs = _create(eas_host, name)
        assert (outs["current_version"], outs["latest_version"]) == (1, 1)
        outs = _change(eas_host, name, resource_id, outs, {**inputs, "service_spec": "llama_13b_fp16"})
        live = _service(instant_emulator, name)
        assert (outs["current_version"], outs["latest_version"]) == (
            live.current_version,
            live.latest_version,
        )
        assert outs["latest_version"] == 2
