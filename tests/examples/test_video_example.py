"""The video-ai-images example, run by the local engine against a real emulator: up, change, destroy."""

from __future__ import annotations

import json

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing import LocalEngine
from tests.examples.conftest import EXAMPLES
from tests.official_sdk import vod_client

PROGRAM = EXAMPLES / "video-ai-images"
VIDEOS = ("intro-0001", "outro-0002")


@pytest.fixture
def videos(example_emulator: RunningEmulator) -> tuple[str, ...]:
    """The example's videos, registered in the emulator (VOD's uploads)."""
    for video_id in VIDEOS:
        body = {"Title": video_id, "Duration": 120, "VideoId": video_id}
        httpx.post(f"{example_emulator.url}/_emulator/vod/videos", json=body).raise_for_status()
    return VIDEOS


def _images(emulator: RunningEmulator, video_id: str) -> list[str]:
    infos = vod_client(emulator).list_aiimage_info(vod.ListAIImageInfoRequest(video_id=video_id))
    return [info.file_url for info in infos.body.aiimage_info_list]


def test_video_example_makes_thumbnails_updates_the_template_in_place_and_destroys(
    engine: LocalEngine, example_emulator: RunningEmulator, videos: tuple[str, ...]
) -> None:
    """One template and a job per video make the images; a new count updates the template only (preview
    cannot know that); destroy cleans up."""
    engine.project = "video-ai-images"
    config = {"videoIds": json.dumps(list(VIDEOS)), "imageCount": "2"}
    steps, outputs = engine.up(PROGRAM, config)
    assert sorted((s.op, s.name) for s in steps) == [
        ("create", "thumbnails"),
        ("create", "thumbnails-intro-0001"),
        ("create", "thumbnails-outro-0002"),
    ]
    assert outputs["template_id"]
    for video_id in VIDEOS:
        assert len(outputs["thumbnails"][video_id]) == 2
        assert outputs["thumbnails"][video_id] == _images(example_emulator, video_id)
        assert all(url.endswith(".png") for url in outputs["thumbnails"][video_id])

    # The dynamic-provider host cannot preview an update, so the engine hands back the template's new
    # inputs as its outputs: its id is unknown during preview, and the jobs that use it show as replaced.
    preview = engine.preview(PROGRAM, {**config, "imageCount": "4"})
    assert sorted((s.op, s.name) for s in preview) == [
        ("replace", "thumbnails-intro-0001"),
        ("replace", "thumbnails-outro-0002"),
        ("update", "thumbnails"),
    ]
    steps, _ = engine.up(PROGRAM, {**config, "imageCount": "4"})
    assert sorted((s.op, s.name) for s in steps) == [
        ("same", "thumbnails-intro-0001"),
        ("same", "thumbnails-outro-0002"),
        ("update", "thumbnails"),
    ]

    assert sorted(s.op for s in engine.destroy()) == ["delete"] * 3
    assert [_images(example_emulator, video_id) for video_id in VIDEOS] == [[], []]
