"""A template written by a ROS AI task (GenerateTemplate) from the prompt in stack config.

pulumi config set prompt "An OSS bucket and an ECS server in a VPC"
pulumi up                                   # exports the template text, the task id and a summary
pulumi stack output template > template.json
"""

import pulumi

from pulumi_alicloud_ai import AITask, AITaskArgs, AITaskType, TemplateType

config = pulumi.Config()

task = AITask(
    "web-template",
    AITaskArgs(
        task_type=AITaskType.GENERATE_TEMPLATE,
        prompt=config.get("prompt") or "An ECS web server behind an SLB, with a MySQL database",
        template_type=config.get("templateType") or TemplateType.ROS,
    ),
)

pulumi.export("task_id", task.task_id)
pulumi.export("message", task.message)
pulumi.export("template", task.template)
