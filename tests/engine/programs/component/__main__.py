"""An LlmService component renamed through config; the alias to its first name (and the children's
names, derived from it) keeps every resource in place."""

import pulumi

from pulumi_alicloud_ai import LlmService, LlmServiceArgs, OssModelStorage

name = pulumi.Config().get("componentName") or "chat"
chat = LlmService(
    name,
    LlmServiceArgs(service_name="aliased_chat", model=OssModelStorage("oss://models/llama-7b/")),
    opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="chat")]),
)
pulumi.export("service_id", chat.service_id)
