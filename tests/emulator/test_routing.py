"""How a call finds its route: whole-path matches, and every service module present."""

from __future__ import annotations

import pytest

from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.routing import SERVICE_MODULES, Router, service_modules


def test_a_path_matches_a_route_only_whole() -> None:
    """A trailing newline (``%0A`` in the URL) is not the CreateAppService path."""
    router = Router.from_service_modules()
    route, params = router.roa("2021-07-01", "GET", "/api/v2/services/cn-shanghai/chat", "")
    assert (route.action, params) == ("DescribeService", {"ClusterId": "cn-shanghai", "ServiceName": "chat"})
    with pytest.raises(ApiError) as refused:
        router.roa("2021-07-01", "POST", "/api/v2/app_services\n", "")
    assert refused.value.code == "InvalidAction.NotFound"


def test_every_service_module_is_loaded() -> None:
    """EAS, VOD, ROS and STS all contribute routes."""
    loaded = service_modules()
    assert [module.__name__ for module in loaded] == list(SERVICE_MODULES)
    products = {route.product for module in loaded for route in module.ROUTES}
    assert products == {"eas", "vod", "ros", "sts"}


def test_a_service_module_that_cannot_be_imported_stops_the_emulator() -> None:
    """A missing module is an error at start, not a product that silently answers nothing."""
    with pytest.raises(ModuleNotFoundError):
        service_modules(("pulumi_alicloud_ai.emulator.nothing_here.routes",))
