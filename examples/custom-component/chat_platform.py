"""``ChatPlatform``: how a platform team wraps our resources in a component of its own.

One chat model and one cheaper draft model, each an ``LlmService``, with one output map an
application reads. Options given to ``ChatPlatform`` (protect, depends_on, provider) reach every
service inside, because each child is parented to the component.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from pulumi_alicloud_ai import LlmService, LlmServiceArgs, OssModelStorage, ServiceSpec


@dataclass
class ChatPlatformArgs:
    """What the platform needs to know."""

    model_bucket: pulumi.Input[str]
    chat_replicas: int = 2


class ChatPlatform(pulumi.ComponentResource):
    """A chat model and a draft model, with their endpoints in one output."""

    endpoints: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: ChatPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:platform:ChatPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket = pulumi.Output.from_input(args.model_bucket)
        chat = LlmService(
            f"{name}-chat",
            LlmServiceArgs(
                service_name=f"{name}_chat",
                model=OssModelStorage(oss_path=bucket.apply(lambda b: f"oss://{b}/llama-13b/")),
                service_spec=ServiceSpec.LLAMA_13B_FP16,
                replicas=args.chat_replicas,
            ),
            child,
        )
        draft = LlmService(
            f"{name}-draft",
            LlmServiceArgs(
                service_name=f"{name}_draft",
                model=OssModelStorage(oss_path=bucket.apply(lambda b: f"oss://{b}/chatglm-6b/")),
                service_spec=ServiceSpec.CHATGLM_6B_INT8,
            ),
            child,
        )
        self.endpoints = pulumi.Output.all(chat.endpoint, draft.endpoint).apply(
            lambda urls: {"chat": urls[0], "draft": urls[1]}
        )
        self.tokens = pulumi.Output.secret(pulumi.Output.all(chat.token, draft.token))
        self.register_outputs({"endpoints": self.endpoints})
