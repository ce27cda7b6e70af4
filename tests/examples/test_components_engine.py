"""The components through the local engine (the real provider host) against the emulator."""

from __future__ import annotations

import httpx
import pulumi
from alibabacloud_vod20170321 import models as vod

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources.video_ai_images import VideoAIImages, VideoAIImagesArgs
from pulumi_alicloud_ai.resources.vod_ai_template import AIImageTemplateConfig
from pulumi_alicloud_ai.testing import LocalEngine
from tests.official_sdk import eas_client, vod_client


def _register(emulator: RunningEmulator, *video_ids: str) -> None:
    for video_id in video_ids:
        body = {"Title": video_id, "Duration": 60, "VideoId": video_id}
        httpx.post(f"{emulator.url}/_emulator/vod/videos", json=body).raise_for_status()


def _images_of(emulator: RunningEmulator, video_id: str) -> list[str]:
    infos = vod_client(emulator).list_aiimage_info(vod.ListAIImageInfoRequest(video_id=video_id)).body
    return sorted(info.file_url for info in infos.aiimage_info_list)


def test_video_ai_images_makes_images_per_video_and_drops_a_removed_video(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Images per video come out; removing a video deletes only that job's images; destroy cleans up."""
    _register(example_emulator, "clip-a", "clip-b")

    def program(videos: list[str]) -> None:
        images = VideoAIImages(
            "thumbs", VideoAIImagesArgs(video_ids=videos, config=AIImageTemplateConfig(count=2))
        )
        pulumi.export("images", images.images)

    steps, outputs = engine.up(lambda: program(["clip-a", "clip-b"]))
    assert sorted(s.name for s in steps if s.op == "create") == [
        "thumbs",
        "thumbs-clip-a",
        "thumbs-clip-b",
        "thumbs-template",
    ]
    assert [name for _, name, _ in engine.components] == ["thumbs"]
    assert {video: len(urls) for video, urls in outputs["images"].items()} == {"clip-a": 2, "clip-b": 2}
    assert sorted(outputs["images"]["clip-a"]) == _images_of(example_emulator, "clip-a")

    steps, outputs = engine.up(lambda: program(["clip-a"]))
    assert [(s.op, s.name) for s in steps if s.op != "same"] == [("delete", "thumbs-clip-b")]
    assert _images_of(example_emulator, "clip-b") == []
    assert len(_images_of(example_emulator, "clip-a")) == 2

    assert {s.op for s in engine.destroy()} == {"delete"}
    assert _images_of(example_emulator, "clip-a") == []


def test_generated_template_through_the_engine_is_sound_and_needs_no_fix(engine: LocalEngine) -> None:
    """Against the emulator, a generated Terraform template passes the check; only the generate task exists."""
    from pulumi_alicloud_ai.resources.ai_task import TemplateType
    from pulumi_alicloud_ai.resources.generated_template import GeneratedTemplate, GeneratedTemplateArgs

    def program() -> None:
        net = GeneratedTemplate(
            "net",
            GeneratedTemplateArgs(
                prompt="a VPC with a vSwitch and an ECS instance", template_type=TemplateType.TERRAFORM
            ),
        )
        pulumi.export("template", net.template)
        pulumi.export("fixed", net.fixed)

    steps, outputs = engine.up(program)
    assert [(s.op, s.name) for s in steps] == [("create", "net"), ("create", "net-generate")]
    assert outputs["fixed"] is False
    assert 'resource "alicloud_instance"' in outputs["template"]
    engine.destroy()


def test_llm_service_endpoint_is_the_one_the_network_names(
    engine: LocalEngine, example_emulator: RunningEmulator
) -> None:
    """Through the real provider: network=INTERNET exports the service's internet endpoint, INTRANET
    its intranet (VPC) endpoint, exactly as DescribeService reports them."""
    from pulumi_alicloud_ai.resources.app_service import OssModelStorage
    from pulumi_alicloud_ai.resources.llm_service import LlmService, LlmServiceArgs, Network

    def program() -> None:
        for name, network in (("public_llm", Network.INTERNET), ("private_llm", Network.INTRANET)):
            llm = LlmService(
                name,
                LlmServiceArgs(
                    service_name=name, model=OssModelStorage(oss_path="oss://models/llama/"), network=network
                ),
            )
            pulumi.export(name, llm.endpoint)

    _, outputs = engine.up(program)
    public = eas_client(example_emulator).describe_service("cn-shanghai", "public_llm").body
    private = eas_client(example_emulator).describe_service("cn-shanghai", "private_llm").body
    assert outputs["public_llm"] == public.internet_endpoint
    assert outputs["private_llm"] == private.intranet_endpoint
    assert public.internet_endpoint != public.intranet_endpoint
    engine.destroy()
