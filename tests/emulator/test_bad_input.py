"""Malformed requests get well-formed errors: never a 500, never a traceback, never a crash."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import RunningEmulator


def _eas_create(emulator: RunningEmulator, content: bytes, content_type: str) -> httpx.Response:
    request = httpx.Request(
        "POST",
        f"{emulator.url}/api/v2/app_services",
        content=content,
        headers={
            "host": "pai-eas.cn-shanghai.aliyuncs.com",
            "accept": "application/json",
            "content-type": content_type,
            "x-acs-action": "CreateAppService",
            "x-acs-version": "2021-07-01",
        },
    )
    sign_request(request, Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    with httpx.Client() as client:
        return client.send(request)


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["Code"] == code
    assert body["RequestId"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b'{"ServiceName": ', "application/json", "InvalidParameter.Body"),
        (b"[1, 2]", "application/json", "InvalidParameter.Body"),
        (b"\xff\xfe\x00garbage", "application/json", "InvalidParameter.Body"),
        (b"ServiceName=x", "application/x-www-form-urlencoded", "InvalidParameter.ContentType"),
        (
            b'{"ServiceName": 5, "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1}',
            "application/json",
            "InvalidParameter.ServiceName",
        ),
        (
            b'{"ServiceName": "ok_name", "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": "1"}',
            "application/json",
            "InvalidParameter.Replicas",
        ),
        (
            b'{"ServiceName": "ok_name", "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1, "Config": []}',
            "application/json",
            "InvalidParameter.Config",
        ),
    ],
    ids=[
        "truncated-json",
        "not-an-object",
        "not-utf8",
        "form-not-json",
        "name-not-string",
        "replicas-string",
        "config-list",
    ],
)
def test_malformed_bodies_are_400s(
    emulator: RunningEmulator, content: bytes, content_type: str, code: str
) -> None:
    """Bad JSON, wrong types and wrong content types are InvalidParameter errors."""
    _assert_error(
        _eas_create(emulator, content, content_type),
        400 if code != "InvalidParameter.ContentType" else 415,
        code,
    )


def test_oversized_body_is_413_before_anything_else(emulator: RunningEmulator) -> None:
    """A body over the limit is refused with 413 RequestEntityTooLarge, without being read whole."""
    response = httpx.post(f"{emulator.url}/", content=b"x" * (3 * 1024 * 1024))
    _assert_error(response, 413, "RequestEntityTooLarge")


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "/api/../../etc/passwd", "/%2e%2e/%2e%2e/", "/api/v2/services/%ff"]
)
def test_path_tricks_are_not_found(emulator: RunningEmulator, path: str) -> None:
    """Paths outside the API give a well-formed error, never a file or a crash."""
    response = httpx.get(f"{emulator.url}{path}")
    assert response.status_code in (400, 404)
    assert response.json()["RequestId"]
    assert "root:" not in response.text


def test_bad_percent_encoding_in_query_is_400(emulator: RunningEmulator) -> None:
    """A query that is not UTF-8 once decoded is InvalidParameter.Encoding."""
    response = httpx.post(f"{emulator.url}/?VideoId=%ff%fe", headers={"x-acs-action": "GetVideoInfo"})
    _assert_error(response, 400, "InvalidParameter.Encoding")


def test_the_emulator_still_answers_after_all_that(emulator: RunningEmulator) -> None:
    """After the malformed requests above, health is still ok."""
    assert httpx.get(f"{emulator.url}/_emulator/health").json()["status"] == "ok"
