"""Fault rules: seeded repeatability, counts, rate limits, matching."""

from __future__ import annotations

import threading

import httpx
import pytest
from alibabacloud_eas20210701 import models as eas
from pydantic import ValidationError
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.faults import FaultRule, Faults
from pulumi_alicloud_ai.emulator.store import Store
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client
from tests.processes import wait_until
from tests.signed_requests import signed_eas_create


def _draws(seed: int, calls: int = 40) -> list[bool]:
    faults = Faults(Store(None), seed=seed)
    faults.add(FaultRule(probability=0.3, error={"code": "Throttling.User", "status": 400}))
    return [
        faults.decide("eas", "DescribeService", "cn-shanghai", 0.0).error is not None for _ in range(calls)
    ]


def test_same_seed_same_failures() -> None:
    """Two runs with one seed fail on exactly the same calls; another seed differs."""
    assert _draws(7) == _draws(7)
    assert _draws(7) != _draws(8)
    assert 0 < sum(_draws(7)) < 40


def test_count_retires_a_rule() -> None:
    """A rule with count 2 fires twice, then never again (and the count is stored)."""
    store = Store(None)
    faults = Faults(store)
    faults.add(FaultRule(action="CreateAppService", count=2, error={"code": "InternalError", "status": 500}))
    outcomes = [faults.decide("eas", "CreateAppService", "r", 0.0).error for _ in range(3)]
    assert [o.code if o else None for o in outcomes] == ["InternalError", "InternalError", None]
    assert store.fault_rules()[0]["count"] == 0


def test_rules_match_product_action_and_region() -> None:
    """A rule only fires for its product, action and region."""
    faults = Faults(Store(None))
    faults.add(
        FaultRule(
            product="vod", action="SubmitAIImageJob", region="cn-beijing", error={"code": "X", "status": 400}
        )
    )
    assert faults.decide("vod", "SubmitAIImageJob", "cn-beijing", 0.0).error is not None
    assert faults.decide("vod", "SubmitAIImageJob", "cn-shanghai", 0.0).error is None
    assert faults.decide("eas", "SubmitAIImageJob", "cn-beijing", 0.0).error is None
    assert faults.decide("vod", "GetAIImageJobs", "cn-beijing", 0.0).error is None


def test_rate_limit_throttles_the_excess_per_second() -> None:
    """A 5 req/s limit lets 5 calls through in a second and throttles the sixth; time refills it."""
    faults = Faults(Store(None))
    faults.add(FaultRule(rate_limit=5))
    results = [faults.decide("eas", "A", "r", 100.0).error for _ in range(6)]
    assert [r is None for r in results] == [True] * 5 + [False]
    assert results[5] is not None and results[5].code == "Throttling.User"
    assert faults.decide("eas", "A", "r", 100.2).error is None


def test_latencies_add_and_retry_after_is_sent() -> None:
    """Latency rules add up; an error rule with retry_after_ms sets x-acs-retry-after."""
    faults = Faults(Store(None))
    faults.add(FaultRule(latency_ms=20))
    faults.add(FaultRule(latency_ms=30))
    faults.add(FaultRule(error={"code": "Throttling.Api", "status": 400, "retry_after_ms": 1500}))
    outcome = faults.decide("ros", "GetAITask", "r", 0.0)
    assert outcome.latency == 0.05
    assert outcome.error is not None and outcome.error.headers == {"x-acs-retry-after": "1500"}


def test_rules_survive_a_reopen(tmp_path) -> None:
    """Rules are stored: a new Faults over the same database sees them."""
    store = Store(tmp_path / "db.sqlite3")
    Faults(store).add(FaultRule(id="keep", latency_ms=1))
    store.close()
    assert [r.id for r in Faults(Store(tmp_path / "db.sqlite3")).rules] == ["keep"]


def test_response_phase_error_is_answered_after_the_call_took_effect(fresh_emulator: RunningEmulator) -> None:
    """An error rule with phase ``response`` commits the call, then answers with the error."""
    rule = {
        "product": "eas",
        "action": "CreateAppService",
        "count": 1,
        "error": {"code": "InternalError", "status": 500, "phase": "response"},
    }
    httpx.post(f"{fresh_emulator.url}/_emulator/faults", json=rule).raise_for_status()
    sdk = eas_client(fresh_emulator)
    request = eas.CreateAppServiceRequest(
        service_name="acted", app_type="LLM", service_spec="llama_7b_fp16", replicas=1
    )
    with pytest.raises(TeaException) as info:
        sdk.create_app_service(request)
    assert (info.value.code, info.value.statusCode) == ("InternalError", 500)
    assert sdk.describe_service("cn-shanghai", "acted").body.service_name == "acted"


