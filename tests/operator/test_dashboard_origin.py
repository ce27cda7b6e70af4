"""What the dashboard tells about each entity: where it came from, its region, and nothing else.

* Provider calls carry the URN of the Pulumi resource they serve; the dashboard shows which stack and
  resource made each entity, for every product, also after a restart.
* An entity made through a product's central endpoint (ROS's ``ros.aliyuncs.com``) has no region;
  the page says so instead of leaving the cell empty.
* A browser's own requests for site files (``/favicon.ico``) are no API calls and are not listed.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials, StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import CreateAppServiceRequest, EasClient
from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD
from pulumi_alicloud_ai.client.ros import CreateAITaskRequest, RosClient
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.vod import VodClient
from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.operator.scenario import admin, create_service

URN = "urn:pulumi:dev::shop::alicloud-ai:index:LlmService$alicloud-ai:eas:AppService::chät-<b>bold</b>"
"""A component's child, with a non-ASCII name and markup in it (it must be shown, escaped)."""


@pytest.fixture
def emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of the test's own."""
    return emulators.start()


def _api(emulator: RunningEmulator, product: Any, origin: str = URN) -> OpenApiClient:
    api = OpenApiClient(
        product,
        region="cn-shanghai",
        credentials=StaticCredentialsProvider("test", "test"),
        endpoint_override=emulator.url,
    )
    api.origin = origin
    return api


def _make_one_of_each(emulator: RunningEmulator, origin: str = URN) -> dict[str, str]:
    """An EAS service, a VOD template, a VOD job and a ROS task, each made by a call carrying ``origin``;
    returns the dashboard group key → the entity's id."""
    made = {}
    with _api(emulator, EAS, origin) as api:
        EasClient(api).create_app_service(
            CreateAppServiceRequest(
                service_name="origin_llm", app_type="LLM", service_spec="llama_7b_fp16", replicas=1
            )
        )
    service = emulator.state.store.find_by_name("eas", "service", "cn-shanghai", "origin_llm")
    assert service is not None
    made["eas-service"] = service.id
    video = admin(emulator, "POST", "/vod/videos", {"Title": "keynote", "Duration": 60.0})["VideoId"]
    with _api(emulator, VOD, origin) as api:
        vod = VodClient(api)
        template = vod.add_ai_template("thumbs", "AIImage", {"AIImageType": "Frame", "Frame": {"Count": 2}})
        made["vod-aitemplate"] = template.template_id
        made["vod-aiimagejob"] = vod.submit_ai_image_job(video, template.template_id).job_id
    with _api(emulator, ROS, origin) as api:
        made["ros-ai_task"] = (
            RosClient(api)
            .create_ai_task(CreateAITaskRequest(task_type="GenerateTemplate", prompt="a VPC"))
            .task_id
        )
    return made


def _feed(emulator: RunningEmulator) -> dict[str, Any]:
    response = httpx.get(f"{emulator.url}/_emulator/ui/feed")
    response.raise_for_status()
    feed: dict[str, Any] = response.json()
    return feed


def _entity(feed: dict[str, Any], group: str, entity_id: str) -> dict[str, Any]:
    entities = next(g["entities"] for g in feed["groups"] if g["key"] == group)
    return next(entity for entity in entities if entity["id"] == entity_id)


def _row(page: str, entity_id: str) -> str:
    found = re.search(rf'<tr class="entity"[^>]*data-id="{re.escape(entity_id)}".*?</tr>', page, re.S)
    assert found, entity_id
    return found.group(0)


def test_every_product_shows_the_stack_and_resource_that_made_each_entity(emulator: RunningEmulator) -> None:
    """Services, templates, jobs and tasks made by provider calls name their stack, resource and type."""
    made = _make_one_of_each(emulator)
    feed = _feed(emulator)
    page = httpx.get(f"{emulator.url}/_emulator/ui").text
    for group, entity_id in made.items():
        origin = _entity(feed, group, entity_id)["origin"]
        assert origin == {
            "urn": URN,
            "stack": "dev",
            "project": "shop",
            "type": "alicloud-ai:eas:AppService",
            "resource": "chät-<b>bold</b>",
        }, group
        row = _row(page, entity_id)
        assert "dev · chät-&lt;b&gt;bold&lt;/b&gt;" in row
        assert "<b>bold</b>" not in row


def test_entities_made_without_a_provider_name_no_maker(emulator: RunningEmulator) -> None:
    """The official SDK sends no origin: the entity is listed with an empty 'made by'."""
    create_service(emulator, "sdk_made")
    service = next(
        entity
        for group in _feed(emulator)["groups"]
        for entity in group["entities"]
        if entity["name"] == "sdk_made"
    )
    assert service["origin"] is None


