"""One resource taken over by id with adopt_id: stack config `kind` picks a VodAITemplate, an
AIImageJob or an AITask, `adoptId` names the existing entity, and the other keys are its inputs."""

import pulumi

from pulumi_alicloud_ai import (
    AIImageJob,
    AIImageJobArgs,
    AIImageTemplateConfig,
    AITask,
    AITaskArgs,
    AITaskType,
    VodAITemplate,
    VodAITemplateArgs,
)

config = pulumi.Config()
kind = config.require("kind")
adopt_id = config.require("adoptId")

resource: pulumi.CustomResource
if kind == "template":
    resource = VodAITemplate(
        "template",
        VodAITemplateArgs(
            template_name=config.require("templateName"),
            config=AIImageTemplateConfig(count=2),
            adopt_id=adopt_id,
        ),
    )
elif kind == "job":
    resource = AIImageJob(
        "job",
        AIImageJobArgs(
            video_id=config.require("videoId"),
            ai_template_id=config.require("templateId"),
            user_data={"Extend": {"ref": "adopted"}},
            adopt_id=adopt_id,
        ),
    )
else:
    resource = AITask(
        "task",
        AITaskArgs(
            task_type=AITaskType.GENERATE_TEMPLATE, prompt=config.require("prompt"), adopt_id=adopt_id
        ),
    )

pulumi.export("id", resource.id)
