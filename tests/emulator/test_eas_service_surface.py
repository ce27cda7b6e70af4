"""What the EAS service operations beyond create/describe do to a service, seen through the official SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.official_sdk import eas_client

REGION = "cn-shanghai"


def _models() -> Any:
    from alibabacloud_eas20210701 import models

    return models


@pytest.fixture
def instant(tmp_path: Path) -> Iterator[RunningEmulator]:
    """Status changes complete at the next read (time scale 0)."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0)) as running:
        yield running


def _app(client: Any, name: str, replicas: int = 1, version: str = "v1") -> None:
    client.create_app_service(
        _models().CreateAppServiceRequest(
            service_name=name,
            app_type="LLM",
            service_spec="llama_7b_fp16",
            replicas=replicas,
            app_version=version,
        )
    )


def _general(client: Any, name: str, labels: dict[str, str] | None = None, **metadata: Any) -> Any:
    config = {
        "name": name,
        "metadata": {"instance": 1, **metadata},
        "containers": [{"image": f"img/{name}:1"}],
    }
    return client.create_service(_models().CreateServiceRequest(body=json.dumps(config), labels=labels)).body


def _error(call: Any) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def test_general_create_service_reports_its_config(instant: RunningEmulator) -> None:
    """CreateService's raw config drives Cpu, Memory, Gpu, Image, ServiceGroup, Role and the instance count."""
    client = eas_client(instant)
    created = _general(
        client, "raw_svc", {"team": "nlp"}, instance=3, cpu=4, memory=8000, gpu=1, group="g1", role="Queue"
    )
    assert (created.service_name, created.region) == ("raw_svc", REGION)
    body = client.describe_service(REGION, "raw_svc").body
    assert (body.cpu, body.memory, body.gpu, body.total_instance) == (4, 8000, 1, 3)
    assert (body.image, body.service_group, body.role) == ("img/raw_svc:1", "g1", "Queue")
    assert [(label.label_key, label.label_value) for label in body.labels] == [("team", "nlp")]
    assert json.loads(body.service_config)["metadata"]["cpu"] == 4


def test_labels_are_added_changed_and_removed(instant: RunningEmulator) -> None:
    """UpdateServiceLabel merges, DeleteServiceLabel removes by key; DescribeService shows the result."""
    m, client = _models(), eas_client(instant)
    _app(client, "labelled")
    client.update_service_label(REGION, "labelled", m.UpdateServiceLabelRequest(labels={"a": "1", "b": "2"}))
    client.update_service_label(REGION, "labelled", m.UpdateServiceLabelRequest(labels={"b": "3"}))
    client.delete_service_label(REGION, "labelled", m.DeleteServiceLabelRequest(keys=["a", "nope"]))
    labels = client.describe_service(REGION, "labelled").body.labels
    assert [(label.label_key, label.label_value) for label in labels] == [("b", "3")]


def _names(client: Any, **filters: Any) -> list[str]:
    body = client.list_services(_models().ListServicesRequest(**filters)).body
    assert body.total_count == len(body.services)
    return [service.service_name for service in body.services]


def test_list_services_honours_every_filter_and_sort(instant: RunningEmulator) -> None:
    """Label, GroupName, ServiceType, ResourceName, Role, ServiceUid, ParentServiceUid, ResourceType and Sort."""
    m, client = _models(), eas_client(instant)
    first = _general(client, "f_one", {"team": "nlp", "tier": "gold"}, group="g1", role="Queue", type="Async")
    _general(client, "f_two", {"team": "nlp"}, group="g2", resource="eas-r-1")
    _app(client, "f_app")
    client.clone_service(REGION, "f_one", m.CloneServiceRequest(body=json.dumps({"name": "f_copy"})))
    assert _names(client, label={"team": "nlp"}, sort="ServiceName", order="asc") == [
        "f_copy",
        "f_one",
        "f_two",
    ]
    assert _names(client, label={"team": "nlp", "tier": "gold"}, sort="ServiceName", order="desc") == [
        "f_one",
        "f_copy",
    ]
    assert _names(client, group_name="g2") == ["f_two"]
    assert _names(client, service_type="Async", sort="ServiceName", order="asc") == ["f_copy", "f_one"]
    assert _names(client, resource_name="eas-r-1") == ["f_two"]
    assert _names(client, resource_type="DedicatedResource") == ["f_two"]
    assert _names(client, role="Queue", filter="copy") == ["f_copy"]
    assert _names(client, service_uid=first.service_id) == ["f_one"]
    assert _names(client, parent_service_uid=first.service_id) == ["f_copy"]
    assert _names(client, sort="ServiceName", order="asc") == ["f_app", "f_copy", "f_one", "f_two"]
    page = client.list_services(
        m.ListServicesRequest(sort="ServiceName", order="asc", page_size=3, page_number=2)
    )
    assert (page.body.total_count, [s.service_name for s in page.body.services]) == (4, ["f_two"])
    assert (
        _error(lambda: client.list_services(m.ListServicesRequest(sort="Color"))).code
        == "InvalidParameter.Sort"
    )


