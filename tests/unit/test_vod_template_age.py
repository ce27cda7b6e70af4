"""How old a VOD AI template is, which decides whether a create may adopt it as its own leftover."""

from __future__ import annotations

import calendar

import pytest

from pulumi_alicloud_ai.client.vod import AITemplate
from pulumi_alicloud_ai.resources._vod_template_provider import _age

NOW = calendar.timegm((2026, 11, 30, 12, 0, 0))


def _template(creation_time: str | None) -> AITemplate:
    return AITemplate.model_validate({"TemplateId": "t", "CreationTime": creation_time})


def test_the_age_is_counted_from_the_creation_time_in_utc() -> None:
    assert _age(_template("2026-11-30T11:00:00Z"), NOW) == 3600.0
    assert _age(_template("2026-11-30T12:00:30Z"), NOW) == -30.0  # a clock ahead of ours


@pytest.mark.parametrize("creation_time", [None, "", "30/11/2026 11:00", "2026-11-30T11:00:00+08:00"])
def test_a_template_of_unknown_age_is_never_recent(creation_time: str | None) -> None:
    """No CreationTime, or one in another format: infinitely old, so never adopted by guesswork."""
    assert _age(_template(creation_time), NOW) == float("inf")
