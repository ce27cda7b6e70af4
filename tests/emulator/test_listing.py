"""Lists answer exactly what filtering and sorting every stored entity one by one would.

Each test builds a few hundred entities in varied states over the API, then compares every list, with
filters, orders and pages, to a reference computed here from the single-entity reads (DescribeService,
GetAITask, GetAITemplate) and the order in which the test created the entities. The comparisons run
again after the clock moves (so lists must apply due lifecycle steps themselves) and after a restart on
the same data directory (so nothing depends on what the emulator had cached).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import (
    CREATE_APP_SERVICE,
    DELETE_SERVICE,
    DESCRIBE_SERVICE,
    LIST_SERVICES,
    STOP_SERVICE,
    UPDATE_APP_SERVICE,
)
from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD, Product
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, NotFoundError
from pulumi_alicloud_ai.client.ros import CREATE_AI_TASK, GET_AI_TASK, LIST_AI_TASKS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.transport import OpenApiClient as ApiClient
from pulumi_alicloud_ai.client.vod import (
    ADD_AI_TEMPLATE,
    DELETE_AI_TEMPLATE,
    GET_AI_TEMPLATE,
    LIST_AI_TEMPLATE,
    SET_DEFAULT_AI_TEMPLATE,
    UPDATE_AI_TEMPLATE,
)
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread

AUDIT_CONFIG = '{"AuditItem": ["porn", "terrorism"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}'
"""A valid AIMediaAudit TemplateConfig."""
SCALE = 10.0
"""Lifecycle durations times ten, so no transition falls due while a comparison runs."""
EAST, NORTH = "cn-shanghai", "cn-beijing"


@contextmanager
def _emulator(data_dir: Path) -> Iterator[RunningEmulator]:
    with serve_in_thread(EmulatorConfig(data_dir=data_dir, time_scale=SCALE)) as running:
        yield running


@contextmanager
def _api(emulator: RunningEmulator, endpoint: Product, region: str = EAST) -> Iterator[ApiClient]:
    settings = ClientSettings(region=region, endpoint=emulator.url)
    with open_client(endpoint, settings, StaticCredentialsProvider("test", "test")) as api:
        yield api


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    httpx.post(f"{emulator.url}/_emulator/clock", json={"seconds": seconds}).raise_for_status()


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "RequestId"}


# --- EAS ListServices ---------------------------------------------------------------------------------


def _service_name(index: int) -> str:
    return f"llm_{index:03d}" if index % 3 == 0 else f"svc_{index:03d}"


def _create_service(api: ApiClient, name: str, index: int) -> None:
    query = {"QuotaId": f"q{index % 4}"}
    if index % 5:
        query["WorkspaceId"] = f"ws{index % 3}"
    body = {"AppType": "LLM", "Replicas": 1, "ServiceName": name, "ServiceSpec": "llama_7b_fp16"}
    api.call(CREATE_APP_SERVICE, query=query, json_body=body)


def _described(api: ApiClient, region: str, names: list[str]) -> list[dict[str, Any]]:
    """Every service still there, in creation order, as DescribeService shows it."""
    found = []
    for name in names:
        try:
            found.append(
                _answer(api.call(DESCRIBE_SERVICE, path_params={"ClusterId": region, "ServiceName": name}))
            )
        except NotFoundError:
            continue
    return found


def _expected_services(services: list[dict[str, Any]], query: dict[str, Any]) -> dict[str, Any]:
    """What ListServices must answer: filter, then a stable sort by CreateTime, then the page."""
    fields = {"ServiceName": "ServiceName", "ServiceStatus": "Status", "WorkspaceId": "WorkspaceId"}
    fields["QuotaId"] = "QuotaId"
    chosen = [
        service
        for service in services
        if all(query.get(param) is None or service[field] == query[param] for param, field in fields.items())
        and (query.get("Filter") is None or query["Filter"] in service["ServiceName"])
    ]
    chosen.sort(key=lambda service: service["CreateTime"], reverse=query.get("Order", "desc") == "desc")
    page, size = int(query.get("PageNumber", 1)), int(query.get("PageSize", 100))
    return {
        "PageNumber": page,
        "PageSize": size,
        "TotalCount": len(chosen),
        "Services": chosen[(page - 1) * size : page * size],
    }


SERVICE_FILTERS: list[dict[str, Any]] = [
    {},
    {"Order": "asc"},
    {"Order": "sideways"},
    {"ServiceStatus": "Running"},
    {"ServiceStatus": "Stopped", "Order": "asc"},
    {"ServiceStatus": "Scaling"},
    {"ServiceStatus": "Creating"},
    {"ServiceStatus": "Deleting"},
    {"WorkspaceId": "ws0"},
    {"WorkspaceId": "ws2", "ServiceStatus": "Running", "Order": "asc"},
    {"QuotaId": "q1"},
    {"QuotaId": "q3", "WorkspaceId": "ws1"},
    {"WorkspaceId": "nowhere"},
    {"ServiceName": "svc_001"},
    {"ServiceName": "svc_001", "ServiceStatus": "Stopped"},
    {"ServiceName": "llm_003", "WorkspaceId": "ws0"},
    {"ServiceName": "no_such_service"},
    {"Filter": "llm"},
    {"Filter": "_01", "Order": "asc"},
    {"Filter": "1", "ServiceStatus": "Running", "QuotaId": "q2"},
    {"Filter": "zz"},
]


def _check_services(api: ApiClient, region: str, names: list[str]) -> int:
    """Compare every filter, order and page (size 7 and 100, one page past the end) with the reference.

    Lists are read before the reference, so they settle due steps on their own. Returns the number of
    comparisons.
    """
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for base in SERVICE_FILTERS:
        for size in (7, 100):
            page = 1
            while True:
                query = {**base, "PageSize": size, "PageNumber": page}
                answer = _answer(api.call(LIST_SERVICES, query=query))
                answers.append((query, answer))
                if not answer["Services"]:
                    break
                page += 1
    far = {"PageNumber": 10**20, "PageSize": 5}
    answers.append((far, _answer(api.call(LIST_SERVICES, query=far))))
    services = _described(api, region, names)
    for query, answer in answers:
        assert answer == _expected_services(services, query), query
    return len(answers)


def test_list_services_answers_what_a_full_scan_would(tmp_path: Path) -> None:
    """Pages, filters and orders of ListServices over 260 services in five states and two regions
    equal the reference, before and after the clock moves, and after a restart."""
    made: dict[str, list[str]] = {EAST: [], NORTH: []}
    with ExitStack() as stack:
        emulator = stack.enter_context(_emulator(tmp_path / "emulator"))
        east = stack.enter_context(_api(emulator, EAS, EAST))
        north = stack.enter_context(_api(emulator, EAS, NORTH))
        for index in range(160):
            api, region = (north, NORTH) if index % 4 == 3 else (east, EAST)
            _create_service(api, _service_name(index), index)
            made[region].append(_service_name(index))
        _advance(emulator, 31 * SCALE)  # all Running
        running = made[EAST]
        for name in running[:60:4]:
            east.call(STOP_SERVICE, path_params={"ClusterId": EAST, "ServiceName": name})
        for name in running[1:60:4]:
            east.call(DELETE_SERVICE, path_params={"ClusterId": EAST, "ServiceName": name})
        for name in running[2:40:4]:
            path = {"ClusterId": EAST, "ServiceName": name}
            east.call(UPDATE_APP_SERVICE, path_params=path, json_body={"Replicas": 2})
        for index in range(160, 260):
            _create_service(east, _service_name(index), index)
            made[EAST].append(_service_name(index))
        _advance(emulator, 11 * SCALE)  # stopped and deleted; still scaling and creating
        checked = _check_services(east, EAST, made[EAST]) + _check_services(north, NORTH, made[NORTH])
        statuses = {s["Status"] for s in _described(east, EAST, made[EAST])}
        assert statuses == {"Running", "Stopped", "Scaling", "Creating"}
        _advance(emulator, 10 * SCALE)  # scaled; the newest are still creating
        checked += _check_services(east, EAST, made[EAST])
    with _emulator(tmp_path / "emulator") as restarted, _api(restarted, EAS, EAST) as east:
        _advance(restarted, 10 * SCALE)  # created
        checked += _check_services(east, EAST, made[EAST])
    assert checked > 400


# --- ROS ListAITasks ----------------------------------------------------------------------------------


def _list_tasks(api: ApiClient, **query: Any) -> dict[str, Any]:
    return _answer(api.call(LIST_AI_TASKS, query={key: v for key, v in query.items() if v is not None}))


def _walk_tasks(api: ApiClient, **query: Any) -> list[list[dict[str, Any]]]:
    pages, token = [], None
    while True:
        answer = _list_tasks(api, NextToken=token, **query)
        pages.append(answer["Tasks"])
        token = answer.get("NextToken")
        if token is None:
            return pages


def _rejected(call: Callable[[], Any]) -> str:
    with pytest.raises(AlibabaCloudError) as raised:
        call()
    return raised.value.code


def _check_tasks(api: ApiClient, made: list[tuple[str, str]]) -> None:
    """Every page of every filter equals the reference: newest first, as GetAITask shows each task."""
    listed = {
        (task_type, size): _walk_tasks(api, TaskType=task_type, MaxResults=size)
        for task_type in (None, "GenerateTemplate", "FixTemplate")
        for size in (7, 50, 100)
    }
    one = _list_tasks(api, TaskId=made[5][0])
    current = {task_id: api.call(GET_AI_TASK, query={"TaskId": task_id}) for task_id, _ in made}
    for (task_type, size), pages in listed.items():
        newest_first = [task_id for task_id, kind in reversed(made) if task_type in (None, kind)]
        expected = [newest_first[start : start + size] for start in range(0, len(newest_first), size)]
        assert [[task["TaskId"] for task in page] for page in pages] == expected
        for task in (task for page in pages for task in page):
            seen = current[task["TaskId"]]
            assert (task["TaskType"], task["Status"]) == (seen["TaskType"], seen["Status"])
    assert [task["TaskId"] for task in one["Tasks"]] == [made[5][0]] and "NextToken" not in one


def test_list_ai_tasks_answers_what_a_full_scan_would(tmp_path: Path) -> None:
    """150 tasks of two types: every page of every TaskType filter and page size, TaskId, and the
    NextToken rules equal the reference, as statuses move and after a restart."""
    made: list[tuple[str, str]] = []
    with _emulator(tmp_path / "emulator") as emulator, _api(emulator, ROS) as api:
        for index in range(150):
            if index % 3:
                form = {"TaskType": "GenerateTemplate", "Prompt": f"a VPC number {index}"}
            else:
                form = {"TaskType": "FixTemplate", "Template": "{}"}
            made.append((api.call(CREATE_AI_TASK, form=form)["TaskId"], form["TaskType"]))
        _check_tasks(api, made)
        _advance(emulator, 20 * SCALE)
        _check_tasks(api, made)
        fix_id, generate_id = made[0][0], made[1][0]
        assert _rejected(lambda: _list_tasks(api, NextToken="t-unknown")) == "InvalidParameter.NextToken"
        bad_type = lambda: _list_tasks(api, TaskType="FixTemplate", NextToken=generate_id)  # noqa: E731
        assert _rejected(bad_type) == "InvalidParameter.NextToken"
        bad_id = lambda: _list_tasks(api, TaskId=fix_id, NextToken=generate_id)  # noqa: E731
        assert _rejected(bad_id) == "InvalidParameter.NextToken"
        assert _list_tasks(api, TaskId=fix_id, NextToken=fix_id)["Tasks"][0]["TaskId"] == fix_id
        assert _list_tasks(api, TaskId=fix_id, TaskType="GenerateTemplate")["Tasks"] == []
        assert _list_tasks(api, TaskId="t-unknown")["Tasks"] == []
    with _emulator(tmp_path / "emulator") as restarted, _api(restarted, ROS) as api:
        _advance(restarted, 100 * SCALE)
        _check_tasks(api, made)


# --- VOD ListAITemplate -------------------------------------------------------------------------------


def _check_templates(api: ApiClient, made: list[tuple[str, str]]) -> None:
    for template_type in ("AIImage", "AIMediaAudit"):
        listed = _answer(api.call(LIST_AI_TEMPLATE, query={"TemplateType": template_type}))
        expected = []
        for template_id, kind in made:
            if kind != template_type:
                continue
            try:
                got = api.call(GET_AI_TEMPLATE, query={"TemplateId": template_id})
            except NotFoundError:
                continue
            expected.append(got["TemplateInfo"])
        assert listed["TemplateInfoList"] == expected


def test_list_ai_template_answers_what_a_full_scan_would(tmp_path: Path) -> None:
    """200 templates of two types, some renamed, some deleted, defaults moved: ListAITemplate and the
    default lookups equal the reference, and after a restart."""
    made: list[tuple[str, str]] = []
    with _emulator(tmp_path / "emulator") as emulator, _api(emulator, VOD) as api:
        for index in range(200):
            kind = "AIImage" if index % 2 else "AIMediaAudit"
            config = '{"Count": 2}' if kind == "AIImage" else AUDIT_CONFIG
            query = {"TemplateName": f"t{index}", "TemplateType": kind, "TemplateConfig": config}
            made.append((api.call(ADD_AI_TEMPLATE, query=query)["TemplateId"], kind))
        for template_id, kind in made[3:60:7]:
            config = '{"Count": 3}' if kind == "AIImage" else AUDIT_CONFIG.replace('"no"', '"yes"')
            query = {"TemplateId": template_id, "TemplateName": "renamed", "TemplateConfig": config}
            api.call(UPDATE_AI_TEMPLATE, query=query)
        deleted = {template_id for template_id, _ in made[5:120:9]}
        for template_id in deleted:
            api.call(DELETE_AI_TEMPLATE, query={"TemplateId": template_id})
        audits = [
            template_id for template_id, kind in made if kind == "AIMediaAudit" and template_id not in deleted
        ]
        for template_id in (audits[0], audits[10], audits[4]):
            api.call(SET_DEFAULT_AI_TEMPLATE, query={"TemplateId": template_id})
        _check_templates(api, made)
        defaults = [
            template["TemplateId"]
            for template in api.call(LIST_AI_TEMPLATE, query={"TemplateType": "AIMediaAudit"})[
                "TemplateInfoList"
            ]
            if template["IsDefault"] == "Default"
        ]
        assert defaults == [audits[4]]
    with _emulator(tmp_path / "emulator") as restarted, _api(restarted, VOD) as api:
        _check_templates(api, made)