def test_rollback_restores_an_earlier_version(instant: RunningEmulator) -> None:
    """Each update builds a version; UpdateServiceVersion rolls back to one below the current only."""
    m, client = _models(), eas_client(instant)
    _app(client, "versioned", version="v1")
    client.describe_service(REGION, "versioned")
    client.update_app_service(REGION, "versioned", m.UpdateAppServiceRequest(app_version="v2"))
    body = client.describe_service(REGION, "versioned").body
    assert (body.current_version, body.latest_version, body.app_version) == (2, 2, "v2")
    versions = client.list_service_versions(REGION, "versioned", m.ListServiceVersionsRequest()).body
    assert [v.image_id for v in versions.versions] == [2, 1]
    assert json.loads(versions.versions[1].service_config)["app"]["version"] == "v1"
    error = _error(
        lambda: client.update_service_version(REGION, "versioned", m.UpdateServiceVersionRequest(version=2))
    )
    assert error.code == "InvalidParameter.Version"
    client.update_service_version(REGION, "versioned", m.UpdateServiceVersionRequest(version=1))
    body = client.describe_service(REGION, "versioned").body
    assert (body.current_version, body.latest_version, body.app_version, body.status) == (
        1,
        2,
        "v1",
        "Running",
    )


def test_safety_lock_guards_dangerous_then_every_change(instant: RunningEmulator) -> None:
    """'dangerous' refuses stop and delete but allows updates; 'all' refuses updates too; 'none' frees it."""
    m, client = _models(), eas_client(instant)
    _app(client, "locked")
    client.describe_service(REGION, "locked")
    client.update_service_safety_lock(REGION, "locked", m.UpdateServiceSafetyLockRequest(lock="dangerous"))
    assert _error(lambda: client.delete_service(REGION, "locked")).code == "ServiceLocked"
    assert _error(lambda: client.stop_service(REGION, "locked")).code == "ServiceLocked"
    client.update_app_service(REGION, "locked", m.UpdateAppServiceRequest(replicas=2))
    client.update_service_safety_lock(REGION, "locked", m.UpdateServiceSafetyLockRequest(lock="all"))
    update = m.UpdateAppServiceRequest(replicas=3)
    assert _error(lambda: client.update_app_service(REGION, "locked", update)).code == "ServiceLocked"
    assert client.describe_service(REGION, "locked").body.safety_lock == "all"
    bad = m.UpdateServiceSafetyLockRequest(lock="some")
    assert (
        _error(lambda: client.update_service_safety_lock(REGION, "locked", bad)).code
        == "InvalidParameter.Lock"
    )
    client.update_service_safety_lock(REGION, "locked", m.UpdateServiceSafetyLockRequest(lock="none"))
    client.delete_service(REGION, "locked")


