"""Shared fixtures: real emulators on 127.0.0.1 (started in a thread, stopped at teardown)."""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.routing import Router
from tests.callback_receiver import ReceiverFactory, receivers


class EmulatorFactory:
    """Starts emulators on 127.0.0.1 (a free port each) and stops every one it started at teardown.

    ``start(**settings)`` takes :class:`EmulatorConfig` fields; each emulator gets a data directory of its
    own under the fixture's temporary directory unless ``data_dir`` is given (``None``: in memory).
    ``stop`` ends one early, for tests that restart an emulator on the same data.
    """

    def __init__(self, base: Path) -> None:
        self._base = base
        self._names = itertools.count()
        self._running: list[tuple[RunningEmulator, contextlib.ExitStack]] = []

    def start(self, *, router: Router | None = None, **settings: Any) -> RunningEmulator:
        """A running emulator with these settings."""
        settings.setdefault("data_dir", self._base / f"emulator-{next(self._names)}")
        stack = contextlib.ExitStack()
        running = stack.enter_context(serve_in_thread(EmulatorConfig(**settings), router=router))
        self._running.append((running, stack))
        return running

    def stop(self, emulator: RunningEmulator) -> None:
        """Stop one emulator now (its data directory stays, for a restart)."""
        for index, (running, stack) in enumerate(self._running):
            if running is emulator:
                del self._running[index]
                stack.close()
                return
        raise ValueError("this factory did not start that emulator")

    def close(self) -> None:
        """Stop everything still running, newest first."""
        while self._running:
            self.stop(self._running[-1][0])


@pytest.fixture
def emulators(tmp_path: Path) -> Iterator[EmulatorFactory]:
    """Emulators for one test, stopped when it ends."""
    with contextlib.closing(EmulatorFactory(tmp_path)) as factory:
        yield factory


@pytest.fixture(scope="module")
def module_emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorFactory]:
    """Emulators shared by one test module, stopped when it ends."""
    with contextlib.closing(EmulatorFactory(tmp_path_factory.mktemp("emulators"))) as factory:
        yield factory


REPO = Path(__file__).resolve().parents[1]
CLI_HELP = (
    "no Pulumi CLI: run ./scripts/test (it finds or builds one), or ./scripts/pulumi-cli with Go installed "
    "(https://go.dev/dl/), or put the Pulumi CLI 3.260.0 on PATH (https://www.pulumi.com/docs/install/)"
)


@functools.cache
def pulumi_bin_dir() -> Path | None:
    """The directory of a usable Pulumi CLI (PATH or the build cache), as scripts/pulumi-cli decides;
    never builds: ./scripts/test does that before pytest starts."""
    found = subprocess.run(
        [str(REPO / "scripts" / "pulumi-cli"), "--no-build"], capture_output=True, text=True, check=False
    )
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None


def require_cli() -> Path:
    """The CLI's directory; tests that need it skip without one, and fail under CI=true."""
    bin_dir = pulumi_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {CLI_HELP}", pytrace=False)
        pytest.skip(CLI_HELP)
    return bin_dir


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``needs_cli`` run only with a Pulumi CLI (see :func:`require_cli`)."""
    if item.get_closest_marker("needs_cli") is not None:
        require_cli()


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """The directory holding ``pulumi`` and its Python language host and plugin."""
    return require_cli()


@pytest.fixture
def receiver_factory() -> Iterator[ReceiverFactory]:
    """Completion-event receivers on 127.0.0.1, shut down after the test."""
    with receivers() as start:
        yield start


@pytest.fixture(autouse=True)
def _no_ambient_cloud_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's real credentials, profiles, proxies or endpoints."""
    for name in list(os.environ):
        if name.startswith(("ALIBABA_CLOUD_", "ALICLOUD_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    # The instance metadata service is not on loopback: tests never probe it.
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator for the session; tests use unique names so they do not see each other."""
    with contextlib.closing(EmulatorFactory(tmp_path_factory.mktemp("emulator-data"))) as factory:
        yield factory.start()


@pytest.fixture
def fresh_emulator(emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator of this test's own, for tests that change faults, clock or state globally."""
    return emulators.start()


class Admin:
    """A tiny client of the emulator's admin API."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self._http = httpx.Client(base_url=emulator.url + "/_emulator", timeout=10)

    def get(self, path: str) -> Any:
        response = self._http.get(path)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Any = None) -> Any:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def delete(self, path: str) -> Any:
        response = self._http.delete(path)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def admin(fresh_emulator: RunningEmulator) -> Iterator[Admin]:
    """Admin API of the test's own emulator."""
    client = Admin(fresh_emulator)
    try:
        yield client
    finally:
        client.close()
