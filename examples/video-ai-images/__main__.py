"""Smart thumbnails for VOD videos: one AIImage template, one AI image job per video id from config.

pulumi config set --path 'videoIds[0]' <VideoId>    # videos already in VOD (uploaded elsewhere)
pulumi up                                            # outputs each video's thumbnail URLs
"""

import pulumi

from pulumi_alicloud_ai import (
    AIImageJob,
    AIImageJobArgs,
    AIImageTemplateConfig,
    VodAITemplate,
    VodAITemplateArgs,
)

config = pulumi.Config()
video_ids: list[str] = config.require_object("videoIds")

template = VodAITemplate(
    "thumbnails",
    VodAITemplateArgs(
        template_name="smart-thumbnails",
        config=AIImageTemplateConfig(
            count=config.get_int("imageCount") or 3,
            format=config.get("imageFormat") or "png",
        ),
    ),
)

jobs = {
    video_id: AIImageJob(
        f"thumbnails-{video_id}",
        AIImageJobArgs(
            video_id=video_id,
            ai_template_id=template.template_id,
            user_data={"Extend": {"videoId": video_id}},
        ),
    )
    for video_id in video_ids
}

pulumi.export("template_id", template.template_id)
pulumi.export(
    "thumbnails",
    {
        video_id: job.images.apply(lambda images: [image["url"] for image in images])
        for video_id, job in jobs.items()
    },
)
