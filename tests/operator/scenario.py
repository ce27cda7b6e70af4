"""A lived-in emulator for the dashboard's tests and screenshot: every kind of entity, in several states.

Everything is made through the official SDKs (the referee of the wire protocol) and the admin API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.official_sdk import eas_client, ros_client, vod_client

PLANTED_CALLBACK_TOKEN = "planted-callback-token-5f1c2e"
"""Sent in a VOD job's callback URL; it must never reach the dashboard."""


@dataclass
class Scene:
    """What :func:`populate` made, and the secrets it planted."""

    running_service: str
    creating_service: str
    failed_service: str
    access_tokens: list[str]
    job_id: str
    task_id: str


def admin(emulator: RunningEmulator, method: str, path: str, body: Any = None) -> Any:
    """One admin call; raises on an error status."""
    response = httpx.request(method, f"{emulator.url}/_emulator{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def create_service(emulator: RunningEmulator, name: str, replicas: int = 1) -> None:
    """CreateAppService through the official EAS SDK."""
    from alibabacloud_eas20210701.models import CreateAppServiceRequest

    eas_client(emulator).create_app_service(
        CreateAppServiceRequest(
            service_name=name, app_type="LLM", service_spec="llama_7b_fp16", replicas=replicas
        )
    )


def access_token(emulator: RunningEmulator, name: str) -> str:
    """The service's AccessToken as DescribeService shows it to its owner."""
    token: str = eas_client(emulator).describe_service("cn-shanghai", name).body.access_token
    return token


def populate(emulator: RunningEmulator) -> Scene:
    """Services (Running, Failed, Creating), a VOD template, video and job, a ROS task, a fault rule."""
    from alibabacloud_ros20190910 import models as ros
    from alibabacloud_vod20170321 import models as vod

    create_service(emulator, "chat_llm", replicas=2)
    admin(
        emulator,
        "POST",
        "/faults",
        {
            "product": "eas",
            "action": "CreateAppService",
            "effect": "fail",
            "count": 1,
            "message": "OSS path oss://models/missing/ does not exist",
        },
    )
    create_service(emulator, "broken_llm")
    admin(emulator, "POST", "/clock", {"seconds": 31})
    create_service(emulator, "summarizer_llm", replicas=3)
    tokens = [access_token(emulator, name) for name in ("chat_llm", "broken_llm", "summarizer_llm")]
    eas_client(emulator).describe_service("cn-shanghai", "chat_llm")

    vod_sdk = vod_client(emulator)
    template_id = vod_sdk.add_aitemplate(
        vod.AddAITemplateRequest(
            template_name="thumbnails", template_type="AIImage", template_config='{"Count": 3}'
        )
    ).body.template_id
    video_id = admin(emulator, "POST", "/vod/videos", {"Title": "launch-keynote", "Duration": 95})["VideoId"]
    user_data = json.dumps(
        {"MessageCallback": {"CallbackURL": f"http://127.0.0.1:9/hook?token={PLANTED_CALLBACK_TOKEN}"}}
    )
    job_id = vod_sdk.submit_aiimage_job(
        vod.SubmitAIImageJobRequest(video_id=video_id, aitemplate_id=template_id, user_data=user_data)
    ).body.job_id

    task_id = (
        ros_client(emulator)
        .create_aitask(
            ros.CreateAITaskRequest(
                task_type="GenerateTemplate", prompt="A VPC with one vSwitch and an ECS instance"
            )
        )
        .body.task_id
    )
    admin(
        emulator,
        "POST",
        "/faults",
        {
            "product": "eas",
            "action": "DescribeService",
            "count": 3,
            "error": {"code": "Throttling.User", "status": 400},
        },
    )
    return Scene("chat_llm", "summarizer_llm", "broken_llm", tokens, job_id, task_id)
