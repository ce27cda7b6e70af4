"""Slow and vanishing clients: header and body deadlines, a connection cap, and no half-received call.

Every test talks to the emulator over real sockets on 127.0.0.1. Deadlines are set small (a fraction
of a second) so a test waits on the server's own action (a closed socket, a 408) instead of sleeping.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.client.errors import ERROR_CONTENT_TYPE
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.faults import FaultRule
from tests.processes import emulator_process
from tests.signed_requests import signed_eas_create

WAIT = 10.0
"""Upper bound on any wait for the server; the deadlines under test are far shorter."""


@pytest.fixture
def strict_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    """Short deadlines and a small connection cap."""
    config = EmulatorConfig(
        data_dir=tmp_path / "emulator", max_connections=16, header_timeout=0.3, body_timeout=0.3
    )
    with serve_in_thread(config) as running:
        yield running


def _connect(emulator: RunningEmulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", emulator.port), timeout=WAIT)


def _closed_by_server(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (raises if it never does)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _read_answer(sock: socket.socket) -> bytes:
    """One whole response on a kept-alive connection: its head, then ``content-length`` bytes."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _is_open(sock: socket.socket) -> bool:
    """Whether the server still holds this connection (it has neither answered nor closed it)."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer (408) or end of stream: the server let go
    except BlockingIOError:
        return True
    except OSError:
        pass
    finally:
        sock.setblocking(True)
    return False


def _signed_create(emulator: RunningEmulator, name: str, *, promised_extra: int = 0) -> bytes:
    """The bytes of a CreateAppService request signed over its body, whose ``Content-Length`` promises
    ``promised_extra`` bytes more than it holds: what the server has when the rest never comes."""
    body = json.dumps(
        {"AppType": "LLM", "Replicas": 1, "ServiceName": name, "ServiceSpec": "llama_7b_fp16"},
        separators=(",", ":"),
    ).encode()
    request = signed_eas_create(emulator.url, body)
    head = b"POST /api/v2/app_services HTTP/1.1\r\n"
    for key, value in request.headers.raw:
        sent = str(len(body) + promised_extra).encode() if key.lower() == b"content-length" else value
        head += key + b": " + sent + b"\r\n"
    return head + b"\r\n" + body


def _service_exists(emulator: RunningEmulator, name: str) -> bool:
    return emulator.state.store.find_by_name("eas", "service", "cn-shanghai", name) is not None


def _wait_for_request_note(emulator: RunningEmulator, action: str, seen: int) -> dict[str, Any]:
    """The dashboard's newest record of ``action`` once there are more than ``seen`` of them."""
    for _ in range(2000):
        notes = [
            r
            for r in httpx.get(f"{emulator.url}/_emulator/ui/feed").json()["requests"]
            if r["action"] == action
        ]
        if len(notes) > seen:
            return notes[0]
    raise AssertionError(f"the emulator never noted the {action} request")


def test_a_partial_head_gets_408_and_the_connection_closes(strict_emulator: RunningEmulator) -> None:
    """A client that sends half a request head is answered 408 once the header deadline passes."""
    with _connect(strict_emulator) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        answer = _closed_by_server(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"Code":"RequestTimeout"' in answer


def test_a_silent_connection_is_closed(strict_emulator: RunningEmulator) -> None:
    """A client that connects and sends nothing does not keep its connection."""
    with _connect(strict_emulator) as sock:
        _closed_by_server(sock)


def test_a_trickled_head_is_held_to_the_same_deadline(strict_emulator: RunningEmulator) -> None:
    """Sending one byte at a time (waiting up to 50 ms for the server between bytes, as a slow client
    does) does not extend the header deadline: the server answers 408 long before the head is done."""
    head = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 400 + b"\r\n\r\n"
    answer = b""
    with _connect(strict_emulator) as sock:
        sock.settimeout(0.05)
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
                answer += sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]


