"""Provider fixtures: an emulator whose transitions happen at the next read, and a provider host."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env
from tests.conftest import EmulatorFactory

_names = itertools.count()


@pytest.fixture(scope="module")
def instant_emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """Time scale 0: every pending transition happens at the next read, so waits end at once."""
    return module_emulators.start(time_scale=0)


@pytest.fixture(scope="module")
def eas_host(
    instant_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderHost]:
    """The Pulumi dynamic-provider host serving AppServiceProvider against the instant emulator."""
    host = ProviderHost(
        AppServiceProvider(), provider_env(instant_emulator.url, str(tmp_path_factory.mktemp("home")))
    )
    try:
        host.configure({})
        yield host
    finally:
        host.close()


@pytest.fixture
def unique() -> str:
    """A service-name suffix no other test uses."""
    return f"n{next(_names)}"
