"""The autoscaler follows the load a test reports, the cron scaler follows the emulator's clock, and
the instance count DescribeService and ListServiceInstances show moves with both."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import Admin
from tests.official_sdk import eas_client

REGION = "cn-shanghai"


def _models() -> Any:
    from alibabacloud_eas20210701 import models

    return models


@pytest.fixture
def running_service(fresh_emulator: RunningEmulator, admin: Admin) -> tuple[Any, str]:
    """An app service with 2 replicas, brought to Running by moving the clock."""
    m, client, name = _models(), eas_client(fresh_emulator), "scaled_llm"
    client.create_app_service(
        m.CreateAppServiceRequest(service_name=name, app_type="LLM", service_spec="llama_7b_fp16", replicas=2)
    )
    admin.post("/clock", {"seconds": 31})
    assert client.describe_service(REGION, name).body.status == "Running"
    return client, name


def _instances(client: Any, name: str) -> int:
    described = client.describe_service(REGION, name).body
    listed = client.list_service_instances(REGION, name, _models().ListServiceInstancesRequest()).body
    assert listed.total_count == described.total_instance == described.running_instance
    return int(described.total_instance)


def _autoscaler(low: int, high: int, threshold: float, *, up: int = 0, down: int | None = None) -> Any:
    m = _models()
    behavior = m.CreateServiceAutoScalerRequestBehavior(
        scale_up=m.CreateServiceAutoScalerRequestBehaviorScaleUp(stabilization_window_seconds=up),
        scale_down=None
        if down is None
        else m.CreateServiceAutoScalerRequestBehaviorScaleDown(stabilization_window_seconds=down),
    )
    return m.CreateServiceAutoScalerRequest(
        min=low,
        max=high,
        scale_strategies=[
            m.CreateServiceAutoScalerRequestScaleStrategies(metric_name="qps", threshold=threshold)
        ],
        behavior=behavior,
    )


def _load(admin: Admin, name: str, **load: float) -> Any:
    return admin.post(f"/eas/services/{REGION}/{name}/load", load)


def test_autoscaler_follows_load_and_waits_out_the_scale_down_window(
    running_service: tuple[Any, str], admin: Admin
) -> None:
    """qps 45 over threshold 10 asks for 5 at once; a drop waits the default 300 s window, then follows."""
    client, name = running_service
    client.create_service_auto_scaler(REGION, name, _autoscaler(1, 6, 10))
    assert _instances(client, name) == 2
    assert _load(admin, name, qps=45)["Instances"] == 5
    assert _instances(client, name) == 5
    metrics = client.describe_service_auto_scaler(REGION, name).body.current_metrics
    assert [(x.metric_name, x.value) for x in metrics] == [("qps", 9.0)]
    _load(admin, name, qps=5)
    admin.post("/clock", {"seconds": 299})
    assert _instances(client, name) == 5
    admin.post("/clock", {"seconds": 2})
    assert _instances(client, name) == 1
    _load(admin, name, qps=1000)
    assert _instances(client, name) == 6  # clamped to max


def test_scale_up_window_delays_a_rise(running_service: tuple[Any, str], admin: Admin) -> None:
    """With a 60 s scale-up window a rise shows only once it has lasted 60 s."""
    client, name = running_service
    client.create_service_auto_scaler(REGION, name, _autoscaler(1, 8, 10, up=60, down=0))
    _load(admin, name, qps=70)
    assert _instances(client, name) == 2
    admin.post("/clock", {"seconds": 59})
    assert _instances(client, name) == 2
    admin.post("/clock", {"seconds": 2})
    assert _instances(client, name) == 7


def _configured(client: Any, name: str) -> int:
    """The instance count the service is configured for: ServiceConfig's ``metadata.instance``."""
    config = json.loads(client.describe_service(REGION, name).body.service_config)
    return int(config["metadata"]["instance"])


def test_deleting_the_autoscaler_keeps_the_count_it_reached(
    running_service: tuple[Any, str], admin: Admin
) -> None:
    """Each autoscaler write configures the instances reached as the service's count (ServiceConfig
    says so); after DeleteServiceAutoScaler the service keeps them and stops following load."""
    client, name = running_service
    client.create_service_auto_scaler(REGION, name, _autoscaler(1, 6, 10))
    _load(admin, name, qps=40)
    assert _configured(client, name) == 2
    m = _models()
    strategy = m.UpdateServiceAutoScalerRequestScaleStrategies(metric_name="qps", threshold=10)
    client.update_service_auto_scaler(
        REGION, name, m.UpdateServiceAutoScalerRequest(min=1, max=8, scale_strategies=[strategy])
    )
    assert (_instances(client, name), _configured(client, name)) == (4, 4)
    _load(admin, name, qps=50)
    client.delete_service_auto_scaler(REGION, name)
    _load(admin, name, qps=5)
    admin.post("/clock", {"seconds": 600})
    assert (_instances(client, name), _configured(client, name)) == (5, 5)
    with pytest.raises(TeaException) as info:
        client.describe_service_auto_scaler(REGION, name)
    assert info.value.code == "ServiceAutoScalerNotFound"