def test_a_body_that_stops_arriving_is_not_executed(strict_emulator: RunningEmulator) -> None:
    """A create whose body stalls (its signed part arrived, the rest never does) gets 408, creates nothing."""
    raw = _signed_create(strict_emulator, "stalled_body", promised_extra=10)
    with _connect(strict_emulator) as sock:
        sock.sendall(raw)
        answer = _closed_by_server(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert not _service_exists(strict_emulator, "stalled_body")


@pytest.mark.parametrize("missing", [1, 10, 60])
def test_a_body_cut_off_by_a_disconnect_is_not_executed(
    strict_emulator: RunningEmulator, missing: int
) -> None:
    """A signed create whose client disconnects before the last bytes is dropped, not run on half a body."""
    seen = 0
    raw = _signed_create(strict_emulator, f"cut_body_{missing}", promised_extra=missing)
    with _connect(strict_emulator) as sock:
        sock.sendall(raw)
    note = _wait_for_request_note(strict_emulator, "CreateAppService", seen)
    assert note["status"] == 499
    assert note["code"] == "RequestAborted"
    assert not _service_exists(strict_emulator, f"cut_body_{missing}")


def test_an_admin_body_cut_off_by_a_disconnect_is_not_applied(strict_emulator: RunningEmulator) -> None:
    """The same for the admin API: a clock advance whose body never fully arrived moves nothing."""
    body = b'{"seconds": 1000}'
    with _connect(strict_emulator) as sock:
        sock.sendall(
            b"POST /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body) + 5}\r\n\r\n".encode()
            + body
        )
        answer = _closed_by_server(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert strict_emulator.state.clock.offset == 0


def test_the_full_request_still_works(strict_emulator: RunningEmulator) -> None:
    """The baseline for the two tests above: the same bytes, all sent, create the service."""
    with _connect(strict_emulator) as sock:
        sock.sendall(_signed_create(strict_emulator, "whole_body"))
        first_line = _read_answer(sock).split(b"\r\n", 1)[0]
    assert first_line == b"HTTP/1.1 200 OK"
    assert _service_exists(strict_emulator, "whole_body")


def test_a_client_expecting_100_continue_gets_it_before_it_sends_the_body(
    strict_emulator: RunningEmulator,
) -> None:
    """``Expect: 100-continue`` (curl's way with larger bodies): the interim answer is sent at once,
    not held back with the answer's head, so the client sends its body and gets the real answer."""
    raw = _signed_create(strict_emulator, "continued_body")
    head, _, body = raw.partition(b"\r\n\r\n")
    with _connect(strict_emulator) as sock:
        sock.sendall(head + b"\r\nExpect: 100-continue\r\n\r\n")
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 ")
        sock.sendall(body)
        answer = _read_answer(sock)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK"
    assert _service_exists(strict_emulator, "continued_body")


def test_answers_on_one_kept_alive_connection_each_arrive_whole(strict_emulator: RunningEmulator) -> None:
    """Three calls in a row on one connection: each answer is a whole head and body, in order."""
    with _connect(strict_emulator) as sock:
        for name in ("kept_1", "kept_2", "kept_3"):
            sock.sendall(_signed_create(strict_emulator, name))
            answer = _read_answer(sock)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 OK")
            assert json.loads(body)["ServiceName"] == name
            assert _is_open(sock)


def _fields(head: bytes) -> list[tuple[str, str]]:
    return [
        (name.decode().lower(), value.decode())
        for name, _, value in (line.partition(b": ") for line in head.split(b"\r\n")[1:])
    ]


def test_an_api_answer_is_well_formed_http(strict_emulator: RunningEmulator) -> None:
    """Every header once, a true ``content-length``, the request id and instance the body and the
    emulator state name, and the standard ``date``; then the connection is ready for the next call."""
    with _connect(strict_emulator) as sock:
        sock.sendall(_signed_create(strict_emulator, "well_formed"))
        head, _, body = _read_answer(sock).partition(b"\r\n\r\n")
        fields = _fields(head)
        names = [name for name, _ in fields]
        assert len(names) == len(set(names)), names
        found = dict(fields)
        assert int(found["content-length"]) == len(body)
        assert found["content-type"] == "application/json;charset=utf-8"
        assert found["x-acs-request-id"] == json.loads(body)["RequestId"]
        assert found["x-alicloud-ai-emulator-instance"] == strict_emulator.state.instance_id
        assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", found["date"])
        assert _is_open(sock)


def test_an_error_answer_keeps_its_status_reason_and_extra_headers(tmp_path: Path) -> None:
    """A throttled call: ``400 Bad Request`` with the error content type and ``x-acs-retry-after``."""
    config = EmulatorConfig(
        data_dir=tmp_path / "emulator",
        faults=[
            FaultRule.model_validate({"error": {"code": "Throttling", "status": 400, "retry_after_ms": 1500}})
        ],
    )
    with serve_in_thread(config) as emulator, _connect(emulator) as sock:
        sock.sendall(_signed_create(emulator, "throttled"))
        head, _, body = _read_answer(sock).partition(b"\r\n\r\n")
        assert not _service_exists(emulator, "throttled")
    assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"
    found = dict(_fields(head))
    assert found["x-acs-retry-after"] == "1500"
    assert found["content-type"] == ERROR_CONTENT_TYPE
    assert json.loads(body)["Code"] == "Throttling"


def test_a_client_that_asks_to_close_gets_its_answer_then_the_close(strict_emulator: RunningEmulator) -> None:
    """``Connection: close``: the whole answer arrives, says so, and the server closes the connection."""
    head, _, body = _signed_create(strict_emulator, "closing").partition(b"\r\n\r\n")
    with _connect(strict_emulator) as sock:
        sock.sendall(head + b"\r\nConnection: close\r\n\r\n" + body)
        received = _closed_by_server(sock)
    answer_head, _, answer_body = received.partition(b"\r\n\r\n")
    assert answer_head.startswith(b"HTTP/1.1 200 OK")
    assert dict(_fields(answer_head))["connection"] == "close"
    assert json.loads(answer_body)["ServiceName"] == "closing"


def test_a_head_request_gets_the_head_alone_and_the_connection_stays_usable(
    strict_emulator: RunningEmulator,
) -> None:
    """HEAD of an API path: the answer's head with no body, and the next call on the connection works."""
    with _connect(strict_emulator) as sock:
        sock.sendall(b"HEAD /api/v2/app_services HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        head, _, rest = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 4")
        assert int(dict(_fields(head))["content-length"]) > 0
        assert rest == b""
        sock.sendall(_signed_create(strict_emulator, "after_head"))
        assert _read_answer(sock).startswith(b"HTTP/1.1 200 OK")
    assert _service_exists(strict_emulator, "after_head")


def _whole_answers(received: bytes) -> tuple[list[bytes], bytes]:
    """The bodies of the whole answers at the start of ``received``, and what follows them."""
    bodies: list[bytes] = []
    while True:
        head, sep, rest = received.partition(b"\r\n\r\n")
        found = re.search(rb"content-length: (\d+)", head, re.I)
        if not sep or found is None or int(found.group(1)) > len(rest):
            return bodies, received
        length = int(found.group(1))
        bodies.append(rest[:length])
        received = rest[length:]


def test_pipelined_calls_are_answered_in_order(strict_emulator: RunningEmulator) -> None:
    """Two calls sent back to back before any answer is read: both answered, in the order sent."""
    with _connect(strict_emulator) as sock:
        sock.sendall(_signed_create(strict_emulator, "piped_1") + _signed_create(strict_emulator, "piped_2"))
        received = b""
        bodies: list[bytes] = []
        while len(bodies) < 2:
            received += sock.recv(65536)
            bodies, _ = _whole_answers(received)
    assert [json.loads(body)["ServiceName"] for body in bodies] == ["piped_1", "piped_2"]
    assert _whole_answers(received)[1] == b""


def test_a_percent_encoded_admin_path_still_reaches_the_admin_api(strict_emulator: RunningEmulator) -> None:
    """The path is read decoded, as every ASGI app sees it: ``/%5Femulator/health`` is the health check."""
    with _connect(strict_emulator) as sock:
        sock.sendall(b"GET /%5Femulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head, _, body = _read_answer(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert json.loads(body)["status"] == "ok"


@pytest.mark.parametrize(
    "raw",
    [
        b"POST /api/v2/app_services HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/v2/services HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n",
    ],
    ids=["bad chunk size", "bad header line"],
)
def test_a_malformed_request_gets_400_and_a_clean_close(
    strict_emulator: RunningEmulator, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """One ``400 Bad Request``, then the connection closes, and the server logs no failure of its own."""
    with _connect(strict_emulator) as sock:
        sock.sendall(raw)
        received = _closed_by_server(sock)
    assert received.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert received.count(b"HTTP/1.1 ") == 1
    assert httpx.get(f"{strict_emulator.url}/_emulator/health").status_code == 200
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert failures == []


@contextmanager
def _slow_clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that each send half a request head and then wait."""
    with ExitStack() as stack:
        socks = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            socks.append(sock)
        yield socks


def test_slow_clients_beyond_the_cap_are_dropped_and_others_are_served(tmp_path: Path) -> None:
    """With a cap of 16 and 60 slow clients, at most 16 connections stay open, and a normal client
    (that needs a slot of its own) is still served, five times over."""
    config = EmulatorConfig(data_dir=tmp_path / "emulator", max_connections=16)  # default deadlines
    with serve_in_thread(config) as running, _slow_clients(running.port, 60) as socks:
        for _ in range(5):
            response = httpx.get(f"{running.url}/_emulator/health", timeout=WAIT)
            assert response.status_code == 200
        still_open = [sock for sock in socks if _is_open(sock)]
        assert len(still_open) <= 16


def test_slow_clients_cannot_exhaust_file_descriptors(tmp_path: Path) -> None:
    """An emulator limited to 128 open files, under 200 slow clients, keeps serving: its default
    connection cap stays under the limit, and the newest clients push the slow ones out."""
    with emulator_process(["--data-dir", str(tmp_path)], fd_limit=128) as (_, url):
        port = int(url.rsplit(":", 1)[1])
        with _slow_clients(port, 200):
            for _ in range(5):
                response = httpx.get(f"{url}/_emulator/health", timeout=WAIT)
                assert response.status_code == 200


def test_thirty_same_name_creates_at_once_have_one_winner(fresh_emulator: RunningEmulator) -> None:
    """The connection guard changes nothing for a burst of honest clients: 30 creates of one name,
    each on its own connection and released together, make exactly one service."""
    bodies = [_signed_create(fresh_emulator, "contested") for _ in range(30)]
    start = threading.Barrier(len(bodies))
    answers: list[bytes] = [b""] * len(bodies)

    def create(index: int) -> None:
        with _connect(fresh_emulator) as sock:
            start.wait(timeout=WAIT)
            sock.sendall(bodies[index])
            answers[index] = _read_answer(sock)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    statuses = sorted(answer.split(b" ", 2)[1] for answer in answers)
    assert statuses == [b"200"] + [b"409"] * 29, statuses
    assert all(b"ServiceAlreadyExists" in answer for answer in answers if b" 409 " in answer[:13])
    assert len(fresh_emulator.state.store.list_entities("eas", "service")) == 1
