"""Endpoint resolution: the SDK's order, the maps in data/endpoints.json, and emulator overrides."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from typing import Any

import pytest

from pulumi_alicloud_ai.client import endpoints
from pulumi_alicloud_ai.client.endpoints import (
    EAS,
    PRODUCTS,
    ROS,
    VOD,
    Endpoint,
    Product,
    known_regions,
    resolve_endpoint,
)

# Every row of "Resolved examples" in shared/alibaba-api/endpoints.md; a "- / vpc" or "any" cell is
# expanded into one case per network value.
RESOLVED_EXAMPLES = [
    # EAS cn-hangzhou: map wins, vpc ignored
    (EAS, "cn-hangzhou", None, "pai-eas.cn-hangzhou.aliyuncs.com"),
    (EAS, "cn-hangzhou", "vpc", "pai-eas.cn-hangzhou.aliyuncs.com"),
    # EAS cn-wuhan (not in map): rule, product id "eas" rather than "pai-eas"
    (EAS, "cn-wuhan", None, "eas.cn-wuhan.aliyuncs.com"),
    (EAS, "cn-wuhan", "vpc", "eas-vpc.cn-wuhan.aliyuncs.com"),
    # VOD cn-hangzhou maps to the shanghai host
    (VOD, "cn-hangzhou", None, "vod.cn-shanghai.aliyuncs.com"),
    (VOD, "cn-hangzhou", "vpc", "vod.cn-shanghai.aliyuncs.com"),
    (VOD, "cn-shanghai", None, "vod.cn-shanghai.aliyuncs.com"),
    # VOD cn-wuhan: central host from the map, whatever the network
    (VOD, "cn-wuhan", None, "vod.aliyuncs.com"),
    (VOD, "cn-wuhan", "public", "vod.aliyuncs.com"),
    (VOD, "cn-wuhan", "vpc", "vod.aliyuncs.com"),
    # VOD unmapped region + vpc: rule
    (VOD, "cn-nanjing", "vpc", "vod-vpc.cn-nanjing.aliyuncs.com"),
    # ROS mapped regions: the single central host, whatever the network
    (ROS, "cn-hangzhou", None, "ros.aliyuncs.com"),
    (ROS, "cn-beijing", "vpc", "ros.aliyuncs.com"),
    (ROS, "us-east-1", "public", "ros.aliyuncs.com"),
    # ROS unmapped region: rule, with and without vpc
    (ROS, "cn-wuhan", None, "ros.cn-wuhan.aliyuncs.com"),
    (ROS, "cn-wuhan", "vpc", "ros-vpc.cn-wuhan.aliyuncs.com"),
]

SDK_CLIENTS = {
    "eas": "alibabacloud_eas20210701",
    "vod": "alibabacloud_vod20170321",
    "ros": "alibabacloud_ros20190910",
}
# Regions absent from every map (endpoints.md), so the SDK falls through to its rule.
UNMAPPED = ["cn-nanjing-x1", "xx-new-9"]


class TestProducts:
    """The three product descriptors others code against."""

    def test_products_by_code(self) -> None:
        """PRODUCTS holds exactly EAS, VOD and ROS under their rule ids."""
        assert PRODUCTS == {"eas": EAS, "vod": VOD, "ros": ROS}

    @pytest.mark.parametrize(
        ("product", "version", "style"),
        [(EAS, "2021-07-01", "ROA"), (VOD, "2017-03-21", "RPC"), (ROS, "2019-09-10", "RPC")],
    )
    def test_version_and_style(self, product: Product, version: str, style: str) -> None:
        """Each product carries the API version and style its SDK declares."""
        assert (product.version, product.style) == (version, style)

    def test_descriptors_are_frozen(self) -> None:
        """Products and endpoints cannot be changed after creation."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            EAS.code = "pai-eas"  # type: ignore[misc]
        endpoint = Endpoint(base_url="https://h", host="h")
        with pytest.raises(dataclasses.FrozenInstanceError):
            endpoint.host = "other"  # type: ignore[misc]


