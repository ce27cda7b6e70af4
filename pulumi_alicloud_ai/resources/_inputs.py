"""Input rules every provider shares: regions, waiting limits, durations, and JSON sent as text.

Each resource's inputs model derives from :class:`ResourceInputs`, so the same mistake gets the same
message whichever resource it is made in, and the lifecycle core finds region, timeouts and the
captured connection in the same place on every resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

REGION_ENV = "ALIBABA_CLOUD_REGION_ID"
REGION_PATTERN = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
"""Matched whole (``fullmatch``): ``cn-shanghai\\n`` is not a region."""
MAX_WAIT_SECONDS = 86400.0
"""The longest wait a timeout may ask for (24 h): anything longer is a typo, not a plan."""
MAX_DURATION_TEXT = 32
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
FALLBACK_WAIT_SECONDS = 1800.0
OPERATIONS = ("create", "update", "delete")
ADOPT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""One resource id (matched whole): the APIs document no shape for TemplateId, JobId or TaskId beyond a
string, but an id is one token (GetAIImageJobs reads a comma as a list of ids), and none is this long."""


def region_problem(value: Any, offered: tuple[str, ...] | None = None, what: str = "") -> str | None:
    """Why ``value`` cannot be the region (of ``what``, offered in ``offered`` when given), or None."""
    if not value:
        return (
            "region is required: set the region input, `pulumi config set alicloud:region <region>`, "
            f"or {REGION_ENV}"
        )
    if not isinstance(value, str) or not REGION_PATTERN.fullmatch(value):
        return f"region {value!r} is not a region id such as cn-shanghai"
    if offered is not None and value not in offered:
        return f"region {value!r} does not offer {what}; allowed values: {', '.join(offered)}"
    return None


def choice(value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``; else the error that lists them."""
    if value not in allowed:
        raise ValueError(f"{value!r} is not supported; allowed values: {', '.join(allowed)}")
    return value


def compact_json(value: Mapping[str, Any]) -> str:
    """JSON text as the APIs receive it in a string parameter: compact, UTF-8 kept (their size limits
    count bytes), keys sorted: the engine hands an object's keys in a different order on every run, so
    only sorted keys send the same text for the same inputs."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def json_numbers(value: Any) -> Any:
    """Whole floats as ints, recursively: Pulumi sends every number as a double, but ``3.0`` is not a
    valid ``Count`` and would change the JSON text the API sees."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_numbers(item) for item in value]
    return value


def parse_duration(value: Any, field: str, maximum: float = MAX_WAIT_SECONDS) -> float:
    """Seconds from a number or a string like ``90``, ``30s``, ``20m``, ``1h``: more than 0 and at most
    ``maximum``. NaN and infinity are refused (a NaN limit would never be reached: no wait limit)."""
    example = "a duration such as 600, '30s', '20m' or '1h'"
    if isinstance(value, bool):  # pydantic turns ValueError (not TypeError) into a field error
        raise ValueError(f"{field} must be {example}")  # noqa: TRY004
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip() and len(value) <= MAX_DURATION_TEXT:
        text = value.strip().lower()
        scale = UNITS.get(text[-1], 1.0)
        number = text[:-1] if text[-1] in UNITS else text
        try:
            seconds = float(number) * scale
        except (ValueError, OverflowError):
            raise ValueError(f"{field} {value!r} is not {example}") from None
    else:
        raise ValueError(f"{field} must be {example}")
    if not 0 < seconds <= maximum:  # False for NaN as well
        raise ValueError(f"{field} must be more than 0 seconds and at most {maximum:g}, got {value!r}")
    return seconds


class Timeouts(BaseModel):
    """How long each operation may wait, in seconds; given as a number or as ``'30m'``.

    Pulumi's ``customTimeouts`` do not reach Python dynamic providers, so resources take these instead.
    """

    model_config = ConfigDict(extra="forbid")
    create: float | None = None
    update: float | None = None
    delete: float | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _duration(cls, value: Any, info: ValidationInfo) -> float | None:
        return None if value is None else parse_duration(value, f"timeouts.{info.field_name}")


class ResourceInputs(BaseModel):
    """What every resource's inputs hold besides its API fields: where it lives, how long its
    operations may wait, the connection settings the program captured, and its settings object."""

    model_config = ConfigDict(extra="forbid")

    TIMEOUTS: ClassVar[Mapping[str, float]] = {}
    """Default seconds per operation that waits; a timeout for any other operation is refused."""
    REGIONS: ClassVar[tuple[str, ...] | None] = None
    """Where the service is offered (None: any region id)."""
    OFFERS: ClassVar[str] = ""
    """What the service is called in a region error ("VOD AI templates")."""
    BEHAVIOUR: ClassVar[tuple[str, ...]] = ("timeouts", "connection", "settings")
    """Inputs that steer the provider and never reach the API: kept as recorded on refresh."""
    WAIT_FLAG: ClassVar[str | None] = None
    """The boolean input that turns waiting for a final state off, if the resource has one."""

    region: str = Field(None, validate_default=True)
    timeouts: Timeouts | None = None
    connection: dict[str, str] | None = None
    settings: dict[str, Any] | None = None
    """The resource's settings object (references only): where it lives, with which credentials."""

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        if problem := region_problem(value, cls.REGIONS, cls.OFFERS):
            raise ValueError(problem)
        return str(value)

    @field_validator("timeouts")
    @classmethod
    def _only_operations_that_wait(cls, value: Timeouts | None) -> Timeouts | None:
        unused = sorted((value.model_fields_set if value else set()) - set(cls.TIMEOUTS))
        if unused:
            waits = ", ".join(cls.TIMEOUTS) or "none"
            raise ValueError(f"timeouts.{unused[0]} does not apply here; operations that wait: {waits}")
        return value

    def waits(self) -> bool:
        """Whether create and update wait for a final state."""
        return bool(getattr(self, self.WAIT_FLAG)) if self.WAIT_FLAG else True

    @classmethod
    def limit(cls, timeouts: Timeouts | Mapping[str, Any] | None, operation: str) -> float:
        """Seconds ``operation`` may wait: the given timeout (validated or as recorded), else the default."""
        chosen = (
            timeouts.get(operation) if isinstance(timeouts, Mapping) else getattr(timeouts, operation, None)
        )
        if chosen is not None:
            return parse_duration(chosen, f"timeouts.{operation}")
        return cls.TIMEOUTS.get(operation, FALLBACK_WAIT_SECONDS)


class AdoptableInputs(ResourceInputs):
    """Inputs of a resource that can take over an existing one by id (``adopt_id``): what works under
    the Pulumi CLI, where ``import_=`` fails for dynamic providers (pulumi/pulumi#16175)."""

    BEHAVIOUR: ClassVar[tuple[str, ...]] = (*ResourceInputs.BEHAVIOUR, "adopt_id")

    adopt_id: str | None = None

    @field_validator("adopt_id")
    @classmethod
    def _adopt_id(cls, value: str | None) -> str | None:
        if value is not None and not ADOPT_ID_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value[:80]!r} is not one resource id: use letters, digits, '-' and '_' only, at most 64"
            )
        return value
