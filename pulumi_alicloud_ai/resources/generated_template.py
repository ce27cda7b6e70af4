"""``GeneratedTemplate``: generate a template from a prompt, check it, repair it when the check fails.

A component (``alicloud-ai:index:GeneratedTemplate``) holding an :class:`AITask` GenerateTemplate named
``<name>-generate``. When the result comes back, it is checked here (a ROS template: format version,
known resource types, references, required properties; Terraform: HCL that parses, known ``alicloud_``
types, references); if the check finds faults, an :class:`AITask` FixTemplate named ``<name>-fix`` repairs
it. Outputs: ``template`` (the final text), ``faults`` (what the check found in the generated one) and
``fixed``.

The repair task can only be declared once the generated template is known, so it appears during
``pulumi up``, not in the preview before it (Pulumi's rule for resources created from outputs).

Example::

    network = GeneratedTemplate("network", GeneratedTemplateArgs(
        prompt="a VPC with two vSwitches and an ECS instance",
        template_type=TemplateType.TERRAFORM,
    ))
    pulumi.export("main_tf", network.template)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from pulumi_alicloud_ai.resources.ai_task import AITask, AITaskArgs, AITaskType, TemplateType
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts


@dataclass
class GeneratedTemplateArgs:
    """Inputs of a :class:`GeneratedTemplate`.

    Attributes:
        prompt: What to build.
        template_type: A :class:`TemplateType`: ``ROS`` (default) or ``Terraform``.
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
        timeouts: :class:`Timeouts` for each task's create (30m by default).
    """

    prompt: pulumi.Input[str]
    template_type: TemplateType = TemplateType.ROS
    region: pulumi.Input[str] | None = None
    timeouts: Timeouts | None = None


def template_faults(text: str | None, template_type: str) -> list[str]:
    """What is wrong with a finished template, one line per fault; ``[]`` when it is sound."""
    from pulumi_alicloud_ai._bounded import BoundsError
    from pulumi_alicloud_ai.templates.validator import TemplateSyntaxError, check, load_ros

    if not text:
        return ["(template): the task returned no template"]
    if template_type == TemplateType.ROS:
        try:
            parsed: Any = load_ros(text)
        except (TemplateSyntaxError, BoundsError) as exc:
            return [f"(template): {exc}"]
        return [f"{fault.location}: {fault.message}" for fault in check(parsed, TemplateType.ROS)]
    return [f"{fault.location}: {fault.message}" for fault in check(text, template_type)]


class GeneratedTemplate(pulumi.ComponentResource):
    """A template generated from a prompt, checked, and repaired when needed."""

    generate: AITask
    fix: AITask | None
    template: pulumi.Output[str]
    faults: pulumi.Output[list[str]]
    fixed: pulumi.Output[bool]

    def __init__(
        self,
        name: str,
        args: GeneratedTemplateArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` runs the tasks in another account or endpoint than the stack's."""
        super().__init__("alicloud-ai:index:GeneratedTemplate", name, None, opts)
        self.fix = None
        template_type = TemplateType(args.template_type)
        self.generate = AITask(
            f"{name}-generate",
            AITaskArgs(
                task_type=AITaskType.GENERATE_TEMPLATE,
                prompt=args.prompt,
                template_type=template_type,
                region=args.region,
                timeouts=args.timeouts,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None),
            settings=settings,
        )
        self.faults = self.generate.template.apply(lambda text: template_faults(text, template_type))

        def final(values: list[Any]) -> pulumi.Output[str] | str:
            text, faults = values
            if not faults:
                return str(text)
            self.fix = AITask(
                f"{name}-fix",
                AITaskArgs(
                    task_type=AITaskType.FIX_TEMPLATE,
                    prompt="Repair: " + "; ".join(faults),
                    template=text,
                    template_type=template_type,
                    region=args.region,
                    timeouts=args.timeouts,
                ),
                pulumi.ResourceOptions(parent=self),
                settings=settings,
            )
            return self.fix.template

        self.template = pulumi.Output.all(self.generate.template, self.faults).apply(final)
        self.fixed = self.faults.apply(bool)
        self.register_outputs({"template": self.template, "faults": self.faults, "fixed": self.fixed})
