"""How many instances a service runs: its replicas, its autoscaler, its cron scaler, and time.

Nothing is stored as it changes. The service keeps its settings (``AutoScaler``, ``CronScaler``) and
the load a test reports through the admin API (``Load``: timestamped samples), and the instance count
is derived from them at read time with the emulator's clock, so moving the clock moves the count.

* **Autoscaler.** Each strategy recommends ``ceil(load / threshold)`` instances, where ``load`` is the
  service's total for that metric (``qps``: queries per second across instances; ``cpu`` and
  ``gpu[util]``: utilisation percent summed across instances); the largest recommendation wins,
  clamped to ``[min, max]``. A rise is followed once every recommendation in the last
  ``behavior.scaleUp.stabilizationWindowSeconds`` (default 0) agrees, a fall once every one in the last
  ``behavior.scaleDown.stabilizationWindowSeconds`` (default 300) does, as Kubernetes' HPA does.
* **Cron scaler.** The job that fired last (UTC, exclusions skipped) sets the count; with an autoscaler
  on, it raises the autoscaler's minimum instead (never above its maximum).
"""

from __future__ import annotations

import math
from typing import Any

from pulumi_alicloud_ai.emulator.eas.cron import Cron, CronError
from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter, missing_parameter

METRICS = ("qps", "cpu", "gpu[util]")
MAX_INSTANCES = 1000
MAX_JOBS = 20
LOAD_SAMPLES = 64
"""Load samples kept per service; older ones fall off (the oldest kept stands for all before it)."""
DEFAULT_UP_WINDOW, DEFAULT_DOWN_WINDOW = 0, 300


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_parameter(field, f"{field} must be a whole number from {low} to {high}, got {value!r}")
    return value


def validate_autoscaler(body: dict[str, Any]) -> dict[str, Any]:
    """The stored autoscaler from a Create/UpdateServiceAutoScaler body (lower-camel wire names)."""
    for key in ("min", "max", "scaleStrategies"):
        if body.get(key) is None:
            raise missing_parameter(key)
    low = _whole(body["min"], "min", 0, MAX_INSTANCES)
    high = _whole(body["max"], "max", 1, MAX_INSTANCES)
    if low > high:
        raise invalid_parameter("min", f"min ({low}) must not exceed max ({high})")
    strategies = body["scaleStrategies"]
    if not isinstance(strategies, list) or not strategies:
        raise invalid_parameter("scaleStrategies", "scaleStrategies must list at least one strategy")
    kept = []
    for strategy in strategies:
        name = strategy.get("metricName") if isinstance(strategy, dict) else None
        if name not in METRICS:
            raise invalid_parameter(
                "scaleStrategies.metricName",
                f"metricName {name!r} is not supported; allowed values: {', '.join(METRICS)}",
            )
        threshold = strategy.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not threshold > 0:
            raise invalid_parameter(
                "scaleStrategies.threshold", f"threshold must be a number > 0, got {threshold!r}"
            )
        kept.append({"metricName": name, "threshold": threshold, "service": strategy.get("service") or ""})
    behavior = body.get("behavior") or {}
    if not isinstance(behavior, dict):
        raise invalid_parameter("behavior", "behavior must be an object")
    for direction in ("scaleUp", "scaleDown"):
        window = (behavior.get(direction) or {}).get("stabilizationWindowSeconds")
        if window is not None:
            _whole(window, f"behavior.{direction}.stabilizationWindowSeconds", 0, 3600)
    return {"min": low, "max": high, "scaleStrategies": kept, "behavior": behavior}


def validate_cron_scaler(body: dict[str, Any]) -> dict[str, Any]:
    """The stored cron scaler from a Create/UpdateServiceCronScaler body."""
    jobs = body.get("ScaleJobs")
    if not isinstance(jobs, list) or not jobs:
        raise missing_parameter("ScaleJobs")
    if len(jobs) > MAX_JOBS:
        raise invalid_parameter("ScaleJobs", f"at most {MAX_JOBS} scale jobs, got {len(jobs)}")
    kept: list[dict[str, Any]] = []
    names: set[str] = set()
    for job in jobs:
        if not isinstance(job, dict):
            raise invalid_parameter("ScaleJobs", "each scale job must be an object")
        name = job.get("Name") or f"scale-job-{len(kept) + 1}"
        if name in names:
            raise invalid_parameter("ScaleJobs.Name", f"scale job name {name!r} is used twice")
        names.add(name)
        _cron(job.get("Schedule"), "ScaleJobs.Schedule")
        size = _whole(job.get("TargetSize"), "ScaleJobs.TargetSize", 0, MAX_INSTANCES)
        kept.append({"Name": name, "Schedule": job["Schedule"], "TargetSize": size})
    excluded = body.get("ExcludeDates") or []
    if not isinstance(excluded, list):
        raise invalid_parameter("ExcludeDates", "ExcludeDates must be a list of cron expressions")
    for text in excluded:
        _cron(text, "ExcludeDates")
    return {"ScaleJobs": kept, "ExcludeDates": list(excluded)}


