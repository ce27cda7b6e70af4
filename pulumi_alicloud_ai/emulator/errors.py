"""The emulator's error type and the codes its core uses (service packages add their own)."""

from __future__ import annotations


class ApiError(Exception):
    """An error the emulator answers with, rendered by :func:`client.errors.error_body`.

    :ivar code: the Alibaba Cloud error code (``InvalidParameter.ServiceSpec``).
    :ivar status: the HTTP status the real service uses for it.
    :ivar headers: extra response headers (``x-acs-retry-after`` on throttling).
    """

    def __init__(
        self, code: str, message: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers or {}


def missing_parameter(name: str) -> ApiError:
    """``MissingParameter.<Name>``, the gateway's answer to an absent required parameter."""
    return ApiError(
        f"MissingParameter.{name}",
        f"The input parameter {name!r} that is mandatory for processing this request is not supplied.",
    )


def invalid_parameter(name: str, message: str) -> ApiError:
    """``InvalidParameter.<Name>`` with a message that says what is allowed."""
    return ApiError(f"InvalidParameter.{name}", message)


def unknown_action(action: str, version: str) -> ApiError:
    """What the gateway answers for an action this emulator does not implement."""
    return ApiError(
        "InvalidAction.NotFound",
        f"Specified api is not found, please check your url and method. (action {action!r}, version {version!r})",
        404,
    )
