"""``AITask``: a ROS AI task that writes an infrastructure template from a prompt, or repairs one.

Example::

    from pulumi_alicloud_ai import AITask, AITaskArgs, AITaskType, TemplateType

    web = AITask("web", AITaskArgs(
        task_type=AITaskType.GENERATE_TEMPLATE,
        prompt="An ECS web server behind an SLB, with a MySQL database",
        template_type=TemplateType.ROS,
    ))
    pulumi.export("template", web.template)       # JSON text, e.g. for alicloud.ros.Stack(template_body=...)

    fixed = AITask("fixed", AITaskArgs(
        task_type=AITaskType.FIX_TEMPLATE,
        template={"Resources": {"Vpc": {"Type": "ALIYUN::ECS::Vpc"}}},   # a dict or text
    ))
    pulumi.export("changes", fixed.changes)

A task cannot be edited: any change of task type, prompt, template or template type replaces it (a new
task runs). Destroying it only removes it from the stack: ROS has no API that deletes AI tasks.
Import a task by its TaskId: ``ResourceOptions(import_="<TaskId>")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Literal

import pulumi
from pulumi.dynamic import Resource

from pulumi_alicloud_ai.resources._lazy import LazyProvider
from pulumi_alicloud_ai.resources._program import placement, read_existing
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts, timeouts_input


class AITaskProvider(LazyProvider):
    """The provider Pulumi pickles with the program: its implementation is imported in the provider
    host on first call, so programs do not load the client stack."""

    implementation = "pulumi_alicloud_ai.resources._ai_task_provider:AITaskProvider"


class AITaskType(StrEnum):
    """What an AI task does (``TaskType``)."""

    GENERATE_TEMPLATE = "GenerateTemplate"
    """Write a template from ``prompt``."""
    FIX_TEMPLATE = "FixTemplate"
    """Repair ``template``; ``prompt`` is optional."""


AITaskTypeName = Literal["GenerateTemplate", "FixTemplate"]
"""The values of :class:`AITaskType`, as plain strings a type checker can still check."""


class TemplateType(StrEnum):
    """The kind of template an AI task writes or repairs (``TemplateType``)."""

    ROS = "ROS"
    """A ROS template (JSON or YAML); the service's default."""
    TERRAFORM = "Terraform"
    """A Terraform file (HCL) for the alicloud provider."""


TemplateTypeName = Literal["ROS", "Terraform"]


AITaskTimeouts = Timeouts
"""The :class:`Timeouts` of an AITask: ``create`` only (for the task to end; 30m by default)."""


@dataclass
class AITaskArgs:
    """Inputs of an :class:`AITask`; every one but ``region`` and ``timeouts`` replaces the task.

    Attributes:
        task_type: An :class:`AITaskType`: write a template from ``prompt``, or repair ``template``.
        prompt: What to build (required for GenerateTemplate); for FixTemplate, optional guidance.
        template: The template FixTemplate repairs: text (ROS JSON/YAML or Terraform HCL), or a dict (a
            ROS template, sent as compact JSON). At most 524288 bytes, checked at preview. Not allowed
            with GenerateTemplate.
        template_type: A :class:`TemplateType`, ``ROS`` (default) or ``Terraform``.
        region: Only picks the endpoint (ROS AI tasks are not regional); defaults to the
            ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``. Changing it replaces nothing.
        timeouts: :class:`Timeouts` for create (30m by default).
    """

    task_type: pulumi.Input[AITaskType | AITaskTypeName]
    prompt: pulumi.Input[str] | None = None
    template: pulumi.Input[str] | pulumi.Input[Mapping[str, Any]] | None = None
    template_type: pulumi.Input[TemplateType | TemplateTypeName] = TemplateType.ROS
    region: pulumi.Input[str] | None = None
    timeouts: Timeouts | None = None


def _template_text(value: Any) -> Any:
    from pulumi_alicloud_ai.resources._ai_task_provider import template_text  # only when a template is given

    return template_text(value)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


_OUTPUTS = (
    "task_id",
    "status",
    "template_json",
    "changes",
    "message",
    "source_template",
    "_outputs_version",
)
"""Outputs that are not also inputs (``template`` is both: see :attr:`AITask.template`)."""


class AITask(Resource, module="alicloud-ai", name="AITask"):
    """A ROS AI task. Outputs its id, status, the generated or repaired template and what was changed."""

    task_type: pulumi.Output[str]
    prompt: pulumi.Output[str]
    template_type: pulumi.Output[str]
    region: pulumi.Output[str]
    task_id: pulumi.Output[str]
    status: pulumi.Output[str]
    """``SUCCESS`` once created (a ``FAILURE`` fails the create); a refresh shows what GetAITask says."""
    template: pulumi.Output[str]
    """The generated or repaired template as text: JSON for ROS (write it to a file, or pass it to
    ``pulumi_alicloud.ros.Stack(template_body=...)``), HCL for Terraform. Not the ``template`` input:
    that is :attr:`source_template`."""
    template_json: pulumi.Output[dict[str, Any]]
    """The ROS template as an object (None for Terraform)."""
    changes: pulumi.Output[list[dict[str, Any]]]
    """What FixTemplate repaired: dicts with ``code`` (the fault), ``location`` (where) and
    ``description`` (what was done, and why); empty for GenerateTemplate and a template with no faults."""
    message: pulumi.Output[str]
    """The task's one-line summary (what was generated, how many faults were fixed)."""
    source_template: pulumi.Output[str]
    """The template sent to FixTemplate, as text (None for GenerateTemplate)."""

    def __init__(
        self,
        resource_name: str,
        args: AITaskArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the task in another account, region or endpoint than the stack's."""
        template = None
        if args.template is not None:
            template = pulumi.Output.from_input(args.template).apply(_template_text)
        props: dict[str, Any] = {
            "task_type": _value(args.task_type),
            "prompt": args.prompt,
            "template": template,
            "template_type": _value(args.template_type),
            "timeouts": timeouts_input(args.timeouts),
            **placement(settings, args.region),
            **dict.fromkeys(_OUTPUTS),
        }
        super().__init__(AITaskProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        region: pulumi.Input[str] | None = None,
        settings: ProviderSettings | None = None,
    ) -> AITask:
        """An existing task (id: its TaskId) read into the program, not managed: its outputs are
        the live task's (status, template, changes)."""
        fields = ("task_type", "prompt", "template_type", *_OUTPUTS)
        return read_existing(
            AITask, AITaskProvider(), resource_name, id, opts, fields=fields, settings=settings, region=region
        )
