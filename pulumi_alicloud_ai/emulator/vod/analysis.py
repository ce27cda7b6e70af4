"""What the AI jobs beyond images "find": tags, fingerprints and review verdicts that depend only on the
video and the job's settings, so every run and every emulator gives the same answer.

Each value is drawn from ``sha256(VideoId, what, index)``. Review scores are 0.00-100.00; a scene
scoring 90 or more is ``block``, 60 or more ``review``, less ``pass``; a job's verdict is its worst
scene's. Scenes the template does not audit (``AuditItem``) are reported as ``pass`` with score 0.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

TAG_WORDS = {
    "Category": ("Technology", "Education", "Travel", "Sports", "News"),
    "Keyword": ("model", "cloud", "city", "river", "training", "demo", "robot"),
    "Location": ("Shanghai", "Beijing", "Hangzhou", "Singapore"),
    "Person": ("presenter", "engineer", "athlete"),
    "Time": ("morning", "daytime", "evening", "night"),
}
SCENES = ("porn", "terrorism", "ad", "live", "logo", "GreenEnhanced")
"""Review scenes VideoResult reports. ``AuditItem`` may name only ``porn`` and ``terrorism``
(``rules.AUDIT_VALUES``); the others always read as not audited."""
DEFAULT_AUDIT = {"AuditItem": ["porn", "terrorism"], "AuditRange": ["video"]}
VIDEO_RESULT_KEYS = {
    "porn": "PornResult",
    "terrorism": "TerrorismResult",
    "ad": "AdResult",
    "live": "LiveResult",
    "logo": "LogoResult",
    "GreenEnhanced": "GreenEnhancedResult",
}
SEVERITY = ("pass", "review", "block")


def _draw(video_id: str, what: str, index: int = 0) -> int:
    digest = hashlib.sha256(f"{video_id}\x00{what}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _times(video_id: str, what: str, duration: float) -> list[str]:
    """Two increasing offsets (milliseconds, as strings) inside the video."""
    span = max(int(duration * 1000), 2)
    first = _draw(video_id, what, 1) % (span // 2)
    return [str(first), str(span // 2 + _draw(video_id, what, 2) % (span // 2))]


def video_tags(video_id: str, duration: float, storage: str) -> dict[str, Any]:
    """GetAIVideoTagResult's ``VideoTagResult``: one or two tags of each kind."""
    result: dict[str, Any] = {}
    for kind, words in TAG_WORDS.items():
        count = 1 + _draw(video_id, kind) % 2
        picked = sorted({words[_draw(video_id, kind, i + 3) % len(words)] for i in range(count)})
        if kind == "Category":
            result[kind] = [{"Tag": word} for word in picked]
            continue
        items = [{"Tag": word, "Times": _times(video_id, word, duration)} for word in picked]
        if kind == "Person":
            for item in items:
                item["FaceUrl"] = f"https://{storage}/{video_id}/faces/{item['Tag']}.jpg"
        result[kind] = items
    return result


def media_dna(video_id: str) -> dict[str, Any]:
    """An AIMediaDNA job's ``Data``: a fingerprint and no duplicate (no fingerprint library is kept)."""
    return {"Fingerprint": hashlib.sha256(video_id.encode()).hexdigest()[:32], "Duplication": False}


def _verdict(score: float) -> str:
    return "block" if score >= 90 else "review" if score >= 60 else "pass"


def _score(video_id: str, scene: str, index: int = 0) -> float:
    return (_draw(video_id, scene, index) % 10001) / 100


def _scene(video_id: str, scene: str, audited: bool, cover: str) -> dict[str, Any]:
    if not audited:
        return {
            "Label": "normal",
            "Suggestion": "pass",
            "AverageScore": "0.00",
            "MaxScore": "0.00",
            "CounterList": [],
            "TopList": [],
        }
    scores = [_score(video_id, scene, i) for i in range(3)]
    top = max(scores)
    suggestion = _verdict(top)
    label = "normal" if suggestion == "pass" else scene
    return {
        "Label": label,
        "Suggestion": suggestion,
        "AverageScore": f"{sum(scores) / len(scores):.2f}",
        "MaxScore": f"{top:.2f}",
        "CounterList": [{"Label": label, "Count": sum(1 for s in scores if _verdict(s) == suggestion)}],
        "TopList": [
            {"Label": label, "Score": f"{top:.2f}", "Timestamp": str(scores.index(top) * 1000), "Url": cover}
        ],
    }


def _worst(*verdicts: tuple[str, str]) -> tuple[str, str]:
    return max(verdicts, key=lambda verdict: SEVERITY.index(verdict[0]))


def media_audit(video_id: str, title: str, config: dict[str, Any], cover: str) -> dict[str, Any]:
    """GetAIMediaAuditJob's ``Data`` for a template config (``AuditItem``, ``AuditRange``)."""
    items = set(config.get("AuditItem") or DEFAULT_AUDIT["AuditItem"])
    ranges = set(config.get("AuditRange") or DEFAULT_AUDIT["AuditRange"])
    scenes = {scene: _scene(video_id, scene, scene in items, cover) for scene in SCENES}
    video_verdict = _worst(*((s["Suggestion"], s["Label"]) for s in scenes.values()))
    verdicts: dict[str, tuple[str, str]] = {"video": video_verdict}
    images = []
    if "image-cover" in ranges:
        score = _score(video_id, "cover")
        suggestion = _verdict(score) if "porn" in items else "pass"
        label = "normal" if suggestion == "pass" else "porn"
        verdicts["image-cover"] = (suggestion, label)
        result = {"Label": label, "Scene": "porn", "Score": f"{score:.2f}", "Suggestion": suggestion}
        images.append(
            {"Type": "cover", "Url": cover, "Label": label, "Suggestion": suggestion, "Result": [result]}
        )
    texts = []
    if "text-title" in ranges:
        score = _score(video_id, "title")
        suggestion = _verdict(score)
        label = "normal" if suggestion == "pass" else "spam"
        verdicts["text-title"] = (suggestion, label)
        texts.append(
            {
                "Type": "title",
                "Content": title,
                "Label": label,
                "Scene": "antispam",
                "Score": f"{score:.2f}",
                "Suggestion": suggestion,
            }
        )
    audio_score = _score(video_id, "audio")
    audio = {"Label": "normal", "Scene": "antispam", "Score": f"{audio_score:.2f}", "Suggestion": "pass"}
    suggestion, label = _worst(*verdicts.values())
    return {
        "Suggestion": suggestion,
        "Label": label,
        "AbnormalModules": ",".join(module for module, (verdict, _) in verdicts.items() if verdict != "pass"),
        "VideoResult": {
            "Label": video_verdict[1],
            "Suggestion": video_verdict[0],
            **{VIDEO_RESULT_KEYS[scene]: result for scene, result in scenes.items()},
        },
        "ImageResult": images,
        "TextResult": texts,
        "AudioResult": [audio],
    }


def config_object(text: str | None) -> dict[str, Any]:
    """A stored template or job config as an object (configs are validated JSON objects on the way in)."""
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}
