"""The official EAS SDK walks every service operation its client declares against the emulator.

The operation list comes from ``alibabacloud_eas20210701/client.py`` (every path under
``/api/v2/services`` and ``/api/v2/app_services``), so an operation the SDK gains and the emulator lacks
fails here. Each call must succeed, and its answer must fill every field the SDK's response model
declares. The emulator runs at time scale 0, so each status change completes at the next read.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.official_sdk import eas_client
from tests.sdk_surface import eas_ai_operations, missing_fields

REGION = "cn-shanghai"
APP, GENERAL, CLONE, PEER = "walk_app", "walk_general", "walk_clone", "walk_peer"


def _models() -> Any:
    from alibabacloud_eas20210701 import models

    return models


def _general_config(name: str) -> str:
    return json.dumps(
        {
            "name": name,
            "metadata": {"instance": 2, "cpu": 2, "memory": 4000, "group": "walk", "role": "Standard"},
            "containers": [{"image": "registry.example/llm:1", "port": 8000}],
        }
    )


WalkStep = tuple[str, str, Callable[[Any], Any] | None]
"""(action, service name, request builder from the SDK models or None for no request)."""


def _walk() -> list[WalkStep]:
    def autoscaler(m: Any, low: int = 1) -> Any:
        return m.CreateServiceAutoScalerRequest(
            min=low,
            max=5,
            scale_strategies=[
                m.CreateServiceAutoScalerRequestScaleStrategies(metric_name="qps", threshold=10)
            ],
            behavior=m.CreateServiceAutoScalerRequestBehavior(
                scale_up=m.CreateServiceAutoScalerRequestBehaviorScaleUp(stabilization_window_seconds=0)
            ),
        )

    def cron(m: Any) -> Any:
        return m.CreateServiceCronScalerRequest(
            scale_jobs=[
                m.CreateServiceCronScalerRequestScaleJobs(
                    name="night", schedule="0 0 20 * * *", target_size=1
                )
            ],
            exclude_dates=["* * * * * 0,6"],
        )

    return [
        (
            "CreateAppService",
            "",
            lambda m: m.CreateAppServiceRequest(
                service_name=APP,
                app_type="LLM",
                service_spec="llama_7b_fp16",
                replicas=2,
                config={"ModelStorage": "oss", "OssPath": "oss://bucket/models/"},
            ),
        ),
        (
            "CreateService",
            "",
            lambda m: m.CreateServiceRequest(
                body=_general_config(GENERAL), labels={"team": "nlp"}, workspace_id="ws1"
            ),
        ),
        (
            "CloneService",
            GENERAL,
            lambda m: m.CloneServiceRequest(body=json.dumps({"name": CLONE}), labels={"team": "qa"}),
        ),
        ("CreateService", "", lambda m: m.CreateServiceRequest(body=_general_config(PEER))),
        ("DescribeService", APP, None),
        (
            "ListServices",
            "",
            lambda m: m.ListServicesRequest(label={"team": "nlp"}, sort="ServiceName", order="asc"),
        ),
        ("UpdateAppService", APP, lambda m: m.UpdateAppServiceRequest(app_version="v2")),
        (
            "UpdateService",
            GENERAL,
            lambda m: m.UpdateServiceRequest(body=json.dumps({"metadata": {"instance": 3}})),
        ),
        ("ListServiceVersions", APP, lambda m: m.ListServiceVersionsRequest(page_number=1, page_size=10)),
        ("UpdateServiceVersion", APP, lambda m: m.UpdateServiceVersionRequest(version=1)),
        (
            "UpdateServiceLabel",
            APP,
            lambda m: m.UpdateServiceLabelRequest(labels={"team": "nlp", "tier": "gold"}),
        ),
        ("DeleteServiceLabel", APP, lambda m: m.DeleteServiceLabelRequest(keys=["tier"])),
        ("CreateServiceAutoScaler", APP, autoscaler),
        ("DescribeServiceAutoScaler", APP, None),
        ("UpdateServiceAutoScaler", APP, lambda m: autoscaler(m, low=2)),
        ("CreateServiceCronScaler", APP, cron),
        ("DescribeServiceCronScaler", APP, None),
        ("UpdateServiceCronScaler", APP, cron),
        ("ListServiceInstances", APP, lambda m: m.ListServiceInstancesRequest(page_number=1, page_size=10)),
        ("ListServiceContainers", APP, None),
        ("DescribeServiceInstanceDiagnosis", APP, None),
        ("UpdateServiceInstance", APP, lambda m: m.UpdateServiceInstanceRequest(isolate=True)),
        (
            "DeleteServiceInstances",
            APP,
            lambda m: m.DeleteServiceInstancesRequest(instance_list="{instance}"),
        ),
        ("DescribeServiceDiagnosis", APP, None),
        ("DescribeServiceLog", APP, lambda m: m.DescribeServiceLogRequest(page_num=1, page_size=50)),
        ("DescribeServiceEvent", APP, lambda m: m.DescribeServiceEventRequest(page_num="1", page_size="50")),
        ("DescribeServiceEndpoints", APP, None),
        (
            "DescribeServiceSignedUrl",
            APP,
            lambda m: m.DescribeServiceSignedUrlRequest(expire=600, type="webview"),
        ),
        ("CreateServiceMirror", APP, lambda m: m.CreateServiceMirrorRequest(ratio=20, target=[PEER])),
        ("DescribeServiceMirror", APP, None),
        ("UpdateServiceMirror", APP, lambda m: m.UpdateServiceMirrorRequest(ratio=50, target=[PEER])),
        ("ReleaseService", APP, lambda m: m.ReleaseServiceRequest(traffic_state="grouping", weight=80)),
        ("DevelopService", GENERAL, lambda m: m.DevelopServiceRequest()),
        ("CommitService", GENERAL, None),
        ("UpdateServiceSafetyLock", APP, lambda m: m.UpdateServiceSafetyLockRequest(lock="none")),
        ("StopService", CLONE, None),
        ("StartService", CLONE, None),
        ("RestartService", CLONE, None),
        ("DeleteServiceMirror", APP, None),
        ("DeleteServiceCronScaler", APP, None),
        ("DeleteServiceAutoScaler", APP, None),
        ("DeleteService", CLONE, None),
    ]


@pytest.fixture
def instant_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator whose status changes complete at the next read."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0)) as running:
        yield running


def _call(client: Any, method: str, service: str, request: Any, instance: str) -> Any:
    function = getattr(client, method)
    arguments: dict[str, Any] = {}
    for name in inspect.signature(function).parameters:
        arguments[name] = {
            "cluster_id": REGION,
            "service_name": service,
            "instance_name": instance,
            "request": request,
        }[name]
    return function(**arguments)


def test_the_walk_covers_every_service_operation_of_the_sdk() -> None:
    """The walk below names exactly the operations the SDK client declares on services."""
    assert {action for action, _, _ in _walk()} == set(eas_ai_operations())


def test_every_sdk_service_operation_answers_with_every_declared_field(
    instant_emulator: RunningEmulator,
) -> None:
    """Each operation of the SDK's list succeeds and fills its response model; none is InvalidAction.NotFound."""
    client, models, operations = eas_client(instant_emulator), _models(), eas_ai_operations()
    incomplete: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    instance = ""
    for action, service, build in _walk():
        method = operations[action][0]
        request = None if build is None else build(models)
        if request is not None and getattr(request, "instance_list", None) == "{instance}":
            request.instance_list = instance
        try:
            response = _call(client, method, service, request, instance)
        except TeaException as error:
            failed[action] = f"{error.code}: {error.message}"
            continue
        if action == "ListServiceInstances":
            instance = response.body.instances[0].instance_name
        if missing := missing_fields(response.body):
            incomplete[action] = missing
    assert failed == {}
    assert incomplete == {}
