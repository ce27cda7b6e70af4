"""``python -m pulumi_alicloud_ai replay FILE``: re-send a ``--record`` file and report what answers differ.

A recording (``alicloud-ai-emulator --record FILE``) holds every API request and response, secrets
scrubbed, plus the admin calls that changed the emulator (fault rules, clock, videos, reset). Replay
sends them again, in order, to a fresh in-process emulator built from the recording's settings (region,
time scale, seed, fault rules) or to ``--endpoint URL``, and compares each answer with the recorded one.

What may legitimately differ is set aside before comparing:

* every request is signed again with the replay keys (``--access-key-id``/``--access-key-secret``,
  default ``test``/``test``), with a fresh date and nonce;
* ids the emulator generates (``ServiceId``, ``JobId``, ``TaskId``, ``TemplateId``, account uids) are
  learnt as the answers arrive and substituted into later requests and into the recorded answers;
  videos are re-created with their recorded ``VideoId``;
* ``RequestId`` and time fields (``CreateTime``, ``Time``, ...) are not compared;
* the emulated clock is moved forward before each request to where it stood, relative to the first
  request, when the request was recorded, so lifecycles are where they were, without sleeping.

Anything else that differs (a status code, an error code, a field) is reported, one line per request.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator.recorder import body_bytes, scrub_json

KEPT_HEADERS = frozenset({"host", "content-type", "accept", "user-agent", "x-acs-action", "x-acs-version"})
"""Headers re-sent as recorded; the signature headers are made afresh."""
LEGACY_SIGNATURE_PARAMS = frozenset(
    {
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "SignatureType",
        "Timestamp",
        "AccessKeyId",
        "SecurityToken",
    }
)
_ID_KEY = re.compile(r"^id$|(Id|Ids|Uid)$")
_TIME_KEY = re.compile(r"(?i)(time|date|timestamp|expiration|_at|since)$|^(now|offset)$")
"""Times differ on every run (``now``/``offset`` are the admin clock's answer)."""
_IGNORED_KEYS = frozenset({"RequestId", "HostId", "Recommend", "requestId"})
"""Fields that differ on every answer (the request id, and the error link that quotes it)."""
MAX_DIFFS_PER_REQUEST = 5


class ReplayFileError(Exception):
    """The file is not a recording."""


@dataclass
class Exchange:
    """One recorded line of type ``api`` or ``admin``."""

    number: int
    kind: str
    data: dict[str, Any]

    @property
    def label(self) -> str:
        """``DescribeService`` for an API call, ``POST /_emulator/faults`` for an admin call."""
        if self.kind == "api":
            headers = self.data.get("headers", {})
            return str(headers.get("x-acs-action") or self.data.get("query", {}).get("Action") or "API call")
        return f"{self.data.get('method', '')} {self.data.get('path', '')}"


@dataclass
class Recording:
    """A parsed ``--record`` file."""

    meta: dict[str, Any]
    exchanges: list[Exchange]


def load(path: Path) -> Recording:
    """Read a recording; :class:`ReplayFileError` when it holds no exchanges or bad JSON."""
    meta: dict[str, Any] = {}
    exchanges: list[Exchange] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ReplayFileError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ReplayFileError(f"{path}:{number} is not JSON") from None
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "meta" and not meta:
            meta = item
        elif kind in ("api", "admin"):
            exchanges.append(Exchange(len(exchanges) + 1, kind, item))
    if not exchanges:
        raise ReplayFileError(f"{path} holds no recorded requests (is it a --record file?)")
    # Lines are written as requests finish; replay them in the order they arrived.
    exchanges.sort(key=lambda exchange: float(exchange.data.get("arrived", 0.0) or 0.0))
    for number, exchange in enumerate(exchanges, 1):
        exchange.number = number
    return Recording(meta, exchanges)


@dataclass
class Difference:
    """One request whose answer differs."""

    exchange: Exchange
    details: list[str]

    def line(self) -> str:
        """``#7 DescribeService (RequestId ...): Status: 'Running' -> 'Creating'``."""
        rid = self.exchange.data.get("requestId")
        where = f" (recorded RequestId {rid})" if rid else ""
        return f"#{self.exchange.number} {self.exchange.label}{where}: {'; '.join(self.details)}"


@dataclass
class Report:
    """What a replay found."""

    target: str
    sent: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def same(self) -> int:
        """Requests whose answers matched."""
        return self.sent - len(self.differences)


# --- comparing answers ------------------------------------------------------------------------------


def learn_ids(recorded: Any, replayed: Any, ids: dict[str, str]) -> None:
    """Pair generated ids of the recorded answer with the replayed one's, by position."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key, value in recorded.items():
            other = replayed.get(key)
            if (
                _ID_KEY.search(str(key))
                and key not in _IGNORED_KEYS
                and isinstance(value, str)
                and isinstance(other, str)
                and value
                and other
                and value != other
            ):
                ids.setdefault(value, other)
            else:
                learn_ids(value, other, ids)
    elif isinstance(recorded, list) and isinstance(replayed, list):
        for one, other in zip(recorded, replayed, strict=False):
            learn_ids(one, other, ids)


def substitute(text: str, ids: Mapping[str, str]) -> str:
    """Replace every learnt recorded id in ``text`` by its replayed counterpart."""
    for old in sorted(ids, key=len, reverse=True):
        if len(old) >= 6 and old in text:
            text = text.replace(old, ids[old])
    return text


def _normalise(value: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            key: "<time>" if _TIME_KEY.search(str(key)) and value[key] else _normalise(value[key], ids)
            for key in value
            if key not in _IGNORED_KEYS
        }
    if isinstance(value, list):
        return [_normalise(item, ids) for item in value]
    if isinstance(value, str):
        return substitute(value, ids)
    return value


def differences(recorded: Any, replayed: Any, path: str = "") -> Iterator[str]:
    """``field: recorded -> replayed`` for each leaf that differs."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in list(recorded) + [key for key in replayed if key not in recorded]:
            yield from differences(recorded.get(key), replayed.get(key), f"{path}.{key}" if path else key)
    elif isinstance(recorded, list) and isinstance(replayed, list) and len(recorded) == len(replayed):
        for index, (one, other) in enumerate(zip(recorded, replayed, strict=True)):
            yield from differences(one, other, f"{path}[{index}]")
    elif recorded != replayed:
        yield f"{path or 'body'}: {_short(recorded)} -> {_short(replayed)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def compare(exchange: Exchange, status: int, answer: Any, ids: dict[str, str]) -> list[str]:
    """What differs between the recorded answer and the replayed one (ids learnt first)."""
    recorded_status = exchange.data.get("status")
    recorded = exchange.data.get("response", {}).get("json")
    learn_ids(recorded, answer, ids)
    details = []
    if recorded_status != status:
        details.append(f"HTTP {recorded_status} -> {status}")
    found = list(differences(_normalise(recorded, ids), _normalise(answer, ids)))
    details.extend(found[:MAX_DIFFS_PER_REQUEST])
    if len(found) > MAX_DIFFS_PER_REQUEST:
        details.append(f"... and {len(found) - MAX_DIFFS_PER_REQUEST} more")
    return details


# --- sending ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where to replay, and as whom."""

    url: str
    access_key_id: str = "test"
    access_key_secret: str = "test"  # noqa: S105 - the emulator's well-known default key
    admin_token: str | None = None


class Replayer:
    """Sends exchanges in order, keeping the learnt ids and the clock alignment."""

    def __init__(self, target: Target, recording: Recording) -> None:
        self.target = target
        self.recording = recording
        self.ids: dict[str, str] = {}
        admin_headers = {"authorization": f"Bearer {target.admin_token}"} if target.admin_token else {}
        self._http = httpx.Client(base_url=target.url, timeout=60, trust_env=False)
        self._admin_headers = admin_headers
        self._recorded_start = _first_clock(recording)
        self._replay_start = self._clock_now()

    def close(self) -> None:
        """Release connections."""
        self._http.close()

    def run(self) -> Report:
        """Replay every exchange and collect the differences."""
        report = Report(self.target.url)
        for exchange in self.recording.exchanges:
            self._align_clock(exchange)
            status, answer = self._send(exchange)
            report.sent += 1
            details = compare(exchange, status, answer, self.ids)
            if details:
                report.differences.append(Difference(exchange, details))
        return report

    def _clock_now(self) -> float | None:
        try:
            response = self._http.get("/_emulator/clock", headers=self._admin_headers)
        except httpx.HTTPError:
            return None
        return float(response.json()["now"]) if response.status_code == 200 else None

    def _align_clock(self, exchange: Exchange) -> None:
        recorded = exchange.data.get("clock")
        if (
            self._replay_start is None
            or self._recorded_start is None
            or not isinstance(recorded, int | float)
        ):
            return
        if exchange.kind == "admin" and exchange.data.get("path", "").startswith("/_emulator/reset"):
            return
        now = self._clock_now()
        want = self._replay_start + (recorded - self._recorded_start)
        if now is not None and want > now + 0.001:
            self._http.post("/_emulator/clock", json={"seconds": want - now}, headers=self._admin_headers)

    def _send(self, exchange: Exchange) -> tuple[int, Any]:
        data = exchange.data
        path = substitute(str(data.get("path", "/")), self.ids)
        query = {
            name: substitute(str(value), self.ids)
            for name, value in data.get("query", {}).items()
            if exchange.kind == "admin" or name not in LEGACY_SIGNATURE_PARAMS
        }
        body_fields = dict(data.get("body", {}))
        if exchange.kind == "admin":
            body_fields = _keep_recorded_video_id(data, body_fields)
        body = substitute(body_bytes(body_fields).decode("utf-8", "surrogateescape"), self.ids).encode(
            "utf-8", "surrogateescape"
        )
        headers = {
            name: value for name, value in data.get("headers", {}).items() if name.lower() in KEPT_HEADERS
        }
        if exchange.kind == "admin":
            headers = {**{k: v for k, v in headers.items() if k != "host"}, **self._admin_headers}
        request = self._http.build_request(
            str(data.get("method", "GET")), path, params=query or None, content=body or None, headers=headers
        )
        if exchange.kind == "api":
            credentials = Credentials(self.target.access_key_id, self.target.access_key_secret)
            sign_request(request, credentials, time.time(), uuid.uuid4().hex)
        response = self._http.send(request)
        try:
            answer: Any = response.json()
        except ValueError:
            answer = response.text
        if exchange.kind == "admin" and data.get("path") == "/_emulator/reset":
            self._replay_start = self._clock_now()
            self._recorded_start = data.get("clock", self._recorded_start)
        return response.status_code, scrub_json(answer)


def _keep_recorded_video_id(data: Mapping[str, Any], body_fields: dict[str, Any]) -> dict[str, Any]:
    """Re-create a video under its recorded id, so ids (and the results derived from them) repeat."""
    recorded = data.get("response", {}).get("json")
    body = body_fields.get("json")
    if (
        data.get("method") == "POST"
        and str(data.get("path", "")).endswith("/vod/videos")
        and isinstance(recorded, dict)
        and isinstance(body, dict)
        and "VideoId" not in body
        and recorded.get("VideoId")
    ):
        return {"json": {**body, "VideoId": recorded["VideoId"]}}
    return body_fields


def _first_clock(recording: Recording) -> float | None:
    for exchange in recording.exchanges:
        clock = exchange.data.get("clock")
        if isinstance(clock, int | float):
            return float(clock)
    return None


@contextlib.contextmanager
def fresh_emulator(meta: Mapping[str, Any]) -> Iterator[str]:
    """An in-process emulator with the recording's region, time scale, seed and fault rules."""
    from pulumi_alicloud_ai.emulator import EmulatorConfig, serve_in_thread
    from pulumi_alicloud_ai.emulator.faults import load_rules_file

    config = EmulatorConfig(
        region=str(meta.get("region") or "cn-shanghai"),
        time_scale=float(meta.get("timeScale", 1.0)),
        seed=int(meta.get("seed", 0)),
        faults=load_rules_file(meta.get("faults") or []),
    )
    with serve_in_thread(config) as running:
        yield running.url


def replay(recording: Recording, target: Target) -> Report:
    """Replay against a running emulator."""
    replayer = Replayer(target, recording)
    try:
        return replayer.run()
    finally:
        replayer.close()


def print_report(report: Report, out: TextIO) -> None:
    """One line per differing request, then a summary."""
    for difference in report.differences:
        print(difference.line(), file=out)
    print(
        f"replayed {report.sent} requests against {report.target}: {report.same} same, "
        f"{len(report.differences)} different",
        file=out,
    )


def main(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    """The ``replay`` command; exit 0 when every answer matched, 1 when some differ, 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_alicloud_ai replay",
        description="Re-send a recorded emulator session and report every answer that differs.",
    )
    parser.add_argument("file", type=Path, help="a file written by alicloud-ai-emulator --record")
    parser.add_argument("--endpoint", help="an emulator to replay against (default: a fresh one in-process)")
    parser.add_argument("--access-key-id", default="test")
    parser.add_argument("--access-key-secret", default="test")
    parser.add_argument("--admin-token", help="the emulator's admin token, when it has one")
    args = parser.parse_args(argv)
    try:
        recording = load(args.file)
    except ReplayFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        url = args.endpoint or stack.enter_context(fresh_emulator(recording.meta))
        target = Target(url, args.access_key_id, args.access_key_secret, args.admin_token)
        try:
            report = replay(recording, target)
        except httpx.HTTPError as exc:
            print(f"error: cannot reach {url}: {exc}", file=sys.stderr)
            return 2
    print_report(report, out)
    return 0 if not report.differences else 1
