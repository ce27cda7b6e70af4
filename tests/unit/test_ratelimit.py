"""AdaptiveRateLimiter: no limit until throttled, one decrease per congestion event, CUBIC growth.

Time is a fake clock that ``sleep`` advances, so nothing here really waits. Requests in flight at once
are played by single-thread executors: the limiter matches an answer to its request by thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_alicloud_ai.client.ratelimit import AdaptiveRateLimiter, shared_limiter
from tests.fake_time import FakeTime


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def limiter(fake: FakeTime, **kwargs: float) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(clock=fake.clock, sleep=fake.sleep, **kwargs)


@pytest.fixture
def requests() -> Iterator[list[ThreadPoolExecutor]]:
    """Three "requests in flight", each a thread of its own."""
    pools = [ThreadPoolExecutor(1) for _ in range(3)]
    yield pools
    for pool in pools:
        pool.shutdown()


def send(rl: AdaptiveRateLimiter, fake: FakeTime, *, throttled: bool, latency: float = 0.01) -> None:
    rl.acquire()
    fake.now += latency
    rl.record(throttled=throttled)


def test_a_caller_alone_never_waits(fake: FakeTime) -> None:
    """Without throttling the limiter neither limits nor sleeps."""
    rl = limiter(fake)
    for _ in range(1000):
        send(rl, fake, throttled=False, latency=0.001)
    assert rl.rate is None
    assert fake.slept == []


def test_first_throttle_starts_from_what_the_service_accepted(fake: FakeTime) -> None:
    """The first throttle sets beta times the accepted requests of the last window per second."""
    rl = limiter(fake, beta=0.7, window=1.0)
    for _ in range(10):
        send(rl, fake, throttled=False, latency=0.05)  # 10 accepted within 0.5 s
    send(rl, fake, throttled=True)
    assert rl.rate == pytest.approx(7.0)


def test_throttles_of_requests_already_in_flight_decrease_once(
    fake: FakeTime, requests: list[ThreadPoolExecutor]
) -> None:
    """Three requests sent together and all throttled cut the rate once; a later one cuts it again."""
    rl = limiter(fake, beta=0.5)
    for _ in range(8):
        send(rl, fake, throttled=False, latency=0.1)
    for pool in requests:
        pool.submit(rl.acquire).result()
    fake.now += 0.01
    for pool in requests:
        pool.submit(rl.record, throttled=True).result()
    assert rl.rate == pytest.approx(4.0)  # 8 accepted in the window, halved once, not three times
    requests[0].submit(rl.acquire).result()  # sent after the decrease: a new event
    requests[0].submit(rl.record, throttled=True).result()
    assert rl.rate == pytest.approx(2.0)


def test_after_a_decrease_sends_are_paced_from_an_empty_bucket(fake: FakeTime) -> None:
    """The first send after a throttle waits one interval; then sends keep to the rate."""
    rl = limiter(fake, beta=0.5)
    for _ in range(8):
        send(rl, fake, throttled=False, latency=0.1)
    send(rl, fake, throttled=True, latency=0.0)
    assert rl.rate == pytest.approx(4.0)
    started = fake.now
    for _ in range(8):
        rl.acquire()
    assert fake.slept[0] == pytest.approx(0.25)
    assert fake.now - started == pytest.approx(2.0)  # 8 sends at 4/s, none before the first interval


def test_rate_never_falls_below_the_floor(fake: FakeTime) -> None:
    """Throttle after throttle, the rate stops at min_rate."""
    rl = limiter(fake, min_rate=0.5)
    for _ in range(30):
        send(rl, fake, throttled=True)
    assert rl.rate == pytest.approx(0.5)


def test_growth_follows_the_cubic_curve(fake: FakeTime) -> None:
    """Back at w_max after k seconds, then c*(t-k)**3 above it while the rate is in use."""
    rl = limiter(fake, beta=0.7, scale=0.4)
    for _ in range(10):
        send(rl, fake, throttled=False, latency=0.05)
    send(rl, fake, throttled=True, latency=0.0)  # w_max = 10
    decreased = fake.now
    k = (10 * 0.3 / 0.4) ** (1 / 3)
    rates = {}
    while fake.now < decreased + k + 2:
        rl.acquire()  # paced by the limiter: the rate is fully in use
        rl.record(throttled=False)
        for mark in (k / 2, k, k + 1, k + 2):
            if mark not in rates and fake.now - decreased >= mark:
                rates[mark] = rl.rate
    assert 7 < rates[k / 2] < 10  # concave: most of the way back
    assert rates[k] == pytest.approx(10, abs=0.3)
    assert rates[k + 1] == pytest.approx(10.4, abs=0.3)
    assert rates[k + 2] == pytest.approx(13.2, abs=0.5)  # convex: the quota may have room again


def test_an_unused_rate_does_not_grow(fake: FakeTime) -> None:
    """Sending far below the rate, it grows no further than twice what was accepted in the window."""
    rl = limiter(fake, beta=0.5)
    for _ in range(8):
        send(rl, fake, throttled=False, latency=0.1)
    send(rl, fake, throttled=True)  # rate 4
    for _ in range(60):  # one request every 2 s for two minutes
        fake.now += 2.0
        send(rl, fake, throttled=False)
    assert rl.rate == pytest.approx(4.0)


def test_retry_after_holds_sends_back(fake: FakeTime) -> None:
    """A throttle that says retry after 2 s delays the next send by 2 s plus the interval."""
    rl = limiter(fake, beta=0.5)
    for _ in range(8):
        send(rl, fake, throttled=False, latency=0.1)
    rl.acquire()
    rl.record(throttled=True, retry_after=2.0)
    started = fake.now
    rl.acquire()
    assert fake.now - started == pytest.approx(2.25)


def test_memory_stays_bounded(fake: FakeTime) -> None:
    """Only the last window of accepted answers is kept, however many calls a process makes."""
    rl = limiter(fake, window=1.0)
    for _ in range(20_000):
        send(rl, fake, throttled=False, latency=0.001)
    assert len(rl._accepted) <= 1001


def test_one_caller_uses_a_throttled_quota_fully(fake: FakeTime) -> None:
    """Against a 20 req/s token bucket (burst 20), one sequential caller gets >= 90 % of the quota
    and most of its requests are not throttled."""
    rl = limiter(fake)
    tokens, last = 20.0, fake.now
    accepted = throttled = 0
    start = fake.now
    while fake.now < start + 60:
        rl.acquire()
        fake.now += 0.005
        tokens = min(20.0, tokens + (fake.now - last) * 20.0)
        last = fake.now
        ok = tokens >= 1.0
        if ok:
            tokens -= 1.0
            accepted += 1
        else:
            throttled += 1
        rl.record(throttled=not ok)
        fake.now += 0.005
    assert accepted / (60 * 20 + 20) >= 0.9
    assert throttled / (accepted + throttled) < 0.2


def test_shared_limiter_is_one_per_endpoint() -> None:
    """Every client of a process that talks to one endpoint shares one limiter."""
    first = shared_limiter("http://127.0.0.1:1|eas.cn-shanghai.aliyuncs.com")
    assert shared_limiter("http://127.0.0.1:1|eas.cn-shanghai.aliyuncs.com") is first
    assert shared_limiter("http://127.0.0.1:1|vod.cn-shanghai.aliyuncs.com") is not first
