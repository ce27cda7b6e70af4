"""VOD error codes the emulator answers with, and the codes a failed AI image job carries.

The SDK lists no VOD error codes (errors.md), so these follow the gateway's naming style. Classes in
the typed client follow from code and status (``client/errors.py``): ``*.NotFound``/404 is
``NotFoundError``, ``InvalidParameter.*`` is ``InvalidParameterError``, 409 is ``ConflictError``,
``Forbidden.*`` is ``AuthError``.

API errors:

| code | HTTP | when |
|---|---|---|
| ``MissingParameter.<Name>`` | 400 | a required parameter is absent or empty (core) |
| ``InvalidParameter.<Name>`` | 400 | a value is malformed; the message says what is allowed. Names used: ``UserData``, ``JobIds``, ``AIImageInfoIds``, ``AITemplateId`` (template of the wrong type), ``TemplateName``, ``TemplateType``, ``TemplateConfig`` |
| ``InvalidVideo.NotFound`` | 404 | no video with that id in the call's region |
| ``InvalidAITemplate.NotFound`` | 404 | no template with that id in the region (deleted ones included), or no default template of a type |
| ``InvalidAITemplate.IsDefault`` | 409 | DeleteAITemplate on the default template: set another default first |
| ``InvalidAITemplate.InUse`` | 409 | DeleteAITemplate while a job using the template is not final |
| ``InvalidVideo.NoneStream`` | 404 | GetPlayInfo/GetMezzanineInfo on a corrupt video, or for a definition other than ``OD`` |
| ``InvalidAIJob.NotFound`` | 404 | GetAIMediaAuditJob with an unknown id; GetAIVideoTagResult before a tagging job finished |
| ``Forbidden.RegionNotSupported`` | 403 | the region does not offer the operation: AI image jobs run in cn-beijing and cn-shanghai, AI templates also in ap-southeast-1; the central host (``vod.aliyuncs.com``, no region) offers neither |

Job failure codes (``Code`` of a job whose ``Status`` is ``fail``, also in its completion event):

| code | when |
|---|---|
| ``AIImage.ProcessFailed`` | an ``effect: "fail"`` fault rule matched the SubmitAIImageJob call (the rule's ``message`` is the job's Message); a rule's ``code``, when given, replaces this code |
| ``InvalidVideo.DecodeFailed`` | the video was registered with ``"Corrupt": true`` (admin API) |
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_alicloud_ai.emulator.errors import ApiError

PROCESS_FAILED = "AIImage.ProcessFailed"
"""Job Code when an ``effect: fail`` fault rule matched the submit."""
DECODE_FAILED = "InvalidVideo.DecodeFailed"
"""Job Code for a video registered as corrupt."""


def video_not_found(region: str, video_id: str) -> ApiError:
    """The video does not exist in the region (videos are regional, as VOD storage is)."""
    return ApiError(
        "InvalidVideo.NotFound", f"The video {video_id!r} does not exist in region {region or '(none)'}.", 404
    )


def template_not_found(region: str, template_id: str) -> ApiError:
    """The template does not exist in the region, or was deleted."""
    return ApiError(
        "InvalidAITemplate.NotFound",
        f"The AI template {template_id!r} does not exist in region {region or '(none)'}.",
        404,
    )


def no_default_template(region: str, template_type: str) -> ApiError:
    """No template of this type has been made the default."""
    return ApiError(
        "InvalidAITemplate.NotFound",
        f"No default {template_type} template is set in region {region}; call SetDefaultAITemplate first.",
        404,
    )


def template_is_default(template_id: str, template_type: str) -> ApiError:
    """The default template cannot be deleted."""
    return ApiError(
        "InvalidAITemplate.IsDefault",
        f"The AI template {template_id!r} is the default {template_type} template and cannot be deleted; "
        "make another template the default first.",
        409,
    )


def template_in_use(template_id: str, job_ids: Iterable[str]) -> ApiError:
    """A job that is still running uses the template."""
    return ApiError(
        "InvalidAITemplate.InUse",
        f"The AI template {template_id!r} is used by AI image jobs that are still running "
        f"({', '.join(sorted(job_ids))}); delete it once they have finished.",
        409,
    )


def region_not_supported(action: str, region: str, supported: Iterable[str]) -> ApiError:
    """The operation is not offered in the region the call reached."""
    where = f"region {region}" if region else "the central endpoint (no region)"
    return ApiError(
        "Forbidden.RegionNotSupported",
        f"{action} is not supported in {where}; supported regions: {', '.join(sorted(supported))}.",
        403,
    )


def no_stream(video_id: str) -> ApiError:
    """The video has no playable stream of the kind asked for (or cannot be decoded at all)."""
    return ApiError(
        "InvalidVideo.NoneStream", f"The video {video_id!r} has no playable stream matching the request.", 404
    )
