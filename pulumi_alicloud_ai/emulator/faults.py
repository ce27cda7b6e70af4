"""Fault injection: rules, written as data, that turn matching calls into errors, delays or throttling.

A rule names a product (``eas``, ``vod``, ``ros`` or ``*``), an action and a region (``*`` for any),
then what happens: an error (code + HTTP status; answered before the call is handled, or with phase
``response`` after it took effect), a latency, a request-rate limit shared by all callers, or an
``effect`` on the entity the call makes. Rules are tried in the order they were added: latencies add up,
the first error answers the call, the first effect applies.

``probability`` draws from one seeded random source, so a run with the same seed and the same calls
fails the same way. ``count`` is how many more times a rule may fire: each error answered, latency added
or effect applied uses one (a failed probability draw, or an effect or response-phase error shadowed by
an earlier one, does not fire and uses none). At 0 the rule is retired: it stays listed, and never fires
until it is removed. A rate limit throttles whenever it matches; its ``count`` is not used up, and ``0``
switches it off. No ``count``: no limit. Rules come from ``--faults FILE.json`` or the admin API and are
stored (with their remaining counts), so they survive a restart. Every number in a rule is finite and
bounded, and a stored rule that is no longer valid is skipped (with a warning) when the emulator starts.

Example rule: ``{"action": "CreateAppService", "count": 2, "error": {"code": "Throttling.User"}}``.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.store import Store

log = logging.getLogger("pulumi_alicloud_ai.emulator")

PRODUCTS = ("*", "eas", "vod", "ros", "sts")
"""What a rule's ``product`` may name: every product the emulator serves, or ``*``."""


