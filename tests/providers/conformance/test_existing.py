"""Conformance, existing resources: interrupted updates and deletes converge on the next run, delete
waits until the resource is gone, and refresh shows what changed outside Pulumi."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from alibabacloud_eas20210701 import models as eas
from alibabacloud_vod20170321 import models as vod
from pulumi.runtime import proto
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost
from tests.official_sdk import eas_client, vod_client
from tests.providers.conformance.subjects import (
    AI_IMAGE_JOB,
    APP_SERVICE,
    SERVICE,
    TEMPLATE,
    VOD_TEMPLATE,
    Subject,
    job_ids,
)
from tests.providers.conformance.world import World, interrupt

Made = tuple[ProviderHost, str, dict[str, Any], dict[str, Any]]


def _made(world: World, subject: Subject, **overrides: Any) -> Made:
    """A resource created by a host that waits on the emulator's clock: (host, id, outputs, inputs)."""
    host = world.host(subject.provider())
    checked = host.check(subject.kind, {**subject.inputs(world), **overrides})
    assert checked.failures == {}
    resource_id, outs, _ = host.create(subject.kind, checked.inputs)
    return host, resource_id, outs, checked.inputs


def _service(world: World) -> Any:
    return eas_client(world.emulator).describe_service("cn-shanghai", SERVICE).body


def _template(world: World, template_id: str) -> Any:
    request = vod.GetAITemplateRequest(template_id=template_id)
    return vod_client(world.emulator).get_aitemplate(request).body.template_info


def _service_is_gone(world: World) -> bool:
    try:
        _service(world)
    except TeaException as exc:
        return exc.statusCode == 404
    return False


@dataclass(frozen=True)
class Change:
    """An in-place update, and how to see it made on the live resource."""

    subject: Subject
    inputs: dict[str, Any]
    action: str
    made: Callable[[World, str], bool]
    answer_delayed: bool
    """The update ends at its call (nothing to wait for): interrupt it with its answer in flight."""


CHANGES = [
    Change(
        APP_SERVICE,
        {"replicas": 3},
        "UpdateAppService",
        lambda world, _id: world.answered("UpdateAppService"),
        False,
    ),
    Change(
        VOD_TEMPLATE,
        {"template_name": f"{TEMPLATE}-renamed"},
        "UpdateAITemplate",
        lambda world, template_id: _template(world, template_id).template_name == f"{TEMPLATE}-renamed",
        True,
    ),
]


@pytest.mark.parametrize("change", [pytest.param(change, id=change.subject.kind) for change in CHANGES])
def test_an_interrupted_update_converges_on_the_next_run(world: World, change: Change) -> None:
    """The provider killed mid-update (an AppService scaling 1 -> 3): the next update waits for the
    settled state and converges, without sending the change again."""
    subject = change.subject
    host, resource_id, outs, inputs = _made(world, subject)
    news = host.check(subject.kind, {**inputs, **change.inputs}, olds=inputs).inputs
    first = world.host(subject.provider(), clock="real")
    if change.answer_delayed:
        world.fault(subject.product, change.action, latency_ms=5000, latency_phase="response")
    interrupt(
        first,
        lambda: first.update(subject.kind, resource_id, outs, news),
        lambda: change.made(world, resource_id),
        f"{change.action} to take effect",
    )

    sent = len(world.calls(change.action))
    updated = world.host(subject.provider()).update(subject.kind, resource_id, outs, news)
    assert {key: updated[key] for key in change.inputs} == change.inputs
    assert updated.get("status", "Running") == "Running"
    assert len(world.calls(change.action)) == sent  # not sent again


def test_an_interrupted_service_delete_converges_on_the_next_run(world: World) -> None:
    """Killed while the service was Deleting: the next delete waits until it is gone."""
    _, resource_id, outs, _ = _made(world, APP_SERVICE)
    first = world.host(APP_SERVICE.provider(), clock="real")
    interrupt(
        first,
        lambda: first.delete(SERVICE, resource_id, outs),
        lambda: world.answered("DeleteService"),
        "DeleteService to take effect",
    )
    assert _service(world).status == "Deleting"
    world.host(APP_SERVICE.provider()).delete(SERVICE, resource_id, outs)
    assert _service_is_gone(world)


