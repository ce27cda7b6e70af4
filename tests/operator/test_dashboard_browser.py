"""The dashboard end to end in headless Chromium: watch a service come up, inject a fault from the page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client
from tests.operator import browser
from tests.operator.scenario import PLANTED_CALLBACK_TOKEN, admin, create_service, populate

MISSING = browser.missing()
# Locally a missing browser skips these tests with the reason; in CI (CI=true) it is a failure, so a
# broken Chromium install can never turn the browser tests into silent skips.
IN_CI = bool(os.environ.get("CI"))
pytestmark = pytest.mark.skipif(MISSING is not None and not IN_CI, reason=str(MISSING))


def test_the_browser_is_available() -> None:
    """Chromium and Playwright are installed (./scripts/test installs Chromium as root)."""
    assert MISSING is None, MISSING


@pytest.fixture
def emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of the test's own (the test moves its clock and adds fault rules)."""
    return emulators.start()


@pytest.fixture
def page() -> Iterator[Any]:
    """A page in headless system Chromium."""
    with browser.browser_page() as opened:
        yield opened


def _row(page: Any, name: str) -> Any:
    return page.locator(f'tr.entity[data-name="{name}"]')


def test_service_appears_turns_running_and_a_fault_from_the_page_fails_the_next_call(
    emulator: RunningEmulator, page: Any
) -> None:
    """An SDK-made service shows up Creating, turns Running when the page moves the clock, and a fault
    rule added on the page makes the next SDK call fail; the failure shows on the page."""
    from playwright.sync_api import expect
    from Tea.exceptions import TeaException

    page.goto(f"{emulator.url}/_emulator/ui")
    expect(page.locator("#group-eas-service .empty")).to_be_visible()

    create_service(emulator, "watched_llm", replicas=2)
    expect(_row(page, "watched_llm")).to_have_attribute("data-status", "Creating")

    page.fill("#clock-seconds", "31")
    page.click("#clock-advance")
    expect(_row(page, "watched_llm")).to_have_attribute("data-status", "Running")
    expect(page.locator("#notice")).to_have_text("Clock advanced by 31 s.")

    page.select_option("#fault-product", "eas")
    page.fill("#fault-action", "DescribeService")
    page.select_option("#fault-kind", "error")
    page.fill("#fault-code", "ServiceUnavailable")
    page.fill("#fault-status", "503")
    page.fill("#fault-count", "1")
    page.click("#fault-add")
    rule = page.locator("tr.fault", has_text="DescribeService")
    expect(rule).to_contain_text("error ServiceUnavailable (HTTP 503)")

    sdk = eas_client(emulator)
    with pytest.raises(TeaException) as failure:
        sdk.describe_service("cn-shanghai", "watched_llm")
    assert failure.value.code == "ServiceUnavailable"
    assert sdk.describe_service("cn-shanghai", "watched_llm").body.status == "Running"  # count was 1

    last_requests = page.locator('tr.request[data-request-id="' + failure.value.data["RequestId"] + '"]')
    expect(last_requests.first).to_contain_text("ServiceUnavailable")
    expect(rule).to_have_class("fault retired")

    rule.locator(".remove-fault").click()
    expect(page.locator("tr.fault")).to_have_count(0)
    assert admin(emulator, "GET", "/faults") == {"rules": []}


def test_page_in_the_browser_never_shows_a_planted_secret(emulator: RunningEmulator, page: Any) -> None:
    """With tokens planted (service AccessTokens, a callback URL token), the rendered page holds none."""
    from playwright.sync_api import expect

    scene = populate(emulator)
    page.goto(f"{emulator.url}/_emulator/ui")
    page.locator("details").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")
    expect(_row(page, scene.running_service)).to_have_attribute("data-status", "Running")
    html = page.content()
    for secret in [*scene.access_tokens, PLANTED_CALLBACK_TOKEN]:
        assert secret not in html
    assert "••••••" in html
