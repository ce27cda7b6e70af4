"""The local engine configures providers with each run's stack config, as the Pulumi engine does: keys
that only the provider's ``configure`` sees (credentials in ``alicloud:*``) reach the providers."""

from __future__ import annotations

import os

import pytest

from pulumi_alicloud_ai.resources.vod_ai_template import (
    AIImageTemplateConfig,
    VodAITemplate,
    VodAITemplateArgs,
)
from pulumi_alicloud_ai.testing import CheckFailedError, LocalEngine

CLOUD = {"alicloud-ai:mode": "cloud", "alicloud:region": "cn-shanghai"}


def _thumbnails() -> None:
    VodAITemplate(
        "thumbs",
        VodAITemplateArgs(template_name="thumbs", config=AIImageTemplateConfig(count=2)),
    )


def test_stack_credentials_reach_the_providers_and_a_config_change_reconfigures_them() -> None:
    """Cloud mode with no credentials anywhere fails at preview; the same program with the keys in
    stack config passes, so the second run's config reached the providers' ``configure``."""
    with LocalEngine(project="configured", stack="dev", env=dict(os.environ)) as engine:
        with pytest.raises(CheckFailedError, match="no Alibaba Cloud credentials"):
            engine.preview(_thumbnails, config=CLOUD)
        keys = {"alicloud:accessKey": "LTAI-not-a-real-key", "alicloud:secretKey": "not-a-real-secret"}
        steps = engine.preview(_thumbnails, config={**CLOUD, **keys})
    assert [(step.op, step.name) for step in steps] == [("create", "thumbs")]
