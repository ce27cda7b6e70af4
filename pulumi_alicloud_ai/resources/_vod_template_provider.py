"""The dynamic provider behind ``VodAITemplate``: a VOD AI template (``AIImage`` or ``AIMediaAudit``).

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
what a create interrupted after VOD acted on it (a crash, a lost answer) leaves behind, and the next
``pulumi up`` adopts it instead of making a twin. Several such templates are ambiguous: the error lists
their ids to import one. (Two identical templates declared in one program would share one template;
give them different names.)
"""

from __future__ import annotations

import calendar
import os
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pulumi_alicloud_ai.client.endpoints import VOD
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    ConflictError,
    NotFoundError,
    ServerError,
    TransportError,
)
from pulumi_alicloud_ai.client.vod import AI_IMAGE, AI_MEDIA_AUDIT, AITemplate, VodClient
from pulumi_alicloud_ai.resources._inputs import REGION_ENV, compact_json, region_problem
from pulumi_alicloud_ai.resources._provider import (
    OUTPUTS_VERSION,
    DiffTable,
    ProviderError,
    canonical,
    check_inputs,
    product_client,
    user_props,
)

TEMPLATE_TYPES = (AI_IMAGE, AI_MEDIA_AUDIT)
TEMPLATE_REGIONS = ("ap-southeast-1", "cn-beijing", "cn-shanghai")
"""Where AddAITemplate is offered (its API reference: China (Beijing), China (Shanghai), Singapore)."""
MAX_NAME_BYTES = 128

AI_IMAGE_MAX_COUNT = 10
AI_IMAGE_FORMATS = ("png", "gif")
"""The AIImage config keys the emulator honours (``Count``, ``Format``); VOD does not document the schema."""

AUDIT_ITEMS = ("terrorism", "porn")
AUDIT_RANGES = ("text-title", "video", "image-cover")
AUDIT_CONTENTS = ("screen",)
AUDIT_AUTO_BLOCK = ("yes", "no")
AUDIT_LISTS = {"AuditItem": AUDIT_ITEMS, "AuditRange": AUDIT_RANGES, "AuditContent": AUDIT_CONTENTS}
"""The AIMediaAudit TemplateConfig keys (AddAITemplate's AITemplateConfig reference); all required."""

TABLE = DiffTable(
    {
        "template_name": "update",
        "config": "update",
        "is_default": "update",
        "template_type": "replace",
        "region": "replace",
        "connection": "ignore",
    }
)


