"""The lifecycle of VOD's AI jobs (image, tagging and fingerprint, review), as one table.

The SDK documents only the terminal values ``success`` and ``fail`` (vod.md), so the running states
are ours, lower-case like the documented ones: a job is ``submitted`` (queued) for 2 s, ``processing``
for 10 s, then ``success`` (seconds before ``--time-scale``). A job carrying a fault (an
``effect: fail`` rule on the submit, or a corrupt video) goes ``processing`` → ``fail`` instead,
so it is seen processing before it fails, as a real job would be. No operation moves a job by hand:
jobs cannot be cancelled through this API, so there are no explicit ``moves``.

Clients must treat any status other than ``success``/``fail`` as "still running" (vod.md).
"""

from __future__ import annotations

from pulumi_alicloud_ai.emulator.lifecycle import Lifecycle, Step

SUBMITTED, PROCESSING, SUCCESS, FAIL = "submitted", "processing", "success", "fail"

FINAL = frozenset({SUCCESS, FAIL})
"""States a job never leaves; its completion event is sent on entering one."""


def _job(kind: str) -> Lifecycle:
    return Lifecycle(
        product="vod",
        kind=kind,
        initial=SUBMITTED,
        states=frozenset({SUBMITTED, PROCESSING, SUCCESS, FAIL}),
        steps={
            SUBMITTED: Step(PROCESSING, 2, "JobStarted"),
            PROCESSING: Step(SUCCESS, 10, "JobSucceeded"),
        },
        on_fault={PROCESSING: FAIL},
    )


AI_IMAGE_JOB = _job("aiimagejob")
AI_JOB = _job("aijob")
"""SubmitAIJob's jobs (AIVideoTag, AIMediaDNA): the same steps as AI image jobs."""
AI_AUDIT_JOB = _job("aiauditjob")
"""SubmitAIMediaAuditJob's and SubmitAIImageAuditJob's review jobs: the same steps again."""
