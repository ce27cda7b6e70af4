"""AppService's optional parts checked at preview: cron expressions, labels, autoscaler and cron scaler
bounds, what each part sends to EAS, and the order a safety lock changes in. No network: the provider
tests (tests/providers/test_app_service_parts.py) cover what EAS does with them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from pulumi_alicloud_ai.resources._app_service_parts import (
    AutoscalingInputs,
    BehaviorInputs,
    CronScalingInputs,
    ScheduleInputs,
    StrategyInputs,
    cron_problem,
    labels_problem,
    lock_first,
)

MONTHS = "JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC"
DAYS = "SUN,MON,TUE,WED,THU,FRI,SAT"
LONGEST_CRON = "0," * 122 + "59 0 0 * * *"
"""A valid expression of exactly 256 characters, the most EAS takes."""


class TestCron:
    """Six fields 'second minute hour day month weekday', each within its range."""

    @pytest.mark.parametrize(
        "text",
        [
            "0 0 8 * * MON-FRI",
            "0 0 0 1 1 0",
            "59 59 23 31 12 7",
            f"0 0 0 1 {MONTHS} {DAYS}",
            "0 0 0 1 jan-dec sun-sat",
            "*/1 ? * ? * ?",
            "0,30 0-30/5 * * * *",
            LONGEST_CRON,
        ],
    )
    def test_valid_expressions_pass(self, text: str) -> None:
        """Each field's lowest and highest value, every month and weekday name, steps, lists, ranges."""
        assert cron_problem(text) is None

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("60 0 0 * * *", "the second field '60' is out of range: use 0-59, *, ?, / and ,"),
            ("0 60 0 * * *", "the minute field '60' is out of range: use 0-59, *, ?, / and ,"),
            ("0 0 24 * * *", "the hour field '24' is out of range: use 0-23, *, ?, / and ,"),
            ("0 0 0 0 * *", "the day field '0' is out of range: use 1-31, *, ?, / and ,"),
            ("0 0 0 32 * *", "the day field '32' is out of range: use 1-31, *, ?, / and ,"),
            ("0 0 0 * 0 *", "the month field '0' is out of range: use 1-12 or names, *, ?, / and ,"),
            ("0 0 0 * 13 *", "the month field '13' is out of range: use 1-12 or names, *, ?, / and ,"),
            ("0 0 0 * * 8", "the weekday field '8' is out of range: use 0-7 or names, *, ?, / and ,"),
            ("0 0 0 * * JAN", "the weekday field 'JAN' is out of range: use 0-7 or names, *, ?, / and ,"),
            ("*,60 0 0 * * *", "the second field '*,60' is out of range: use 0-59, *, ?, / and ,"),
            ("1-2-3 0 0 * * *", "the second field '1-2-3' is out of range: use 0-59, *, ?, / and ,"),
            ("*/0 0 0 * * *", "the second field '*/0' has step '0': use a whole number above 0"),
            ("0/x 0 0 * * *", "the second field '0/x' has step 'x': use a whole number above 0"),
        ],
    )
    def test_a_bad_field_is_named_with_its_range(self, text: str, problem: str) -> None:
        """The message quotes the expression, names the field and gives its range."""
        assert cron_problem(text) == f"{text!r}: {problem}"

    @pytest.mark.parametrize("text", ["0 8 * * *", "0 0 8 * * * 2027", "0" + LONGEST_CRON])
    def test_the_wrong_number_of_fields_or_too_long_is_not_a_cron_expression(self, text: str) -> None:
        """Five fields (the Unix form), seven, or over 256 characters: the rule and an example."""
        assert cron_problem(text) == (
            f"{text!r} is not a cron expression: use six fields 'second minute hour day month weekday' "
            "with numbers, names, * ? / , and -, e.g. '0 0 8 * * MON-FRI'"
        )


class TestLabels:
    """At most 20 labels; keys 1 to 128 characters, values at most 256."""

    def test_the_limits_themselves_pass(self) -> None:
        labels = {f"k{i}": "v" for i in range(19)} | {"k" * 128: "v" * 256}
        assert labels_problem(labels) is None

    @pytest.mark.parametrize(
        ("labels", "problem"),
        [
            ({f"k{i}": "v" for i in range(21)}, "at most 20 labels, got 21"),
            ({"": "v"}, "key '' must be 1 to 128 characters"),
            ({"k" * 129: "v"}, f"key {'k' * 128!r} must be 1 to 128 characters"),
            ({"team": "v" * 257}, "the value of 'team' must be at most 256 characters"),
        ],
    )
    def test_past_a_limit_says_which(self, labels: dict[str, str], problem: str) -> None:
        assert labels_problem(labels) == problem


