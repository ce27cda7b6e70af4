"""The AI operation lists, read from the official SDK clients' source, and a check that an answer
carries every field the SDK's response model declares."""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

_METHOD = re.compile(r"\n    def (\w+)_with_options\(")
_ACTION = re.compile(r"action\s*=\s*'(\w+)'")
_PATH = re.compile(r"pathname\s*=\s*f?'([^']*)'")


def sdk_operations(package: str) -> dict[str, tuple[str, str]]:
    """``{action: (client method, path)}`` for every operation in ``<package>.client``."""
    source = inspect.getsource(importlib.import_module(f"{package}.client"))
    operations: dict[str, tuple[str, str]] = {}
    starts = [(match.start(), match.group(1)) for match in _METHOD.finditer(source)]
    for (start, method), (end, _) in zip(starts, [*starts[1:], (len(source), "")], strict=True):
        block = source[start:end]
        action, path = _ACTION.search(block), _PATH.search(block)
        if action is not None and path is not None and not method.endswith("_async"):
            operations[action.group(1)] = (method, path.group(1))
    return operations


def eas_ai_operations() -> dict[str, tuple[str, str]]:
    """EAS: every operation on services (paths under ``/api/v2/services`` and ``/api/v2/app_services``)."""
    return {
        action: found
        for action, found in sdk_operations("alibabacloud_eas20210701").items()
        if found[1].startswith(("/api/v2/services", "/api/v2/app_services"))
    }


VIDEO_BASICS = ("GetVideoInfo", "GetVideoInfos", "GetVideoList", "GetPlayInfo", "GetMezzanineInfo")


def vod_ai_operations() -> dict[str, tuple[str, str]]:
    """VOD: every operation whose name has the word ``AI`` (``SubmitAIJob``, ``DescribeVodAIData``), and
    the video basics those jobs work on."""
    return {
        action: found
        for action, found in sdk_operations("alibabacloud_vod20170321").items()
        if re.search(r"AI(?=[A-Z]|$)", action) or action in VIDEO_BASICS
    }


def ros_ai_operations() -> dict[str, tuple[str, str]]:
    """ROS: every operation whose name has the word ``AI`` (the AI tasks)."""
    return {
        action: found
        for action, found in sdk_operations("alibabacloud_ros20190910").items()
        if re.search(r"AI(?=[A-Z]|$)", action)
    }


def missing_fields(model: Any, where: str = "body") -> list[str]:
    """Every field of an SDK response model (recursively, through lists) that the answer left unset.

    ``RequestId`` counts at the top only: models shared by a describe and a list (EAS ``Service``)
    declare it on each listed item too, where no service puts one.
    """
    from Tea.model import TeaModel

    missing: list[str] = []
    for name, value in vars(model).items():
        if name.startswith("_") or (name == "request_id" and where != "body"):
            continue
        if value is None:
            missing.append(f"{where}.{name}")
        elif isinstance(value, TeaModel):
            missing.extend(missing_fields(value, f"{where}.{name}"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, TeaModel):
                    missing.extend(missing_fields(item, f"{where}.{name}[{index}]"))
    return missing
