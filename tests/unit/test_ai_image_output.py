"""One AI image as the ``images`` output shows it: VOD sends the score as text, the output is a number."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.client.vod import AIImageInfo
from pulumi_alicloud_ai.resources._ai_image_job_provider import image_output


def _info(score: str | None) -> AIImageInfo:
    return AIImageInfo.model_validate(
        {
            "AIImageInfoId": "i-1",
            "FileURL": "https://vod.example/i-1.png",
            "Format": "png",
            "Score": score,
            "Version": "v2",
            "CreationTime": "2026-11-30T12:00:00Z",
        }
    )


def test_an_image_shows_its_score_as_a_number() -> None:
    assert image_output(_info("0.75")) == {
        "id": "i-1",
        "url": "https://vod.example/i-1.png",
        "format": "png",
        "score": 0.75,
        "version": "v2",
        "creation_time": "2026-11-30T12:00:00Z",
    }


@pytest.mark.parametrize("score", [None, "", "n/a"])
def test_a_missing_or_unreadable_score_shows_as_none(score: str | None) -> None:
    """Neither absent nor garbled text stops a refresh: the image is shown, without a score."""
    assert image_output(_info(score))["score"] is None
