"""VideoAIImages: one template, one job per video, all parented and named from the component."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_alicloud_ai.resources.video_ai_images import VideoAIImages, VideoAIImagesArgs
from pulumi_alicloud_ai.resources.vod_ai_template import AIImageTemplateConfig
from tests.programs.conftest import RecordingMocks


@pulumi.runtime.test
def test_template_and_one_job_per_video_are_children(mocks: RecordingMocks) -> Any:
    """Names derive from the component; jobs take the template's id; all are parented to it."""
    images = VideoAIImages(
        "trailers",
        VideoAIImagesArgs(video_ids=["v1", "v2"], config=AIImageTemplateConfig(count=4), region="cn-beijing"),
    )

    def verify(urns: list[str]) -> None:
        urn = urns[0]
        requests = mocks.monitor.requests
        assert {"trailers-template", "trailers-v1", "trailers-v2"} <= set(requests)
        assert all(requests[n].parent == urn for n in ("trailers-template", "trailers-v1", "trailers-v2"))
        inputs = {r.name: r.inputs for r in mocks.resources}
        assert inputs["trailers-template"]["config"] == {"Count": 4}
        assert inputs["trailers-template"]["template_name"] == "trailers"
        assert inputs["trailers-v1"]["video_id"] == "v1"
        assert inputs["trailers-v2"]["ai_template_id"] == "trailers-template_id"

    children = [images.template.urn, *(job.urn for job in images.jobs.values())]
    return pulumi.Output.all(images.urn, *children).apply(verify)


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
