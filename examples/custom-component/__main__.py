"""A platform component of the team's own, built from pulumi-alicloud-ai resources."""

import pulumi
from chat_platform import ChatPlatform, ChatPlatformArgs

config = pulumi.Config()
platform = ChatPlatform("assistant", ChatPlatformArgs(model_bucket=config.get("modelBucket") or "my-models"))

pulumi.export("endpoints", platform.endpoints)
