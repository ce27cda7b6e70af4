"""The AI task lifecycle and the handler pipeline its events show, as tables (ros.md).

A task is ``PENDING`` for 2 s, then ``RUNNING`` for 12 s (before ``--time-scale``), then ``SUCCESS``.
The work itself is done when the task is created, except a model's generation, which runs off the
event loop and holds the task in ``RUNNING`` until the model has answered; a task whose work failed, or that an ``effect: fail``
rule hit, carries a fault and takes the fault branch out of ``RUNNING`` into ``FAILURE``. ``WAITING``
is a status the API defines (non-terminal); the emulator never produces it.

ListAITaskEvents shows the handlers of the task's pipeline, one event each, splitting the ``RUNNING``
time evenly: a handler appears when its turn starts, ``RUNNING`` until its share is over, then
``SUCCESS``; the handler that failed stays ``RUNNING`` until the task ends, then shows ``FAILURE``.
"""

from __future__ import annotations

from pulumi_alicloud_ai.emulator.lifecycle import Lifecycle, Step
from pulumi_alicloud_ai.templates.validator import ROS, TERRAFORM

PENDING, WAITING, RUNNING, SUCCESS, FAILURE = "PENDING", "WAITING", "RUNNING", "SUCCESS", "FAILURE"
TERMINAL = frozenset({SUCCESS, FAILURE})

QUEUED_SECONDS = 2.0
RUNNING_SECONDS = 12.0
GENERATING = "_generating"
"""Key in ``Entity.data`` of a task whose template a model is still writing (off the event loop):
the task stays ``RUNNING`` while it is there."""

AI_TASK = Lifecycle(
    product="ros",
    kind="ai_task",
    initial=PENDING,
    states=frozenset({PENDING, RUNNING, SUCCESS, FAILURE}),
    steps={
        PENDING: Step(RUNNING, QUEUED_SECONDS, "TaskStarted"),
        RUNNING: Step(SUCCESS, RUNNING_SECONDS, "TaskSucceeded"),
    },
    on_fault={RUNNING: FAILURE},
    holds={RUNNING: GENERATING},
)

GENERATE_TEMPLATE, FIX_TEMPLATE = "GenerateTemplate", "FixTemplate"
TASK_TYPES = (GENERATE_TEMPLATE, FIX_TEMPLATE)
"""CreateAITask reference, TaskType: GenerateTemplate, FixTemplate."""
TEMPLATE_TYPES = (ROS, TERRAFORM)
"""CreateAITask reference, TemplateType: ROS (the default) or Terraform."""

AGENTS = {GENERATE_TEMPLATE: "GenerateTemplateAgent", FIX_TEMPLATE: "FixUserTemplateAgent"}
"""``AgentType`` of a task's events."""

PIPELINES: dict[tuple[str, str], tuple[str, ...]] = {
    (GENERATE_TEMPLATE, ROS): (
        "GenerateTemplateInputPreprocessor",
        "ROSTemplateGenerator",
        "ROSTemplateStaticFixer",
    ),
    (GENERATE_TEMPLATE, TERRAFORM): (
        "GenerateTemplateInputPreprocessor",
        "TerraformTemplateGenerator",
        "TerraformTemplateStaticFixer",
    ),
    (FIX_TEMPLATE, ROS): ("FixTemplateInputPreprocessor", "ROSTemplateStaticFixer"),
    (FIX_TEMPLATE, TERRAFORM): ("FixTemplateInputPreprocessor", "TerraformTemplateStaticFixer"),
}
"""``HandlerType`` of each stage, in order, per (TaskType, TemplateType).

Generation: read the prompt, write the template, check it. Fixing: parse the template, then find and
repair its faults (parsing failures stop at the first stage, unrepairable faults at the second).
"""