@pytest.mark.parametrize(
    "header",
    [
        "not-a-urn",
        "urn:pulumi:only::two",
        "urn%3Apulumi%3Adev%3A%3Ap%3A%3At%3A%3A%FF",
        "urn:pulumi:" + "x" * 5000,
    ],
)
def test_a_malformed_origin_header_is_ignored(emulator: RunningEmulator, header: str) -> None:
    """The header is the client's to fill: anything but a readable URN of sane length is dropped."""
    request = httpx.Request(
        "POST",
        f"{emulator.url}/",
        params={"TaskType": "GenerateTemplate", "Prompt": "a VPC"},
        headers={
            "host": "ros.aliyuncs.com",
            "x-acs-action": "CreateAITask",
            "x-acs-version": "2019-09-10",
            "x-alicloud-ai-origin": header,
        },
    )
    sign_request(request, Credentials("test", "test"), __import__("time").time(), uuid.uuid4().hex)
    with httpx.Client() as client:
        task_id = client.send(request).json()["TaskId"]
    assert _entity(_feed(emulator), "ros-ai_task", task_id)["origin"] is None


def test_the_maker_is_remembered_across_a_restart_and_forgotten_by_reset(
    emulators: EmulatorFactory, tmp_path: Path
) -> None:
    """Origins live in the database with the entities: a restart keeps them, a reset drops them."""
    first = emulators.start(data_dir=tmp_path / "emulator")
    made = _make_one_of_each(first)
    emulators.stop(first)
    running = emulators.start(data_dir=tmp_path / "emulator")
    feed = _feed(running)
    for group, entity_id in made.items():
        assert _entity(feed, group, entity_id)["origin"]["urn"] == URN
    admin(running, "POST", "/reset")
    _make_one_of_each(running, origin="urn:pulumi:prod::shop::alicloud-ai:eas:AppService::other")
    feed = _feed(running)
    assert all(
        entity["origin"]["stack"] == "prod"
        for group in feed["groups"]
        for entity in group["entities"]
        if group["key"] in made
    )


def test_ros_tasks_made_through_the_central_endpoint_say_so(emulator: RunningEmulator) -> None:
    """ROS's one endpoint names no region: the page shows 'central' (with why), never an empty cell."""
    made = _make_one_of_each(emulator)
    row = _row(httpx.get(f"{emulator.url}/_emulator/ui").text, made["ros-ai_task"])
    assert re.search(r'<td class="region central" title="[^"]+">central</td>', row)
    service_row = _row(httpx.get(f"{emulator.url}/_emulator/ui").text, made["eas-service"])
    assert '<td class="region">cn-shanghai</td>' in service_row
    assert "<td></td>" not in row


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/favicon.ico"),
        ("HEAD", "/favicon.ico"),
        ("GET", "/robots.txt"),
        ("GET", "/apple-touch-icon.png"),
    ],
)
def test_a_browser_asking_for_site_files_is_not_an_api_call(
    emulator: RunningEmulator, method: str, path: str
) -> None:
    """A 404 with no product in it, and nothing in the dashboard's request list."""
    response = httpx.request(method, f"{emulator.url}{path}")
    assert response.status_code == 404
    if method == "GET":
        assert response.json()["Code"] == "InvalidAction.NotFound"
        assert "product=" not in response.json()["Recommend"]
    assert _feed(emulator)["requests"] == []


def test_a_signed_call_to_a_wrong_path_is_still_listed(emulator: RunningEmulator) -> None:
    """A misdirected API client (it signed its request) stays visible: that is a client to fix."""
    request = httpx.Request(
        "GET",
        f"{emulator.url}/v2/services",
        headers={"host": "pai-eas.cn-shanghai.aliyuncs.com", "x-acs-version": "2021-07-01"},
    )
    sign_request(request, Credentials("test", "test"), __import__("time").time(), uuid.uuid4().hex)
    with httpx.Client() as client:
        assert client.send(request).status_code == 404
    listed = _feed(emulator)["requests"]
    assert [(r["product"], r["status"]) for r in listed] == [("eas", 404)]


def test_the_page_names_its_own_icon(emulator: RunningEmulator) -> None:
    """The page declares an inline icon, so a browser does not ask the API port for one at all."""
    page = httpx.get(f"{emulator.url}/_emulator/ui").text
    assert '<link rel="icon" href="data:,">' in page
