"""What the emulator remembers about the requests it served: a short in-memory log and ``--record FILE``.

Two consumers, two costs:

* **The request log** feeds the dashboard ("the last requests that touched it"). The API hot path
  appends one small :class:`RequestRecord` to a bounded ``deque`` (O(1), no I/O, no copying of bodies);
  which entities a request touched is read from a handful of id parameters.
* **The recorder** (``--record FILE``) writes every request and response as JSON lines, secrets scrubbed,
  so a bug report is one attached file that ``python -m pulumi_alicloud_ai replay FILE`` re-sends. The hot
  path only puts the raw pieces on a queue; a writer thread scrubs, encodes and writes them, and flushes
  whenever the queue runs dry, so a ``kill -9`` loses at most what was still queued.

Provider calls name the Pulumi resource they serve in an ``x-alicloud-ai-origin`` header (its URN).
After a call that created something (``Create…``, ``Add…``, ``Submit…``), :func:`remember_origin`
stores that URN for each entity the answer names (in its region), in the request's own transaction, so
the dashboard can say which stack and resource made an entity, also after a restart.

Scrubbing replaces the *values* of ``Authorization``, ``x-acs-security-token``, ``AccessKeySecret``,
``AccessToken`` and ``SecurityToken`` (headers, query, form and JSON bodies, at any depth) with
:data:`MASK`. Signatures are not secrets, and a replay re-signs every request anyway. A JSON body too
deep to scrub safely (:data:`SCRUB_BOUNDS`) is left out of its line, which says so.

The writer thread never stops over one exchange: one it cannot encode becomes a ``{"type": "lost"}``
line and an error in the log, and :attr:`Recorder.lost` counts them; if the thread itself fails (the
disk is full), :attr:`Recorder.error` says why and the log shows it.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.store import Store

from pulumi_alicloud_ai._bounded import Bounds, BoundsError, load_json

log = logging.getLogger("pulumi_alicloud_ai.emulator")

REQUEST_LOG_SIZE = 1000
"""How many recent API requests the dashboard can show."""

MASK = "***"
SECRET_NAMES = frozenset(
    {
        "authorization",
        "x-acs-security-token",
        "x-acs-bearer-token",
        "accesskeysecret",
        "accesstoken",
        "securitytoken",
        "cookie",
        "set-cookie",
    }
)
"""Header, parameter and JSON field names (lower case) whose values are never written."""
SCRUB_BOUNDS = Bounds(max_bytes=1 << 40, max_depth=128)
"""How deep a JSON body may nest to be scrubbed and written (answers nest a template a few levels
down; requests are refused past 64 levels)."""

SUBJECT_KEYS = ("ServiceName", "JobId", "JobIds", "TemplateId", "AITemplateId", "VideoId", "TaskId")
"""Parameters and response fields that name the entity a request is about."""


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One API request as the dashboard lists it; holds no body and no credential."""

    time: float
    """Emulated time (the clock the entities' histories use)."""
    request_id: str
    product: str
    action: str
    region: str
    status: int
    code: str
    message: str
    seconds: float
    subjects: tuple[str, ...]
    """Ids and names the request named or created (``JobIds`` lists stay comma-joined)."""

    def touches(self, product: str, *names: str) -> bool:
        """Whether this request named any of ``names`` (an entity's id or name) in ``product``."""
        if self.product != product:
            return False
        wanted = {name for name in names if name}
        return any(subject in wanted or wanted & set(subject.split(",")) for subject in self.subjects)

    def as_json(self) -> dict[str, Any]:
        """The JSON the dashboard feed shows."""
        return {
            "time": self.time,
            "requestId": self.request_id,
            "product": self.product,
            "action": self.action,
            "region": self.region,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "ms": round(self.seconds * 1000, 1),
            "subjects": list(self.subjects),
        }


_SUBJECT_KEY_SET = frozenset(SUBJECT_KEYS)


def subjects(*sources: Mapping[str, Any]) -> tuple[str, ...]:
    """The :data:`SUBJECT_KEYS` values found in path parameters, parameters and the response body."""
    found: list[str] = []
    for source in sources:
        for key in _SUBJECT_KEY_SET.intersection(source):  # a set operation in C: this runs per request
            value = source[key]
            if isinstance(value, str) and value and value not in found:
                found.append(value)
    return tuple(found)


# --- which resource made an entity ------------------------------------------------------------------

