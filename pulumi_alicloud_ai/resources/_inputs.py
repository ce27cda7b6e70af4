"""Input rules every provider shares: regions, waiting limits, and JSON sent as text.

Each resource's ``...Inputs`` model validates with these, so the same mistake gets the same message
whichever resource it is made in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from pulumi_alicloud_ai.resources._provider import parse_duration

REGION_ENV = "ALIBABA_CLOUD_REGION_ID"
REGION_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")


def region_problem(value: Any, offered: tuple[str, ...] | None = None, what: str = "") -> str | None:
    """Why ``value`` cannot be the region (of ``what``, offered in ``offered`` when given), or None."""
    if not value:
        return (
            "region is required: set the region input, `pulumi config set alicloud:region <region>`, "
            f"or {REGION_ENV}"
        )
    if not isinstance(value, str) or not REGION_PATTERN.match(value):
        return f"region {value!r} is not a region id such as cn-shanghai"
    if offered is not None and value not in offered:
        return f"region {value!r} does not offer {what}; allowed values: {', '.join(offered)}"
    return None


def compact_json(value: Mapping[str, Any]) -> str:
    """JSON text as the APIs receive it in a string parameter: compact, keys as given, UTF-8 kept
    (their size limits count bytes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Timeouts(BaseModel):
    """Base of each resource's waiting limits: every field is seconds, given as a number or ``'30m'``.

    Pulumi's ``customTimeouts`` do not reach Python dynamic providers, so resources take these instead.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _duration(cls, value: Any, info: ValidationInfo) -> float | None:
        return None if value is None else parse_duration(value, f"timeouts.{info.field_name}")
