"""What every VOD job provider shares: where jobs run, the UserData rules, and the hooks of a job that
ends ``success`` or ``fail``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai.client.vod import JobStatus
from pulumi_alicloud_ai.resources._inputs import compact_json, json_numbers
from pulumi_alicloud_ai.resources._provider import INPUT_BOUNDS

JOB_REGIONS = ("cn-beijing", "cn-shanghai")
"""Where SubmitAIImageJob is offered (its API reference: China (Beijing), China (Shanghai)); review jobs
run there too."""
MAX_USER_DATA_BYTES = 512
"""SubmitAIImageJob reference, UserData: a JSON string of at most 512 bytes."""


def user_data_problems(value: Mapping[str, Any]) -> list[str]:
    """What VOD would refuse in a UserData object (vod.md), each naming the field and the rule."""
    if "MessageCallback" not in value and "Extend" not in value:
        return ["user_data must contain MessageCallback or Extend"]
    problems = []
    callback = value.get("MessageCallback")
    if callback is not None:
        url = callback.get("CallbackURL") if isinstance(callback, Mapping) else None
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            problems.append(
                'user_data.MessageCallback must be {"CallbackURL": "<http or https URL>"}, '
                f"got {callback!r}"
            )
    size = len(compact_json(value).encode("utf-8"))
    if size > MAX_USER_DATA_BYTES:
        problems.append(
            f"user_data is {size} bytes as compact JSON; VOD allows at most {MAX_USER_DATA_BYTES} bytes"
        )
    return problems


def parse_user_data(value: Any) -> Any:
    """A UserData input (a dict, or JSON text) as the object VOD is sent; a ValueError says what is
    wrong."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = load_json(value, INPUT_BOUNDS, what="user_data")
        except BoundsError:
            raise  # its message names user_data and the limit
        except ValueError:
            raise ValueError("is not valid JSON; give a dict") from None
    if not isinstance(value, Mapping):
        raise ValueError(  # noqa: TRY004 - pydantic reports ValueError (not TypeError) as a field error
            "must be an object (a dict) with MessageCallback or Extend"
        )
    value = json_numbers(dict(value))
    if problems := user_data_problems(value):
        raise ValueError("; ".join(problems))
    return value


class JobHooks:
    """The lifecycle hooks of a VOD job: its status, final once ``success`` or ``fail``, and a
    ``fail`` explained by the job's Code and Message."""

    def status(self, live: JobStatus) -> str:
        """``submitted``, ``processing``, ``success`` or ``fail``."""
        return live.status or "unknown"

    def is_final(self, live: JobStatus) -> bool:
        """``success`` or ``fail``."""
        return live.is_final

    def failure(self, api: Any, id_: str, live: JobStatus, inputs: Any) -> str | None:
        """A failed job: its Code and Message."""
        if live.succeeded:
            return None
        return f"{live.code or '(no code)'}: {live.message or '(no message)'}"