def _autoscaling(**overrides: Any) -> AutoscalingInputs:
    values = {"min": 1, "max": 4, "strategies": [{"metric_name": "QPS", "threshold": 10}], **overrides}
    return AutoscalingInputs.model_validate(values)


class TestAutoscaling:
    """min ≤ max ≤ 1000, one strategy per metric, and the body EAS receives."""

    def test_the_limits_themselves_pass(self) -> None:
        assert (_autoscaling(min=0, max=1).min, _autoscaling(min=1000, max=1000).max) == (0, 1000)
        two = [{"metric_name": "qps", "threshold": 0.5}, {"metric_name": "cpu", "threshold": 70}]
        assert [s.metric_name for s in _autoscaling(strategies=two).strategies] == ["QPS", "CPU"]

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"min": 5, "max": 2}, "autoscaling.min (5) must not exceed autoscaling.max (2)"),
            ({"min": 0, "max": 0}, "max\n  Input should be greater than or equal to 1"),
            ({"max": 1001}, "max\n  Input should be less than or equal to 1000"),
            ({"min": -1}, "min\n  Input should be greater than or equal to 0"),
            (
                {
                    "strategies": [
                        {"metric_name": "QPS", "threshold": 1},
                        {"metric_name": "qps", "threshold": 2},
                    ]
                },
                "autoscaling.strategies names a metric_name twice; give one strategy per metric",
            ),
            (
                {"strategies": [{"metric_name": "RAM", "threshold": 1}]},
                "'RAM' is not supported; allowed values: QPS, CPU",
            ),
            (
                {"strategies": [{"metric_name": "QPS", "threshold": 0}]},
                "threshold\n  Input should be greater than 0",
            ),
            (
                {"strategies": [{"metric_name": "QPS", "threshold": 1, "colour": "red"}]},
                "Extra inputs are not permitted",
            ),
            ({"behavior": {"scale_up_stabilization_seconds": 3601}}, "less than or equal to 3600"),
            ({"behavior": {"scale_down_stabilization_seconds": -1}}, "greater than or equal to 0"),
            ({"behavior": {"on_zero_grace_period_seconds": -1}}, "greater than or equal to 0"),
            ({"behavior": {"on_zero_activation_replicas": 0}}, "greater than or equal to 1"),
            ({"behavior": {"on_zero_activation_replicas": 1001}}, "less than or equal to 1000"),
        ],
    )
    def test_past_a_limit_is_refused_saying_which(self, overrides: dict[str, Any], message: str) -> None:
        with pytest.raises(ValidationError, match=re.escape(message)):
            _autoscaling(**overrides)

    def test_the_body_sends_lower_case_metrics_and_only_the_behaviour_given(self) -> None:
        """Metric names go in lower case; a behaviour value of 0 is sent, an unset one is not."""
        behavior = {"scale_up_stabilization_seconds": 0, "on_zero_activation_replicas": 2}
        strategies = [{"metric_name": "CPU", "threshold": 70, "service": "blue"}]
        body = _autoscaling(min=0, max=3, strategies=strategies, behavior=behavior).to_wire().to_wire()
        assert body == {
            "min": 0,
            "max": 3,
            "scaleStrategies": [{"metricName": "cpu", "threshold": 70.0, "service": "blue"}],
            "behavior": {
                "scaleUp": {"stabilizationWindowSeconds": 0},
                "onZero": {"scaleUpActivationReplicas": 2},
            },
        }
        assert "behavior" not in _autoscaling().to_wire().to_wire()
        assert "behavior" not in _autoscaling(behavior={}).to_wire().to_wire()

    def test_the_behaviour_reads_back_as_the_inputs_it_came_from(self) -> None:
        """Each of the four settings goes to its own place in ``behavior`` and comes back from it."""
        inputs = {
            "scale_up_stabilization_seconds": 1,
            "scale_down_stabilization_seconds": 2,
            "on_zero_grace_period_seconds": 3,
            "on_zero_activation_replicas": 4,
        }
        wire = BehaviorInputs.model_validate(inputs).to_wire()
        assert wire == {
            "scaleUp": {"stabilizationWindowSeconds": 1},
            "scaleDown": {"stabilizationWindowSeconds": 2},
            "onZero": {"scaleDownGracePeriodSeconds": 3, "scaleUpActivationReplicas": 4},
        }
        assert BehaviorInputs.from_wire(wire) == inputs
        assert BehaviorInputs.from_wire({"scaleUp": 5, "onZero": {"scaleUpActivationReplicas": 4}}) == {
            "on_zero_activation_replicas": 4
        }


