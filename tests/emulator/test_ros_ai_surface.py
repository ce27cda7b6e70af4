"""The official ROS SDK walks every AI operation its client declares against the emulator.

With EAS's 41 service operations and VOD's 23 AI operations and video basics, these 4 make the 68
operations of the AI surface. Each call must succeed; the ROS answers leave some declared fields out
(``Code`` and ``Message`` of a task that did not fail, for one), so their fields are not checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.official_sdk import ros_client
from tests.sdk_surface import eas_ai_operations, ros_ai_operations, vod_ai_operations

Context = dict[str, str]
WALK: list[tuple[str, Callable[[Any, Context], Any]]] = [
    (
        "CreateAITask",
        lambda m, c: m.CreateAITaskRequest(prompt="A VPC with one vSwitch", task_type="GenerateTemplate"),
    ),
    ("GetAITask", lambda m, c: m.GetAITaskRequest(task_id=c["task"])),
    ("ListAITasks", lambda m, c: m.ListAITasksRequest(max_results="10")),
    ("ListAITaskEvents", lambda m, c: m.ListAITaskEventsRequest(task_id=c["task"])),
]


@pytest.fixture
def instant_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """Tasks finish at their first read."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "emulator", time_scale=0)) as running:
        yield running


def test_the_ai_surface_is_68_operations() -> None:
    """The three SDK clients declare 41 + 23 + 4 AI operations, and the ROS walk names all of its 4."""
    assert (len(eas_ai_operations()), len(vod_ai_operations()), len(ros_ai_operations())) == (41, 23, 4)
    assert {action for action, _ in WALK} == set(ros_ai_operations())


def test_every_sdk_ai_task_operation_answers(instant_emulator: RunningEmulator) -> None:
    """Each ROS AI operation succeeds: none is InvalidAction.NotFound, none fails."""
    from alibabacloud_ros20190910 import models

    client, operations, context = ros_client(instant_emulator), ros_ai_operations(), {}
    failed: dict[str, str] = {}
    for action, build in WALK:
        try:
            body = getattr(client, operations[action][0])(build(models, context)).body
        except TeaException as error:
            failed[action] = f"{error.code}: {error.message}"
            continue
        if action == "CreateAITask":
            context["task"] = body.task_id
    assert failed == {}
