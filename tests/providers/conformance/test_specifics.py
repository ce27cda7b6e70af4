"""What single providers promise beyond the shared lifecycle, at time scale 1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from alibabacloud_eas20210701 import models as eas
from pulumi.runtime import proto

from pulumi_alicloud_ai.testing.provider_host import ProviderCallError
from tests.official_sdk import eas_client
from tests.providers.conformance.subjects import APP_SERVICE, SERVICE
from tests.providers.conformance.world import World


def _service(world: World) -> Any:
    return eas_client(world.emulator).describe_service("cn-shanghai", SERVICE).body


class TestAppService:
    """Waiting switched off, failed updates, and what refresh and import must keep."""

    def test_create_without_waiting_returns_while_the_service_is_creating(self, world: World) -> None:
        """wait_for_ready=False: create returns at once with status Creating; no time passes."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, {**APP_SERVICE.inputs(world), "wait_for_ready": False}).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        assert (resource_id, outs["status"]) == (f"cn-shanghai/{SERVICE}", "Creating")
        assert world.offset() == 0
        assert _service(world).status == "Creating"

    def test_a_service_adopted_after_a_lost_answer_has_its_usual_id(self, world: World) -> None:
        """CreateAppService answered 500 after it took effect: the service found and adopted is
        addressed as any other, ``<region>/<service_name>``, so later runs reach it."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        world.fault(
            "eas", "CreateAppService", error={"code": "InternalError", "status": 500, "phase": "response"}
        )
        resource_id, outs, _ = host.create(SERVICE, inputs)
        assert (resource_id, outs["status"]) == (f"cn-shanghai/{SERVICE}", "Running")

    def test_a_create_timeout_names_the_services_last_events(self, world: World) -> None:
        """A service still Creating at timeouts.create: the error ends with what EAS last said about it."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, {**APP_SERVICE.inputs(world), "timeouts": {"create": "5s"}}).inputs
        with pytest.raises(ProviderCallError) as info:
            host.create(SERVICE, inputs)
        assert re.search(
            rf"\. Last events: \S+ Normal Created: \w+ {SERVICE} created \[emulator at ", info.value.last_line
        ), info.value.last_line

    def test_a_timeout_names_the_newest_events_of_a_long_history(self, world: World) -> None:
        """A service with nine events, still scaling from a change outside Pulumi when the update's wait
        ends: the error names the three newest, the last one that change, not the oldest ones."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)  # Created, then Running
        sdk = eas_client(world.emulator)
        for replicas in (2, 3, 4, 5):  # each asked for, then scaled; the last one still scaling
            if replicas > 2:
                world.advance(20)
            sdk.update_app_service("cn-shanghai", SERVICE, eas.UpdateAppServiceRequest(replicas=replicas))
        news = host.check(
            SERVICE, {**inputs, "replicas": 6, "timeouts": {"update": "5s"}}, olds=inputs
        ).inputs
        with pytest.raises(ProviderCallError) as info:
            host.update(SERVICE, resource_id, outs, news)
        events = info.value.last_line.split("Last events: ", 1)[1].split(" [emulator at ", 1)[0]
        assert [event.split(" ", 2)[2] for event in events.split("; ")] == [
            "UpdateRequested: update: Replicas=4",
            "ServiceScaled: status changed to Running",
            "UpdateRequested: update: Replicas=5",
        ], info.value.last_line

    def test_a_service_still_creating_is_deleted_without_waiting_for_it(self, world: World) -> None:
        """EAS deletes a service in any state but Deleting: delete does not first wait the 30 s the
        create takes, only the 10 s the deletion takes."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, {**APP_SERVICE.inputs(world), "wait_for_ready": False}).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        host.delete(SERVICE, resource_id, outs)
        assert APP_SERVICE.count(world) == 0
        assert world.offset() < APP_SERVICE.create_seconds

    def test_an_update_that_ends_failed_leaves_the_service_in_place(self, world: World) -> None:
        """An update whose service ends Failed is an error with its events; the service is not deleted
        (only a failed create removes what it made)."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        world.fault("eas", "UpdateAppService", effect="fail", message="quota exhausted while scaling")
        news = host.check(SERVICE, {**inputs, "replicas": 2}, olds=inputs).inputs
        with pytest.raises(ProviderCallError) as info:
            host.update(SERVICE, resource_id, outs, news)
        line = info.value.last_line
        assert f"EAS service {SERVICE} in cn-shanghai ended Failed after update:" in line
        assert "quota exhausted while scaling" in line
        world.advance(60)
        assert _service(world).status == "Failed"

    def test_a_failed_end_names_the_warnings_only(self, world: World) -> None:
        """The reasons of a Failed service are its Warning events (reason: message), not its history."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        world.fault("eas", "CreateAppService", effect="fail", message="OSS path oss://models/llama/ is empty")
        with pytest.raises(ProviderCallError) as info:
            host.create(SERVICE, inputs)
        assert (
            f"EAS service {SERVICE} in cn-shanghai ended Failed after create: "
            "ServiceFailed: OSS path oss://models/llama/ is empty. The failed service was deleted"
        ) in info.value.last_line, info.value.last_line

    def test_app_version_survives_refresh_and_import(self, world: World) -> None:
        """app_version reads back on refresh and on import by id, so neither shows a false diff."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, {**APP_SERVICE.inputs(world), "app_version": "v2"}).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        _, refreshed, refreshed_inputs = host.read(SERVICE, resource_id, outs, inputs)
        _, imported, imported_inputs = host.read(SERVICE, resource_id, {}, {})
        assert (refreshed_inputs["app_version"], imported_inputs["app_version"]) == ("v2", "v2")
        assert host.diff(SERVICE, resource_id, refreshed, inputs).changes == proto.DiffResponse.DIFF_NONE
        assert host.diff(SERVICE, resource_id, imported, inputs).changes == proto.DiffResponse.DIFF_NONE

    def test_refresh_keeps_the_inputs_that_only_steer_the_provider(self, world: World) -> None:
        """wait_for_ready and timeouts are not on the live service: refresh keeps the recorded ones, so
        they show no false diff and still apply to the next update."""
        host = world.host(APP_SERVICE.provider())
        behaviour = {"wait_for_ready": False, "timeouts": {"update": "45m"}}
        inputs = host.check(SERVICE, {**APP_SERVICE.inputs(world), **behaviour}).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        _, refreshed, refreshed_inputs = host.read(SERVICE, resource_id, outs, inputs)
        assert {key: refreshed_inputs[key] for key in behaviour} == {key: inputs[key] for key in behaviour}
        assert host.diff(SERVICE, resource_id, refreshed, inputs).changes == proto.DiffResponse.DIFF_NONE

    def test_an_update_of_a_service_deleted_outside_says_to_refresh(self, world: World) -> None:
        """The service was deleted outside Pulumi: update names it and says refresh drops it."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        eas_client(world.emulator).delete_service("cn-shanghai", SERVICE)
        world.advance(10)  # Deleting takes 10 s
        news = host.check(SERVICE, {**inputs, "replicas": 2}, olds=inputs).inputs
        with pytest.raises(ProviderCallError) as info:
            host.update(SERVICE, resource_id, outs, news)
        assert (
            f"EAS service {SERVICE} in cn-shanghai no longer exists; `pulumi refresh` drops it from the stack"
            in info.value.last_line
        ), info.value.last_line

    def test_a_change_made_while_scaling_waits_for_the_scale_to_end(self, world: World) -> None:
        """A service still Scaling from a change outside Pulumi: update waits for Running, then applies."""
        host = world.host(APP_SERVICE.provider())
        inputs = host.check(SERVICE, APP_SERVICE.inputs(world)).inputs
        resource_id, outs, _ = host.create(SERVICE, inputs)
        eas_client(world.emulator).update_app_service(
            "cn-shanghai", SERVICE, eas.UpdateAppServiceRequest(replicas=2)
        )
        news = host.check(SERVICE, {**inputs, "service_spec": "llama_13b_fp16"}, olds=inputs).inputs
        updated = host.update(SERVICE, resource_id, outs, news)
        assert (updated["service_spec"], updated["status"]) == ("llama_13b_fp16", "Running")
        assert _service(world).app_spec_name == "llama_13b_fp16"