class TestDataFile:
    """data/endpoints.json holds the SDK maps in full."""

    @pytest.mark.parametrize(("product", "count"), [(EAS, 15), (VOD, 55), (ROS, 42)])
    def test_region_counts(self, product: Product, count: int) -> None:
        """Every region of the SDK map is present: EAS 15, VOD 55, ROS 42."""
        assert len(known_regions(product)) == count

    def test_file_lists_exactly_the_three_products(self) -> None:
        """The packaged data file, read the way an installed wheel is, has one entry per product."""
        text = resources.files("pulumi_alicloud_ai.client").joinpath("data", "endpoints.json").read_text()
        assert set(json.loads(text)["products"]) == set(PRODUCTS)

    def test_loaded_once(self) -> None:
        """The file is parsed on first use and then served from the cache."""
        endpoints._region_maps.cache_clear()
        resolve_endpoint(EAS, "cn-hangzhou")
        resolve_endpoint(VOD, "cn-hangzhou")
        known_regions(ROS)
        info = endpoints._region_maps.cache_info()
        assert (info.misses, info.hits) == (1, 2)

    def test_known_regions_is_frozen(self) -> None:
        """known_regions returns an immutable set."""
        assert isinstance(known_regions(EAS), frozenset)

    @pytest.mark.parametrize("product", [EAS, VOD, ROS], ids=lambda p: p.code)
    def test_mapped_hosts_belong_to_the_product(self, product: Product) -> None:
        """Every mapped host is an aliyuncs.com host of that product's service."""
        prefix = {"eas": "pai-eas.", "vod": "vod.", "ros": "ros."}[product.code]
        for region in known_regions(product):
            host = resolve_endpoint(product, region).host
            assert host.startswith(prefix), (region, host)
            assert host.endswith(".aliyuncs.com"), (region, host)


class TestResolve:
    """The SDK's order: map, then the regional rule; HTTPS."""

    @pytest.mark.parametrize(
        ("product", "region", "network", "host"),
        RESOLVED_EXAMPLES,
        ids=[f"{p.code}-{r}-{n or 'none'}" for p, r, n, _ in RESOLVED_EXAMPLES],
    )
    def test_resolved_examples(self, product: Product, region: str, network: str | None, host: str) -> None:
        """Each resolved example in endpoints.md gives the documented host over HTTPS."""
        assert resolve_endpoint(product, region, network=network) == Endpoint(
            base_url=f"https://{host}", host=host
        )

    @pytest.mark.parametrize("network", [None, "", "public"])
    def test_public_network_adds_nothing(self, network: str | None) -> None:
        """None, empty and 'public' all mean the public rule host."""
        assert resolve_endpoint(EAS, "cn-wuhan", network=network).host == "eas.cn-wuhan.aliyuncs.com"

    def test_mapped_region_ignores_network(self) -> None:
        """In a mapped region vpc changes nothing, as in the SDK; known_regions tells the caller."""
        assert "cn-beijing" in known_regions(EAS)
        assert resolve_endpoint(EAS, "cn-beijing", network="vpc").host == "pai-eas.cn-beijing.aliyuncs.com"
        assert "cn-wuhan" not in known_regions(EAS)

    def test_unknown_product_uses_the_rule(self) -> None:
        """A product without a map always resolves by the rule, as the SDK does with no map."""
        other = Product(code="sts", version="2015-04-01", style="RPC")
        assert known_regions(other) == frozenset()
        assert resolve_endpoint(other, "cn-hangzhou").host == "sts.cn-hangzhou.aliyuncs.com"

    @pytest.mark.parametrize("region", ["", None])
    def test_empty_region_rejected(self, region: Any) -> None:
        """An empty region is a ValueError, where the SDK raises 'RegionId is empty'."""
        with pytest.raises(ValueError, match="region is empty"):
            resolve_endpoint(EAS, region)

    @pytest.mark.parametrize(
        "region", ["CN-HANGZHOU", "cn-hangzhou.evil.com", "cn-hangzhou/x", "a@b", " cn-x"]
    )
    def test_malformed_region_rejected(self, region: str) -> None:
        """A region that is not a lower-case DNS label never reaches the host name."""
        with pytest.raises(ValueError, match=re.escape(repr(region))):
            resolve_endpoint(VOD, region)

    @pytest.mark.parametrize("network", ["VPC", "vpc.evil", "-vpc"])
    def test_malformed_network_rejected(self, network: str) -> None:
        """A bad network is refused in mapped and unmapped regions alike."""
        for region in ("cn-hangzhou", "cn-wuhan"):
            with pytest.raises(ValueError, match=re.escape(repr(network))):
                resolve_endpoint(EAS, region, network=network)


