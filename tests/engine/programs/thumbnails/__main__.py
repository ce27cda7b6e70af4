"""A template and a job that takes the template's id: a template change that updates in place shows
what an update preview hands the resources that depend on it."""

import pulumi

from pulumi_alicloud_ai import (
    AIImageJob,
    AIImageJobArgs,
    AIImageTemplateConfig,
    VodAITemplate,
    VodAITemplateArgs,
)

config = pulumi.Config()
template = VodAITemplate(
    "template",
    VodAITemplateArgs(
        template_name="thumbnails", config=AIImageTemplateConfig(count=config.get_int("count") or 2)
    ),
)
job = AIImageJob(
    "job", AIImageJobArgs(video_id=config.require("videoId"), ai_template_id=template.template_id)
)
pulumi.export("template_id", template.template_id)