MAX_ORIGIN = 1024
CREATING_ACTIONS = ("Create", "Add", "Submit")
"""Action prefixes of calls that make an entity (the APIs' own naming)."""


def read_origin(raw: str | None) -> str:
    """The URN in an ``x-alicloud-ai-origin`` header (percent-encoded UTF-8), or ``""`` for anything
    that is not a printable Pulumi URN of a sane length: the header is the client's to fill."""
    if not raw or len(raw) > 3 * MAX_ORIGIN:
        return ""
    try:
        urn = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return ""
    return urn if urn.startswith("urn:pulumi:") and len(urn) <= MAX_ORIGIN and urn.isprintable() else ""


def _origin_key(product: str, region: str, subject: str) -> str:
    return f"origin/{product}/{region}/{subject}"


def remember_origin(
    store: Store, product: str, region: str, action: str, result: Mapping[str, Any], origin: str
) -> None:
    """After a call that made an entity, store which resource made it. A name made again later (an
    EAS service deleted and created anew) belongs to its latest maker."""
    if action.startswith(CREATING_ACTIONS):
        for subject in subjects(result):
            store.set_meta(_origin_key(product, region, subject), origin)


def origin_of(store: Store, product: str, region: str, *names: str) -> str:
    """The URN of the resource that made the entity known by any of ``names``, or ``""``."""
    for name in names:
        urn = store.get_meta(_origin_key(product, region, name)) if name else None
        if urn:
            return urn
    return ""


# --- scrubbing --------------------------------------------------------------------------------------


def is_secret_name(name: str) -> bool:
    """Whether a header, parameter or field of this name carries a secret."""
    return name.lower() in SECRET_NAMES


def scrub_json(value: Any) -> Any:
    """A copy of a JSON value with every secret field's value masked, at any depth."""
    if isinstance(value, dict):
        return {
            key: MASK if is_secret_name(str(key)) and item not in (None, "") else scrub_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    return value


def scrub_pairs(pairs: Mapping[str, str]) -> dict[str, str]:
    """Headers or query parameters with secret values masked."""
    return {name: MASK if is_secret_name(name) and value else value for name, value in pairs.items()}


def scrub_body(body: bytes, content_type: str) -> dict[str, Any]:
    """A request or response body as JSON-safe fields: ``json``, ``form``, ``text`` or ``base64``."""
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}
    if "json" in content_type or (not content_type and text[:1] in "{["):
        try:
            return {"json": scrub_json(load_json(text, SCRUB_BOUNDS))}
        except BoundsError as exc:
            return {
                "omitted": f"{exc}; not written, since its secrets could not be masked",
                "bytes": len(body),
            }
        except ValueError:
            return {"text": text}
    if "x-www-form-urlencoded" in content_type:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
        except ValueError:
            return {"text": text}
        return {"form": [[name, MASK if is_secret_name(name) and value else value] for name, value in pairs]}
    return {"text": text}


