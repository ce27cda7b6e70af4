"""One test's world: an emulator at time scale 1, its admin API, and provider hosts to drive it.

Hosts made with ``clock="emulator"`` run every wait on the emulator's clock
(``ALICLOUD_AI_WAIT_CLOCK=emulator``): lifecycles take their real length (a service is Creating for
30 s) and the test takes none of it. Hosts made with ``clock="real"`` wait in real time, so a test can
kill them in the middle of a wait.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pulumi.dynamic import ResourceProvider

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env
from tests.conftest import Admin
from tests.processes import wait_until


@dataclass
class World:
    """The emulator of one test and the provider hosts the test started (closed at its end)."""

    emulator: RunningEmulator
    admin: Admin
    home: Path
    hosts: list[ProviderHost] = field(default_factory=list)

    @property
    def events_dir(self) -> Path:
        """Where every host of this world writes its event log."""
        return self.home / "events"

    def host(
        self, provider: ResourceProvider, clock: Literal["emulator", "real"] = "emulator"
    ) -> ProviderHost:
        """A provider host for this world's emulator, paced as real (2 s, doubling to 30 s)."""
        extra = {"ALICLOUD_AI_POLL_INTERVAL": "2", "ALICLOUD_AI_EVENTS_DIR": str(self.events_dir)}
        if clock == "emulator":
            extra["ALICLOUD_AI_WAIT_CLOCK"] = "emulator"
        host = ProviderHost(provider, provider_env(self.emulator.url, str(self.home), **extra))
        self.hosts.append(host)
        host.configure({})
        return host

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock, as time passing outside any provider."""
        self.admin.post("/clock", {"seconds": seconds})

    def offset(self) -> float:
        """How far the emulator's clock has been moved in all."""
        return float(self.admin.get("/clock")["offset"])

    def fault(self, product: str, action: str, **behaviour: Any) -> None:
        """Add a fault rule that fires once."""
        self.admin.post("/faults", {"product": product, "action": action, "count": 1, **behaviour})

    def calls(self, action: str) -> list[dict[str, Any]]:
        """The API calls of ``action`` every host of this world logged, in order."""
        lines = [
            json.loads(line)
            for path in sorted(self.events_dir.glob("*.jsonl"))
            for line in path.read_text().splitlines()
            if line
        ]
        return [line for line in lines if line["event"] == "call" and line.get("action") == action]

    def answered(self, action: str) -> bool:
        """Whether some host has received a successful answer to ``action``."""
        return any(call["http_status"] == 200 for call in self.calls(action))

    def close(self) -> None:
        """Stop every host."""
        for host in self.hosts:
            host.close()


def interrupt(host: ProviderHost, call: Callable[[], object], once: Callable[[], bool], what: str) -> None:
    """Run ``call`` against ``host``, SIGKILL the host once ``once`` holds, and check the call died."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # the assertion below says what happened
            outcome.append(exc)

    caller = threading.Thread(target=run)
    caller.start()
    try:
        wait_until(once, what=what)
    finally:
        host.kill()
        caller.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ProviderCallError), f"the call ended before the kill: {outcome[0]!r}"
