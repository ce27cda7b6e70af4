"""How providers pace their polling while they wait for a resource to settle.

The first poll comes ``ALICLOUD_AI_POLL_INTERVAL`` seconds (default 2) after the call, doubling up to
30 s between polls. A lower interval suits the embedded emulator, whose lifecycles run faster.
"""

from __future__ import annotations

import os

from pulumi_alicloud_ai.client.waiter import Backoff

DEFAULT_INTERVAL = 2.0
MAX_INTERVAL = 30.0


def poll_backoff(timeout: float) -> Backoff:
    """The backoff for one wait of at most ``timeout`` seconds."""
    try:
        base = float(os.environ.get("ALICLOUD_AI_POLL_INTERVAL", DEFAULT_INTERVAL))
    except ValueError:
        base = DEFAULT_INTERVAL
    base = min(max(base, 0.001), MAX_INTERVAL)
    return Backoff(timeout=timeout, base_delay=base, max_delay=max(base, MAX_INTERVAL))