def body_bytes(fields: Mapping[str, Any]) -> bytes:
    """The bytes :func:`scrub_body` described (secrets stay masked)."""
    if "json" in fields:
        return json.dumps(fields["json"], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if "form" in fields:
        return urlencode([tuple(pair) for pair in fields["form"]]).encode("ascii")
    if "text" in fields:
        return str(fields["text"]).encode("utf-8")
    if "base64" in fields:
        return base64.b64decode(fields["base64"])
    return b""


# --- the recorder -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Exchange:
    kind: str  # "api" or "admin"
    arrived: float
    """``time.perf_counter()`` when the request arrived: the replay order (an admin call's line can be
    queued after the next API call's, since Starlette finishes it in another task)."""
    time: float
    clock: float
    request_id: str
    method: str
    path: str
    query: bytes
    headers: Mapping[str, str]
    body: bytes
    status: int
    response: bytes
    response_type: str


class Recorder:
    """Writes exchanges to a JSON-lines file from a background thread.

    The first line is ``{"type": "meta", ...}`` (version, region, time scale, seed, fault rules from the
    command line, the emulated clock); then one ``{"type": "api" | "admin", ...}`` line per request.
    """

    def __init__(self, path: Path, meta: Mapping[str, Any]) -> None:
        self.path = path
        self.lost = 0
        """Exchanges that could not be written (each left a ``lost`` line and a logged error)."""
        self.error: str | None = None
        """Why the writer stopped, when it did; None while it runs."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("a", encoding="utf-8")
        self._queue: queue.SimpleQueue[_Exchange | None] = queue.SimpleQueue()
        self._file.write(json.dumps({"type": "meta", **scrub_json(dict(meta))}, ensure_ascii=False) + "\n")
        self._file.flush()
        self._thread = threading.Thread(target=self._run, name="emulator-recorder", daemon=True)
        self._thread.start()

    def api(
        self,
        *,
        arrived: float,
        clock: float,
        request_id: str,
        method: str,
        path: str,
        query: bytes,
        headers: Mapping[str, str],
        body: bytes,
        status: int,
        response: bytes,
    ) -> None:
        """Queue one API exchange (cheap: no encoding here)."""
        self._queue.put(
            _Exchange("api", arrived, time.time(), clock, request_id, method, path, query, headers, body,
                      status, response, "")
        )  # fmt: skip

    def admin(
        self,
        *,
        arrived: float,
        clock: float,
        method: str,
        path: str,
        query: bytes,
        headers: Mapping[str, str],
        body: bytes,
        status: int,
        response: bytes,
        response_type: str,
    ) -> None:
        """Queue one admin call that changed something (faults, clock, videos, reset)."""
        self._queue.put(
            _Exchange(
                "admin", arrived, time.time(), clock, "", method, path, query, headers, body, status,
                response, response_type,
            )
        )  # fmt: skip

    def close(self) -> None:
        """Write what is queued, then close the file."""
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._file.close()

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    self._file.flush()
                    return
                self._file.write(self._line(item) + "\n")
                if self._queue.empty():
                    self._file.flush()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("--record stopped writing %s; later requests are not recorded", self.path)

    def _line(self, item: _Exchange) -> str:
        """The exchange's line, or a ``lost`` line naming it when it cannot be encoded."""
        try:
            return json.dumps(encode_exchange(item), ensure_ascii=False)
        except Exception as exc:
            self.lost += 1
            log.exception("--record could not write %s %s; the recording goes on", item.method, item.path)
            lost = {
                "type": "lost",
                "kind": item.kind,
                "method": item.method,
                "path": item.path,
                "requestId": item.request_id,
                "error": type(exc).__name__,
            }
            return json.dumps(lost, ensure_ascii=False)


def encode_exchange(item: _Exchange) -> dict[str, Any]:
    """One JSON line, secrets scrubbed."""
    query = dict(parse_qsl(item.query.decode("latin-1"), keep_blank_values=True))
    content_type = item.headers.get("content-type", "")
    line: dict[str, Any] = {
        "type": item.kind,
        "arrived": round(item.arrived, 6),
        "time": round(item.time, 6),
        "clock": round(item.clock, 6),
        "method": item.method,
        "path": item.path,
        "query": scrub_pairs(query),
        "headers": scrub_pairs(item.headers),
        "body": scrub_body(item.body, content_type),
        "status": item.status,
        "response": scrub_body(item.response, item.response_type or "application/json"),
    }
    if item.request_id:
        line["requestId"] = item.request_id
    return line


async def call_recording(
    app: Any, scope: Any, receive: Any, send: Any, recorder: Recorder, clock: float
) -> None:
    """Run an admin request through ``app`` and queue it, with its answer, on ``recorder``."""
    arrived = time.perf_counter()
    received: list[bytes] = []
    answered: list[bytes] = []
    start: dict[str, Any] = {}
    body_complete = False
    left_early = False

    async def receive_and_keep() -> Any:
        nonlocal body_complete, left_early
        message = await receive()
        if message.get("type") == "http.request":
            received.append(message.get("body", b""))
            body_complete = not message.get("more_body", False)
        elif message.get("type") == "http.disconnect" and not body_complete:
            left_early = True
        return message

    async def send_and_keep(message: Any) -> None:
        if message.get("type") == "http.response.start":
            start.update(message)
        elif message.get("type") == "http.response.body":
            answered.append(message.get("body", b""))
        await send(message)

    await app(scope, receive_and_keep, send_and_keep)
    if left_early:
        return  # the client left before its body arrived: nothing was done, nothing to replay
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])
    }
    response_headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in start.get("headers", [])
    }
    recorder.admin(
        arrived=arrived,
        clock=clock,
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b""),
        headers=headers,
        body=b"".join(received),
        status=int(start.get("status", 0)),
        response=b"".join(answered),
        response_type=response_headers.get("content-type", ""),
    )
