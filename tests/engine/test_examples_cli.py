"""Every example under the real CLI: up, no perpetual diff, no drift on refresh, destroy leaves nothing."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.engine.cli import leftovers
from tests.engine.conftest import EXAMPLES, StackFactory, add_video

pytestmark = pytest.mark.needs_cli

CREATES = {
    "llm-service": {"CreateAppService": 1},
    "custom-component": {"CreateAppService": 2},
    "video-ai-images": {"AddAITemplate": 1, "SubmitAIImageJob": 2},
    "generated-template": {"CreateAITask": 1},
}


@pytest.mark.parametrize("example", sorted(CREATES))
def test_example_converges_under_the_cli(
    example: str, cli_stack: StackFactory, cli_emulator: RunningEmulator
) -> None:
    """up; preview --diff --expect-no-changes; refresh --expect-no-changes; destroy; nothing left.
    Half the examples get the emulator's URL from `alicloud-ai:endpoint` stack config, half from
    ALICLOUD_AI_ENDPOINT."""
    stack = cli_stack(
        EXAMPLES / example, endpoint_in_config=example in ("custom-component", "generated-template")
    )
    if example == "video-ai-images":
        # As the example's README says: the key is typed array<string>, so a JSON string is refused.
        for index, video_id in enumerate(("intro-0001", "outro-0002")):
            stack.config_set(f"videoIds[{index}]", add_video(cli_emulator, video_id), path=True)

    up = stack.up()
    assert {action: up.count(action) for action in CREATES[example]} == CREATES[example], up.describe()
    assert all(call.status < 400 for call in up.calls), up.describe()

    preview = stack.preview("--expect-no-changes")
    assert preview.count("Create") == 0
    assert not [c for c in preview.calls if not c.action.startswith(("Describe", "Get", "List"))], (
        preview.describe()
    )

    refresh = stack.refresh("--expect-no-changes")
    assert "unchanged" in refresh.stdout, refresh.describe()

    destroy = stack.destroy()
    assert "deleted" in destroy.stdout, destroy.describe()
    assert stack.resources() == {}
    assert leftovers(cli_emulator) == {}
