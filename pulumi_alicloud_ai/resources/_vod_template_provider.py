"""The dynamic provider behind ``VodAITemplate``: a VOD AI template (``AIImage`` or ``AIMediaAudit``),
on the lifecycle core.

Resource id: the ``TemplateId`` (the region is an input). Name and config change in place with one
UpdateAITemplate call, which always sends both (the API replaces them together); the type and region
replace the template. ``is_default`` mirrors the live ``IsDefault`` flag:

* ``False`` → ``True`` calls SetDefaultAITemplate; the previous default of that type stops being it
  (its own resource reads ``is_default=False`` at its next refresh).
* ``True`` → ``False``: VOD has no call that unsets a default. When the template is still the default,
  the update is refused with what to do (make another template of the type the default); when another
  template has already taken over, nothing needs calling and the update succeeds.

Delete is refused, in one line saying what to do, when the template is the default of its type or a
job that is not final still uses it: VOD refuses both.

AddAITemplate has no ClientToken and names need not be unique, so ``create`` first looks for a template
of the same type, name and config made within the last hour (:data:`ADOPT_WINDOW_SECONDS`): that is
what a create interrupted after VOD acted on it (a crash, a lost answer) leaves behind, and the create
adopts it instead of making a twin; so does a create whose answer was a 5xx. Several such templates are
ambiguous: the error lists their ids to take one over. (Two identical templates declared in one program
would share one template; give them different names.)

``adopt_id`` takes over an existing template by TemplateId instead of adding one: create reads it with
GetAITemplate and refuses, naming each field, unless its type, name, config and default flag match the
inputs. Changing ``adopt_id`` replaces the resource.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from typing import Any, ClassVar, get_args

from pydantic import Field, ValidationInfo, field_validator

from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.errors import ConflictError
from pulumi_alicloud_ai.client.vod import AI_IMAGE, AI_MEDIA_AUDIT, AITemplate, VodClient
from pulumi_alicloud_ai.resources._inputs import AdoptableInputs, choice, compact_json, json_numbers
from pulumi_alicloud_ai.resources._lifecycle import Lifecycle
from pulumi_alicloud_ai.resources._provider import DiffTable, ProviderError, canonical
from pulumi_alicloud_ai.resources.vod_ai_template import (
    AIImageFormatName,
    AITemplateTypeName,
    AuditAutoBlockName,
    AuditContentName,
    AuditItemName,
    AuditRangeName,
)

TEMPLATE_TYPES: tuple[str, ...] = get_args(AITemplateTypeName)
TEMPLATE_REGIONS = ("ap-southeast-1", "cn-beijing", "cn-shanghai")
"""Where AddAITemplate is offered (its API reference: China (Beijing), China (Shanghai), Singapore)."""
MAX_NAME_BYTES = 128
"""AddAITemplate reference, TemplateName: "can be up to 128 bytes in length"."""

AI_IMAGE_MAX_COUNT = 10
AI_IMAGE_FORMATS: tuple[str, ...] = get_args(AIImageFormatName)
"""The AIImage config keys the emulator honours (``Count``, ``Format``); VOD does not document the schema."""

AUDIT_ITEMS: tuple[str, ...] = get_args(AuditItemName)
AUDIT_RANGES: tuple[str, ...] = get_args(AuditRangeName)
AUDIT_CONTENTS: tuple[str, ...] = get_args(AuditContentName)
AUDIT_AUTO_BLOCK: tuple[str, ...] = get_args(AuditAutoBlockName)
AUDIT_LISTS = {"AuditItem": AUDIT_ITEMS, "AuditRange": AUDIT_RANGES, "AuditContent": AUDIT_CONTENTS}
"""The AIMediaAudit TemplateConfig keys and values (the AddAITemplate reference's AITemplateConfig
example); all required."""
PYTHON_NAMES = {"AuditItem": "audit_items", "AuditRange": "audit_range", "AuditContent": "audit_content"}
"""The lists as ``AIMediaAuditTemplateConfig`` names them, for messages (as it names the others too)."""

TABLE = DiffTable(
    {
        "template_name": "update",
        "config": "update",
        "is_default": "update",
        "template_type": "replace",
        "region": "replace",
        "adopt_id": "replace",
    }
)
ADOPT_WINDOW_SECONDS = 3600.0


def _ai_image_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    count = config.get("Count")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= AI_IMAGE_MAX_COUNT
    ):
        problems.append(f"count must be a whole number from 1 to {AI_IMAGE_MAX_COUNT}, got {count!r}")
    image_format = config.get("Format")
    if image_format is not None and image_format not in AI_IMAGE_FORMATS:
        problems.append(
            f"format {image_format!r} is not supported; allowed values: {', '.join(AI_IMAGE_FORMATS)}"
        )
    return problems


def _audit_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, allowed in AUDIT_LISTS.items():
        items = config.get(key)
        if not isinstance(items, list) or not items:
            problems.append(f"{PYTHON_NAMES[key]} is required: a non-empty list of {', '.join(allowed)}")
        elif bad := [item for item in items if item not in allowed]:
            problems.append(f"{PYTHON_NAMES[key]} has {bad!r}; allowed values: {', '.join(allowed)}")
    if config.get("AuditAutoBlock") not in AUDIT_AUTO_BLOCK:
        problems.append(
            f"auto_block must be one of {', '.join(AUDIT_AUTO_BLOCK)}, got {config.get('AuditAutoBlock')!r}"
        )
    return problems


class VodAITemplateInputs(AdoptableInputs):
    """The provider's view of the inputs; validation messages name the field and the allowed values."""

    REGIONS: ClassVar[tuple[str, ...] | None] = TEMPLATE_REGIONS
    OFFERS: ClassVar[str] = "VOD AI templates"

    template_name: str
    template_type: str
    config: dict[str, Any] = Field(default_factory=dict, validate_default=True)
    is_default: bool = False

    @field_validator("template_name")
    @classmethod
    def _name(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if not value.strip():
            raise ValueError("must not be empty")
        if size > MAX_NAME_BYTES:
            raise ValueError(f"is {size} bytes long; at most {MAX_NAME_BYTES} bytes (UTF-8)")
        return value

    @field_validator("template_type")
    @classmethod
    def _type(cls, value: str) -> str:
        return choice(value, TEMPLATE_TYPES)

    @field_validator("config", mode="before")
    @classmethod
    def _config(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ValueError(  # noqa: TRY004 - pydantic reports ValueError (not TypeError) as a field error
                "must be an object (a dict, or a typed template config)"
            )
        value = json_numbers({key: item for key, item in value.items() if item is not None})
        template_type = info.data.get("template_type")
        problems = (
            _ai_image_problems(value)
            if template_type == AI_IMAGE
            else _audit_problems(value)
            if template_type == AI_MEDIA_AUDIT
            else []
        )
        if problems:
            raise ValueError("; ".join(problems))
        return dict(sorted(value.items()))


def live_inputs(template: AITemplate, region: str) -> dict[str, Any]:
    """The API inputs as the live template shows them (refresh and import rebuild inputs from this)."""
    return {
        "template_name": template.template_name or "",
        "template_type": template.template_type or "",
        "config": dict(sorted(template.config().items())),
        "is_default": template.default,
        "region": region,
    }


def _age(template: AITemplate, now: float) -> float:
    try:
        created = calendar.timegm(time.strptime(template.creation_time or "", "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return float("inf")
    return now - created


def lookalikes(vod: VodClient, inputs: VodAITemplateInputs) -> list[str]:
    """Ids of templates with this name, type and config made within :data:`ADOPT_WINDOW_SECONDS`
    (a clock ahead of ours counts as recent): what an interrupted create made."""
    now = time.time()
    return [
        template.template_id
        for template in vod.list_ai_template(inputs.template_type)
        if template.template_name == inputs.template_name
        and canonical(template.config()) == canonical(inputs.config)
        and _age(template, now) <= ADOPT_WINDOW_SECONDS
    ]


class VodAITemplateProvider(Lifecycle[VodAITemplateInputs, VodClient, AITemplate]):
    """Create, read, update and delete a VOD AI template. Holds no state: safe to pickle."""

    inputs = VodAITemplateInputs
    table = TABLE
    product = VOD
    client = VodClient
    noun = "VOD AI template"
    look_first = True
    adopt_checks = ("template_type", "template_name", "config", "is_default")

    def submit(self, api: VodClient, inputs: VodAITemplateInputs) -> str:
        """AddAITemplate."""
        added = api.add_ai_template(inputs.template_name, inputs.template_type, compact_json(inputs.config))
        return added.template_id

    def find_leftover(self, api: VodClient, inputs: VodAITemplateInputs) -> str | None:
        """The one recent template of this name, type and config; several are ambiguous."""
        found = lookalikes(api, inputs)
        if len(found) > 1:
            raise ProviderError(
                f"{len(found)} {inputs.template_type} templates named {inputs.template_name!r} with this "
                f"config were made in the last hour ({', '.join(found)}); take over the one to manage with "
                f"{self.take_over('<TemplateId>')} and delete the others"
            )
        return found[0] if found else None

    def after_create(self, api: VodClient, id_: str, inputs: VodAITemplateInputs) -> None:
        """SetDefaultAITemplate when asked (if it fails, the template is deleted again)."""
        if inputs.is_default:
            api.set_default_ai_template(id_)

    def fetch(self, api: VodClient, id_: str, region: str) -> AITemplate | None:
        """GetAITemplate."""
        return api.get_ai_template(id_)

    def status(self, live: AITemplate) -> str:
        """Templates have no status: ``Default`` or ``NotDefault``."""
        return live.is_default or "NotDefault"

    def live_inputs(
        self, api: VodClient, id_: str, region: str, live: AITemplate, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """Name, type, config and the default flag as VOD shows them."""
        return live_inputs(live, region)

    def outputs(
        self, api: VodClient, id_: str, region: str, live: AITemplate, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """The TemplateId and its source."""
        return {"template_id": live.template_id, "source": live.source}

    def apply(
        self, api: VodClient, id_: str, live: AITemplate, inputs: VodAITemplateInputs, changed: list[str]
    ) -> None:
        """One UpdateAITemplate with name and config when either changed; then the default flag."""
        if "template_name" in changed or "config" in changed:
            api.update_ai_template(id_, inputs.template_name, compact_json(inputs.config))
        if "is_default" in changed and inputs.is_default:
            api.set_default_ai_template(id_)
        elif "is_default" in changed:
            raise ProviderError(
                f"VOD AI template {id_} is still the default {inputs.template_type} template in "
                f"{inputs.region}, and VOD has no call that unsets a default: set is_default=True on "
                "another template of this type (it takes over; if both change in one update, make "
                "this resource depend on that one), or keep is_default=True here"
            )

    def remove(self, api: VodClient, id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        """DeleteAITemplate; refused, saying what to do, while it is the default or in use."""
        try:
            api.delete_ai_template(id_)
        except ConflictError as exc:
            if exc.code == "InvalidAITemplate.IsDefault":
                todo = (
                    f"make another {recorded.get('template_type')} template the default first "
                    "(is_default=True on it), then delete this one"
                )
            else:
                todo = "wait until the AI image jobs using it have finished, then run the delete again"
            raise ProviderError(
                f"VOD AI template {id_} in {region} cannot be deleted: {exc.message} To delete "
                f"it, {todo}. [{exc.code}, RequestId: {exc.request_id}]"
            ) from None