@pytest.mark.parametrize("phase", ["request", "response"])
def test_stopping_the_emulator_sends_an_answer_held_by_latency(
    emulators: EmulatorFactory, phase: str
) -> None:
    """A call held by a 60 s latency is answered as soon as the emulator stops, rather than cancelled
    when the server's graceful shutdown gives up on it (which left the caller without an answer)."""
    emulator = emulators.start(time_scale=0)
    admin = f"{emulator.url}/_emulator/faults"
    rule = {"action": "CreateAppService", "count": 1, "latency_ms": 60_000, "latency_phase": phase}
    httpx.post(admin, json=rule).raise_for_status()
    body = b'{"AppType":"LLM","Replicas":1,"ServiceName":"held","ServiceSpec":"llama_7b_fp16"}'
    answers: list[httpx.Response | Exception] = []

    def call() -> None:
        try:
            with httpx.Client(timeout=30) as client:
                answers.append(client.send(signed_eas_create(emulator.url, body)))
        except httpx.HTTPError as exc:
            answers.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    try:
        wait_until(lambda: httpx.get(admin).json()["rules"][0]["count"] == 0, what="the call to be held")
        emulators.stop(emulator)
    finally:
        caller.join(timeout=60)
    assert len(answers) == 1
    answer = answers[0]
    assert isinstance(answer, httpx.Response), f"no answer: {answer!r}"
    assert answer.status_code == 200, answer.text
    assert '"ServiceName":"held"' in answer.text, answer.text


def test_a_rule_names_a_product_the_emulator_serves() -> None:
    """``product`` is ``*``, eas, vod, ros or sts: a rule for another product could never fire."""
    with pytest.raises(ValidationError, match=r"one of \*, eas, vod, ros, sts"):
        FaultRule(product="oss", error={"code": "X", "status": 500})


def test_a_stored_rule_that_no_longer_validates_is_dropped() -> None:
    """A database holding a rule that no longer validates still starts; that rule is left out, the
    others kept."""
    store = Store(None)
    store.save_fault_rule({"id": "old", "product": "oss", "error": {"code": "X", "status": 500}})
    store.save_fault_rule({"id": "kept", "product": "eas", "error": {"code": "Y", "status": 500}})
    faults = Faults(store)
    assert [rule.id for rule in faults.rules] == ["kept"]


def test_an_effect_shadowed_by_an_earlier_one_keeps_its_count() -> None:
    """Two matching ``fail`` effects: the first applies and is used up; the second is untouched."""
    faults = Faults(Store(None))
    first = faults.add(FaultRule(action="CreateAppService", count=1, effect="fail", message="first"))
    second = faults.add(FaultRule(action="CreateAppService", count=1, effect="fail", message="second"))
    assert faults.decide("eas", "CreateAppService", "r", 0.0).effect is first
    assert faults.decide("eas", "CreateAppService", "r", 0.0).effect is second
    assert faults.decide("eas", "CreateAppService", "r", 0.0).effect is None


def test_a_rate_limit_keeps_its_count_and_zero_switches_it_off() -> None:
    """Throttling does not use a rate limit's count up; a count of 0 makes it never match."""
    faults = Faults(Store(None))
    limit = faults.add(FaultRule(rate_limit=1.0, count=2))
    decisions = [faults.decide("eas", "DescribeService", "r", 0.0).error for _ in range(4)]
    assert [error is not None for error in decisions] == [False, True, True, True]
    assert limit.count == 2
    off = Faults(Store(None))
    off.add(FaultRule(rate_limit=1.0, count=0))
    assert all(off.decide("eas", "DescribeService", "r", 0.0).error is None for _ in range(4))


def test_a_second_response_phase_error_keeps_its_count() -> None:
    """Only the first response-phase error answers; a later one matching the same call is not used up."""
    faults = Faults(Store(None))
    late = {"code": "InternalError", "status": 500, "phase": "response"}
    faults.add(FaultRule(action="CreateAppService", count=1, error=late))
    second = faults.add(FaultRule(action="CreateAppService", count=1, error={**late, "code": "Second"}))
    assert faults.decide("eas", "CreateAppService", "r", 0.0).response_error.code == "InternalError"  # type: ignore[union-attr]
    assert second.count == 1
    assert faults.decide("eas", "CreateAppService", "r", 0.0).response_error.code == "Second"  # type: ignore[union-attr]
