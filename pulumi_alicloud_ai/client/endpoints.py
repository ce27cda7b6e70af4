"""Region -> endpoint resolution for PAI-EAS, VOD and ROS, in the official SDK's order.

The SDK clients pick a host in three steps (``Client.get_endpoint`` of each product SDK):

1. an explicit endpoint wins (here: ``override``, which is how we point a client at the emulator);
2. else the region's entry in the client's hard-coded ``_endpoint_map``;
3. else the ``regional`` rule ``{product}{-network}.{region}.aliyuncs.com``.

The maps live in ``data/endpoints.json`` (botocore keeps its endpoint data the same way), loaded once on
first use through :mod:`importlib.resources` so they are found inside an installed wheel too. A unit
test checks them against the installed SDK clients, region by region.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["EAS", "PRODUCTS", "ROS", "VOD", "Endpoint", "Product", "known_regions", "resolve_endpoint"]


@dataclass(frozen=True, slots=True)
class Product:
    """One Alibaba Cloud product API as the client needs to address it."""

    code: str
    """Product id fed to the endpoint rule (``eas``, not ``pai-eas``) and the key in ``endpoints.json``."""
    version: str
    """API version, sent as ``x-acs-version``."""
    style: str
    """``ROA`` (REST paths, JSON body) or ``RPC`` (``POST /`` with parameters in the query)."""


EAS = Product(code="eas", version="2021-07-01", style="ROA")
VOD = Product(code="vod", version="2017-03-21", style="RPC")
ROS = Product(code="ros", version="2019-09-10", style="RPC")

PRODUCTS: dict[str, Product] = {p.code: p for p in (EAS, VOD, ROS)}
"""The supported products by code."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to send a request, and what to sign as its host."""

    base_url: str
    """Scheme and authority, no trailing slash: ``https://pai-eas.cn-hangzhou.aliyuncs.com``."""
    host: str
    """The ``Host`` header and signed ``host`` value: host and port, no scheme (``127.0.0.1:8123``)."""


_DATA_PACKAGE = "pulumi_alicloud_ai.client"
_DATA_FILE = ("data", "endpoints.json")

# Region ids and network names become DNS labels of the host we sign and connect to, so anything that
# could smuggle a dot, slash or '@' into it is refused. The SDK checks nothing here; real ids such as
# 'cn-shanghai-finance-1' all match.
_LABEL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_OVERRIDE_SCHEMES = frozenset({"http", "https"})


@functools.cache
def _region_maps() -> Mapping[str, Mapping[str, str]]:
    """Read ``data/endpoints.json`` once; fail loudly if a product or a host is missing or malformed."""
    text = resources.files(_DATA_PACKAGE).joinpath(*_DATA_FILE).read_text(encoding="utf-8")
    products: Any = json.loads(text)["products"]
    maps: dict[str, Mapping[str, str]] = {}
    for code in PRODUCTS:
        regions: Any = products[code]["regions"]
        if not isinstance(regions, dict) or not all(
            isinstance(region, str) and isinstance(host, str) and host for region, host in regions.items()
        ):
            raise RuntimeError(f"endpoints.json: regions of {code!r} must map region ids to host names")
        maps[code] = MappingProxyType(dict(regions))
    return MappingProxyType(maps)


def known_regions(product: Product) -> frozenset[str]:
    """Regions with a fixed host for ``product``: for these, ``network`` has no effect (as in the SDK).

    Lets a caller that wants a VPC host see in advance whether it can get one from the rule. A product
    outside :data:`PRODUCTS` has no map (empty set) and always resolves by the rule.
    """
    return frozenset(_region_maps().get(product.code, {}))


def _check_label(kind: str, value: str) -> None:
    """Refuse a region or network that is not a lower-case DNS label such as ``cn-hangzhou``."""
    if not _LABEL.fullmatch(value):
        raise ValueError(f"{kind} {value!r} is not a valid id: expected lower-case letters, digits and '-'")


def _parse_override(override: str) -> Endpoint:
    """Turn ``http://127.0.0.1:8123`` or bare ``127.0.0.1:8123`` (meaning http) into an Endpoint."""
    value = override.strip()
    url = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise ValueError(f"endpoint override {override!r} is not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _OVERRIDE_SCHEMES:
        raise ValueError(f"endpoint override {override!r}: scheme must be http or https, not {scheme!r}")
    if not parts.hostname:
        raise ValueError(f"endpoint override {override!r} has no host")
    # The path is ours to build per operation (ROA paths, RPC '/'), so a base path would be lost or
    # doubled; userinfo would end up in the signed host.
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(
            f"endpoint override {override!r} must be scheme://host[:port] only, without path, query, "
            "fragment or user info"
        )
    if any(ch.isspace() for ch in parts.netloc):
        raise ValueError(f"endpoint override {override!r} contains whitespace in the host")
    host = parts.netloc.lower()
    return Endpoint(base_url=f"{scheme}://{host}", host=host)


def resolve_endpoint(
    product: Product, region: str, *, network: str | None = None, override: str | None = None
) -> Endpoint:
    """Pick the endpoint for ``product`` in ``region`` exactly as the official SDK does.

    * ``override`` (non-empty) wins and ``region`` is not consulted: ``http://127.0.0.1:8123`` or
      ``127.0.0.1:8123`` (http) points every product at one base URL, the emulator. Only
      ``scheme://host[:port]`` is accepted, with scheme http or https; anything else is a ValueError.
    * A region in the product's SDK map gets that host. ``network`` is then **ignored**, as the SDK ignores
      it: the maps hold no VPC hosts, so ``network="vpc"`` in a mapped region still gives the public host.
      Check :func:`known_regions` to know beforehand.
    * Any other region gets ``{code}{-network}.{region}.aliyuncs.com``; ``network`` None, ``""`` or
      ``"public"`` adds nothing, ``"vpc"`` adds ``-vpc``. Whether such a host exists is not promised by
      the SDK.

    Real endpoints are HTTPS, as every operation of the three SDKs declares. An empty ``region`` is a
    ValueError (the SDK raises ``RegionId is empty``); unlike the SDK, a region or network that is not a
    lower-case DNS label is refused too, because it would become part of the signed host.
    """
    if override:
        return _parse_override(override)
    if not region:
        raise ValueError(f"region is empty: set a region id such as 'cn-hangzhou' to call {product.code}")
    _check_label("region", region)
    # Checked even where the map makes it irrelevant, so a typo fails in every region, not only some.
    suffix = ""
    if network and network != "public":
        _check_label("network", network)
        suffix = f"-{network}"
    host = _region_maps().get(product.code, {}).get(region)
    if host is None:
        host = f"{product.code}{suffix}.{region}.aliyuncs.com"
    return Endpoint(base_url=f"https://{host}", host=host)