def _schedule_in(admin: Admin, seconds: int) -> str:
    """A daily schedule firing ``seconds`` (whole minutes) after the emulator's now."""
    moment = time.gmtime(admin.get("/clock")["now"] + seconds)
    return f"0 {moment.tm_min} {moment.tm_hour} * * *"


def test_cron_scaler_follows_the_emulator_clock(running_service: tuple[Any, str], admin: Admin) -> None:
    """A scale job changes the instance count when the clock passes its schedule, not before."""
    m = _models()
    client, name = running_service
    job = m.CreateServiceCronScalerRequestScaleJobs(
        name="peak", schedule=_schedule_in(admin, 600), target_size=4
    )
    client.create_service_cron_scaler(REGION, name, m.CreateServiceCronScalerRequest(scale_jobs=[job]))
    described = client.describe_service_cron_scaler(REGION, name).body.scale_jobs[0]
    assert (described.state, described.last_probe_time) == ("Waiting", "")
    assert _instances(client, name) == 2
    admin.post("/clock", {"seconds": 660})
    assert _instances(client, name) == 4
    described = client.describe_service_cron_scaler(REGION, name).body.scale_jobs[0]
    assert described.state == "Succeeded"
    assert described.last_probe_time != ""


def test_cron_scaler_raises_the_autoscaler_minimum(running_service: tuple[Any, str], admin: Admin) -> None:
    """With both on, a fired job's size becomes the autoscaler's minimum, never above its maximum."""
    m = _models()
    client, name = running_service
    client.create_service_auto_scaler(REGION, name, _autoscaler(1, 5, 10))
    jobs = [
        m.CreateServiceCronScalerRequestScaleJobs(
            name="up", schedule=_schedule_in(admin, 120), target_size=4
        ),
        m.CreateServiceCronScalerRequestScaleJobs(
            name="way-up", schedule=_schedule_in(admin, 300), target_size=9
        ),
    ]
    client.create_service_cron_scaler(REGION, name, m.CreateServiceCronScalerRequest(scale_jobs=jobs))
    _load(admin, name, qps=5)
    admin.post("/clock", {"seconds": 400})  # load asks for 1 for longer than the 300 s window
    assert _instances(client, name) == 5  # 'way-up' fired last: min 9, capped at max 5
    client.update_service_cron_scaler(REGION, name, m.CreateServiceCronScalerRequest(scale_jobs=jobs[:1]))
    admin.post("/clock", {"seconds": 86_400 - 200})  # past the time 'up' fires the next day
    assert _instances(client, name) == 4


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"min": 3, "max": 2, "scaleStrategies": [{"metricName": "qps", "threshold": 1}]},
            "InvalidParameter.min",
        ),
        (
            {"min": 1, "max": 2, "scaleStrategies": [{"metricName": "rps", "threshold": 1}]},
            "InvalidParameter.scaleStrategies.metricName",
        ),
        (
            {"min": 1, "max": 2, "scaleStrategies": [{"metricName": "cpu", "threshold": 0}]},
            "InvalidParameter.scaleStrategies.threshold",
        ),
        ({"min": 1, "max": 2}, "InvalidParameter.scaleStrategies"),  # the SDK sends an empty list
    ],
)
def test_bad_autoscaler_is_refused(running_service: tuple[Any, str], body: dict[str, Any], code: str) -> None:
    """min > max, an unknown metric, a threshold of 0 and no strategies are refused by field."""
    client, name = running_service
    request = _models().CreateServiceAutoScalerRequest().from_map(body)
    with pytest.raises(TeaException) as info:
        client.create_service_auto_scaler(REGION, name, request)
    assert info.value.code == code


def test_bad_cron_schedule_is_refused(running_service: tuple[Any, str]) -> None:
    """A five-field schedule is refused, naming ScaleJobs.Schedule and the six fields it needs."""
    m = _models()
    client, name = running_service
    job = m.CreateServiceCronScalerRequestScaleJobs(name="x", schedule="0 18 * * *", target_size=1)
    with pytest.raises(TeaException) as info:
        client.create_service_cron_scaler(REGION, name, m.CreateServiceCronScalerRequest(scale_jobs=[job]))
    assert info.value.code == "InvalidParameter.ScaleJobs.Schedule"
    assert "6" in info.value.message
