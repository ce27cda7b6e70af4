"""The ``UserData`` of SubmitAIImageJob, SubmitAIJob and SubmitAIMediaAuditJob: VOD's JSON string of
custom settings, checked as the service documents, by the same rules for all three.

vod.md: a JSON string of at most 512 bytes that contains ``MessageCallback`` or ``Extend``, e.g.
``{"MessageCallback":{"CallbackURL":"https://…"},"Extend":{…}}``. ``Extend`` is echoed back in the
completion event; ``MessageCallback.CallbackURL`` is where that event is POSTed.

By default the emulator only calls back to this machine (127.0.0.0/8, ::1, ``localhost``): a test stack
must not make it reach out to arbitrary hosts. Any other URL is refused at submit time with
``InvalidParameter.UserData``, unless the emulator runs with ``--allow-remote-callbacks``
(``EmulatorConfig.allow_remote_callbacks``), which accepts any http(s) URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai._net import is_loopback_url
from pulumi_alicloud_ai.emulator.errors import ApiError, invalid_parameter

MAX_USER_DATA_BYTES = 512
"""SubmitAIImageJob reference, UserData (the VOD UserData page): a JSON string of at most 512 bytes."""
_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class UserData:
    """A valid UserData: the text as submitted and the parts the emulator acts on."""

    raw: str
    callback_url: str | None
    extend: Any
    """The ``Extend`` value as sent (any JSON), or None when absent."""


def _invalid(message: str) -> ApiError:
    return invalid_parameter("UserData", f"The parameter UserData is invalid: {message}")


def parse_user_data(text: str | None, *, allow_remote_callbacks: bool = False) -> UserData | None:
    """Check ``text`` against VOD's UserData rules; None when absent. Raises ``InvalidParameter.UserData``.

    ``allow_remote_callbacks`` lifts the loopback-only rule on ``MessageCallback.CallbackURL``.
    """
    if text is None:
        return None
    size = len(text.encode("utf-8"))
    if size > MAX_USER_DATA_BYTES:
        raise _invalid(f"it is {size} bytes long; at most {MAX_USER_DATA_BYTES} bytes are allowed.")
    try:
        value = load_json(text, what="it")
    except BoundsError as exc:
        raise _invalid(f"{exc}.") from None
    except ValueError:
        raise _invalid("it is not valid JSON.") from None
    if not isinstance(value, dict):
        raise _invalid("it must be a JSON object.")
    if "MessageCallback" not in value and "Extend" not in value:
        raise _invalid("it must contain MessageCallback or Extend.")
    callback_url = _callback_url(value.get("MessageCallback"), allow_remote=allow_remote_callbacks)
    return UserData(raw=text, callback_url=callback_url, extend=value.get("Extend"))


def _callback_url(callback: Any, *, allow_remote: bool) -> str | None:
    if callback is None:
        return None
    if not isinstance(callback, dict):
        raise _invalid('MessageCallback must be an object such as {"CallbackURL": "http://127.0.0.1:8080/"}.')
    url = callback.get("CallbackURL")
    if not isinstance(url, str) or not url:
        raise _invalid("MessageCallback.CallbackURL must be a non-empty string.")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise _invalid(f"MessageCallback.CallbackURL {url!r} is not a valid URL.") from None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise _invalid(f"MessageCallback.CallbackURL {url!r} must be an http or https URL.")
    if not allow_remote and not is_loopback_url(url):
        raise _invalid(
            f"MessageCallback.CallbackURL {url!r} is not a loopback address; the emulator only calls back "
            "to localhost, 127.0.0.0/8 or ::1 (start it with --allow-remote-callbacks to lift this)."
        )
    return url
