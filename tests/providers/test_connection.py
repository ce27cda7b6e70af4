"""Where provider calls go: the modes, the endpoint override, and the embedded emulator started on demand."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.resources import _connection, _embedded
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env

NO_CREDENTIALS = {"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}


@pytest.fixture
def embedded_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An embedded-emulator directory of the test's own; whatever starts there is stopped after."""
    home = tmp_path / "embedded"
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_HOME", str(home))
    monkeypatch.setenv("ALICLOUD_AI_EMULATOR_TIME_SCALE", "0")
    try:
        yield home
    finally:
        _embedded.stop()


def test_no_credentials_and_no_endpoint_means_the_embedded_emulator(
    embedded_home: Path, tmp_path: Path
) -> None:
    """Auto mode with nothing configured starts the embedded emulator and creates the service there."""
    env = provider_env(
        "", str(tmp_path), ALICLOUD_AI_EMULATOR_HOME=str(embedded_home), ALICLOUD_AI_EMULATOR_TIME_SCALE="0"
    )
    env.pop("ALICLOUD_AI_ENDPOINT")
    host = ProviderHost(AppServiceProvider(), env)
    try:
        host.configure({})
        inputs = host.check(
            "svc", {"service_name": "embedded_svc", "region": "cn-shanghai", "service_spec": "llama_7b_fp16"}
        ).inputs
        _, outs, _ = host.create("svc", inputs)
    finally:
        host.close()
    url = _embedded.running_url(embedded_home)
    assert url is not None
    assert outs["status"] == "Running"
    described = httpx.get(f"{url}/_emulator/ui/feed").json()  # the service is in the embedded emulator
    assert "embedded_svc" in str(described)


def test_a_second_process_reuses_the_running_embedded_emulator(embedded_home: Path) -> None:
    """ensure_running finds the emulator another process started instead of starting a second one."""
    first = _embedded.ensure_running()
    code = "from pulumi_alicloud_ai.resources import _embedded; print(_embedded.ensure_running())"
    second = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert second == first


def test_emulator_command_reports_start_status_stop(embedded_home: Path) -> None:
    """python -m pulumi_alicloud_ai emulator start|status|stop drives the embedded emulator."""

    def run(action: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "pulumi_alicloud_ai", "emulator", action],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "embedded emulator: http://127.0.0.1:" in run("start")
    assert str(embedded_home) in run("status")
    assert run("stop").strip() == "embedded emulator stopped"
    assert run("status").strip() == "embedded emulator: not running"


def test_cloud_mode_without_credentials_fails_clearly(tmp_path: Path) -> None:
    """mode=cloud refuses the emulator and says what each credential source answered."""
    environ = {**NO_CREDENTIALS, "HOME": str(tmp_path), "ALICLOUD_AI_MODE": "cloud"}
    with pytest.raises(_connection.ConnectionSettingsError) as info:
        _connection.resolve("cn-shanghai", None, environ)
    message = info.value.message
    assert "alicloud-ai:mode is cloud but no Alibaba Cloud credentials were found" in message
    assert "env" in message


@pytest.mark.parametrize(
    ("environ", "captured", "emulated", "endpoint"),
    [
        ({"ALICLOUD_AI_ENDPOINT": "http://127.0.0.1:8123"}, None, True, "http://127.0.0.1:8123"),
        ({}, {"endpoint": "http://localhost:9000"}, True, "http://localhost:9000"),
        ({"ALIBABA_CLOUD_ACCESS_KEY_ID": "k", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}, None, False, None),
        (
            {
                "ALIBABA_CLOUD_ACCESS_KEY_ID": "k",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
                "ALICLOUD_AI_ENDPOINT": "https://pai-eas-vpc.cn-shanghai.aliyuncs.com",
            },
            None,
            False,
            "https://pai-eas-vpc.cn-shanghai.aliyuncs.com",
        ),
    ],
    ids=[
        "env-loopback-endpoint",
        "config-loopback-endpoint",
        "credentials-mean-cloud",
        "private-endpoint-is-cloud",
    ],
)
def test_auto_mode_decides_from_endpoint_and_credentials(
    tmp_path: Path,
    environ: dict[str, str],
    captured: dict[str, str] | None,
    emulated: bool,
    endpoint: str | None,
) -> None:
    """A loopback endpoint is an emulator; credentials or a non-loopback endpoint mean the cloud."""
    connection = _connection.resolve(
        "cn-shanghai", captured, {**NO_CREDENTIALS, "HOME": str(tmp_path), **environ}
    )
    assert connection.emulated is emulated
    assert connection.settings.endpoint == endpoint


def test_unknown_mode_names_the_allowed_values(tmp_path: Path) -> None:
    """A typo in alicloud-ai:mode is an error listing auto, cloud, emulator."""
    with pytest.raises(_connection.ConnectionSettingsError, match="allowed values: auto, cloud, emulator"):
        _connection.resolve("cn-shanghai", {"mode": "clod"}, {**NO_CREDENTIALS, "HOME": str(tmp_path)})