class FaultError(BaseModel):
    """The error a rule answers with."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    code: str = Field("InternalError", min_length=1, max_length=128)
    status: int = Field(500, ge=400, le=599)
    message: str = Field(
        "The request processing has failed due to some unknown error (injected fault).", max_length=2048
    )
    retry_after_ms: int | None = Field(None, ge=1, le=3_600_000)
    phase: Literal["request", "response"] = "request"
    """``request``: refused before the service acts; ``response``: the call is handled and committed,
    then answered with this error (an ambiguous failure: the client cannot tell the call took effect)."""


class FaultRule(BaseModel):
    """One injected behaviour; exactly one of ``error``, ``latency_ms``, ``rate_limit`` or ``effect``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], min_length=1, max_length=64)
    product: str = "*"
    action: str = Field("*", max_length=128)
    region: str = Field("*", max_length=128)
    probability: float = Field(1.0, ge=0.0, le=1.0)
    count: int | None = Field(None, ge=0, le=1_000_000_000)
    error: FaultError | None = None
    latency_ms: int | None = Field(None, ge=0, le=60_000)
    latency_phase: Literal["request", "response"] = "request"
    """``request``: wait before the call is handled; ``response``: handle and commit it, then wait
    before answering (a client that gives up meanwhile never learns the call succeeded)."""
    rate_limit: float | None = Field(None, gt=0, le=1_000_000)
    """Requests per second allowed across all matching callers; the excess gets ``Throttling.User``."""
    effect: Literal["fail"] | None = None
    """A service-level effect: ``fail`` makes the entity the call creates or changes end in its
    failed state (EAS ``Failed``, VOD ``fail``, ROS ``FAILURE``) with the rule's message."""
    message: str | None = Field(None, max_length=2048)
    code: str | None = Field(None, max_length=128)
    """With ``effect: fail``, the error code the failed entity reports (each service has a default)."""

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str) -> str:
        if value not in PRODUCTS:
            raise ValueError(f"product must be one of {', '.join(PRODUCTS)}")
        return value

    @model_validator(mode="after")
    def _one_behaviour(self) -> FaultRule:
        given = [
            name
            for name in ("error", "latency_ms", "rate_limit", "effect")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError("a fault rule needs exactly one of error, latency_ms, rate_limit, effect")
        return self

    def matches(self, product: str, action: str, region: str) -> bool:
        """Whether the rule applies to a call."""
        return (
            self.product in ("*", product)
            and self.action in ("*", action)
            and self.region in ("*", region)
            and self.count != 0
        )


@dataclass
class Outcome:
    """What the rules decided for one call."""

    latency: float = 0.0
    response_latency: float = 0.0
    error: ApiError | None = None
    response_error: ApiError | None = None
    """Answered instead of the result, after the call was handled (``error.phase: response``)."""
    effect: FaultRule | None = None


_NO_FAULT = Outcome()
"""What no rule decides (shared: an outcome is only read once decided)."""


class _Bucket:
    """A token bucket per rate-limit rule, measured in wall time."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.last = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Faults:
    """The active rules, their seeded random source and rate buckets."""

    def __init__(self, store: Store, *, seed: int = 0) -> None:
        self._store = store
        self._random = random.Random(seed)  # noqa: S311 - repeatability, not secrecy
        self._rules = _valid_rules(store)
        self._buckets: dict[str, _Bucket] = {}

    @property
    def rules(self) -> list[FaultRule]:
        """The rules in the order they are tried."""
        return list(self._rules)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add (or replace, by id) a rule."""
        self._rules = [existing for existing in self._rules if existing.id != rule.id] + [rule]
        with self._store.transaction():
            self._store.save_fault_rule(rule.model_dump(exclude_none=True))
        return rule

    def remove(self, rule_id: str | None = None) -> int:
        """Remove one rule, or all of them."""
        before = len(self._rules)
        self._rules = [] if rule_id is None else [r for r in self._rules if r.id != rule_id]
        self._buckets = {key: b for key, b in self._buckets.items() if any(r.id == key for r in self._rules)}
        with self._store.transaction():
            self._store.delete_fault_rule(rule_id)
        return before - len(self._rules)

    def delay(self) -> bool:
        """Whether any rule holds calls back (a latency): such calls cannot be answered at once."""
        return bool(self._rules) and any(rule.latency_ms is not None for rule in self._rules)

    def reseed(self, seed: int) -> None:
        """Restart the random source, so the next draws repeat a run."""
        self._random.seed(seed)

    def decide(self, product: str, action: str, region: str, wall_now: float) -> Outcome:
        """Apply the matching rules in order: latencies add up; the first error or effect wins."""
        if not self._rules:
            return _NO_FAULT
        outcome = Outcome()
        for rule in self._rules:
            if not rule.matches(product, action, region):
                continue
            if rule.rate_limit is not None:
                bucket = self._buckets.setdefault(rule.id, _Bucket(rule.rate_limit, wall_now))
                if not bucket.take(wall_now):
                    outcome.error = ApiError(
                        "Throttling.User", "Request was denied due to user flow control.", 400
                    )
                    return outcome
                continue
            if rule.probability < 1.0 and self._random.random() >= rule.probability:
                continue
            if _shadowed(rule, outcome):
                continue  # an earlier rule of its kind applies; this one does not fire
            self._spend(rule)
            if rule.latency_ms is not None and rule.latency_phase == "response":
                outcome.response_latency += rule.latency_ms / 1000.0
            elif rule.latency_ms is not None:
                outcome.latency += rule.latency_ms / 1000.0
            elif rule.error is not None:
                headers = (
                    {"x-acs-retry-after": str(rule.error.retry_after_ms)} if rule.error.retry_after_ms else {}
                )
                error = ApiError(rule.error.code, rule.error.message, rule.error.status, headers)
                if rule.error.phase == "response":
                    outcome.response_error = outcome.response_error or error
                    continue
                outcome.error = error
                return outcome
            elif rule.effect is not None:
                outcome.effect = rule
        return outcome

    def _spend(self, rule: FaultRule) -> None:
        if rule.count is None:
            return
        rule.count -= 1
        with self._store.transaction():
            self._store.save_fault_rule(rule.model_dump(exclude_none=True))


def _shadowed(rule: FaultRule, outcome: Outcome) -> bool:
    """Whether an earlier rule already decided what ``rule`` would: an effect, or a response-phase error."""
    if rule.effect is not None:
        return outcome.effect is not None
    return rule.error is not None and rule.error.phase == "response" and outcome.response_error is not None


def _valid_rules(store: Store) -> list[FaultRule]:
    """The stored rules that are still valid; others (written by an older release, or edited) are
    skipped with a warning, so a bad row never stops the emulator from starting."""
    rules = []
    for stored in store.fault_rules():
        try:
            rules.append(FaultRule.model_validate(stored))
        except ValidationError as exc:
            log.warning("skipping a stored fault rule that is not valid: %s", exc)
    return rules


def load_rules_file(data: Any) -> list[FaultRule]:
    """Rules from the JSON of ``--faults``: a list of rules, or ``{"rules": [...]}``."""
    items = data.get("rules", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TypeError('a faults file holds a JSON list of rules or {"rules": [...]}')
    return [FaultRule.model_validate(item) for item in items]
