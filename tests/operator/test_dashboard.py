"""The dashboard's routes without a browser: what the page and its JSON feed hold, and what they never do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.recorder import REQUEST_LOG_SIZE
from pulumi_alicloud_ai.emulator.ui.snapshot import mask, mask_text
from tests.conftest import EmulatorFactory
from tests.official_sdk import eas_client
from tests.operator.scenario import PLANTED_CALLBACK_TOKEN, Scene, admin, create_service, populate


@pytest.fixture
def emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of the test's own."""
    return emulators.start()


@pytest.fixture
def scene(emulator: RunningEmulator) -> Scene:
    """The emulator filled with every kind of entity, tokens planted."""
    return populate(emulator)


def _feed(emulator: RunningEmulator) -> dict[str, Any]:
    response = httpx.get(f"{emulator.url}/_emulator/ui/feed")
    response.raise_for_status()
    feed: dict[str, Any] = response.json()
    return feed


def _group(feed: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return next(group["entities"] for group in feed["groups"] if group["key"] == key)


def test_feed_lists_every_kind_with_state_history_and_requests(
    emulator: RunningEmulator, scene: Scene
) -> None:
    """Services, templates, videos, jobs and tasks are all there, each with its history and requests."""
    feed = _feed(emulator)
    services = {entity["name"]: entity for entity in _group(feed, "eas-service")}
    assert services[scene.running_service]["status"] == "Running"
    assert services[scene.creating_service]["status"] == "Creating"
    assert services[scene.creating_service]["next"]["to"] == "Running"
    assert services[scene.failed_service]["status"] == "Failed"
    reasons = [event["reason"] for event in services[scene.failed_service]["events"]]
    assert reasons == ["Created", "ServiceFailed"]
    actions = [request["action"] for request in services[scene.running_service]["requests"]]
    assert actions == ["CreateAppService", "DescribeService", "DescribeService"]
    request = services[scene.running_service]["requests"][0]
    assert request["status"] == 200
    assert len(request["requestId"]) == 36
    assert request["ms"] >= 0
    assert [job["id"] for job in _group(feed, "vod-aiimagejob")] == [scene.job_id]
    assert [task["id"] for task in _group(feed, "ros-ai_task")] == [scene.task_id]
    assert _group(feed, "vod-aitemplate")[0]["name"] == "thumbnails"
    assert _group(feed, "vod-video")[0]["name"] == "launch-keynote"
    assert {rule["action"] for rule in feed["faults"]} == {"CreateAppService", "DescribeService"}


def test_page_and_feed_never_show_a_planted_secret(emulator: RunningEmulator, scene: Scene) -> None:
    """Service AccessTokens, a callback URL token and STS credentials never reach the page or feed."""
    sts = admin(emulator, "POST", "/sts", {"DurationSeconds": 900})["Credentials"]
    sdk = eas_client(
        emulator, key=sts["AccessKeyId"], secret=sts["AccessKeySecret"], token=sts["SecurityToken"]
    )
    admin(emulator, "DELETE", "/faults")
    sdk.describe_service("cn-shanghai", scene.running_service)
    admin(emulator, "POST", "/clock", {"seconds": 600})  # the job ends; its callback fails (and says where)
    secrets = [*scene.access_tokens, PLANTED_CALLBACK_TOKEN, sts["AccessKeySecret"], sts["SecurityToken"]]
    for path in ("/_emulator/ui", "/_emulator/ui/live", "/_emulator/ui/feed"):
        text = httpx.get(emulator.url + path).text
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{path} shows {leaked}"
    job = _group(_feed(emulator), "vod-aiimagejob")[0]
    assert "token=••••••" in job["details"]["user_data"]


def test_looking_at_the_page_moves_nothing(emulator: RunningEmulator) -> None:
    """The page projects states from the clock but writes nothing: the store still holds what it held."""
    create_service(emulator, "looked_at")
    admin(emulator, "POST", "/clock", {"seconds": 31})
    service = next(s for s in _group(_feed(emulator), "eas-service") if s["name"] == "looked_at")
    assert service["status"] == "Running"
    assert [event["reason"] for event in service["events"]] == ["Created", "ServiceCreated"]
    stored = emulator.state.store.find_by_name("eas", "service", "cn-shanghai", "looked_at")
    assert stored is not None
    assert stored.status == "Creating"


def test_failed_calls_are_listed_with_their_error_code(emulator: RunningEmulator) -> None:
    """A call that failed shows its action, HTTP status, error code and RequestId among recent requests."""
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as failure:
        eas_client(emulator).describe_service("cn-shanghai", "no_such_service")
    recent = _feed(emulator)["requests"][0]
    assert recent["action"] == "DescribeService"
    assert recent["status"] == 404
    assert recent["code"] == failure.value.code
    assert recent["requestId"] == failure.value.data["RequestId"]
    assert recent["subjects"] == ["no_such_service"]


def test_request_log_is_bounded(emulator: RunningEmulator) -> None:
    """The in-memory request log keeps the newest requests only."""
    assert emulator.state.requests.maxlen == REQUEST_LOG_SIZE


def test_page_is_html_with_forms_and_the_live_fragment(emulator: RunningEmulator) -> None:
    """``/_emulator/ui`` is one self-contained HTML page; it is not cached."""
    response = httpx.get(f"{emulator.url}/_emulator/ui")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    for marker in ('id="clock-form"', 'id="fault-form"', 'id="live"', "No EAS services yet."):
        assert marker in response.text


def test_signed_requests_are_refused_and_a_remote_emulator_needs_the_token(
    emulators: EmulatorFactory,
) -> None:
    """The admin guard covers the dashboard: Alibaba-signed calls are refused, the admin token is needed."""
    running = emulators.start(admin_token="t0ken-for-this-test")
    url = f"{running.url}/_emulator/ui"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer t0ken-for-this-test"}).status_code == 200
    signed = httpx.get(url, headers={"x-acs-action": "DescribeService"})
    assert signed.status_code == 403


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"AccessToken": "abc"}, {"AccessToken": "••••••"}),
        ({"NextToken": "page-2", "AccessKeyId": "test"}, {"NextToken": "page-2", "AccessKeyId": "test"}),
        ({"nested": [{"SecurityToken": "x"}]}, {"nested": [{"SecurityToken": "••••••"}]}),
        ({"AccessToken": ""}, {"AccessToken": ""}),
    ],
)
def test_mask_hides_secret_fields_only(value: Any, shown: Any) -> None:
    """Fields named like secrets are masked; pagination tokens and key ids are not secrets."""
    assert mask(value) == shown


def test_mask_text_hides_secret_url_parameters() -> None:
    """Secret-looking URL parameters are masked, the rest of the URL stays readable."""
    assert mask_text("http://h/cb?id=7&access_token=abc&x=1") == "http://h/cb?id=7&access_token=••••••&x=1"
