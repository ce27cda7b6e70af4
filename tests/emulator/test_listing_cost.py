"""A list costs what its page holds, not what is stored: counted in SQLite work, never timed.

The same calls are measured with 20 and with 200 entities of each kind stored, each time on a freshly
started emulator (nothing cached): the entities decoded must be those on the page, and the SQLite
virtual-machine steps must stay put. A list that reads or counts every stored entity does ten times
the work at 200 and fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import CREATE_APP_SERVICE, DESCRIBE_SERVICE, LIST_SERVICES
from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD, Product
from pulumi_alicloud_ai.client.ros import CREATE_AI_TASK, LIST_AI_TASKS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.vod import (
    ADD_AI_TEMPLATE,
    GET_DEFAULT_AI_TEMPLATE,
    LIST_AI_TEMPLATE,
    SET_DEFAULT_AI_TEMPLATE,
)
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.store import Work

AUDIT = '{"AuditItem": ["porn"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}'
"""A valid AIMediaAudit TemplateConfig."""
REGION = "cn-shanghai"
PAGE = 10
AUDIT_CONFIG = '{"AuditItem": ["porn", "terrorism"], "AuditRange": ["video"], "AuditContent": ["screen"], "AuditAutoBlock": "no"}'
"""A valid AIMediaAudit TemplateConfig."""
RARE = 3
"""Entities matching the selective filters: the same number at both sizes."""


@contextmanager
def _clients(emulator: RunningEmulator) -> Iterator[dict[Product, OpenApiClient]]:
    settings = ClientSettings(region=REGION, endpoint=emulator.url)
    with ExitStack() as stack:
        yield {
            product: stack.enter_context(
                open_client(product, settings, StaticCredentialsProvider("test", "test"))
            )
            for product in (EAS, ROS, VOD)
        }


def _grow(apis: dict[Product, OpenApiClient], start: int, stop: int) -> None:
    """Entities ``start`` to ``stop`` of each kind; the first RARE of each are the selective ones."""
    for index in range(start, stop):
        rare = index < RARE
        body = {
            "AppType": "LLM",
            "Replicas": 1,
            "ServiceName": f"svc_{index:04d}",
            "ServiceSpec": "llama_7b_fp16",
        }
        apis[EAS].call(
            CREATE_APP_SERVICE, query={"WorkspaceId": "rare" if rare else "common"}, json_body=body
        )
        task = {"TaskType": "FixTemplate", "Template": "{}"} if rare else {"TaskType": "GenerateTemplate"}
        apis[ROS].call(CREATE_AI_TASK, form={"Prompt": f"a VPC number {index}", **task} if not rare else task)
        kind, config = ("AIMediaAudit", AUDIT_CONFIG) if rare else ("AIImage", '{"Count": 1}')
        template = {"TemplateName": f"t{index}", "TemplateType": kind, "TemplateConfig": config}
        template_id = apis[VOD].call(ADD_AI_TEMPLATE, query=template)["TemplateId"]
        if index == 0:
            apis[VOD].call(SET_DEFAULT_AI_TEMPLATE, query={"TemplateId": template_id})
    apis[EAS].call(LIST_SERVICES)  # time scale 0: every creation is done; stored as such from here


def _calls(apis: dict[Product, OpenApiClient]) -> dict[str, Callable[[], Any]]:
    eas, ros, vod = apis[EAS], apis[ROS], apis[VOD]
    second = ros.call(LIST_AI_TASKS, query={"MaxResults": PAGE})["NextToken"]
    last = -(-eas.call(LIST_SERVICES, query={"PageSize": 1})["TotalCount"] // PAGE)
    return {
        "ListServices page 1": lambda: eas.call(LIST_SERVICES, query={"PageSize": PAGE}),
        "ListServices page 2 ascending": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": 2, "Order": "asc"}
        ),
        "ListServices last page": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": last}
        ),
        "ListServices Status": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "ServiceStatus": "Running"}
        ),
        "ListServices WorkspaceId": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "WorkspaceId": "rare"}
        ),
        "ListServices ServiceName": lambda: eas.call(LIST_SERVICES, query={"ServiceName": "svc_0001"}),
        "ListServices Sort=ServiceName page 2": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": 2, "Sort": "ServiceName"}
        ),
        "ListServices WorkspaceId Sort=ServiceName": lambda: eas.call(
            LIST_SERVICES, query={"PageSize": PAGE, "WorkspaceId": "rare", "Sort": "ServiceName"}
        ),
        "ListServices ServiceType": lambda: eas.call(LIST_SERVICES, query={"ServiceType": "Async"}),
        "ListServices ResourceType": lambda: eas.call(
            LIST_SERVICES, query={"ResourceType": "DedicatedResource", "Order": "asc"}
        ),
        "ListServices ServiceUid": lambda: eas.call(LIST_SERVICES, query={"ServiceUid": "eas-m-none"}),
        "DescribeService": lambda: eas.call(
            DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": "svc_0002"}
        ),
        "ListAITasks page 1": lambda: ros.call(LIST_AI_TASKS, query={"MaxResults": PAGE}),
        "ListAITasks NextToken": lambda: ros.call(
            LIST_AI_TASKS, query={"MaxResults": PAGE, "NextToken": second}
        ),
        "ListAITasks TaskType": lambda: ros.call(LIST_AI_TASKS, query={"TaskType": "FixTemplate"}),
        "ListAITemplate": lambda: vod.call(LIST_AI_TEMPLATE, query={"TemplateType": "AIMediaAudit"}),
        "GetDefaultAITemplate": lambda: vod.call(
            GET_DEFAULT_AI_TEMPLATE, query={"TemplateType": "AIMediaAudit"}
        ),
    }


def _measure(data_dir: Path) -> dict[str, Work]:
    """Each call once, on an emulator started afresh on ``data_dir``."""
    with (
        serve_in_thread(EmulatorConfig(data_dir=data_dir, time_scale=0)) as emulator,
        _clients(emulator) as apis,
    ):
        measured = {}
        for name, call in _calls(apis).items():
            with emulator.state.store.measuring() as work:
                call()
            measured[name] = work
        return measured


def test_lists_cost_the_same_with_ten_times_the_entities(tmp_path: Path) -> None:
    """Every list, filter and page decodes at most its page and does the same SQLite work at 200
    stored entities of each kind as at 20."""
    data_dir = tmp_path / "emulator"
    with (
        serve_in_thread(EmulatorConfig(data_dir=data_dir, time_scale=0)) as emulator,
        _clients(emulator) as apis,
    ):
        _grow(apis, 0, 20)
    small = _measure(data_dir)
    with (
        serve_in_thread(EmulatorConfig(data_dir=data_dir, time_scale=0)) as emulator,
        _clients(emulator) as apis,
    ):
        _grow(apis, 20, 200)
    large = _measure(data_dir)
    for name, work in large.items():
        assert work.decoded <= PAGE, (name, work)
        # Slack for a B-tree level and the VOD callback scheduler's own query, which may land in the window.
        assert work.steps <= 1.25 * small[name].steps + 400, (name, small[name], work)
