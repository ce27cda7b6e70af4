"""A signed request cannot be replayed after the emulator restarts.

Nonces are remembered on disk for as long as a signature can be valid (its timestamp may be up to 15
minutes either side of the server's clock), in every signing scheme the emulator verifies. Each test
sends a correctly signed request once, restarts (cleanly or with ``kill -9``) and sends the very same
bytes again.
"""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import EmulatorConfig, serve_in_thread
from pulumi_alicloud_ai.emulator.verify import SKEW_SECONDS, ApiError, NonceCache
from tests.processes import emulator_process
from tests.signed_requests import rpc_v1_query


def _v3(url: str) -> httpx.Request:
    port = url.rsplit(":", 1)[1]
    request = httpx.Request(
        "POST",
        f"{url}/",
        headers={"host": f"127.0.0.1:{port}", "x-acs-action": "GetCategories", "x-acs-version": "2017-03-21"},
    )
    sign_request(request, Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    return request


def _rpc_v1(url: str) -> httpx.Request:
    return httpx.Request("GET", f"{url}/?{rpc_v1_query()}")


def _roa_v1(url: str) -> httpx.Request:
    headers = {
        "accept": "application/json",
        "date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        "x-acs-version": "2021-07-01",
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-signature-method": "HMAC-SHA1",
    }
    path = "/api/v2/services/cn-shanghai/nothing_here"
    to_sign = signing.roa_v1_string_to_sign("GET", headers, path, {})
    headers["authorization"] = f"acs test:{signing.roa_v1_signature('test', to_sign)}"
    return httpx.Request("GET", f"{url}{path}", headers=headers)


SCHEMES = {"v3": _v3, "rpc-v1": _rpc_v1, "roa-v1": _roa_v1}


def _to(request: httpx.Request, url: str) -> httpx.Request:
    """The same request, byte for byte (its signed Host header too), sent to another address."""
    target = httpx.URL(url).copy_with(raw_path=request.url.raw_path)
    return httpx.Request(request.method, target, headers=request.headers, content=request.content)


def _code(request: httpx.Request) -> str:
    with httpx.Client(timeout=10) as client:
        code: str = client.send(request).json()["Code"]
    return code


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_a_replay_after_a_clean_restart_is_refused(tmp_path: Path, scheme: str) -> None:
    """First use passes the signature check; the same request after a restart is SignatureNonceUsed."""
    config = EmulatorConfig(data_dir=tmp_path / "emulator")
    with serve_in_thread(config) as running:
        request = SCHEMES[scheme](running.url)
        assert _code(request) != "SignatureNonceUsed"
    with serve_in_thread(config) as running:
        assert _code(_to(request, running.url)) == "SignatureNonceUsed"


def test_a_replay_after_kill_9_is_refused(tmp_path: Path) -> None:
    """The nonce is on disk before the call runs, so even a SIGKILL right after does not forget it."""
    data = ["--data-dir", str(tmp_path)]
    with emulator_process(data) as (proc, url):
        request = _v3(url)
        assert _code(request) == "InvalidAction.NotFound"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with emulator_process(data) as (_, url_again):
        assert _code(_to(request, url_again)) == "SignatureNonceUsed"


def test_a_replay_of_a_call_that_failed_is_refused_after_reset_and_restart(tmp_path: Path) -> None:
    """A nonce counts once the signature verified, whatever the call then did (here an injected error),
    and an admin reset (which forgets entities) does not forget it."""
    config = EmulatorConfig(data_dir=tmp_path / "emulator")
    with serve_in_thread(config) as running:
        httpx.post(
            f"{running.url}/_emulator/faults", json={"error": {"code": "ServiceUnavailable", "status": 503}}
        )
        request = _roa_v1(running.url)
        assert _code(request) == "ServiceUnavailable"
        httpx.post(f"{running.url}/_emulator/reset").raise_for_status()
        assert _code(request) == "SignatureNonceUsed"
    with serve_in_thread(config) as running:
        assert _code(_to(request, running.url)) == "SignatureNonceUsed"


def test_nonces_are_kept_for_the_validity_window_and_then_dropped(tmp_path: Path) -> None:
    """A nonce is refused for twice the timestamp skew after first use, across reopenings, then freed."""
    path = tmp_path / "nonces.log"
    start = time.time()
    cache = NonceCache(path)
    cache.use("n1", start)
    cache.close()
    reopened = NonceCache(path)
    with pytest.raises(ApiError) as replay:
        reopened.use("n1", start + 2 * SKEW_SECONDS - 1)
    assert replay.value.code == "SignatureNonceUsed"
    reopened.use(
        "n1", start + 2 * SKEW_SECONDS + 1
    )  # past the window: a timestamp this old is refused anyway
    reopened.close()


def test_the_log_keeps_every_use_through_compaction_and_an_unclosed_exit(tmp_path: Path) -> None:
    """Uses are in the log at once (read back by a cache opened without closing the first, as after a
    kill -9), including the one that fills the log's room and makes it compact; a clean close leaves
    no unused room in the file."""
    path = tmp_path / "nonces.log"
    start = time.time()
    cache = NonceCache(path)
    nonces = [f"n{index}" for index in range(10_002)]  # one past the log's first room of 10,000
    for index, nonce in enumerate(nonces):
        cache.use(nonce, start + index / 1000)
    unclosed = NonceCache(path)
    for nonce in (nonces[0], nonces[9_999], nonces[10_000], nonces[-1]):
        with pytest.raises(ApiError):
            unclosed.use(nonce, start + 11)
    unclosed.close()
    cache.close()
    assert path.read_bytes().endswith(b"\n")