def json_numbers(value: Any) -> Any:
    """Whole floats as ints, recursively: Pulumi sends every number as a double, but ``3.0`` is not a
    valid ``Count`` and would change the JSON text the API sees."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_numbers(item) for item in value]
    return value


def _ai_image_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    count = config.get("Count")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= AI_IMAGE_MAX_COUNT
    ):
        problems.append(f"config.Count must be a whole number from 1 to {AI_IMAGE_MAX_COUNT}, got {count!r}")
    image_format = config.get("Format")
    if image_format is not None and image_format not in AI_IMAGE_FORMATS:
        problems.append(
            f"config.Format {image_format!r} is not supported; allowed values: {', '.join(AI_IMAGE_FORMATS)}"
        )
    return problems


def _audit_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, allowed in AUDIT_LISTS.items():
        items = config.get(key)
        if not isinstance(items, list) or not items:
            problems.append(f"config.{key} is required: a non-empty list of {', '.join(allowed)}")
        elif bad := [item for item in items if item not in allowed]:
            problems.append(f"config.{key} has {bad!r}; allowed values: {', '.join(allowed)}")
    if config.get("AuditAutoBlock") not in AUDIT_AUTO_BLOCK:
        problems.append(
            f"config.AuditAutoBlock must be one of {', '.join(AUDIT_AUTO_BLOCK)}, "
            f"got {config.get('AuditAutoBlock')!r}"
        )
    return problems


class VodAITemplateInputs(BaseModel):
    """The provider's view of the inputs; validation messages name the field and the allowed values."""

    model_config = ConfigDict(extra="forbid")
    template_name: str
    template_type: str
    config: dict[str, Any] = Field(default_factory=dict)
    is_default: bool = False
    region: str = Field(None, validate_default=True)
    connection: dict[str, str] | None = None

    @field_validator("template_name")
    @classmethod
    def _name(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if not value.strip():
            raise ValueError("template_name must not be empty")
        if size > MAX_NAME_BYTES:
            raise ValueError(f"template_name is {size} bytes long; at most {MAX_NAME_BYTES} bytes (UTF-8)")
        return value

    @field_validator("template_type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in TEMPLATE_TYPES:
            raise ValueError(
                f"template_type {value!r} is not supported; allowed values: {', '.join(TEMPLATE_TYPES)}"
            )
        return value

    @field_validator("config", mode="before")
    @classmethod
    def _config(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ValueError(  # noqa: TRY004 - pydantic reports ValueError (not TypeError) as a field error
                "config must be an object (a dict, or a typed template config)"
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

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        if problem := region_problem(value, TEMPLATE_REGIONS, "VOD AI templates"):
            raise ValueError(problem)
        return str(value)


def live_inputs(template: AITemplate, region: str) -> dict[str, Any]:
    """The API inputs as the live template shows them (refresh and import rebuild inputs from this)."""
    return {
        "template_name": template.template_name or "",
        "template_type": template.template_type or "",
        "config": dict(sorted(template.config().items())),
        "is_default": template.default,
        "region": region,
    }


ADOPT_WINDOW_SECONDS = 3600.0


def _age(template: AITemplate, now: float) -> float:
    try:
        created = calendar.timegm(time.strptime(template.creation_time or "", "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return float("inf")
    return now - created


def lookalikes(vod: VodClient, inputs: VodAITemplateInputs, *, recent_only: bool = False) -> list[str]:
    """Ids of templates with this name, type and config: what an interrupted create made.

    ``recent_only`` keeps those created within :data:`ADOPT_WINDOW_SECONDS` (a clock ahead of ours
    counts as recent).
    """
    listed = vod.list_ai_template(inputs.template_type)
    now = time.time()
    return [
        t.template_id
        for t in listed
        if t.template_name == inputs.template_name
        and canonical(t.config()) == canonical(inputs.config)
        and (not recent_only or _age(t, now) <= ADOPT_WINDOW_SECONDS)
    ]


class VodAITemplateProvider(ResourceProvider):
    """Create, read, update and delete a VOD AI template. Holds no state: safe to pickle."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without touching the network: name size, type, config keys, region."""
        return check_inputs(VodAITemplateInputs, news, passthrough=("connection",))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """In place: name, config, is_default. Replace: type, region."""
        return TABLE.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """AddAITemplate, then SetDefaultAITemplate when asked (the template is deleted if that fails)."""
        inputs = VodAITemplateInputs.model_validate(user_props(props))
        with self._client(inputs.region, inputs.connection) as vod:
            leftovers = lookalikes(vod, inputs, recent_only=True)
            if len(leftovers) > 1:
                raise ProviderError(
                    f"{len(leftovers)} {inputs.template_type} templates named {inputs.template_name!r} with this "
                    f"config were made in the last hour ({', '.join(leftovers)}); import the one to manage by id "
                    "(ResourceOptions(import_=...)) and delete the others"
                )
            try:
                template_id = (
                    leftovers[0]
                    if leftovers
                    else vod.add_ai_template(
                        inputs.template_name, inputs.template_type, compact_json(inputs.config)
                    ).template_id
                )
            except (TransportError, ServerError) as exc:
                found = lookalikes(vod, inputs, recent_only=True)
                hint = (
                    f"a template with this name and config now exists ({', '.join(found)}); running "
                    "`pulumi up` again adopts it"
                    if found
                    else "no template with this name and config exists, so running `pulumi up` again is safe"
                )
                raise ProviderError(f"AddAITemplate may have reached VOD ({exc}); {hint}") from None
            if inputs.is_default:
                try:
                    vod.set_default_ai_template(template_id)
                except AlibabaCloudError:
                    vod.delete_ai_template(template_id)  # nothing is left behind
                    raise
            return CreateResult(template_id, self._outputs(inputs, vod.get_ai_template(template_id)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import by TemplateId: rebuild inputs from GetAITemplate; a deleted one reads empty."""
        known = user_props(props)
        region = known.get("region") or os.environ.get(REGION_ENV)
        if not region:
            raise ProviderError(
                f"VodAITemplate {id_!r}: the region is unknown; set the region input (or alicloud:region) "
                "in the program that imports it"
            )
        with self._client(region, known.get("connection")) as vod:
            try:
                template = vod.get_ai_template(id_)
            except NotFoundError:
                return ReadResult("", {})
        rebuilt = live_inputs(template, region)
        if known.get("connection"):
            rebuilt["connection"] = known["connection"]
        return ReadResult(
            id_, self._outputs(VodAITemplateInputs.model_construct(**rebuilt), template), rebuilt
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """One UpdateAITemplate with name and config when either changed; then the default flag."""
        inputs = VodAITemplateInputs.model_validate(user_props(news))
        changed = TABLE.in_place(olds, news)
        with self._client(inputs.region, inputs.connection) as vod:
            if "template_name" in changed or "config" in changed:
                vod.update_ai_template(id_, inputs.template_name, compact_json(inputs.config))
            if "is_default" in changed:
                if inputs.is_default:
                    vod.set_default_ai_template(id_)
                elif vod.get_ai_template(id_).default:
                    raise ProviderError(
                        f"VOD AI template {id_} is still the default {inputs.template_type} template in "
                        f"{inputs.region}, and VOD has no call that unsets a default: set is_default=True on "
                        "another template of this type (it takes over; if both change in one update, make "
                        "this resource depend on that one), or keep is_default=True here"
                    )
            return UpdateResult(self._outputs(inputs, vod.get_ai_template(id_)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """DeleteAITemplate; already gone counts as deleted; default or in use is refused with what to do."""
        inputs = VodAITemplateInputs.model_construct(**user_props(props))
        with self._client(inputs.region, inputs.connection) as vod:
            try:
                vod.delete_ai_template(id_)
            except NotFoundError:
                return
            except ConflictError as exc:
                if exc.code == "InvalidAITemplate.IsDefault":
                    todo = (
                        f"make another {inputs.template_type} template the default first (is_default=True "
                        "on it), then delete this one"
                    )
                else:
                    todo = "wait until the AI image jobs using it have finished, then run the delete again"
                raise ProviderError(
                    f"VOD AI template {id_} in {inputs.region} cannot be deleted: {exc.message} To delete "
                    f"it, {todo}. [{exc.code}, RequestId: {exc.request_id}]"
                ) from None

    def _client(self, region: str, captured: dict[str, str] | None) -> AbstractContextManager[VodClient]:
        return product_client(VOD, VodClient, region, captured)

    def _outputs(self, inputs: VodAITemplateInputs, template: AITemplate) -> dict[str, Any]:
        outputs = inputs.model_dump(mode="json", exclude_none=True)
        outputs.update(
            {
                "template_id": template.template_id,
                "source": template.source,
                "_outputs_version": OUTPUTS_VERSION,
            }
        )
        return outputs
