"""What the emulated VOD accepts: template names, types and configs, id lists, and where each action runs.

The emulator's own copy of the service's rules; the providers keep theirs, and
``tests/reliability/test_rules_parity.py`` checks that both judge the same boundary values alike.
Sources are the ApsaraVideo VOD 2017-03-21 API reference pages named beside each value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.vod import errors
from pulumi_alicloud_ai.emulator.vod.results import image_options

AI_IMAGE, AI_MEDIA_AUDIT = "AIImage", "AIMediaAudit"
TEMPLATE_TYPES = (AI_MEDIA_AUDIT, AI_IMAGE)
"""AddAITemplate reference, TemplateType: AIMediaAudit (automated review), AIImage (smart thumbnail)."""
DEFAULT_LOOKUP_TYPES = (AI_MEDIA_AUDIT,)
"""GetDefaultAITemplate reference: only AIMediaAudit may be asked for."""
MAX_IDS = 10
"""GetAIImageJobs reference: "a maximum of 10 jobs ... in one request"; DeleteAIImageInfos likewise."""
MAX_TEMPLATE_NAME_BYTES = 128
"""AddAITemplate reference, TemplateName: "can be up to 128 bytes in length"."""

AUDIT_VALUES: Mapping[str, frozenset[str]] = {
    "AuditItem": frozenset({"terrorism", "porn"}),
    "AuditRange": frozenset({"text-title", "video", "image-cover"}),
    "AuditContent": frozenset({"screen"}),
}
"""AddAITemplate reference, TemplateConfig of an AIMediaAudit template (its AITemplateConfig example):
each key a non-empty list of these values."""
AUDIT_AUTO_BLOCK = frozenset({"yes", "no"})
"""The same example's ``AuditAutoBlock``: ``yes`` or ``no``."""

JOB_REGIONS = frozenset({"cn-beijing", "cn-shanghai"})
"""SubmitAIImageJob and GetAIImageJobs references: China (Beijing) and China (Shanghai)."""
TEMPLATE_REGIONS = JOB_REGIONS | {"ap-southeast-1"}
"""AddAITemplate, GetAITemplate and UpdateAITemplate references: Beijing, Shanghai and Singapore."""
REGIONS: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(
        ("SubmitAIImageJob", "GetAIImageJobs", "ListAIImageInfo", "DeleteAIImageInfos"), JOB_REGIONS
    ),
    **dict.fromkeys(
        (
            "AddAITemplate",
            "GetAITemplate",
            "UpdateAITemplate",
            "DeleteAITemplate",
            "ListAITemplate",
            "SetDefaultAITemplate",
            "GetDefaultAITemplate",
        ),
        TEMPLATE_REGIONS,
    ),
}
"""Where each action is offered."""


def check_region(action: str, region: str) -> None:
    """Refuse an action the region does not offer (``Forbidden.RegionNotSupported``)."""
    supported = REGIONS[action]
    if region not in supported:
        raise errors.region_not_supported(action, region, supported)


def split_ids(name: str, text: str) -> list[str]:
    """A comma list of at most :data:`MAX_IDS` ids, blanks and repeats dropped, order kept."""
    ids = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not ids:
        raise invalid_parameter(name, f"The parameter {name} must list at least one id.")
    if len(ids) > MAX_IDS:
        raise invalid_parameter(
            name, f"The parameter {name} lists {len(ids)} ids; at most {MAX_IDS} are allowed per call."
        )
    return ids


def template_type(value: str, allowed: tuple[str, ...] = TEMPLATE_TYPES) -> str:
    """``value`` when it is one of ``allowed``, else ``InvalidParameter.TemplateType``."""
    if value not in allowed:
        raise invalid_parameter(
            "TemplateType", f"The TemplateType {value!r} is not valid; allowed values: {', '.join(allowed)}."
        )
    return value


def template_name(value: str) -> str:
    """``value`` when it is a usable name: not blank, at most :data:`MAX_TEMPLATE_NAME_BYTES` in UTF-8."""
    if not value.strip():
        raise invalid_parameter("TemplateName", "The TemplateName must not be blank.")
    size = len(value.encode("utf-8"))
    if size > MAX_TEMPLATE_NAME_BYTES:
        raise invalid_parameter(
            "TemplateName",
            f"The TemplateName is {size} bytes long; at most {MAX_TEMPLATE_NAME_BYTES} bytes are allowed.",
        )
    return value


def template_config(text: str, kind: str) -> str:
    """The config, verbatim, once it is a JSON object within the parser's bounds that suits its
    template type."""
    try:
        value = load_json(text, what="The TemplateConfig")
    except BoundsError as exc:
        raise invalid_parameter("TemplateConfig", f"{exc}.") from None
    except ValueError:
        raise invalid_parameter("TemplateConfig", "The TemplateConfig is not valid JSON.") from None
    if not isinstance(value, dict):
        raise invalid_parameter("TemplateConfig", "The TemplateConfig must be a JSON object.")
    if kind == AI_IMAGE:
        try:
            image_options(value)
        except ValueError as exc:
            raise invalid_parameter("TemplateConfig", f"The TemplateConfig is invalid: {exc}") from None
    elif kind == AI_MEDIA_AUDIT and (problem := _audit_problem(value)):
        raise invalid_parameter("TemplateConfig", f"The TemplateConfig is invalid: {problem}")
    return text


def _audit_problem(config: dict[str, Any]) -> str | None:
    for key, allowed in AUDIT_VALUES.items():
        items = config.get(key)
        if not isinstance(items, list) or not items:
            return f"{key} must be a non-empty list of {', '.join(sorted(allowed))}."
        if unknown := [item for item in items if not isinstance(item, str) or item not in allowed]:
            return f"{key} has {unknown!r}; allowed values: {', '.join(sorted(allowed))}."
    auto_block = config.get("AuditAutoBlock")
    if not isinstance(auto_block, str) or auto_block not in AUDIT_AUTO_BLOCK:
        return f"AuditAutoBlock must be yes or no, got {auto_block!r}."
    return None
