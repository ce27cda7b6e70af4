"""Check a received request's signature with the client's own signing steps.

The canonical request is rebuilt from what arrived: the headers named in ``SignedHeaders``, the wire
query decoded and re-encoded, the raw path, and the hash of the received body (SHA-256, or SM3 for
``ACS3-HMAC-SM3``; ``ACS3-RSA-SHA256`` is refused, as no public key is known). Timestamps are
checked against real wall time (±15 minutes) and each nonce is accepted once within that window, also
across restarts (:class:`NonceCache` keeps a log on disk). Each failure is the gateway's own error code
and HTTP status (errors.md); text a client controls is compared as UTF-8 bytes, so any character in a
signature, hash or token is a mismatch, never a crash.

Legacy RPC (``Signature`` query parameter) and legacy ROA (``acs AK:sig``) are verified too, since the
official SDK can be configured to use them and STS ``AssumeRole`` always does.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import math
import mmap
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl

from pulumi_alicloud_ai.client import signing
from pulumi_alicloud_ai.emulator.errors import ApiError

SKEW_SECONDS = 15 * 60

SecretLookup = Callable[[str, str | None], str]
"""``(access_key_id, security_token) -> secret``; raises ApiError for unknown keys or bad tokens."""


class Received(NamedTuple):
    """The parts of a request that signatures cover, as they arrived (a tuple: one is made per call)."""

    method: str
    raw_path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def same_text(given: str, expected: str) -> bool:
    """Constant-time equality of two texts of any characters.

    ``hmac.compare_digest`` raises TypeError for a ``str`` holding non-ASCII characters, and a client
    chooses what its signature, body hash or token header holds; bytes compare whatever they are.
    """
    try:
        return hmac.compare_digest(given, expected)
    except TypeError:
        return hmac.compare_digest(
            given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
        )


LOG_LINE_ROOM = 64
"""Bytes reserved in the nonce log per use to come; a line (``{time:.3f} {key}``) takes 48 today."""


class NonceCache:
    """Nonces used within the signature validity window; a second use is a replay.

    A timestamp may be up to :data:`SKEW_SECONDS` either side of the server's clock, so a nonce must be
    remembered for twice that. With a ``path`` every use is appended to a log file before the call runs,
    and opening the cache reads back the uses still within the window, so a restart does not open a
    replay window. The log is a shared memory map of the file, written without a system call per use:
    the kernel's page cache holds what is written as it would a ``write``, so a ``kill -9`` right after
    loses nothing. The log is rewritten with only live entries when it has grown well past them (its
    unused room is a sparse run of zero bytes, cut off on close). Nonces are kept as a SHA-256 prefix (a
    client picks their length; the cache's memory should not depend on it), and at most ``limit`` of
    them, the oldest going first.
    """

    def __init__(
        self, path: Path | None = None, *, window: float = SKEW_SECONDS * 2, limit: int = 200_000
    ) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._window = window
        self._limit = limit
        self._path = path
        self._fd: int | None = None
        self._log: mmap.mmap | None = None
        self._end = 0
        """Where the next line goes in the log."""
        self._room = 0
        """Lines the log takes before it is compacted."""
        self._appended = 0
        if path is not None:
            self._load(path, time.time())
            self._compact()

    def use(self, nonce: str, now: float) -> None:
        """Record ``nonce`` or raise ``SignatureNonceUsed``."""
        seen = self._seen
        while seen and (next(iter(seen.values())) < now - self._window or len(seen) > self._limit):
            seen.popitem(last=False)
        key = hashlib.sha256(nonce.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        if key in seen:
            raise ApiError("SignatureNonceUsed", "The request signature nonce has been used.", 400)
        seen[key] = now
        if self._log is not None:
            line = f"{now:.3f} {key}\n".encode("ascii")
            end = self._end + len(line)
            if self._appended >= self._room or end > len(self._log):
                self._compact()  # the new use is among the live entries it writes
                return
            self._log[self._end : end] = line
            self._end = end
            self._appended += 1

    def close(self) -> None:
        """Close the log, cutting its unused room off (the cache still answers from memory)."""
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._fd is not None:
            os.ftruncate(self._fd, self._end)
            os.close(self._fd)
            self._fd = None

    def _load(self, path: Path, now: float) -> None:
        """Read back the uses still within the window; unreadable lines (a torn last write, an edited
        file) are skipped, never fatal."""
        try:
            text = path.read_bytes().rstrip(b"\0").decode("ascii", "replace")
        except FileNotFoundError:
            return
        entries: list[tuple[float, str]] = []
        for line in text.splitlines():
            used, _, key = line.partition(" ")
            try:
                when = float(used)
            except ValueError:
                continue
            if math.isfinite(when) and len(key) == 32 and when >= now - self._window:
                entries.append((when, key))
        for when, key in sorted(entries):
            self._seen[key] = when

    def _compact(self) -> None:
        """Rewrite the log with the live entries only, with room for more, and map it."""
        assert self._path is not None
        self.close()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        live = "".join(f"{when:.3f} {key}\n" for key, when in self._seen.items()).encode("ascii")
        self._room = max(10_000, 2 * len(self._seen))
        size = len(live) + self._room * LOG_LINE_ROOM
        temporary = self._path.with_name(self._path.name + ".tmp")
        with open(temporary, "wb") as out:
            out.write(live)
            out.truncate(size)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self._path)
        self._fd = os.open(self._path, os.O_RDWR)
        self._log = mmap.mmap(self._fd, size)
        self._end = len(live)
        self._appended = 0


def _incomplete(why: str) -> ApiError:
    return ApiError(
        "IncompleteSignature", f"The request signature does not conform to Aliyun standards: {why}."
    )


def _check_time(epoch: float, now: float, raw: str) -> None:
    if abs(now - epoch) > SKEW_SECONDS:
        raise ApiError(
            "InvalidTimeStamp.Expired",
            f"Specified time stamp or date value is expired: {raw} is more than 15 minutes from the server time.",
        )


def _parse_iso(raw: str) -> float:
    """``YYYY-MM-DDTHH:MM:SSZ`` exactly, to epoch seconds (strptime costs more than the rest of
    verification on the hot path; requests signed in the same second share one parse)."""
    epoch = _iso_epoch(raw)
    if epoch is None:
        raise ApiError(
            "InvalidTimeStamp.Format", f"Specified time stamp or date value is not well formatted: {raw!r}."
        )
    return epoch


@functools.lru_cache(maxsize=64)
def _iso_epoch(raw: str) -> float | None:
    if (
        len(raw) == 20
        and raw[4] == raw[7] == "-"
        and raw[10] == "T"
        and raw[13] == raw[16] == ":"
        and raw[19] == "Z"
    ):
        try:
            fields = (
                int(raw[0:4]),
                int(raw[5:7]),
                int(raw[8:10]),
                int(raw[11:13]),
                int(raw[14:16]),
                int(raw[17:19]),
            )
        except ValueError:
            fields = None
        if (
            fields is not None
            and 1 <= fields[1] <= 12
            and 1 <= fields[2] <= 31
            and fields[3] < 24
            and fields[4] < 60
            and fields[5] < 61
        ):
            return float(calendar.timegm((*fields, 0, 0, 0)))
    return None


def verify(request: Received, secret_for: SecretLookup, nonces: NonceCache, now: float) -> str:
    """Verify the request's signature; return the access key id that signed it."""
    auth = request.headers.get("authorization", "")
    if auth.startswith("ACS3-"):
        return _verify_v3(request, auth, secret_for, nonces, now)
    if "Signature" in request.query:
        return _verify_rpc_v1(request, secret_for, nonces, now)
    if auth.startswith("acs "):
        return _verify_roa_v1(request, auth, secret_for, nonces, now)
    if auth:
        raise _incomplete("the Authorization header uses an unknown scheme")
    raise ApiError("MissingParameter.AccessKeyId", "The request is not signed: no Authorization header.", 400)


class _Plan(NamedTuple):
    """What a request's Authorization header says before its signature, checked: the same in every
    request of a client, so it is worked out once (:func:`_plan_of_head`)."""

    algorithm: str
    access_key_id: str
    signed_headers: tuple[str, ...]


def _plan(auth: str) -> tuple[_Plan, str]:
    """The checked plan and the signature of an ``ACS3-…`` Authorization header. The part before
    ``,Signature=`` is looked up in a small cache; anything unusual after it takes the general way."""
    head, sep, signature = auth.rpartition(",Signature=")
    if not sep or not signature or "," in signature or signature != signature.strip():
        parsed = _parse(auth)
        return _checked(parsed), parsed.signature
    return _plan_of_head(head), signature


@functools.lru_cache(maxsize=64)
def _plan_of_head(head: str) -> _Plan:
    return _checked(_parse(head + ",Signature=-"))


def _parse(auth: str) -> signing.ParsedAuthorization:
    try:
        return signing.parse_v3_authorization(auth)
    except ValueError as exc:
        raise _incomplete(str(exc)) from None


def _checked(parsed: signing.ParsedAuthorization) -> _Plan:
    """The plan of a parsed header, or the error every request signed this way gets."""
    if parsed.algorithm not in signing.V3_ALGORITHMS:
        raise _incomplete(
            f"algorithm {parsed.algorithm} is not supported here; use {' or '.join(signing.V3_ALGORITHMS)}"
        )
    for required in ("host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        if required not in parsed.signed_headers:
            raise _incomplete(f"SignedHeaders must include {required}")
    return _Plan(parsed.algorithm, parsed.access_key_id, parsed.signed_headers)


def _verify_v3(request: Received, auth: str, secret_for: SecretLookup, nonces: NonceCache, now: float) -> str:
    plan, signature = _plan(auth)
    algorithm = plan.algorithm
    headers = request.headers
    try:
        header_lines, signed = signing.canonical_headers_of(headers, plan.signed_headers)
    except KeyError:
        absent = [name for name in plan.signed_headers if name not in headers]
        raise _incomplete(f"signed header(s) {', '.join(absent)} are not in the request") from None
    date = headers["x-acs-date"]
    _check_time(_parse_iso(date), now, date)
    secret = secret_for(plan.access_key_id, headers.get("x-acs-security-token"))
    body_hash = signing.payload_hash(request.body, algorithm)
    if not same_text(headers["x-acs-content-sha256"], body_hash):
        raise ApiError(
            "SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the request body."
        )
    # The signature's steps without building the Authorization header a client would send.
    canonical = signing.canonical_request_of(
        request.method, request.raw_path, request.query, header_lines, signed, body_hash
    )
    to_sign = signing.string_to_sign(canonical, algorithm)
    if not same_text(signature, signing.v3_signature(secret, to_sign, algorithm)):
        raise ApiError(
            "SignatureDoesNotMatch",
            "Specified signature does not match our calculation. server string to sign is:"
            + to_sign.replace("\n", "\\n"),
        )
    nonces.use(headers["x-acs-signature-nonce"], now)
    return plan.access_key_id


def _verify_rpc_v1(request: Received, secret_for: SecretLookup, nonces: NonceCache, now: float) -> str:
    params = dict(request.query)
    if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
        try:  # legacy RPC signs form-body fields together with the query
            params.update(parse_qsl(request.body.decode("ascii"), keep_blank_values=True, errors="strict"))
        except (UnicodeDecodeError, ValueError):
            raise _incomplete("the form body is not valid percent-encoding") from None
    for required in ("AccessKeyId", "SignatureNonce", "Timestamp", "SignatureMethod"):
        if not params.get(required):
            raise ApiError(
                f"MissingParameter.{required}", f"The input parameter {required!r} is not supplied."
            )
    if params["SignatureMethod"] != "HMAC-SHA1":
        raise _incomplete("SignatureMethod must be HMAC-SHA1")
    _check_time(_parse_iso(params["Timestamp"]), now, params["Timestamp"])
    secret = secret_for(params["AccessKeyId"], params.get("SecurityToken"))
    to_sign = signing.rpc_v1_string_to_sign(request.method, signing.rpc_v1_canonicalized_query(params))
    if not same_text(params["Signature"], signing.rpc_v1_signature(secret, to_sign)):
        raise ApiError(
            "SignatureDoesNotMatch",
            f"Specified signature does not match our calculation. server string to sign is:{to_sign}",
        )
    nonces.use(params["SignatureNonce"], now)
    return params["AccessKeyId"]


def _verify_roa_v1(
    request: Received, auth: str, secret_for: SecretLookup, nonces: NonceCache, now: float
) -> str:
    access_key_id, sep, signature = auth[4:].partition(":")
    if not sep or not access_key_id or not signature:
        raise _incomplete("expected 'acs AccessKeyId:Signature'")
    date = request.headers.get("date", "")
    try:
        epoch = float(calendar.timegm(time.strptime(date, "%a, %d %b %Y %H:%M:%S GMT")))
    except ValueError:
        raise ApiError(
            "InvalidTimeStamp.Format", f"The Date header {date!r} is not an RFC 1123 GMT date."
        ) from None
    _check_time(epoch, now, date)
    secret = secret_for(access_key_id, request.headers.get("x-acs-security-token"))
    to_sign = signing.roa_v1_string_to_sign(request.method, request.headers, request.raw_path, request.query)
    if not same_text(signature, signing.roa_v1_signature(secret, to_sign)):
        raise ApiError(
            "SignatureDoesNotMatch",
            "Specified signature does not match our calculation. server string to sign is:"
            + to_sign.replace("\n", "\\n"),
        )
    nonces.use(request.headers.get("x-acs-signature-nonce", signature), now)
    return access_key_id
