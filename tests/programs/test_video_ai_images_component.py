"""VideoAIImages: one template, one job per video, all parented and named from the component."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts
from pulumi_alicloud_ai.resources.video_ai_images import VideoAIImages, VideoAIImagesArgs
from pulumi_alicloud_ai.resources.vod_ai_template import (
    AIImageTemplateConfig,
    VodAITemplate,
    VodAITemplateArgs,
)
from tests.programs.conftest import RecordingMocks, run_program

CHILDREN = ("trailers-template", "trailers-v1", "trailers-v2")


@pulumi.runtime.test
def test_template_and_one_job_per_video_are_children(mocks: RecordingMocks) -> Any:
    """Names derive from the component; jobs take the template's id; all are parented to it and placed
    by its arguments (region, settings); the jobs get its user data and timeouts."""
    callback = {"MessageCallback": {"CallbackURL": "https://hooks.example.com/vod"}}
    images = VideoAIImages(
        "trailers",
        VideoAIImagesArgs(
            video_ids=["v1", "v2"],
            config=AIImageTemplateConfig(count=4),
            user_data=callback,
            region="cn-beijing",
            timeouts=Timeouts(create="45m"),
        ),
        settings=ProviderSettings(profile="media"),
    )

    def verify(urns: list[str]) -> None:
        urn = urns[0]
        requests = mocks.monitor.requests
        assert requests["trailers"].type == "alicloud-ai:index:VideoAIImages"
        assert set(CHILDREN) <= set(requests)
        assert all(requests[n].parent == urn for n in CHILDREN)
        inputs = {r.name: r.inputs for r in mocks.resources}
        assert inputs["trailers-template"]["config"] == {"Count": 4}
        assert inputs["trailers-template"]["template_name"] == "trailers"
        assert inputs["trailers-template"]["template_type"] == "AIImage"
        assert inputs["trailers-v1"]["video_id"] == "v1"
        assert inputs["trailers-v2"]["ai_template_id"] == "trailers-template_id"
        assert {
            name: (inputs[name]["region"], inputs[name]["settings"]) for name in CHILDREN
        } == dict.fromkeys(CHILDREN, ("cn-beijing", {"profile": "media"}))
        for job in ("trailers-v1", "trailers-v2"):
            assert (inputs[job]["user_data"], inputs[job]["timeouts"]) == (callback, {"create": "45m"})

    children = [images.template.urn, *(job.urn for job in images.jobs.values())]
    return pulumi.Output.all(images.urn, *children).apply(verify)


def test_protect_and_depends_on_given_to_the_component_reach_its_children(mocks: RecordingMocks) -> None:
    """A protected component protects the template and every job; what it depends on is created before
    the template, and so before the jobs that use the template's id."""

    def program() -> None:
        first = VodAITemplate(
            "first", VodAITemplateArgs(template_name="first", config=AIImageTemplateConfig())
        )
        VideoAIImages(
            "guarded",
            VideoAIImagesArgs(video_ids=["v1"], region="cn-beijing"),
            pulumi.ResourceOptions(protect=True, depends_on=[first]),
        )

    run_program(program)
    requests = mocks.monitor.requests
    assert [requests[name].protect for name in ("guarded", "guarded-template", "guarded-v1")] == [True] * 3
    first_urn = next(urn for urn in mocks.monitor.resources if urn.endswith("::first"))
    assert list(requests["guarded-template"].dependencies) == [first_urn]


def test_the_component_registers_the_template_id_and_the_images(mocks: RecordingMocks) -> None:
    """The engine records the component's outputs under the names the docs give."""

    def program() -> None:
        VideoAIImages("shots", VideoAIImagesArgs(video_ids=["v1", "v2"], region="cn-beijing"))

    run_program(program)
    assert mocks.monitor.outputs["shots"] == {
        "template_id": "shots-template_id",
        "images": {"v1": ["https://img/v1/0.png"], "v2": ["https://img/v2/0.png"]},
    }


def test_duplicate_video_ids_are_refused(mocks: RecordingMocks) -> None:
    """Listing a video twice would make two jobs with one name: refused with the id."""
    with pytest.raises(ValueError, match=r"\['v1'\] more than once"):
        VideoAIImages("dupes", VideoAIImagesArgs(video_ids=["v1", "v1"], region="cn-beijing"))


@pulumi.runtime.test
def test_images_are_the_urls_of_each_videos_job(mocks: RecordingMocks) -> Any:
    """``images`` maps each video id to the URLs its own job made, in order."""
    images = VideoAIImages("shots", VideoAIImagesArgs(video_ids=["v1", "v2"], region="cn-beijing"))

    def verify(by_video: dict[str, list[str]]) -> None:
        assert by_video == {"v1": ["https://img/v1/0.png"], "v2": ["https://img/v2/0.png"]}

    return images.images.apply(verify)
