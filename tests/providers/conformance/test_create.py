"""Conformance, create: every provider times out, survives lost answers, rolls back, resumes and
renders errors the same way, at time scale 1 with waits run on the emulator's clock."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost
from tests.providers.conformance.subjects import (
    AI_IMAGE_JOB,
    APP_SERVICE,
    EVERY,
    SERVICE,
    VOD_TEMPLATE,
    WAITING,
    Subject,
    job_ids,
)
from tests.providers.conformance.world import World, interrupt


def _checked(host: ProviderHost, subject: Subject, inputs: dict[str, Any]) -> dict[str, Any]:
    outcome = host.check(subject.kind, inputs)
    assert outcome.failures == {}
    return outcome.inputs


def _failed_create(host: ProviderHost, subject: Subject, inputs: dict[str, Any]) -> str:
    with pytest.raises(ProviderCallError) as info:
        host.create(subject.kind, inputs)
    return info.value.last_line


def _where(world: World) -> str:
    """How a rendered API error says where the call went."""
    return rf" \[emulator at {re.escape(world.emulator.url)} \(cn-shanghai\)\]"


def _log(world: World) -> str:
    """How every error raised to the engine ends: the event log."""
    return rf" \(event log: {re.escape(str(world.events_dir))}/[\w.-]+\.jsonl\)"


def _tail(world: World) -> str:
    """How every rendered error ends: where the calls went, and the event log."""
    return _where(world) + _log(world)


@pytest.mark.parametrize("subject", [subject.param() for subject in WAITING])
def test_a_timeout_is_rendered_alike_and_the_next_run_takes_the_resource_over(
    world: World, subject: Subject
) -> None:
    """A create still running at timeouts.create fails in one shape for every provider; the next run
    adopts it, or takes over the id the error names with adopt_id (no second resource)."""
    host = world.host(subject.provider())
    inputs = _checked(host, subject, {**subject.inputs(world), "timeouts": {"create": "5s"}})
    line = _failed_create(host, subject, inputs)
    take_over = (
        "the next `pulumi up` adopts it"
        if subject.adopts
        else r"take it over with adopt_id='(?P<id>[^']+)' \(ResourceOptions\(import_=\.\.\.\) works only with "
        r"LocalEngine\)"
    )
    shape = (
        rf".*ProviderError: An error occurred \(WaitTimeout\): {subject.label} was still (?P<status>\w+) after "
        rf"\d+s; it keeps going but is not in the stack: {take_over}, or raise timeouts\.create\."
        rf"( Last events: .+)?{_tail(world)}"
    )
    match = re.fullmatch(shape, line)
    assert match, line
    assert match["status"] not in ("Running", "success", "SUCCESS")

    world.advance(subject.create_seconds)
    if subject.adopts:
        host.create(subject.kind, inputs)
    else:
        adopted = _checked(host, subject, {**inputs, "adopt_id": match["id"]})
        read_id, outs, _ = host.create(subject.kind, adopted)
        assert (read_id, outs["status"].lower()) == (match["id"], "success")
    assert subject.count(world) == 1


@pytest.mark.parametrize("subject", [subject.param() for subject in EVERY])
def test_a_5xx_after_the_service_acted_is_adopted_or_named(world: World, subject: Subject) -> None:
    """A create answered with a 5xx after it took effect: adopted (one resource), or an error saying a
    resource may exist and how to find it."""
    host = world.host(subject.provider())
    inputs = _checked(host, subject, subject.inputs(world))
    world.fault(
        subject.product, subject.submit, error={"code": "InternalError", "status": 500, "phase": "response"}
    )
    if subject.adopts:
        host.create(subject.kind, inputs)
    else:
        line = _failed_create(host, subject, inputs)
        assert f"(InternalError) when calling the {subject.submit} operation" in line
        assert "the call may have reached the service:" in line
        world.advance(subject.create_seconds)
    assert subject.count(world) == 1


@pytest.mark.parametrize("subject", [subject.param() for subject in EVERY])
def test_an_api_error_is_rendered_alike_and_leaves_nothing(world: World, subject: Subject) -> None:
    """A refused create is one line in one shape for every provider: code, action, message, HTTP
    status, RequestId, where the call went and the event log."""
    host = world.host(subject.provider())
    inputs = _checked(host, subject, subject.inputs(world))
    message = "You are not authorized to do this action."
    world.fault(
        subject.product, subject.submit, error={"code": "Forbidden.RAM", "status": 403, "message": message}
    )
    line = _failed_create(host, subject, inputs)
    shape = (
        rf".*ProviderError: An error occurred \(Forbidden\.RAM\) when calling the {subject.submit} operation: "
        rf"{re.escape(message)} \(HTTP 403, RequestId: [0-9A-F-]+\){_tail(world)}"
    )
    assert re.fullmatch(shape, line), line
    assert subject.count(world) == 0


@pytest.mark.parametrize("subject", [subject.param() for subject in EVERY])
def test_an_interrupted_create_converges_on_the_next_run(world: World, subject: Subject) -> None:
    """The provider killed mid-create (waiting, or its answer in flight): the next create ends with the
    resource made. What was made is adopted; a job or task whose id was lost cannot be found, so the
    next run makes another (as documented)."""
    first = world.host(subject.provider(), clock="real")
    inputs = _checked(first, subject, subject.inputs(world))
    if subject.create_seconds:
        reached = lambda: world.answered(subject.submit)  # noqa: E731 - answered: it is now waiting
    else:
        world.fault(subject.product, subject.submit, latency_ms=5000, latency_phase="response")
        reached = lambda: subject.count(world) == 1  # noqa: E731 - made, the answer still in flight
    interrupt(first, lambda: first.create(subject.kind, inputs), reached, f"{subject.submit} to take effect")

    _, outs, _ = world.host(subject.provider()).create(subject.kind, inputs)
    assert outs.get("status", "ready").lower() in ("running", "success", "ready")
    assert subject.count(world) == (1 if subject.adopts else 2)


class TestRollback:
    """A create that fails after the resource was made removes it before the error is raised."""

    def test_a_service_that_ends_failed_is_deleted(self, world: World) -> None:
        """A Failed service: the error carries its events, and the service is deleted."""
        host = world.host(APP_SERVICE.provider())
        inputs = _checked(host, APP_SERVICE, APP_SERVICE.inputs(world))
        world.fault("eas", "CreateAppService", effect="fail", message="OSS path oss://models/llama/ is empty")
        line = _failed_create(host, APP_SERVICE, inputs)
        assert f"{APP_SERVICE.label} ended Failed after create:" in line
        assert "OSS path oss://models/llama/ is empty" in line
        assert "The failed service was deleted, so nothing is left behind." in line
        world.advance(10)  # Deleting takes 10 s
        assert APP_SERVICE.count(world) == 0

    def test_a_template_whose_set_default_fails_is_deleted(self, world: World) -> None:
        """SetDefaultAITemplate refused: the create fails with that error and the template is deleted."""
        host = world.host(VOD_TEMPLATE.provider())
        inputs = _checked(host, VOD_TEMPLATE, {**VOD_TEMPLATE.inputs(world), "is_default": True})
        world.fault("vod", "SetDefaultAITemplate", error={"code": "Forbidden.RAM", "status": 403})
        line = _failed_create(host, VOD_TEMPLATE, inputs)
        assert "(Forbidden.RAM) when calling the SetDefaultAITemplate operation" in line
        assert "It was deleted, so nothing is left behind." in line
        assert VOD_TEMPLATE.count(world) == 0

    @pytest.mark.parametrize(
        ("refusal", "said"),
        [
            ({"code": "Forbidden.RAM", "status": 403}, r"Forbidden\.RAM"),
            (
                {"code": "InvalidAITemplate.IsDefault", "status": 409},
                r"VOD AI template \w+ in cn-shanghai cannot be deleted: .+\[InvalidAITemplate\.IsDefault, .+\]",
            ),
        ],
        ids=["api-error", "provider-error"],
    )
    def test_a_cleanup_that_fails_too_names_what_is_left(
        self, world: World, refusal: dict[str, Any], said: str
    ) -> None:
        """Removing the half-made template is refused every time: the error says what refused it and how
        to take the template over (adopt_id), and the template is still there."""
        host = world.host(VOD_TEMPLATE.provider())
        inputs = _checked(host, VOD_TEMPLATE, {**VOD_TEMPLATE.inputs(world), "is_default": True})
        world.fault("vod", "SetDefaultAITemplate", error={"code": "Forbidden.RAM", "status": 403})
        world.admin.post(
            "/faults", {"product": "vod", "action": "DeleteAITemplate", "count": 10, "error": refusal}
        )
        line = _failed_create(host, VOD_TEMPLATE, inputs)
        assert re.search(
            rf"Removing it failed too \({said}\): delete it, or take it over with adopt_id='\w+'",
            line,
        ), line
        assert VOD_TEMPLATE.count(world) == 1

    @pytest.mark.parametrize(
        ("refusals", "deletes", "paused", "left"),
        [(3, 4, 2 + 4 + 8, 0), (10, 5, 2 + 4 + 8 + 16, 1)],
        ids=["removed-at-the-fourth-round", "left-after-five-rounds"],
    )
    def test_a_cleanup_keeps_trying_five_rounds_pausing_longer_each_time(
        self, world: World, refusals: int, deletes: int, paused: int, left: int
    ) -> None:
        """Cleanup insists: up to five rounds, pausing 2 s, then twice as long each time (on the
        emulator's clock), and stops at the first round that removes the template."""
        host = world.host(VOD_TEMPLATE.provider())
        inputs = _checked(host, VOD_TEMPLATE, {**VOD_TEMPLATE.inputs(world), "is_default": True})
        world.fault("vod", "SetDefaultAITemplate", error={"code": "Forbidden.RAM", "status": 403})
        refusal = {"code": "Forbidden.RAM", "status": 403}
        world.admin.post(
            "/faults", {"product": "vod", "action": "DeleteAITemplate", "count": refusals, "error": refusal}
        )
        _failed_create(host, VOD_TEMPLATE, inputs)
        assert (len(world.calls("DeleteAITemplate")), world.offset()) == (deletes, paused)
        assert VOD_TEMPLATE.count(world) == left

    def test_a_job_that_fails_after_making_images_has_its_images_deleted(self, world: World) -> None:
        """An error after the job made its images: the images are deleted; the job record stays."""
        host = world.host(AI_IMAGE_JOB.provider())
        inputs = _checked(host, AI_IMAGE_JOB, AI_IMAGE_JOB.inputs(world))
        world.fault("vod", "ListAIImageInfo", error={"code": "Forbidden.RAM", "status": 403})
        line = _failed_create(host, AI_IMAGE_JOB, inputs)
        assert "(Forbidden.RAM) when calling the ListAIImageInfo operation" in line
        assert "Its images were deleted" in line
        assert job_ids(world) == set()


NOUNS = {"AppService": "EAS service", "VodAITemplate": "VOD AI template"}


@pytest.mark.parametrize("subject", [subject.param() for subject in EVERY if subject.adopts])
def test_a_5xx_before_the_service_acted_says_running_again_is_safe(world: World, subject: Subject) -> None:
    """A create refused with a 5xx before the service acted, for a resource whose leftovers can be
    found: none is found, so the error says none was made and that running again is safe."""
    host = world.host(subject.provider())
    inputs = _checked(host, subject, subject.inputs(world))
    world.fault(subject.product, subject.submit, error={"code": "InternalError", "status": 500})
    line = _failed_create(host, subject, inputs)
    shape = (
        rf".*ProviderError: An error occurred \(InternalError\) when calling the {subject.submit} operation: "
        rf".+ \(HTTP 500, RequestId: [0-9A-F-]+\){_where(world)}; the call may have reached the service: "
        rf"no {NOUNS[subject.kind]} was made, so running `pulumi up` again is safe{_log(world)}"
    )
    assert re.fullmatch(shape, line), line
    assert subject.count(world) == 0


MAY_EXIST = {
    "AIImageJob": "a job on video conformance-clip may exist: once it succeeds, ListAIImageInfo on the video",
    "AITask": "a GenerateTemplate task may exist that the stack does not know",
    "AIMediaAuditJob": "a job on video conformance-review may exist",
}


@pytest.mark.parametrize("subject", [subject.param() for subject in EVERY if not subject.adopts])
def test_a_5xx_on_a_resource_that_cannot_be_found_names_what_may_exist(
    world: World, subject: Subject
) -> None:
    """A create answered with a 5xx, for a resource whose leftovers cannot be found (no ClientToken,
    no listing): the error says what may exist, told from the inputs, and how to find it."""
    host = world.host(subject.provider())
    inputs = _checked(host, subject, subject.inputs(world))
    world.fault(
        subject.product, subject.submit, error={"code": "InternalError", "status": 500, "phase": "response"}
    )
    line = _failed_create(host, subject, inputs)
    advice = line.split("; the call may have reached the service: ", 1)[1]
    assert MAY_EXIST[subject.kind] in advice, line


@pytest.mark.parametrize("waits", [True, False], ids=["waiting", "not-waiting"])
def test_a_resource_missing_right_after_create_is_named(world: World, waits: bool) -> None:
    """A service that reads back NotFound at the first look after CreateAppService: the error names it
    (name and region), whether create waits for it or not, and nothing is left."""
    host = world.host(APP_SERVICE.provider())
    inputs = _checked(host, APP_SERVICE, {**APP_SERVICE.inputs(world), "wait_for_ready": waits})
    world.fault("eas", "DescribeService", error={"code": "InvalidService.NotFound", "status": 404})
    line = _failed_create(host, APP_SERVICE, inputs)
    assert (
        f"ProviderError: EAS service {SERVICE} in cn-shanghai was not found right after it was created. "
        "The failed service was deleted, so nothing is left behind."
    ) in line, line
    world.advance(10)  # Deleting takes 10 s
    assert APP_SERVICE.count(world) == 0


def test_a_rolled_back_create_is_one_line_with_where_and_what_is_left(world: World) -> None:
    """An error after the resource was made: one line with the API error, where the call went, and
    that the half-made resource was removed."""
    host = world.host(VOD_TEMPLATE.provider())
    inputs = _checked(host, VOD_TEMPLATE, {**VOD_TEMPLATE.inputs(world), "is_default": True})
    world.fault("vod", "SetDefaultAITemplate", error={"code": "Forbidden.RAM", "status": 403})
    line = _failed_create(host, VOD_TEMPLATE, inputs)
    shape = (
        r".*ProviderError: An error occurred \(Forbidden\.RAM\) when calling the SetDefaultAITemplate operation: "
        rf".+ \(HTTP 403, RequestId: [0-9A-F-]+\){_where(world)} It was deleted, so nothing is left behind\."
        rf"{_log(world)}"
    )
    assert re.fullmatch(shape, line), line