def test_an_interrupted_template_delete_converges_on_the_next_run(world: World) -> None:
    """Killed with DeleteAITemplate's answer in flight: the next delete finds it gone and succeeds."""
    _, template_id, outs, _ = _made(world, VOD_TEMPLATE)
    world.fault("vod", "DeleteAITemplate", latency_ms=5000, latency_phase="response")
    first = world.host(VOD_TEMPLATE.provider(), clock="real")
    interrupt(
        first,
        lambda: first.delete(TEMPLATE, template_id, outs),
        lambda: VOD_TEMPLATE.count(world) == 0,
        "DeleteAITemplate to take effect",
    )
    world.host(VOD_TEMPLATE.provider()).delete(TEMPLATE, template_id, outs)
    assert VOD_TEMPLATE.count(world) == 0


def test_an_interrupted_job_delete_converges_on_the_next_run(world: World) -> None:
    """Killed while waiting for a running job before deleting its images: the next delete waits for
    the job to finish, then deletes every image it made."""
    _, job_id, outs, _ = _made(world, AI_IMAGE_JOB, wait_for_final=False)
    assert outs["status"] == "submitted"
    polls = len(world.calls("GetAIImageJobs"))
    first = world.host(AI_IMAGE_JOB.provider(), clock="real")
    interrupt(
        first,
        lambda: first.delete("job", job_id, outs),
        lambda: len(world.calls("GetAIImageJobs")) > polls,
        "the delete to start waiting for the job",
    )
    world.host(AI_IMAGE_JOB.provider()).delete("job", job_id, outs)
    world.advance(60)  # nothing the job could still add
    assert job_ids(world) == set()


def test_delete_returns_once_the_service_is_gone(world: World) -> None:
    """Delete waits until DescribeService says NotFound: the service is gone when delete returns,
    though deleting takes 10 s and the test never moves the clock."""
    host, resource_id, outs, _ = _made(world, APP_SERVICE)
    offset = world.offset()
    host.delete(SERVICE, resource_id, outs)
    assert _service_is_gone(world)
    assert world.offset() - offset >= 10  # the provider's wait moved the clock through Deleting


def test_delete_waits_as_long_as_the_recorded_timeout(world: World) -> None:
    """timeouts.delete as recorded bounds both of delete's waits (until gone, and for a service still
    Deleting); the error says to run the delete again, and that run converges."""
    host, resource_id, outs, _ = _made(world, APP_SERVICE, timeouts={"delete": "5s"})
    for _ in range(2):  # the first waits until gone, the second for a service still Deleting
        with pytest.raises(ProviderCallError) as info:
            host.delete(SERVICE, resource_id, outs)
        assert re.search(
            rf"EAS service {SERVICE} in cn-shanghai was still Deleting after \d+s; it stays in the stack: run "
            r"the delete again \(`pulumi destroy` or `pulumi up`\), or raise timeouts\.delete\.",
            info.value.last_line,
        ), info.value.last_line
    world.advance(10)
    host.delete(SERVICE, resource_id, outs)
    assert _service_is_gone(world)


def test_a_delete_the_service_gives_up_on_fails_at_once_and_the_next_converges(world: World) -> None:
    """EAS ends a failed delete DeleteFailed, which no wait gets past: delete says so with the
    service's events as soon as it sees it (not after timeouts.delete), the service stays in the stack,
    and the next delete removes it."""
    host, resource_id, outs, _ = _made(world, APP_SERVICE, timeouts={"delete": "30m"})
    world.fault("eas", "DeleteService", effect="fail", message="disk detach timed out")
    offset = world.offset()
    with pytest.raises(ProviderCallError) as info:
        host.delete(SERVICE, resource_id, outs)
    assert re.search(
        rf"EAS service {SERVICE} in cn-shanghai ended DeleteFailed after delete: the service could not "
        r"remove it\. Last events: .*ServiceDeleteFailed: disk detach timed out\. It stays in the stack: "
        r"run the delete again \(`pulumi destroy` or `pulumi up`\) once the cause is fixed\.",
        info.value.last_line,
    ), info.value.last_line
    assert world.offset() - offset < 60  # stopped at DeleteFailed, long before the 30 minutes
    assert _service(world).status == "DeleteFailed"
    host.delete(SERVICE, resource_id, outs)
    assert _service_is_gone(world)


