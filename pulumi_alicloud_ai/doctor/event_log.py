"""The event-log family: where the provider event log of this stack goes, and that it can be written."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pulumi_alicloud_ai.doctor._report import Check, Settings


def check_event_log(settings: Settings, env: Mapping[str, str]) -> Check:
    """Where the provider event log goes, and that it can be written there."""
    from pulumi_alicloud_ai.resources import _events

    if env.get(_events.EVENT_LOG_ENV, "").lower() in ("off", "0", "false", "no"):
        return Check(
            "event log", None, f"off ({_events.EVENT_LOG_ENV})", f"unset {_events.EVENT_LOG_ENV} to keep one"
        )
    path = _events.log_path(settings.project, settings.stack, env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(path.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        return Check(
            "event log",
            False,
            f"{path.parent} is not writable",
            f"set {_events.EVENTS_DIR_ENV} to a writable directory",
        )
    return Check("event log", True, f"{path} (follow it: python -m pulumi_alicloud_ai events --follow)")
