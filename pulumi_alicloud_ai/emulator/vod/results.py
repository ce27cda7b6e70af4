"""What an AI image job "produces": images that depend only on the video and the template config.

Neither the SDK nor the docs give the ``AIImage`` TemplateConfig schema (vod.md), so templates accept
any JSON object and store it verbatim. The emulator honours two keys when present:

* ``Count``: how many images (an integer from 1 to 10; default 3);
* ``Format``: ``png`` or ``gif`` (vod.md's AIImageInfo formats; default ``png``).

Other keys are kept and only feed the hash. Every result is derived from
``sha256(VideoId, canonical TemplateConfig, image index)``, where the canonical config is the JSON
re-serialised with sorted keys, so the same video and config give the same URLs, time offsets and
scores on every run and every emulator, whatever the key order or whitespace of the config.

Image ``i`` of ``n`` is taken at a time offset inside the i-th of ``n`` equal slices of the video,
so offsets are increasing and within the video; the offset (milliseconds) is part of the file name,
because AIImageInfo has no field for it. Scores are strings from 0.5000 to 1.0000. The
URLs look like VOD output in OSS but nothing is served there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

DEFAULT_COUNT = 3
MAX_COUNT = 10
"""Not published (no AIImage config schema is): the emulator's own ceiling on ``Count``."""
FORMATS = ("png", "gif")
"""ListAIImageInfo reference, Format: gif or png."""
RESULT_VERSION = "1"
"""AIImageInfo ``Version`` for every image (the algorithm version, fixed in the emulator)."""


@dataclass(frozen=True)
class Image:
    """One produced image, before it becomes an AIImageInfo record."""

    file_url: str
    format: str
    score: str
    time_offset_ms: int


@dataclass(frozen=True)
class JobResult:
    """Everything a successful job produced."""

    result_url: str
    images: tuple[Image, ...]


def image_options(config: dict[str, Any]) -> tuple[int, str]:
    """``(count, format)`` from an AIImage config; ValueError naming the key when a value is not allowed."""
    count = config.get("Count", DEFAULT_COUNT)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"Count must be an integer from 1 to {MAX_COUNT}, got {count!r}.")
    image_format = config.get("Format", FORMATS[0])
    if image_format not in FORMATS:
        raise ValueError(f"Format must be one of {', '.join(FORMATS)}, got {image_format!r}.")
    return count, image_format


def canonical_config(config_text: str) -> str:
    """The config as JSON with sorted keys and no spaces: equal configs hash alike."""
    return json.dumps(json.loads(config_text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).digest()


def produce(video_id: str, duration: float, config_text: str, region: str) -> JobResult:
    """The deterministic output of an AIImage job on ``video_id`` (``duration`` seconds long)."""
    canonical = canonical_config(config_text)
    count, image_format = image_options(json.loads(canonical))
    folder = _digest(video_id, canonical).hex()[:16]
    base = f"https://outin-emulator.oss-{region}.aliyuncs.com/aiimage/{video_id}/{folder}"
    slice_ms = duration * 1000 / count
    images = []
    for index in range(count):
        digest = _digest(video_id, canonical, str(index))
        position = int.from_bytes(digest[:4], "big") / 2**32
        quality = int.from_bytes(digest[4:8], "big") / 2**32
        offset_ms = int(slice_ms * (index + position))
        images.append(
            Image(
                file_url=f"{base}/{index:02d}-{offset_ms}ms.{image_format}",
                format=image_format,
                score=f"{0.5 + quality / 2:.4f}",
                time_offset_ms=offset_ms,
            )
        )
    return JobResult(result_url=f"{base}/result.json", images=tuple(images))
