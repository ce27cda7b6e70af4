"""Fuzz the emulator over HTTP with a fixed budget: every answer is a well-formed error or success,
never a traceback, and the database stays intact."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import EmulatorFactory

ROUTES = [
    ("POST", "/api/v2/app_services", "CreateAppService", "2021-07-01"),
    ("PUT", "/api/v2/app_services/cn-shanghai/{name}", "UpdateAppService", "2021-07-01"),
    ("GET", "/api/v2/services/cn-shanghai/{name}", "DescribeService", "2021-07-01"),
    ("GET", "/api/v2/services", "ListServices", "2021-07-01"),
    ("PUT", "/api/v2/services/cn-shanghai/{name}", "UpdateService", "2021-07-01"),
    ("DELETE", "/api/v2/services/{region}/{name}", "DeleteService", "2021-07-01"),
    ("GET", "/api/v2/services/cn-shanghai/{name}/events", "DescribeServiceEvent", "2021-07-01"),
    ("POST", "/", "SubmitAIImageJob", "2017-03-21"),
    ("POST", "/", "AddAITemplate", "2017-03-21"),
    ("POST", "/", "GetAIImageJobs", "2017-03-21"),
    ("POST", "/", "CreateAITask", "2019-09-10"),
    ("POST", "/", "GetAITask", "2019-09-10"),
    ("POST", "/", "ListAITasks", "2019-09-10"),
    ("GET", "/{name}", "Nothing", "1999-01-01"),
]
PARAM_NAMES = [
    "VideoId",
    "AITemplateId",
    "UserData",
    "TemplateName",
    "TemplateType",
    "TemplateConfig",
    "JobIds",
    "TaskType",
    "Prompt",
    "Template",
    "TemplateType",
    "TaskId",
    "MaxResults",
    "NextToken",
    "PageSize",
    "PageNumber",
    "Filter",
    "UpdateType",
    "EventType",
    "OutputOption",
    "WorkspaceId",
]
JUNK = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", "0", "-1", "9" * 30, "{}", "[]", "null", "true", '{"Extend":{}}', "a,b,c", "%ff", "\x00"]
    ),
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(
        st.sampled_from(["ServiceName", "AppType", "ServiceSpec", "Replicas", "Config", "AppVersion"]),
        st.one_of(
            JUNK,
            st.integers(),
            st.none(),
            st.booleans(),
            st.lists(st.integers(), max_size=2),
            st.dictionaries(st.text(max_size=8), JUNK, max_size=3),
        ),
        max_size=6,
    ).map(lambda d: json.dumps(d).encode()),
)


@pytest.fixture(scope="module")
def fuzz_target(
    module_emulators: EmulatorFactory, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunningEmulator, Path]:
    """An emulator of the module's own, with its database path."""
    data = tmp_path_factory.mktemp("fuzz")
    return module_emulators.start(data_dir=data, time_scale=0), data / "emulator.sqlite3"


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    name=st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), st.text(min_size=1, max_size=12)),
    params=st.dictionaries(st.sampled_from(PARAM_NAMES), JUNK, max_size=5),
    body=BODIES,
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
    signed=st.booleans(),
)
def test_any_request_gets_a_well_formed_answer(
    fuzz_target: tuple[RunningEmulator, Path],
    route: tuple[str, str, str, str],
    name: str,
    params: dict[str, str],
    body: bytes,
    content_type: str,
    signed: bool,
) -> None:
    """No input makes the emulator answer with a traceback or a non-JSON body."""
    emulator, _ = fuzz_target
    method, template, action, version = route
    path = template.format(name=quote(name, safe=""), region="cn-shanghai")
    headers = {
        "host": "pai-eas.cn-shanghai.aliyuncs.com",
        "accept": "application/json",
        "x-acs-action": action,
        "x-acs-version": version,
    }
    if content_type:
        headers["content-type"] = content_type
    request = httpx.Request(
        method,
        f"{emulator.url}{path}",
        params=params,
        content=body if method != "GET" else b"",
        headers=headers,
    )
    if signed:
        sign_request(request, Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    with httpx.Client(timeout=10) as client:
        response = client.send(request)
    assert "Traceback" not in response.text
    payload = response.json()
    assert isinstance(payload, dict)
    assert payload.get("RequestId")
    if response.status_code >= 400:
        assert payload.get("Code") and isinstance(payload.get("Message"), str)
    assert response.status_code != 500, payload


def test_database_is_intact_after_fuzzing(fuzz_target: tuple[RunningEmulator, Path]) -> None:
    """SQLite's integrity check passes and the emulator still answers."""
    emulator, database = fuzz_target
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert httpx.get(f"{emulator.url}/_emulator/health").json()["status"] == "ok"
