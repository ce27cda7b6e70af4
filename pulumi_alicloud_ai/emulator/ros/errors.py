"""ROS AI-task error codes (the SDK lists none; these follow the gateway's style, errors.md).

| code | HTTP | when |
|---|---|---|
| ``MissingParameter.TaskType`` | 400 | CreateAITask without TaskType |
| ``MissingParameter.Prompt`` | 400 | GenerateTemplate without Prompt |
| ``MissingParameter.Template`` | 400 | FixTemplate without Template |
| ``MissingParameter.TaskId`` | 400 | GetAITask / ListAITaskEvents without TaskId |
| ``InvalidParameter.TaskType`` | 400 | TaskType not GenerateTemplate or FixTemplate (the message lists them) |
| ``InvalidParameter.TemplateType`` | 400 | TemplateType not ROS or Terraform (the message lists them) |
| ``InvalidParameter.Template`` | 400 | a Template sent with GenerateTemplate, which takes only a Prompt; or a Template past the parser's bounds: nested deeper than 64 levels, more than 100 YAML aliases, an alias cycle, or over 1 MiB once its aliases are expanded (the emulator's own limits) |
| ``InvalidParameter.TemplateTooLarge`` | 400 | Template over 524288 bytes (UTF-8), the ROS template body limit |
| ``InvalidParameter.OutputOption`` | 400 | OutputOption not Enabled or Disabled |
| ``InvalidParameter.MaxResults`` | 400 | MaxResults not a whole number from 1 to 100 |
| ``InvalidParameter.NextToken`` | 400 | a NextToken this listing did not hand out |
| ``TaskNotFound`` | 404 | no AI task has that TaskId (the real code is undocumented; this one is ours) |

A task whose work fails (a prompt naming nothing buildable, a template that cannot be repaired) is not
an error response: the task is created and ends ``FAILURE`` with a ``StatusReason``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_alicloud_ai._bounded import BoundsError
from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter

MAX_TEMPLATE_BYTES = 524288
"""The ROS template body limit (CreateStack reference, TemplateBody: 1 to 524,288 bytes), which the
emulator applies to CreateAITask's Template; the CreateAITask reference itself gives no limit."""


def task_not_found(task_id: str) -> ApiError:
    """No AI task has this id."""
    return ApiError("TaskNotFound", f"The AI task {task_id!r} does not exist.", 404)


def not_allowed(name: str, value: str, allowed: Iterable[str]) -> ApiError:
    """A value outside its enumeration; the message lists the allowed values."""
    return invalid_parameter(
        name, f"The {name} {value!r} is not supported; allowed values: {', '.join(allowed)}."
    )


def template_not_used() -> ApiError:
    """GenerateTemplate writes a template from the Prompt; it takes none."""
    return invalid_parameter(
        "Template", "Template is only used with TaskType FixTemplate; GenerateTemplate takes a Prompt."
    )


def template_too_large(size: int) -> ApiError:
    """Templates are limited to the ROS template body size."""
    return ApiError(
        "InvalidParameter.TemplateTooLarge",
        f"The Template is {size} bytes; a ROS template body may be at most {MAX_TEMPLATE_BYTES} bytes.",
    )


def template_too_complex(problem: BoundsError) -> ApiError:
    """A Template the parser refuses to build (too deep, too many aliases, expands too far)."""
    return invalid_parameter(
        "Template", f"{problem}; the template is refused before it is parsed any further."
    )


def bad_max_results(value: str) -> ApiError:
    """MaxResults out of range or not a number."""
    return invalid_parameter("MaxResults", f"MaxResults {value!r} must be a whole number from 1 to 100.")


def bad_next_token(value: str) -> ApiError:
    """A token this listing did not hand out."""
    return invalid_parameter(
        "NextToken", f"NextToken {value!r} is not valid; pass the NextToken of the previous page."
    )
