"""The Host names the emulator answers to, so a page whose DNS name was rebound to 127.0.0.1 reaches
nothing.

A browser treats a page on ``evil.example`` whose name now resolves to 127.0.0.1 as same-origin with
the emulator: its requests carry ``Host: evil.example:PORT``. The admin API and the dashboard answer only
to loopback names, the bound address and ``--allowed-host`` names. The product APIs also answer to
Alibaba Cloud endpoint names (``*.aliyuncs.com``), which our client keeps when pointed at the emulator;
they must refuse a rebound name too, since the emulator's default key pair (``test``/``test``) is no
secret and a page could sign calls with it.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

from pulumi_alicloud_ai._net import is_loopback_host

CLOUD_DOMAIN = "aliyuncs.com"


def host_name(header: str) -> str | None:
    """The name in a ``Host`` header, lower case, without port or trailing dot; None if unreadable."""
    try:
        name = urlsplit(f"//{header}").hostname
    except ValueError:
        return None
    return name.removesuffix(".") if name else None


def served_host(name: str | None, bound: str, allowed: tuple[str, ...]) -> bool:
    """Whether the emulator answers to this name: a loopback name, the address it is bound to (not a
    wildcard such as 0.0.0.0), or a name the operator allowed with ``--allowed-host``."""
    if not name:
        return False
    if is_loopback_host(name) or name in {host_name(host) for host in allowed}:
        return True
    bound = bound.strip("[]").lower()
    try:
        wildcard = ipaddress.ip_address(bound).is_unspecified
    except ValueError:
        wildcard = False
    return not wildcard and name == bound


@functools.lru_cache(maxsize=256)
def serves_api_host(header: str, bound: str, allowed: tuple[str, ...]) -> bool:
    """Whether a product API call's ``Host`` header names this emulator or an Alibaba Cloud endpoint.
    Cached: a client sends the same few Host values on every call."""
    name = host_name(header)
    if name is not None and (name == CLOUD_DOMAIN or name.endswith("." + CLOUD_DOMAIN)):
        return True
    return served_host(name, bound, allowed)