def _schedule(**overrides: Any) -> dict[str, Any]:
    return {"schedule": "0 0 8 * * *", "target_size": 2, **overrides}


class TestCronScaling:
    """Up to 20 schedules and 20 exclusions, unique names, and the body EAS receives."""

    def test_the_limits_themselves_pass(self) -> None:
        scaler = CronScalingInputs.model_validate(
            {
                "schedules": [_schedule(target_size=0)] * 19 + [_schedule(target_size=1000, name="n" * 64)],
                "exclude_dates": ["* * * 25 DEC *"] * 20,
            }
        )
        assert (len(scaler.schedules), len(scaler.exclude_dates or [])) == (20, 20)

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"schedules": []}, "at least 1 item"),
            ({"schedules": [_schedule()] * 21}, "at most 20 items"),
            ({"schedules": [_schedule()], "exclude_dates": ["* * * 25 DEC *"] * 21}, "at most 20 items"),
            ({"schedules": [_schedule(target_size=1001)]}, "less than or equal to 1000"),
            ({"schedules": [_schedule(target_size=-1)]}, "greater than or equal to 0"),
            ({"schedules": [_schedule(name="")]}, "at least 1 character"),
            ({"schedules": [_schedule(name="n" * 65)]}, "at most 64 characters"),
            ({"schedules": [_schedule(schedule="0 8 * * *")]}, "is not a cron expression"),
            ({"schedules": [_schedule()], "exclude_dates": ["* * * 32 * *"]}, "the day field '32'"),
            (
                {"schedules": [_schedule(name="peak"), _schedule(name="peak")]},
                "cron_scaling.schedules uses a name twice; names must be unique",
            ),
        ],
    )
    def test_past_a_limit_is_refused_saying_which(self, values: dict[str, Any], message: str) -> None:
        with pytest.raises(ValidationError, match=re.escape(message)):
            CronScalingInputs.model_validate(values)

    def test_the_body_names_unnamed_schedules_by_position_and_normalises_spaces(self) -> None:
        """Unnamed jobs (any number of them) become schedule-1, schedule-2…; no exclusions send none."""
        scaler = CronScalingInputs.model_validate(
            {
                "schedules": [_schedule(), _schedule(name="night", schedule=" 0  0 22 * * * "), _schedule()],
                "exclude_dates": [],
            }
        )
        assert scaler.to_wire().to_wire() == {
            "ScaleJobs": [
                {"Name": "schedule-1", "Schedule": "0 0 8 * * *", "TargetSize": 2},
                {"Name": "night", "Schedule": "0 0 22 * * *", "TargetSize": 2},
                {"Name": "schedule-3", "Schedule": "0 0 8 * * *", "TargetSize": 2},
            ]
        }
        dated = CronScalingInputs.model_validate(
            {"schedules": [_schedule()], "exclude_dates": ["* * *  25 DEC *"]}
        )
        assert dated.to_wire().exclude_dates == ["* * * 25 DEC *"]

    def test_a_schedule_alone_is_checked_too(self) -> None:
        assert ScheduleInputs.model_validate(_schedule(schedule="0  0 8 * * *")).schedule == "0 0 8 * * *"
        assert StrategyInputs.model_validate({"metric_name": "cpu", "threshold": 1}).metric_name == "CPU"


@pytest.mark.parametrize(
    ("live", "wanted", "first"),
    [
        ("all", "dangerous", True),
        ("all", None, True),
        ("dangerous", "none", True),
        (None, "all", False),
        ("dangerous", "all", False),
        ("all", "all", False),
        (None, None, False),
    ],
)
def test_a_loosened_lock_changes_first(live: str | None, wanted: str | None, first: bool) -> None:
    """A lock that loosens changes before the other parts (so it allows them); a tighter one after."""
    assert lock_first(live, wanted) is first
