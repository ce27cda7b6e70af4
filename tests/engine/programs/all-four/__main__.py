"""One of each resource (the state in tests/data/upgrade is this program's). Stack config can adopt existing ones (`importIds`: `{"service": ...,
"template": ..., "job": ..., "task": ...}`, passed as ResourceOptions(import_=...)) and keep them when
the stack is destroyed (`retain`)."""

import pulumi

from pulumi_alicloud_ai import (
    AIImageJob,
    AIImageJobArgs,
    AIImageTemplateConfig,
    AITask,
    AITaskArgs,
    AITaskType,
    AppService,
    AppServiceArgs,
    OssModelStorage,
    ServiceSpec,
    VodAITemplate,
    VodAITemplateArgs,
)

config = pulumi.Config()
import_ids: dict[str, str] = config.get_object("importIds") or {}
retain = config.get_bool("retain") or False


def options(key: str) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(import_=import_ids.get(key), retain_on_delete=retain)


service = AppService(
    "service",
    AppServiceArgs(
        service_name="four_llm",
        service_spec=ServiceSpec.CHATGLM_6B_INT8,
        replicas=config.get_int("replicas") or 2,
        config=OssModelStorage(oss_path="oss://models/chatglm-6b/"),
    ),
    opts=options("service"),
)
template = VodAITemplate(
    "template",
    VodAITemplateArgs(template_name="four-thumbnails", config=AIImageTemplateConfig(count=2)),
    opts=options("template"),
)
job = AIImageJob(
    "job",
    AIImageJobArgs(
        video_id=config.get("videoId") or "four-video-0001",
        ai_template_id=template.template_id,
        user_data={"Extend": {"ref": "four"}},
    ),
    opts=options("job"),
)
task = AITask(
    "task",
    AITaskArgs(task_type=AITaskType.GENERATE_TEMPLATE, prompt="A VPC with one vSwitch and an ECS instance"),
    opts=options("task"),
)

pulumi.export("ids", {"service": service.id, "template": template.id, "job": job.id, "task": task.id})
pulumi.export("images", job.images.apply(lambda images: [image["url"] for image in images]))
