"""Two resources with no data flowing between them: `depends_on` alone orders them."""

import pulumi

from pulumi_alicloud_ai import (
    AIImageTemplateConfig,
    AppService,
    AppServiceArgs,
    OssModelStorage,
    ServiceSpec,
    VodAITemplate,
    VodAITemplateArgs,
)

model = AppService(
    "model",
    AppServiceArgs(
        service_name="ordered_model",
        service_spec=ServiceSpec.LLAMA_7B_FP16,
        config=OssModelStorage(oss_path="oss://models/llama-7b/"),
    ),
)
thumbs = VodAITemplate(
    "thumbs",
    VodAITemplateArgs(template_name="after-the-model", config=AIImageTemplateConfig(count=2)),
    opts=pulumi.ResourceOptions(depends_on=[model]),
)
