"""Value formats the services put on the wire: JSON bodies, timestamps and resource ids."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, as every answer is sent (one encoder, built once)."""
    return _JSON.encode(value).encode("utf-8")


def iso_utc(epoch: float) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ``, the UTC format all three services use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def new_id(prefix: str = "", length: int = 32) -> str:
    """A random hex id, optionally prefixed (``eas-m-…``, ``t-…``); VOD ids are bare 32-hex."""
    return prefix + uuid.uuid4().hex[:length]


def parse_bool(value: str | None) -> bool | None:
    """Query booleans: the SDK sends Python's ``True``/``False``, the docs show ``true``/``false``."""
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    raise ValueError(value)