def test_instances_restart_and_isolate(instant: RunningEmulator) -> None:
    """Instances follow the replicas; a restart counts and a soft one keeps the start time; isolation shows."""
    m, client = _models(), eas_client(instant)
    _app(client, "pods", replicas=3)
    listed = client.list_service_instances(REGION, "pods", m.ListServiceInstancesRequest(order="desc")).body
    names = [instance.instance_name for instance in listed.instances]
    assert len(names) == 3 and names == sorted(names, reverse=True)
    target = names[0]
    client.delete_service_instances(
        REGION, "pods", m.DeleteServiceInstancesRequest(instance_list=target, soft_restart=True)
    )
    client.update_service_instance(REGION, "pods", target, m.UpdateServiceInstanceRequest(isolate=True))
    found = client.list_service_instances(
        REGION, "pods", m.ListServiceInstancesRequest(instance_name=target)
    ).body
    assert [(i.restart_count, i.isolated) for i in found.instances] == [(1, True)]
    containers = client.list_service_containers(REGION, "pods", target).body.containers
    assert containers[0].restart_count == 1
    missing = m.DeleteServiceInstancesRequest(instance_list="not-an-instance")
    assert _error(lambda: client.delete_service_instances(REGION, "pods", missing)).code == "InstanceNotFound"


def test_mirror_targets_must_exist_and_read_back_as_strings(instant: RunningEmulator) -> None:
    """A mirror to another service reads back as the SDK types it; an unknown target is refused."""
    m, client = _models(), eas_client(instant)
    _app(client, "mirrored")
    _app(client, "shadow")
    bad = m.CreateServiceMirrorRequest(ratio=10, target=["ghost"])
    assert (
        _error(lambda: client.create_service_mirror(REGION, "mirrored", bad)).code
        == "InvalidParameter.Target"
    )
    client.create_service_mirror(
        REGION, "mirrored", m.CreateServiceMirrorRequest(ratio=10, target=["shadow"])
    )
    again = m.CreateServiceMirrorRequest(ratio=10, target=["shadow"])
    assert (
        _error(lambda: client.create_service_mirror(REGION, "mirrored", again)).code
        == "ServiceMirrorAlreadyExists"
    )
    body = client.describe_service_mirror(REGION, "mirrored").body
    assert (body.ratio, body.target) == ("10", "shadow")


def test_develop_and_commit_build_a_version(instant: RunningEmulator) -> None:
    """DevelopService enters Developing; CommitService builds a new version and returns to Running."""
    m, client = _models(), eas_client(instant)
    _app(client, "devsvc")
    client.describe_service(REGION, "devsvc")
    assert _error(lambda: client.commit_service(REGION, "devsvc")).code == "InvalidServiceStatus"
    client.develop_service(REGION, "devsvc", m.DevelopServiceRequest())
    assert client.describe_service(REGION, "devsvc").body.status == "Developing"
    client.commit_service(REGION, "devsvc")
    body = client.describe_service(REGION, "devsvc").body
    assert (body.status, body.current_version) == ("Running", 2)


def test_release_sets_traffic_state_and_weight(instant: RunningEmulator) -> None:
    """ReleaseService's values show in DescribeService; a weight outside [-1, 1000] is refused."""
    m, client = _models(), eas_client(instant)
    _app(client, "released")
    client.release_service(REGION, "released", m.ReleaseServiceRequest(traffic_state="grouping", weight=30))
    body = client.describe_service(REGION, "released").body
    assert (body.traffic_state, body.weight) == ("grouping", 30)
    bad = m.ReleaseServiceRequest(weight=1001)
    assert _error(lambda: client.release_service(REGION, "released", bad)).code == "InvalidParameter.Weight"


def test_failed_service_is_diagnosed(instant: RunningEmulator) -> None:
    """A service that failed (injected fault) has a diagnosis naming the failure; a healthy one has none."""
    import httpx

    client = eas_client(instant)
    _app(client, "healthy")
    assert client.describe_service_diagnosis(REGION, "healthy").body.diagnosis_list == []
    rule = {"action": "CreateAppService", "effect": "fail", "message": "model files missing", "count": 1}
    httpx.post(f"{instant.url}/_emulator/faults", json=rule).raise_for_status()
    _app(client, "broken")
    assert client.describe_service(REGION, "broken").body.status == "Failed"
    found = client.describe_service_diagnosis(REGION, "broken").body.diagnosis_list
    assert [d.error for d in found] == ["model files missing"]


