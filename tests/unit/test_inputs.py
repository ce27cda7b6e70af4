"""Input rules every resource shares: durations, timeouts, regions."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from pulumi_alicloud_ai.resources._inputs import (
    ResourceInputs,
    Timeouts,
    choice,
    compact_json,
    json_numbers,
    parse_duration,
    region_problem,
)


class TestParseDuration:
    """Durations are seconds, given as a number or with a unit; more than 0 and at most 24 h."""

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            (90, 90.0),
            (0.5, 0.5),
            ("90", 90.0),
            ("30s", 30.0),
            ("20m", 1200.0),
            ("1h", 3600.0),
            (" 2M ", 120.0),
        ],
    )
    def test_units(self, value: Any, seconds: float) -> None:
        """Each unit means what it says: 20m is 1200 s, 1h is 3600 s."""
        assert parse_duration(value, "timeouts.create") == seconds

    def test_the_limit_itself_passes(self) -> None:
        """Exactly 24 h is allowed."""
        assert parse_duration("24h", "timeouts.create") == 86400.0

    @pytest.mark.parametrize("value", [0, "0", "0s", -5, "-1m", "25h", 86401, float("nan"), float("inf")])
    def test_zero_negative_and_too_long_are_refused(self, value: Any) -> None:
        """A wait of no time, negative time or over 24 h is a mistake, refused naming the field."""
        with pytest.raises(
            ValueError, match=r"^timeouts.create must be more than 0 seconds and at most 86400, got"
        ):
            parse_duration(value, "timeouts.create")

    def test_text_up_to_32_characters_is_read(self) -> None:
        """Padding counts: 32 characters are read, 33 are refused unread."""
        assert parse_duration("30s".rjust(32), "timeouts.create") == 30.0
        with pytest.raises(ValueError, match="a duration such as"):
            parse_duration("30s".rjust(33), "timeouts.create")

    @pytest.mark.parametrize("value", ["soon", "m", "10x", "", True, None, [], "1" * 40])
    def test_non_durations_are_refused_with_an_example(self, value: Any) -> None:
        """Words, bare units, booleans and overlong text are refused, with an example of a duration."""
        with pytest.raises(ValueError, match="a duration such as 600, '30s', '20m' or '1h'"):
            parse_duration(value, "timeouts.create")


class _Waits(ResourceInputs):
    TIMEOUTS: ClassVar[dict[str, float]] = {"create": 600.0}


class TestTimeouts:
    """A resource takes timeouts only for the operations that wait, with its own defaults."""

    def test_a_given_timeout_wins_over_the_default(self) -> None:
        """``timeouts.create`` replaces the default; other operations keep theirs."""
        inputs = _Waits(region="cn-shanghai", timeouts=Timeouts(create="2m"))
        assert _Waits.limit(inputs.timeouts, "create") == 120.0
        assert _Waits.limit(None, "create") == 600.0

    def test_an_operation_without_a_default_waits_30_minutes(self) -> None:
        """A wait the resource declares no default for (a delete that waits for a job to settle)."""
        assert _Waits.limit(None, "delete") == 1800.0

    def test_recorded_timeouts_are_read_like_given_ones(self) -> None:
        """Timeouts as state records them (a dict) give the same limit."""
        assert _Waits.limit({"create": "3m"}, "create") == 180.0

    def test_a_timeout_for_an_operation_that_does_not_wait_is_refused(self) -> None:
        """``timeouts.delete`` on a resource whose delete does not wait names the ones that do."""
        with pytest.raises(
            ValidationError, match=r"timeouts.delete does not apply here; operations that wait: create"
        ):
            _Waits(region="cn-shanghai", timeouts=Timeouts(delete=60))

    def test_zero_timeout_is_refused(self) -> None:
        """A zero timeout cannot pass validation."""
        with pytest.raises(ValidationError, match="more than 0 seconds"):
            _Waits(region="cn-shanghai", timeouts={"create": 0})


def test_json_text_is_compact_and_keeps_non_ascii_characters() -> None:
    """JSON sent as text in a parameter: no spaces, UTF-8 kept (the APIs' size limits count bytes, and
    ``\\u`` escapes would double them)."""
    assert (
        compact_json({"Name": "缩略图", "Count": 2, "Ext": [1, 2]})
        == '{"Count":2,"Ext":[1,2],"Name":"缩略图"}'
    )


def test_json_text_is_the_same_whatever_order_the_engine_hands_the_keys_in() -> None:
    """The engine's protobuf objects come with their keys in a different order on every run: the text
    sent must not follow that order, at any depth."""
    first = {
        "MessageCallback": {"CallbackURL": "http://127.0.0.1/"},
        "Extend": {"b": 1, "a": [{"y": 1, "x": 2}]},
    }
    second = {
        "Extend": {"a": [{"x": 2, "y": 1}], "b": 1},
        "MessageCallback": {"CallbackURL": "http://127.0.0.1/"},
    }
    assert compact_json(first) == compact_json(second)


def test_whole_numbers_pulumi_sends_as_doubles_become_integers_at_every_depth() -> None:
    """``3.0`` is not a valid ``Count``: whole floats become ints in nested objects and lists too."""
    converted = json_numbers({"Count": 3.0, "Frames": [{"At": 2.0}, 1.5], "Name": "x"})
    assert converted == {"Count": 3, "Frames": [{"At": 2}, 1.5], "Name": "x"}
    assert [type(converted["Count"]), type(converted["Frames"][0]["At"])] == [int, int]


def test_a_value_not_allowed_is_refused_listing_the_allowed_ones() -> None:
    """The message names the value given and every allowed one, as the user can copy them."""
    with pytest.raises(ValueError, match=r"^'gpt' is not supported; allowed values: llama_7b_fp16, qwen_7b$"):
        choice("gpt", ("llama_7b_fp16", "qwen_7b"))


def test_a_missing_region_says_every_way_to_give_one() -> None:
    """The input, the stack config key and the environment variable."""
    assert region_problem(None) == (
        "region is required: set the region input, `pulumi config set alicloud:region <region>`, "
        "or ALIBABA_CLOUD_REGION_ID"
    )
