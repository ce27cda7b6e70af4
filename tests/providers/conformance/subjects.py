"""The four providers as the conformance suite sees them: inputs, actions, and how to count what exists.

Counting goes through the official SDK (or, for what the API cannot list, through what it can), so
the suite never trusts the provider's own word about what it left behind.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from alibabacloud_eas20210701 import models as eas
from alibabacloud_ros20190910 import models as ros
from alibabacloud_vod20170321 import models as vod
from pulumi.dynamic import ResourceProvider

from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider
from pulumi_alicloud_ai.resources._ai_media_audit_job_provider import AIMediaAuditJobProvider
from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from tests.official_sdk import eas_client, ros_client, vod_client
from tests.providers.conformance.world import World

SERVICE = "conformance_llm"
TEMPLATE = "conformance-thumbs"
PROMPT = "A VPC with one vSwitch"


@dataclass(frozen=True)
class Subject:
    """One provider, described for the suite."""

    kind: str
    provider: Callable[[], ResourceProvider]
    product: str
    submit: str
    """The action that makes the resource."""
    label: str
    """A regular expression for how messages name the resource."""
    adopts: bool
    """Whether a resource left by an interrupted create is found and adopted (else it is named)."""
    create_seconds: float
    """How long the resource takes to be final at time scale 1 (0: create does not wait)."""
    inputs: Callable[[World], dict[str, Any]]
    count: Callable[[World], int]
    """How many resources exist that these inputs would make (after ``create_seconds``)."""

    def param(self) -> Any:
        """This subject as a pytest parameter named after its kind."""
        return pytest.param(self, id=self.kind)


def _services(world: World) -> int:
    listed = eas_client(world.emulator).list_services(eas.ListServicesRequest(service_name=SERVICE))
    return int(listed.body.total_count)


def _templates(world: World) -> int:
    listed = vod_client(world.emulator).list_aitemplate(vod.ListAITemplateRequest(template_type="AIImage"))
    return sum(1 for template in listed.body.template_info_list if template.template_name == TEMPLATE)


def video_and_template(world: World) -> tuple[str, str]:
    """A video to make thumbnails of, and an AIImage template (made with the SDK, not a provider)."""
    video = world.admin.post("/vod/videos", {"Title": "clip", "Duration": 60, "VideoId": "conformance-clip"})
    request = vod.AddAITemplateRequest(
        template_name="job-template", template_type="AIImage", template_config=json.dumps({"Count": 2})
    )
    template_id = vod_client(world.emulator).add_aitemplate(request).body.template_id
    return str(video["VideoId"]), str(template_id)


def job_ids(world: World) -> set[str]:
    """The jobs that made images of the conformance video (jobs themselves cannot be listed)."""
    request = vod.ListAIImageInfoRequest(video_id="conformance-clip")
    infos = vod_client(world.emulator).list_aiimage_info(request).body.aiimage_info_list
    return {info.job_id for info in infos}


def _job_inputs(world: World) -> dict[str, Any]:
    video_id, template_id = video_and_template(world)
    return {"video_id": video_id, "ai_template_id": template_id, "region": "cn-shanghai"}


def _audit_inputs(world: World) -> dict[str, Any]:
    """A video and an AIMediaAudit template (made with the SDK and the admin API)."""
    video = world.admin.post(
        "/vod/videos", {"Title": "clip", "Duration": 60, "VideoId": "conformance-review"}
    )
    request = vod.AddAITemplateRequest(
        template_name="review-template",
        template_type="AIMediaAudit",
        template_config=json.dumps(
            {
                "AuditItem": ["porn"],
                "AuditRange": ["video"],
                "AuditContent": ["screen"],
                "AuditAutoBlock": "no",
            }
        ),
    )
    template_id = vod_client(world.emulator).add_aitemplate(request).body.template_id
    return {"video_id": str(video["VideoId"]), "ai_template_id": str(template_id), "region": "cn-shanghai"}


def _audit_jobs(world: World) -> int:
    """Review jobs submitted in the emulator's past two days, as VOD's usage report counts them (review
    jobs cannot be listed)."""
    now = time.time() + world.offset()
    stamp = lambda moment: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))  # noqa: E731
    request = vod.DescribeVodAIDataRequest(
        start_time=stamp(now - 86400), end_time=stamp(now + 60), aitype="AIVideoCensor"
    )
    items = vod_client(world.emulator).describe_vod_aidata(request).body.aidata.aidata_item
    return sum(int(entry.value) for item in items for entry in item.data.data_item)


def _tasks(world: World) -> int:
    listed = ros_client(world.emulator).list_aitasks(ros.ListAITasksRequest(max_results=100))
    return sum(1 for task in listed.body.tasks if task.prompt == PROMPT)


APP_SERVICE = Subject(
    kind="AppService",
    provider=AppServiceProvider,
    product="eas",
    submit="CreateAppService",
    label=rf"EAS service {SERVICE} in cn-shanghai",
    adopts=True,
    create_seconds=30,
    inputs=lambda _world: {
        "service_name": SERVICE,
        "region": "cn-shanghai",
        "service_spec": "llama_7b_fp16",
        "replicas": 1,
        "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
    },
    count=_services,
)
VOD_TEMPLATE = Subject(
    kind="VodAITemplate",
    provider=VodAITemplateProvider,
    product="vod",
    submit="AddAITemplate",
    label=r"VOD AI template \w+ in cn-shanghai",
    adopts=True,
    create_seconds=0,
    inputs=lambda _world: {
        "template_name": TEMPLATE,
        "template_type": "AIImage",
        "config": {"Count": 2},
        "region": "cn-shanghai",
    },
    count=_templates,
)
AI_IMAGE_JOB = Subject(
    kind="AIImageJob",
    provider=AIImageJobProvider,
    product="vod",
    submit="SubmitAIImageJob",
    label=r"VOD AI image job \w+ in cn-shanghai",
    adopts=False,
    create_seconds=12,
    inputs=_job_inputs,
    count=lambda world: len(job_ids(world)),
)
AI_TASK = Subject(
    kind="AITask",
    provider=AITaskProvider,
    product="ros",
    submit="CreateAITask",
    label=r"ROS AI task [\w-]+",
    adopts=False,
    create_seconds=14,
    inputs=lambda _world: {"task_type": "GenerateTemplate", "prompt": PROMPT, "region": "cn-shanghai"},
    count=_tasks,
)

AI_MEDIA_AUDIT_JOB = Subject(
    kind="AIMediaAuditJob",
    provider=AIMediaAuditJobProvider,
    product="vod",
    submit="SubmitAIMediaAuditJob",
    label=r"VOD review job \w+ in cn-shanghai",
    adopts=False,
    create_seconds=12,
    inputs=_audit_inputs,
    count=_audit_jobs,
)

EVERY = [APP_SERVICE, VOD_TEMPLATE, AI_IMAGE_JOB, AI_TASK, AI_MEDIA_AUDIT_JOB]
WAITING = [subject for subject in EVERY if subject.create_seconds]
