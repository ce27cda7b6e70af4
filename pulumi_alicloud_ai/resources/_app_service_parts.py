"""The optional parts of an ``AppService``: autoscaling, cron scaling, labels and the safety lock.

Each part has its own EAS operations (autoscaler, cron scaler, label and lock calls), changes in place,
and is checked here at ``pulumi preview`` time with messages that name the Python input. The limits
are the provider's own reading of the API reference: min ≤ max ≤ 1000, metric names ``QPS`` and
``CPU``, six-field cron (second minute hour day month weekday), at most 20 labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pulumi_alicloud_ai.client.eas import AutoScaler, CronScaler, EasClient, ScaleJob, ScaleStrategy, Service
from pulumi_alicloud_ai.client.errors import NotFoundError

MAX_INSTANCES = 1000
MAX_WINDOW_SECONDS = 3600
METRIC_NAMES = ("QPS", "CPU")
"""Metric names as the inputs spell them; the API takes them in lower case."""
SAFETY_LOCKS = ("all", "dangerous", "none")
LOCK_STRENGTH = {lock: rank for rank, lock in enumerate(("none", "dangerous", "all"))}
MAX_SCHEDULES = 20
MAX_LABELS = 20
MAX_LABEL_KEY = 128
MAX_LABEL_VALUE = 256
MAX_CRON_TEXT = 256

_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("second", 0, 59, {}),
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            n: i + 1
            for i, n in enumerate(
                ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
            )
        },
    ),
    ("weekday", 0, 7, {n: i for i, n in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}),
)
CRON_RULE = "six fields 'second minute hour day month weekday' with numbers, names, * ? / , and -"


def cron_problem(text: str) -> str | None:
    """Why ``text`` is not a six-field cron expression, or None."""
    fields = text.split()
    if len(text) > MAX_CRON_TEXT or len(fields) != len(_CRON_FIELDS):
        return f"{text!r} is not a cron expression: use {CRON_RULE}, e.g. '0 0 8 * * MON-FRI'"
    for field, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        if problem := _cron_field_problem(field, low, high, names):
            return f"{text!r}: the {name} field {field!r} {problem}"
    return None


def _cron_field_problem(field: str, low: int, high: int, names: dict[str, int]) -> str | None:
    for part in field.split(","):
        base, slash, step = part.partition("/")
        if slash and not (step.isdigit() and int(step) > 0):
            return f"has step {step!r}: use a whole number above 0"
        if base in ("*", "?"):
            continue
        for bound in base.split("-", 1):
            value = names.get(bound.upper()) if bound.upper() in names else None
            if value is None and bound.isdigit():
                value = int(bound)
            if value is None or not low <= value <= high:
                return f"is out of range: use {low}-{high}{' or names' if names else ''}, *, ?, / and ,"
    return None


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrategyInputs(_Part):
    """One scale strategy: instances follow ``metric_name`` per instance against ``threshold``."""

    metric_name: str
    threshold: float = Field(gt=0)
    service: str | None = None

    @field_validator("metric_name")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value.upper() not in METRIC_NAMES:
            raise ValueError(f"{value!r} is not supported; allowed values: {', '.join(METRIC_NAMES)}")
        return value.upper()


class BehaviorInputs(_Part):
    """How fast the autoscaler follows a change (the API's ``behavior``)."""

    scale_up_stabilization_seconds: int | None = Field(None, ge=0, le=MAX_WINDOW_SECONDS)
    scale_down_stabilization_seconds: int | None = Field(None, ge=0, le=MAX_WINDOW_SECONDS)
    on_zero_grace_period_seconds: int | None = Field(None, ge=0)
    on_zero_activation_replicas: int | None = Field(None, ge=1, le=MAX_INSTANCES)

    def to_wire(self) -> dict[str, Any]:
        """The API's ``behavior`` object."""
        wire: dict[str, dict[str, int]] = {}
        for value, group, key in (
            (self.scale_up_stabilization_seconds, "scaleUp", "stabilizationWindowSeconds"),
            (self.scale_down_stabilization_seconds, "scaleDown", "stabilizationWindowSeconds"),
            (self.on_zero_grace_period_seconds, "onZero", "scaleDownGracePeriodSeconds"),
            (self.on_zero_activation_replicas, "onZero", "scaleUpActivationReplicas"),
        ):
            if value is not None:
                wire.setdefault(group, {})[key] = value
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> dict[str, Any]:
        """The inputs a live ``behavior`` object stands for (unset values left out)."""

        def get(group: str, key: str) -> Any:
            part = wire.get(group)
            return part.get(key) if isinstance(part, dict) else None

        values = {
            "scale_up_stabilization_seconds": get("scaleUp", "stabilizationWindowSeconds"),
            "scale_down_stabilization_seconds": get("scaleDown", "stabilizationWindowSeconds"),
            "on_zero_grace_period_seconds": get("onZero", "scaleDownGracePeriodSeconds"),
            "on_zero_activation_replicas": get("onZero", "scaleUpActivationReplicas"),
        }
        return {key: value for key, value in values.items() if value is not None}


class AutoscalingInputs(_Part):
    """The autoscaler: between ``min`` and ``max`` instances, driven by ``strategies``."""

    min: int = Field(ge=0, le=MAX_INSTANCES)
    max: int = Field(ge=1, le=MAX_INSTANCES)
    strategies: list[StrategyInputs] = Field(min_length=1, max_length=len(METRIC_NAMES))
    behavior: BehaviorInputs | None = None

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingInputs:
        if self.min > self.max:
            raise ValueError(f"autoscaling.min ({self.min}) must not exceed autoscaling.max ({self.max})")
        names = [strategy.metric_name for strategy in self.strategies]
        if len(set(names)) != len(names):
            raise ValueError("autoscaling.strategies names a metric_name twice; give one strategy per metric")
        return self

    def to_wire(self) -> AutoScaler:
        """Create/UpdateServiceAutoScaler's body."""
        behavior = self.behavior.to_wire() if self.behavior else {}
        return AutoScaler(
            min=self.min,
            max=self.max,
            scale_strategies=[
                ScaleStrategy(metric_name=s.metric_name.lower(), threshold=s.threshold, service=s.service)
                for s in self.strategies
            ],
            behavior=behavior or None,
        )


class ScheduleInputs(_Part):
    """One cron job: at ``schedule`` run ``target_size`` instances."""

    schedule: str
    target_size: int = Field(ge=0, le=MAX_INSTANCES)
    name: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if problem := cron_problem(value):
            raise ValueError(problem)
        return " ".join(value.split())


class CronScalingInputs(_Part):
    """The cron scaler: scheduled instance counts, and dates (cron expressions) when none fire."""

    schedules: list[ScheduleInputs] = Field(min_length=1, max_length=MAX_SCHEDULES)
    exclude_dates: list[str] | None = Field(None, max_length=MAX_SCHEDULES)

    @field_validator("exclude_dates")
    @classmethod
    def _crons(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            if problem := cron_problem(text):
                raise ValueError(problem)
        return [" ".join(text.split()) for text in value] if value else None

    @model_validator(mode="after")
    def _names(self) -> CronScalingInputs:
        names = [job.name for job in self.schedules if job.name]
        if len(set(names)) != len(names):
            raise ValueError("cron_scaling.schedules uses a name twice; names must be unique")
        return self

    def to_wire(self) -> CronScaler:
        """Create/UpdateServiceCronScaler's body; unnamed jobs are named by their position."""
        return CronScaler(
            scale_jobs=[
                ScaleJob(
                    name=job.name or _job_name(index), schedule=job.schedule, target_size=job.target_size
                )
                for index, job in enumerate(self.schedules)
            ],
            exclude_dates=self.exclude_dates,
        )


def _job_name(index: int) -> str:
    return f"schedule-{index + 1}"


def labels_problem(labels: dict[str, str]) -> str | None:
    """Why ``labels`` cannot be a service's labels, or None."""
    if len(labels) > MAX_LABELS:
        return f"at most {MAX_LABELS} labels, got {len(labels)}"
    for key, value in labels.items():
        if not 1 <= len(key) <= MAX_LABEL_KEY:
            return f"key {key[:MAX_LABEL_KEY]!r} must be 1 to {MAX_LABEL_KEY} characters"
        if len(value) > MAX_LABEL_VALUE:
            return f"the value of {key!r} must be at most {MAX_LABEL_VALUE} characters"
    return None


# --- reading the live parts ---------------------------------------------------------------


def live_autoscaling(api: EasClient, region: str, name: str) -> dict[str, Any] | None:
    """The autoscaler as inputs; None when autoscaling is off."""
    try:
        scaler = api.describe_service_auto_scaler(region, name)
    except NotFoundError:
        return None
    strategies = [
        {"metric_name": s.metric_name.upper(), "threshold": s.threshold, "service": s.service or None}
        for s in scaler.scale_strategies
    ]
    live: dict[str, Any] = {
        "min": scaler.min_replica,
        "max": scaler.max_replica,
        "strategies": [{k: v for k, v in s.items() if v is not None} for s in strategies],
    }
    if behavior := BehaviorInputs.from_wire(scaler.behavior):
        live["behavior"] = behavior
    return live


def live_cron_scaling(api: EasClient, region: str, name: str) -> dict[str, Any] | None:
    """The cron scaler as inputs; None when the service has none."""
    try:
        scaler = api.describe_service_cron_scaler(region, name)
    except NotFoundError:
        return None
    schedules = [
        {
            "schedule": job.schedule,
            "target_size": job.target_size,
            **({"name": job.name} if job.name and job.name != _job_name(index) else {}),
        }
        for index, job in enumerate(scaler.scale_jobs)
    ]
    live: dict[str, Any] = {"schedules": schedules}
    if scaler.exclude_dates:
        live["exclude_dates"] = list(scaler.exclude_dates)
    return live


def live_scalers(api: EasClient, region: str, name: str) -> frozenset[str]:
    """Which scalers the service has (``autoscaling``, ``cron_scaling``)."""
    found = (
        ("autoscaling", live_autoscaling(api, region, name)),
        ("cron_scaling", live_cron_scaling(api, region, name)),
    )
    return frozenset(part for part, live in found if live is not None)


def live_parts(api: EasClient, region: str, service: Service) -> dict[str, Any]:
    """Labels, safety lock, autoscaling and cron scaling as the live service shows them."""
    parts: dict[str, Any] = {
        "labels": dict(sorted(service.label_map().items())) or None,
        "safety_lock": service.safety_lock if service.safety_lock not in (None, "", "none") else None,
        "autoscaling": live_autoscaling(api, region, service.service_name),
        "cron_scaling": live_cron_scaling(api, region, service.service_name),
    }
    return {key: value for key, value in parts.items() if value is not None}


# --- changing them ------------------------------------------------------------------------

PARTS = ("labels", "autoscaling", "cron_scaling", "safety_lock")
"""The parts, in the order they are applied: the safety lock last, so that it allows the others."""
SCALERS = ("autoscaling", "cron_scaling")


@dataclass(frozen=True)
class Present:
    """What the live service has of the parts, before they change."""

    labels: dict[str, str]
    lock: str | None
    scalers: frozenset[str]
    """``autoscaling`` and/or ``cron_scaling``, when the service has that scaler."""


def apply_labels(
    api: EasClient, region: str, name: str, live: dict[str, str], wanted: dict[str, str] | None
) -> None:
    """Make the labels ``wanted``: set what is new or changed, remove what is no longer wanted."""
    wanted = wanted or {}
    if stale := sorted(set(live) - set(wanted)):
        api.delete_service_label(region, name, stale)
    if changed := {key: value for key, value in wanted.items() if live.get(key) != value}:
        api.update_service_label(region, name, changed)


def apply_autoscaling(
    api: EasClient, region: str, name: str, present: bool, wanted: AutoscalingInputs | None
) -> None:
    """Create, update or delete the autoscaler so that it matches ``wanted`` (None: off)."""
    if wanted is None:
        if present:
            api.delete_service_auto_scaler(region, name)
    elif present:
        api.update_service_auto_scaler(region, name, wanted.to_wire())
    else:
        api.create_service_auto_scaler(region, name, wanted.to_wire())


def apply_cron_scaling(
    api: EasClient, region: str, name: str, present: bool, wanted: CronScalingInputs | None
) -> None:
    """Create, update or delete the cron scaler so that it matches ``wanted`` (None: none)."""
    if wanted is None:
        if present:
            api.delete_service_cron_scaler(region, name)
    elif present:
        api.update_service_cron_scaler(region, name, wanted.to_wire())
    else:
        api.create_service_cron_scaler(region, name, wanted.to_wire())


def lock_first(live: str | None, wanted: str | None) -> bool:
    """Whether the lock changes before the other parts: when it loosens, so they are allowed."""
    return LOCK_STRENGTH[wanted or "none"] < LOCK_STRENGTH[live or "none"]