class TestRefresh:
    """Read after a change made outside Pulumi shows the change."""

    def test_service_replicas_changed_outside(self, world: World) -> None:
        """Replicas scaled with the SDK read back into the inputs; the program's value then diffs."""
        host, resource_id, outs, inputs = _made(world, APP_SERVICE)
        eas_client(world.emulator).update_app_service(
            "cn-shanghai", SERVICE, eas.UpdateAppServiceRequest(replicas=5)
        )
        _, read_outs, read_inputs = host.read(SERVICE, resource_id, outs, inputs)
        assert (read_inputs["replicas"], read_outs["status"]) == (5, "Scaling")
        assert host.diff(SERVICE, resource_id, read_outs, inputs).changes == proto.DiffResponse.DIFF_SOME

    def test_template_renamed_outside(self, world: World) -> None:
        """A template renamed with the SDK reads back with its new name."""
        host, template_id, outs, inputs = _made(world, VOD_TEMPLATE)
        request = vod.UpdateAITemplateRequest(
            template_id=template_id, template_name="ops-name", template_config='{"Count":2}'
        )
        vod_client(world.emulator).update_aitemplate(request)
        _, _, read_inputs = host.read(TEMPLATE, template_id, outs, inputs)
        assert read_inputs["template_name"] == "ops-name"

    def test_job_images_deleted_outside(self, world: World) -> None:
        """Images deleted with the SDK drop out of the job's outputs; its inputs stay."""
        host, job_id, outs, inputs = _made(world, AI_IMAGE_JOB)
        first = outs["images"][0]["id"]
        vod_client(world.emulator).delete_aiimage_infos(vod.DeleteAIImageInfosRequest(aiimage_info_ids=first))
        _, read_outs, read_inputs = host.read("job", job_id, outs, inputs)
        assert [image["id"] for image in read_outs["images"]] == [image["id"] for image in outs["images"][1:]]
        assert read_inputs["video_id"] == inputs["video_id"]


def test_a_job_delete_that_times_out_says_to_run_it_again(world: World) -> None:
    """A job still running when timeouts.delete (as recorded) runs out: the error says to run the
    delete again, as for every resource, not how to take the job over; the next delete converges."""
    host, job_id, outs, _ = _made(world, AI_IMAGE_JOB, wait_for_final=False, timeouts={"delete": "5s"})
    with pytest.raises(ProviderCallError) as info:
        host.delete("job", job_id, outs)
    assert re.search(
        rf"{AI_IMAGE_JOB.label} was still \w+ after \d+s; it stays in the stack: run the delete again "
        r"\(`pulumi destroy` or `pulumi up`\), or raise timeouts\.delete\.",
        info.value.last_line,
    ), info.value.last_line
    world.advance(AI_IMAGE_JOB.create_seconds)
    host.delete("job", job_id, outs)
    assert job_ids(world) == set()


def test_an_update_that_times_out_says_the_next_run_finishes_it(world: World) -> None:
    """A service still scaling at timeouts.update: the error says the next run waits for it and applies
    what is missing; that run converges without sending the change again."""
    host, resource_id, outs, inputs = _made(world, APP_SERVICE)
    news = host.check(SERVICE, {**inputs, "replicas": 3, "timeouts": {"update": "5s"}}, olds=inputs).inputs
    with pytest.raises(ProviderCallError) as info:
        host.update(SERVICE, resource_id, outs, news)
    assert re.search(
        rf"EAS service {SERVICE} in cn-shanghai was still \w+ after \d+s; the next `pulumi up` waits for it, "
        r"then applies what is still missing, or raise timeouts\.update\.",
        info.value.last_line,
    ), info.value.last_line
    sent = len(world.calls("UpdateAppService"))
    world.advance(20)  # scaling ends
    updated = host.update(SERVICE, resource_id, outs, news)
    assert (updated["replicas"], updated["status"]) == (3, "Running")
    assert len(world.calls("UpdateAppService")) == sent
