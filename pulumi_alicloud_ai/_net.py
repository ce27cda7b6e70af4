"""Whether an address stays on this machine: the one rule behind the emulator's bind check, VOD's
callback policy and the providers' "a loopback endpoint is an emulator" decision."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1 (brackets allowed)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether a URL (or a bare ``host:port``) points at this machine."""
    return is_loopback_host(urlsplit(url if "://" in url else f"http://{url}").hostname or "")