class TestOverride:
    """An override points every product at one base URL: the emulator."""

    @pytest.mark.parametrize(
        ("override", "base_url", "host"),
        [
            ("http://127.0.0.1:8123", "http://127.0.0.1:8123", "127.0.0.1:8123"),
            ("127.0.0.1:8123", "http://127.0.0.1:8123", "127.0.0.1:8123"),
            ("localhost:8123", "http://localhost:8123", "localhost:8123"),
            ("http://127.0.0.1:8123/", "http://127.0.0.1:8123", "127.0.0.1:8123"),
            ("https://emulator.test:8443", "https://emulator.test:8443", "emulator.test:8443"),
            ("HTTP://Emulator.Test", "http://emulator.test", "emulator.test"),
            ("http://[::1]:8123", "http://[::1]:8123", "[::1]:8123"),
        ],
    )
    def test_override_forms(self, override: str, base_url: str, host: str) -> None:
        """Scheme is kept (bare host:port means http) and host is the netloc."""
        assert resolve_endpoint(EAS, "cn-hangzhou", override=override) == Endpoint(
            base_url=base_url, host=host
        )

    @pytest.mark.parametrize("product", [EAS, VOD, ROS], ids=lambda p: p.code)
    def test_override_wins_for_every_product(self, product: Product) -> None:
        """Region and network do not matter once an override is given; region may even be empty."""
        expected = Endpoint(base_url="http://127.0.0.1:8123", host="127.0.0.1:8123")
        assert resolve_endpoint(product, "cn-wuhan", network="vpc", override="127.0.0.1:8123") == expected
        assert resolve_endpoint(product, "", override="127.0.0.1:8123") == expected

    def test_empty_override_means_none(self) -> None:
        """An empty override is treated as unset, as the EAS SDK treats an empty endpoint."""
        assert resolve_endpoint(ROS, "cn-hangzhou", override="").host == "ros.aliyuncs.com"

    @pytest.mark.parametrize(
        "override",
        [
            "http://127.0.0.1:8123/api",
            "http://127.0.0.1:8123?x=1",
            "http://127.0.0.1:8123#frag",
            "ftp://127.0.0.1:21",
            "ws://127.0.0.1:8123",
            "http://",
            "http://user:pw@127.0.0.1:8123",
            "http://127.0.0.1:notaport",
            "http://127.0.0.1:99999",
        ],
    )
    def test_bad_override_rejected(self, override: str) -> None:
        """Paths, queries, other schemes, user info and bad ports are ValueErrors naming the value."""
        with pytest.raises(ValueError, match=re.escape(repr(override))):
            resolve_endpoint(EAS, "cn-hangzhou", override=override)


class TestAgainstSdk:
    """The installed official SDK clients are the referee for maps and rule."""

    @staticmethod
    def _sdk_client(code: str, region: str, network: str | None = None) -> Any:
        """Build the official client for ``code`` the way a user would, without touching the network."""
        module = pytest.importorskip(f"{SDK_CLIENTS[code]}.client")
        models = pytest.importorskip("alibabacloud_tea_openapi.models")
        config = models.Config(region_id=region, access_key_id="x", access_key_secret="y", network=network)
        return module.Client(config)

    @pytest.mark.parametrize("product", [EAS, VOD, ROS], ids=lambda p: p.code)
    def test_map_equals_sdk_map(self, product: Product) -> None:
        """Our region -> host map equals the SDK client's _endpoint_map, region for region."""
        sdk_map: dict[str, str] = self._sdk_client(product.code, "cn-hangzhou")._endpoint_map
        ours = {region: resolve_endpoint(product, region).host for region in known_regions(product)}
        assert ours == sdk_map

    @pytest.mark.parametrize("product", [EAS, VOD, ROS], ids=lambda p: p.code)
    def test_every_region_matches_sdk_endpoint(self, product: Product) -> None:
        """For every mapped region, with and without vpc, our host is the client's _endpoint."""
        for region in sorted(known_regions(product)):
            for network in (None, "vpc"):
                sdk_host = self._sdk_client(product.code, region, network)._endpoint
                assert resolve_endpoint(product, region, network=network).host == sdk_host, (region, network)

    @pytest.mark.parametrize("product", [EAS, VOD, ROS], ids=lambda p: p.code)
    @pytest.mark.parametrize("region", UNMAPPED)
    @pytest.mark.parametrize("network", [None, "", "public", "vpc", "share"])
    def test_rule_matches_sdk(self, product: Product, region: str, network: str | None) -> None:
        """For unmapped regions our rule gives the client's _endpoint and its get_endpoint result."""
        client = self._sdk_client(product.code, region, network)
        ours = resolve_endpoint(product, region, network=network).host
        assert ours == client._endpoint
        assert ours == client.get_endpoint(product.code, region, "regional", network, None, {}, None)
