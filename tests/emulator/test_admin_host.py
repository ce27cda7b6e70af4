"""DNS rebinding: the admin API and the dashboard answer only to the Host names the emulator serves.

A web page on ``evil.example`` whose DNS is rebound to 127.0.0.1 sends requests the browser treats as
same-origin: ``Host: evil.example:PORT`` with a matching ``Origin``. Every admin route must refuse
them, whatever the method, while loopback names and the bound address keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from tests.signed_requests import create_with_host

ADMIN_CALLS = [
    ("GET", "/_emulator/health", None),
    ("POST", "/_emulator/reset", None),
    ("GET", "/_emulator/faults", None),
    ("POST", "/_emulator/faults", {"latency_ms": 1}),
    ("DELETE", "/_emulator/faults", None),
    ("GET", "/_emulator/clock", None),
    ("POST", "/_emulator/clock", {"seconds": 5}),
    ("POST", "/_emulator/sts", {}),
    ("GET", "/_emulator/ui", None),
    ("GET", "/_emulator/ui/live", None),
    ("GET", "/_emulator/ui/feed", None),
    ("GET", "/_emulator/vod/videos", None),
    ("POST", "/_emulator/vod/videos", {"Title": "x", "Duration": 5.0}),
]

FOREIGN_HOSTS = [
    "evil.example:{port}",
    "evil.example",
    "127.0.0.1.evil.example:{port}",
    "localhost.evil.example:{port}",
    "EVIL.example:{port}",
    "[::2]:{port}",
    "10.0.0.1:{port}",
    "0.0.0.0:{port}",
    "",
]


def _send(emulator: RunningEmulator, method: str, path: str, body: object, host: str) -> httpx.Response:
    headers = {"Host": host}
    if host:
        headers["Origin"] = f"http://{host}"
    with httpx.Client(base_url=emulator.url, timeout=10) as client:
        return client.request(method, path, json=body, headers=headers)


@pytest.fixture(scope="module")
def shared_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator for the refusals: a refused request changes nothing, which each test checks."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path_factory.mktemp("host-emulator"))) as running:
        yield running


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_a_rebound_host_reaches_no_admin_route(
    shared_emulator: RunningEmulator, method: str, path: str, body: object
) -> None:
    """Every foreign Host (with its own matching Origin) is refused before any route runs."""
    state = shared_emulator.state
    for host in FOREIGN_HOSTS:
        response = _send(shared_emulator, method, path, body, host.format(port=shared_emulator.port))
        assert response.status_code == 403, (host, response.text)
        assert response.json()["Code"] == "Forbidden.Host", host
        assert state.faults.rules == []
        assert state.clock.offset == 0
        assert state.store.list_entities("vod", "video") == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "localhost.:{port}", "127.0.0.1"]
)
def test_loopback_names_reach_the_admin_api(fresh_emulator: RunningEmulator, host: str) -> None:
    """The names a local browser or tool uses for the emulator keep working, with or without a port."""
    response = _send(
        fresh_emulator, "POST", "/_emulator/clock", {"seconds": 5}, host.format(port=fresh_emulator.port)
    )
    assert response.status_code == 200, response.text
    assert fresh_emulator.state.clock.offset == 5


@pytest.fixture
def named_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator that also answers to a name the operator gave it (``--allowed-host``)."""
    config = EmulatorConfig(data_dir=tmp_path / "emulator", allowed_hosts=("emulator.test",))
    with serve_in_thread(config) as running:
        yield running


def test_an_operator_named_host_is_served_and_others_are_not(named_emulator: RunningEmulator) -> None:
    """``--allowed-host NAME`` adds one name (a container name, say); it adds no wildcard."""
    port = named_emulator.port
    assert _send(named_emulator, "GET", "/_emulator/health", None, f"emulator.test:{port}").status_code == 200
    refused = _send(named_emulator, "GET", "/_emulator/health", None, f"x.emulator.test:{port}")
    assert refused.status_code == 403


def test_api_calls_keep_their_cloud_host_names(fresh_emulator: RunningEmulator) -> None:
    """Product APIs accept the real regional Host our client sends: an unsigned call gets the gateway's
    signature error, not a Host refusal."""
    response = httpx.post(
        f"{fresh_emulator.url}/",
        headers={"Host": "vod.cn-shanghai.aliyuncs.com", "x-acs-action": "GetCategories"},
    )
    assert response.json()["Code"] == "MissingParameter.AccessKeyId"


API_HOSTS_SERVED = [
    "pai-eas.cn-shanghai.aliyuncs.com",
    "PAI-EAS.cn-shanghai.aliyuncs.com:443",
    "127.0.0.1:{port}",
    "localhost:{port}",
]
API_HOSTS_REFUSED = [
    "evil.example:{port}",
    "aliyuncs.com.evil.example",
    "pai-eas.cn-shanghai.aliyuncs.com.evil.example:{port}",
    "evilaliyuncs.com",
    "10.0.0.1:{port}",
    "",
]


def test_a_call_signed_with_the_default_keys_from_a_rebound_host_is_refused(
    fresh_emulator: RunningEmulator,
) -> None:
    """The default key pair is no secret, so a rebound page could sign calls with it: a product API call
    under a foreign Host is refused before its signature is even read, and creates nothing; the same
    call under the names the emulator serves works."""
    port = fresh_emulator.port
    for index, host in enumerate(API_HOSTS_REFUSED):
        response = create_with_host(fresh_emulator.url, f"rebound_{index}", host.format(port=port))
        assert response.status_code == 403, (host, response.text)
        assert response.json()["Code"] == "Forbidden.Host", host
    assert fresh_emulator.state.store.list_entities("eas", "service") == []
    for index, host in enumerate(API_HOSTS_SERVED):
        response = create_with_host(fresh_emulator.url, f"served_{index}", host.format(port=port))
        assert response.status_code == 200, (host, response.text)
    assert len(fresh_emulator.state.store.list_entities("eas", "service")) == len(API_HOSTS_SERVED)