def test_a_service_failed_again_shows_the_newest_failure(instant: RunningEmulator) -> None:
    """Failed at create, then failed again by an update: DescribeService's Message and the diagnosis give
    the second failure, not the first."""
    import httpx

    client = eas_client(instant)
    for action, message in (
        ("CreateAppService", "model files missing"),
        ("UpdateAppService", "quota exhausted"),
    ):
        rule = {"action": action, "effect": "fail", "message": message, "count": 1}
        httpx.post(f"{instant.url}/_emulator/faults", json=rule).raise_for_status()
        if action == "CreateAppService":
            _app(client, "refailed")
        else:
            request = _models().UpdateAppServiceRequest(replicas=2)
            client.update_app_service(REGION, "refailed", request)
        described = client.describe_service(REGION, "refailed").body
        assert (described.status, described.message) == ("Failed", message)
        found = client.describe_service_diagnosis(REGION, "refailed").body.diagnosis_list
        assert [d.error for d in found] == [message]


def test_a_delete_that_fails_ends_delete_failed_until_deleted_again(instant: RunningEmulator) -> None:
    """A delete carrying ``effect: fail`` ends DeleteFailed with its reason, where the service refuses
    anything but another delete; that one removes it."""
    import httpx

    client = eas_client(instant)
    _app(client, "stuck")
    rule = {"action": "DeleteService", "effect": "fail", "message": "disk detach timed out", "count": 1}
    httpx.post(f"{instant.url}/_emulator/faults", json=rule).raise_for_status()
    client.delete_service(REGION, "stuck")
    described = client.describe_service(REGION, "stuck").body
    assert (described.status, described.reason, described.message) == (
        "DeleteFailed",
        "ServiceDeleteFailed",
        "disk detach timed out",
    )
    update = _models().UpdateAppServiceRequest(replicas=2)
    assert _error(lambda: client.update_app_service(REGION, "stuck", update)).code == "InvalidServiceStatus"
    client.delete_service(REGION, "stuck")
    assert _error(lambda: client.describe_service(REGION, "stuck")).code == "ServiceNotFound"


@pytest.mark.parametrize("label", ["not json", '["a"]', '{"a": 1}', "[" * 3000 + "]" * 3000])
def test_bad_label_filter_is_refused(instant: RunningEmulator, label: str) -> None:
    """A Label that is not a JSON map of strings (or nests too deep) is InvalidParameter.Label, not a 500."""
    from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
    from pulumi_alicloud_ai.client.eas import LIST_SERVICES
    from pulumi_alicloud_ai.client.endpoints import EAS
    from pulumi_alicloud_ai.client.errors import InvalidParameterError
    from pulumi_alicloud_ai.client.session import ClientSettings, open_client

    settings = ClientSettings(region=REGION, endpoint=instant.url)
    credentials = StaticCredentialsProvider("test", "test")
    with open_client(EAS, settings, credentials) as api, pytest.raises(InvalidParameterError) as info:
        api.call(LIST_SERVICES, query={"Label": label})
    assert info.value.code == "InvalidParameter.Label"


def test_events_and_logs_filter_by_time_and_instance(fresh_emulator: RunningEmulator) -> None:
    """Events and logs keep what falls between StartTime and EndTime; an unknown instance is a 404."""
    import httpx

    m, client = _models(), eas_client(fresh_emulator)
    _app(client, "historic")
    created = client.describe_service(REGION, "historic").body.create_time
    httpx.post(f"{fresh_emulator.url}/_emulator/clock", json={"seconds": 3600}).raise_for_status()
    running = client.describe_service(REGION, "historic").body  # the creation step falls due now
    assert running.status == "Running"
    everything = client.describe_service_event(REGION, "historic", m.DescribeServiceEventRequest()).body
    assert [e.reason for e in everything.events] == ["Created", "ServiceCreated"]
    early = m.DescribeServiceEventRequest(end_time=created)
    assert [e.reason for e in client.describe_service_event(REGION, "historic", early).body.events] == [
        "Created"
    ]
    late = m.DescribeServiceLogRequest(start_time=everything.events[1].time, keyword="ServiceCreated")
    assert len(client.describe_service_log(REGION, "historic", late).body.logs) == 1
    ghost = m.DescribeServiceEventRequest(instance_name="historic-000000-9")
    assert _error(lambda: client.describe_service_event(REGION, "historic", ghost)).code == "InstanceNotFound"
