"""One running emulator: its settings (:class:`EmulatorConfig`) and the live objects built from them
(:class:`EmulatorState`: database, clock, lifecycle engine, faults, keys, routes). The database itself
is ``store.py``."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai._net import is_loopback_host
from pulumi_alicloud_ai.emulator import instance
from pulumi_alicloud_ai.emulator.clock import Clock
from pulumi_alicloud_ai.emulator.connections import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)
from pulumi_alicloud_ai.emulator.faults import FaultRule, Faults
from pulumi_alicloud_ai.emulator.keys import KeyPair, KeyRing
from pulumi_alicloud_ai.emulator.lifecycle import LifecycleEngine
from pulumi_alicloud_ai.emulator.recorder import REQUEST_LOG_SIZE, Recorder, RequestRecord, subjects
from pulumi_alicloud_ai.emulator.routing import Router
from pulumi_alicloud_ai.emulator.store import Store
from pulumi_alicloud_ai.emulator.verify import NonceCache

DEFAULT_MAX_BODY = 2 * 1024 * 1024


@dataclass
class EmulatorConfig:
    """The emulator's settings; the CLI flags map one to one."""

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path | None = None
    time_scale: float = 1.0
    region: str = "cn-shanghai"
    access_key_id: str = "test"
    access_key_secret: str = field(default="test", repr=False)
    keys: list[KeyPair] = field(default_factory=list)
    """More accepted key pairs (``--key``, ``--keys-file``), each acting for its own account."""
    seed: int = 0
    faults: list[FaultRule] = field(default_factory=list)
    max_body: int = DEFAULT_MAX_BODY
    allow_remote: bool = False
    admin_token: str | None = field(default=None, repr=False)
    allow_remote_callbacks: bool = False
    """Follow VOD completion-callback URLs beyond loopback (off: only 127.0.0.0/8, ::1, localhost)."""
    record: Path | None = None
    """Append every request and response, secrets scrubbed, to this JSON-lines file (``--record``)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names the admin API and dashboard answer to besides loopback names and ``host``."""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """Open connections at most; a new one pushes out the one waiting longest for a request."""
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    """Seconds a connection gets to send a whole request head (from its start or the last answer)."""
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    """Seconds a request gets to send its whole body once its head has arrived."""

    def check_bind(self) -> None:
        """Refuse to listen beyond loopback unless asked to, and then only with an admin token."""
        if is_loopback_host(self.host):
            return
        if not self.allow_remote:
            raise ValueError(
                f"refusing to bind {self.host}: the emulator accepts test credentials; "
                "pass --allow-remote to listen beyond loopback"
            )
        if not self.admin_token:
            self.admin_token = secrets.token_urlsafe(24)


class EmulatorState:
    """The live objects behind one emulator; built once per server."""

    def __init__(self, config: EmulatorConfig, router: Router | None = None) -> None:
        self.config = config
        db_path = None if config.data_dir is None else Path(config.data_dir) / "emulator.sqlite3"
        self.store = Store(db_path, owner=True)
        self.instance_id = instance.load_or_create(self.store)
        self.keys = KeyRing(
            [KeyPair(config.access_key_id, config.access_key_secret), *config.keys], self.store
        )
        self.clock = Clock(self.store, time_scale=config.time_scale)
        self.lifecycles = LifecycleEngine(self.store, self.clock)
        self.faults = Faults(self.store, seed=config.seed)
        for rule in config.faults:
            self.faults.add(rule)
        self.nonces = NonceCache(None if config.data_dir is None else Path(config.data_dir) / "nonces.log")
        self.router = router or Router.from_service_modules()
        self.started_at = time.time()
        self.requests: deque[tuple[Any, ...]] = deque(maxlen=REQUEST_LOG_SIZE)
        """The latest API requests, newest last, as raw fields (see :meth:`request_records`)."""
        self.recorder: Recorder | None = None
        if config.record is not None:
            self.recorder = Recorder(Path(config.record), self._record_meta())

    def _record_meta(self) -> dict[str, object]:
        from pulumi_alicloud_ai._version import __version__

        config = self.config
        return {
            "version": __version__,
            "region": config.region,
            "timeScale": config.time_scale,
            "seed": config.seed,
            "faults": [rule.model_dump(exclude_none=True) for rule in config.faults],
            "accessKeyId": config.access_key_id,
            "clock": self.clock.now(),
            "started": self.started_at,
        }

    def secret_for(self, access_key_id: str, token: str | None) -> str:
        """The secret to verify a signature with (see :class:`KeyRing`)."""
        return self.keys.secret_for(access_key_id, token)

    def issue_sts(self, duration: float = 3600.0) -> dict[str, str]:
        """Temporary credentials in the STS response shape, accepted by this emulator until they expire."""
        return self.keys.issue(duration)

    def request_records(self) -> list[RequestRecord]:
        """The request log for the dashboard, newest last; records are built here, on read, so the
        API hot path only appends a tuple."""
        records = []
        for at, rid, product, action, region, status, code, message, seconds, sources in list(self.requests):
            records.append(
                RequestRecord(
                    at, rid, product, action, region, status, code, message, seconds, subjects(*sources)
                )
            )
        return records

    def reset(self) -> None:
        """Forget all state; fault rules from the command line come back."""
        self.store.reset()
        self.instance_id = instance.load_or_create(self.store)  # a wiped emulator is another instance
        self.clock.reset()
        self.faults.remove()
        self.faults.reseed(self.config.seed)
        for rule in self.config.faults:
            self.faults.add(rule.model_copy())
        self.requests.clear()

    def close(self) -> None:
        """Close the database (and the ``--record`` file)."""
        if self.recorder is not None:
            self.recorder.close()
        self.nonces.close()
        self.store.close()
