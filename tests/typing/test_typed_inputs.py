"""Typed inputs: type checkers catch a mistyped enum value, and help() documents every field."""

from __future__ import annotations

import dataclasses
import inspect
import re
from enum import StrEnum
from pathlib import Path
from typing import Any, get_args

import pytest
from mypy import api as mypy

from pulumi_alicloud_ai.resources import ai_task, app_service, vod_ai_template
from pulumi_alicloud_ai.resources.ai_image_job import AIImageJobArgs
from pulumi_alicloud_ai.resources.generated_template import GeneratedTemplateArgs
from pulumi_alicloud_ai.resources.llm_service import LlmServiceArgs
from pulumi_alicloud_ai.resources.timeouts import Timeouts
from pulumi_alicloud_ai.resources.video_ai_images import VideoAIImagesArgs

PROGRAM = Path(__file__).with_name("checked_program.py")


@pytest.mark.slow
def test_mypy_reports_exactly_the_mistyped_values() -> None:
    """Every line marked ``# error`` is a mypy error, and no other line is."""
    out, err, _ = mypy.run(["--strict", "--no-incremental", "--no-error-summary", str(PROGRAM)])
    reported = sorted({int(line.split(":")[1]) for line in out.splitlines() if ": error:" in line})
    marked = [
        number for number, line in enumerate(PROGRAM.read_text().splitlines(), 1) if line.endswith("# error")
    ]
    assert reported == marked, out + err


@pytest.mark.parametrize(
    ("enum", "literal"),
    [
        (app_service.ServiceSpec, app_service.ServiceSpecName),
        (app_service.AppType, app_service.AppTypeName),
        (vod_ai_template.AITemplateType, vod_ai_template.AITemplateTypeName),
        (vod_ai_template.AIImageFormat, vod_ai_template.AIImageFormatName),
        (vod_ai_template.AuditItem, vod_ai_template.AuditItemName),
        (vod_ai_template.AuditRange, vod_ai_template.AuditRangeName),
        (vod_ai_template.AuditContent, vod_ai_template.AuditContentName),
        (vod_ai_template.AuditAutoBlock, vod_ai_template.AuditAutoBlockName),
        (ai_task.AITaskType, ai_task.AITaskTypeName),
        (ai_task.TemplateType, ai_task.TemplateTypeName),
    ],
)
def test_each_literal_lists_exactly_its_enums_values(enum: type[StrEnum], literal: Any) -> None:
    """The literal a type checker sees and the enum a program uses name the same values."""
    assert get_args(literal) == tuple(member.value for member in enum)


@pytest.mark.parametrize(
    "args",
    [
        app_service.AppServiceArgs,
        app_service.OssModelStorage,
        app_service.NasModelStorage,
        LlmServiceArgs,
        vod_ai_template.VodAITemplateArgs,
        vod_ai_template.AIImageTemplateConfig,
        vod_ai_template.AIMediaAuditTemplateConfig,
        AIImageJobArgs,
        ai_task.AITaskArgs,
        VideoAIImagesArgs,
        GeneratedTemplateArgs,
        Timeouts,
    ],
)
def test_help_documents_every_field(args: type) -> None:
    """``help(Args)`` shows a line of explanation for every field, under Attributes."""
    doc = inspect.getdoc(args) or ""
    attributes = doc.partition("Attributes:")[2]
    documented = re.findall(r"^    (\w+): \S", attributes, re.MULTILINE)
    assert documented == [field.name for field in dataclasses.fields(args)]
