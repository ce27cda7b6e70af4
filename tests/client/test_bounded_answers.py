"""Our client reads what a server sends within bounds: a broken or hostile server's deeply nested
answer is a typed error (or an empty decoded field), never a RecursionError in a provider."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import EasClient
from pulumi_alicloud_ai.client.endpoints import EAS, VOD, Product
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, ServerError, from_response
from pulumi_alicloud_ai.client.retry import NO_RETRIES
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.vod import VodClient
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.routing import Call, Route, Router
from tests.conftest import EmulatorFactory
from tests.deep_documents import nested

DEEP_TEXT = "[" * 5_000 + "]" * 5_000
"""A JSON string inside an answer: past the recursion limit."""


def _deep_answer(_call: Call) -> dict[str, Any]:
    return {"TemplateInfo": {"TemplateId": "t-1", "Nested": nested(200)}}


def _deep_template_config(_call: Call) -> dict[str, Any]:
    return {"TemplateInfo": {"TemplateId": "t-1", "TemplateConfig": DEEP_TEXT, "IsDefault": "Default"}}


def _deep_app_config(call: Call) -> dict[str, Any]:
    name = call.path_params["ServiceName"]
    return {"ServiceName": name, "Status": "Running", "AppConfig": DEEP_TEXT, "ServiceConfig": DEEP_TEXT,
            "TotalInstance": 2}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(module_emulators: EmulatorFactory) -> RunningEmulator:
    """A server whose answers nest deeper than any real one."""
    router = Router(
        [
            Route.rpc("vod", "GetAITemplate", _deep_answer),
            Route.rpc("vod", "GetDefaultAITemplate", _deep_template_config),
            Route.roa(
                "eas",
                "DescribeService",
                "GET",
                "/api/v2/services/{ClusterId}/{ServiceName}",
                _deep_app_config,
            ),
        ]
    )
    return module_emulators.start(router=router)


def _client(emulator: RunningEmulator, product: Product) -> OpenApiClient:
    return OpenApiClient(
        product,
        region="cn-shanghai",
        credentials=StaticCredentialsProvider("test", "test"),
        endpoint_override=emulator.url,
        retry=NO_RETRIES,
    )


def test_an_answer_nested_past_the_bound_is_invalid_response(hostile: RunningEmulator) -> None:
    """A 200 whose body nests 200 levels is an InvalidResponse error, raised once, with the host."""
    with _client(hostile, VOD) as api, pytest.raises(AlibabaCloudError) as info:
        VodClient(api).get_ai_template("t-1")
    assert info.value.code == "InvalidResponse"
    assert "not JSON" in str(info.value)


def test_deep_json_strings_inside_an_answer_decode_as_empty(hostile: RunningEmulator) -> None:
    """TemplateConfig, AppConfig and ServiceConfig too deep to decode read as absent, so refresh and
    diff go on instead of crashing."""
    with _client(hostile, VOD) as api:
        template = VodClient(api).get_default_ai_template()
    assert template.config() == {}
    with _client(hostile, EAS) as api:
        service = EasClient(api).describe_service("cn-shanghai", "svc")
    assert service.app_config_dict() == {}
    assert service.configured_replicas() == 2


@pytest.mark.parametrize(
    "content", [b"[" * 100_000 + b"]" * 100_000, b'{"Code": ' + b"[" * 100_000, b'{"a":' * 50_000]
)
def test_a_deep_error_body_is_still_a_typed_error(content: bytes) -> None:
    """An error body too deep to read becomes a ServerError with the status and a snippet."""
    error = from_response(503, content, {"x-acs-request-id": "RID"}, action="GetAITemplate")
    assert isinstance(error, ServerError)
    assert error.code == "HTTP503"
    assert error.request_id == "RID"
