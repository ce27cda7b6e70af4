"""Value formats the services put on the wire: timestamps and resource ids."""

from __future__ import annotations

import time
import uuid


def iso_utc(epoch: float) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ``, the UTC format all three services use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def new_id(prefix: str = "", length: int = 32) -> str:
    """A random hex id, optionally prefixed (``eas-m-…``, ``t-…``); VOD ids are bare 32-hex."""
    return prefix + uuid.uuid4().hex[:length]
