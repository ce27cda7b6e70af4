"""The target rules on their own: when a recorded target and the current one are the same place."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.resources._target import Target, compare, confirmed, infer

CLOUD = Target("cloud", "cn-shanghai", "1111", None)
EMULATOR = Target("emulator", "cn-shanghai", "7777", "http://127.0.0.1:8123", "emu-aaaa")


@pytest.mark.parametrize(
    ("recorded", "current", "words"),
    [
        (CLOUD, EMULATOR, "cloud and the other an emulator"),
        (EMULATOR, CLOUD, "cloud and the other an emulator"),
        (CLOUD, Target("cloud", "cn-shanghai", "2222", None), "accounts differ"),
        (
            EMULATOR,
            Target("emulator", "cn-shanghai", "7777", "http://127.0.0.1:8123", "emu-bbbb"),
            "different emulator instances",
        ),
        (
            EMULATOR,
            Target("emulator", "cn-shanghai", "8888", "http://127.0.0.1:8123", "emu-aaaa"),
            "accounts differ",
        ),
        (CLOUD, Target("cloud", "cn-shanghai", "1111", "http://127.0.0.1:9"), "on this machine"),
        (
            Target("cloud", "cn-shanghai", None, None),
            Target("cloud", "cn-shanghai", None, "https://proxy.example.com"),
            "endpoints differ",
        ),
    ],
    ids=[
        "cloud-to-emulator",
        "emulator-to-cloud",
        "other-account",
        "wiped-emulator",
        "emulator-account",
        "cloud-to-local",
        "unknown-account-other-host",
    ],
)
def test_a_different_place_is_a_mismatch_with_a_reason(recorded: Target, current: Target, words: str) -> None:
    """Each way of pointing somewhere else is refused, and the reason says which way."""
    reason = compare(recorded, current)
    assert reason is not None
    assert words in reason


@pytest.mark.parametrize(
    ("recorded", "current"),
    [
        (CLOUD, Target("cloud", "cn-shanghai", "1111", "https://pai-eas-vpc.cn-shanghai.aliyuncs.com")),
        (EMULATOR, Target("emulator", "cn-shanghai", "7777", "http://127.0.0.1:9999", "emu-aaaa")),
        (Target("cloud", "cn-shanghai", None, None), Target("cloud", "cn-shanghai", "1111", None)),
    ],
    ids=["same-account-private-endpoint", "restarted-emulator-new-port", "account-learnt-later"],
)
def test_the_same_place_reached_another_way_matches(recorded: Target, current: Target) -> None:
    """The same account through a VPC endpoint, or the same emulator on a new port, is the same target."""
    assert compare(recorded, current) is None


def test_a_match_is_confirmed_only_when_the_account_or_instance_is_known() -> None:
    """A NotFound proves "gone" only when the current side could tell the account (or instance)."""
    assert confirmed(CLOUD, CLOUD)
    assert not confirmed(CLOUD, Target("cloud", "cn-shanghai", None, None))
    assert confirmed(EMULATOR, EMULATOR)


@pytest.mark.parametrize(
    ("captured", "kind", "endpoint"),
    [
        ({"endpoint": "http://127.0.0.1:8123"}, "emulator", "http://127.0.0.1:8123"),
        ({"mode": "emulator"}, "emulator", None),
        ({"endpoint": "https://proxy.example.com"}, "cloud", "https://proxy.example.com"),
        ({"mode": "cloud", "endpoint": "http://127.0.0.1:8123"}, "cloud", "http://127.0.0.1:8123"),
    ],
)
def test_old_state_is_placed_by_what_its_program_recorded(
    captured: dict[str, str], kind: str, endpoint: str | None
) -> None:
    """Without a recorded target, the program's recorded endpoint and mode say where it was made."""
    inferred = infer(captured, Target("cloud", "cn-shanghai", "1111", None))
    assert (inferred.kind, inferred.endpoint) == (kind, endpoint)


def test_state_round_trip_keeps_every_field_and_drops_junk() -> None:
    """to_state/from_state keep a target; anything else in _target reads as no target."""
    assert Target.from_state(EMULATOR.to_state()) == EMULATOR
    assert Target.from_state(CLOUD.to_state()) == CLOUD
    assert Target.from_state({"kind": "mainframe"}) is None
    assert Target.from_state("cloud") is None