def _cron(text: Any, field: str) -> Cron:
    if not isinstance(text, str):
        raise invalid_parameter(field, f"{field} must be a cron expression string")
    try:
        return Cron.parse(text)
    except CronError as exc:
        raise invalid_parameter(field, str(exc)) from None


def record_load(data: dict[str, Any], now: float, load: dict[str, Any]) -> None:
    """Add a load sample (``{"qps": 120, "cpu": 240}``) reported through the admin API."""
    for name, value in load.items():
        if name not in METRICS:
            raise ApiError("InvalidParameter.Load", f"unknown metric {name!r}; allowed: {', '.join(METRICS)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e12:
            raise ApiError("InvalidParameter.Load", f"{name} must be a number >= 0, got {value!r}")
    samples = data.setdefault("Load", [])
    samples.append([now, {name: float(value) for name, value in load.items()}])
    del samples[:-LOAD_SAMPLES]


def current_load(data: dict[str, Any], now: float) -> dict[str, float]:
    """The latest load sample at or before ``now`` (empty when none)."""
    latest: dict[str, float] = {}
    for at, load in data.get("Load", []):
        if at <= now:
            latest = load
    return latest


def cron_target(data: dict[str, Any], now: float) -> int | None:
    """The target size of the scale job that fired last since the cron scaler was set, if any."""
    scaler = data.get("CronScaler")
    if not scaler:
        return None
    excluded = tuple(Cron.parse(text) for text in scaler["ExcludeDates"])
    best: tuple[float, int] | None = None
    for job in scaler["ScaleJobs"]:
        fired = Cron.parse(job["Schedule"]).last_fire(now, scaler["Since"], excluded)
        if fired is not None and (best is None or fired >= best[0]):
            best = (fired, job["TargetSize"])
    return None if best is None else best[1]


def job_last_fire(data: dict[str, Any], job: dict[str, Any], now: float) -> float | None:
    """When one scale job last fired (for DescribeServiceCronScaler's ``LastProbeTime``)."""
    scaler = data["CronScaler"]
    excluded = tuple(Cron.parse(text) for text in scaler["ExcludeDates"])
    return Cron.parse(job["Schedule"]).last_fire(now, scaler["Since"], excluded)


def follows_clock(data: dict[str, Any]) -> bool:
    """Whether the instance count may change with time alone (an autoscaler or a cron scaler is on)."""
    return bool(data.get("AutoScaler") or data.get("CronScaler"))


def instances(data: dict[str, Any], now: float) -> int:
    """How many instances the service runs at ``now``."""
    scaler = data.get("AutoScaler")
    target = cron_target(data, now)
    if not scaler:
        return target if target is not None else int(data.get("Replicas", 1))
    low, high = scaler["min"], scaler["max"]
    if target is not None:
        low = min(max(low, target), high)
    return _autoscaled(data, scaler, low, high, now)


def _recommend(scaler: dict[str, Any], load: dict[str, float], low: int, high: int, base: int) -> int:
    wanted = [
        math.ceil(load[strategy["metricName"]] / strategy["threshold"])
        for strategy in scaler["scaleStrategies"]
        if strategy["metricName"] in load
    ]
    return min(max(max(wanted) if wanted else base, low), high)


def _autoscaled(data: dict[str, Any], scaler: dict[str, Any], low: int, high: int, now: float) -> int:
    """Replay the load samples since the autoscaler was set, applying the stabilization windows."""
    behavior = scaler["behavior"]
    up = (behavior.get("scaleUp") or {}).get("stabilizationWindowSeconds", DEFAULT_UP_WINDOW)
    down = (behavior.get("scaleDown") or {}).get("stabilizationWindowSeconds", DEFAULT_DOWN_WINDOW)
    since = scaler["Since"]
    current = min(max(int(data.get("Replicas", 1)), low), high)
    samples = [(max(at, since), load) for at, load in data.get("Load", []) if at <= now]
    if not samples:
        return current
    # Until the first sample the count the autoscaler started from stands as its recommendation.
    recommendations = [(since, current)]
    recommendations += [(at, _recommend(scaler, load, low, high, current)) for at, load in samples]
    moments = sorted({t for at, _ in recommendations for t in (at, at + up, at + down) if t <= now})

    def in_window(moment: float, width: float) -> list[int]:
        start = moment - width
        inside = [rec for at, rec in recommendations if start < at <= moment]
        before = [rec for at, rec in recommendations if at <= start]
        return inside + before[-1:]

    for moment in moments:
        latest = in_window(moment, 0)[-1]
        if latest > current:
            current = max(current, min(in_window(moment, up)))
        elif latest < current:
            current = min(current, max(in_window(moment, down)))
    return current
