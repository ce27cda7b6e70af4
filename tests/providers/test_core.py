"""The provider core's plumbing against a real emulator: sessions, error rendering, paced waits."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from pulumi_alicloud_ai.client.eas import EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError, poll_until
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._provider import ProviderError, product_client
from pulumi_alicloud_ai.resources._waiting import EmulatorClock, WaitClockError, pacing
from tests.conftest import Admin


@pytest.fixture
def events_dir(fresh_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Calls go to the test's emulator; the event log is written under tmp_path."""
    monkeypatch.setenv("ALICLOUD_AI_ENDPOINT", fresh_emulator.url)
    monkeypatch.setenv("ALICLOUD_AI_EVENTS_DIR", str(tmp_path / "events"))
    return tmp_path / "events"


def _outcomes(events_dir: Path) -> list[dict[str, object]]:
    lines = [
        json.loads(line) for path in events_dir.glob("*.jsonl") for line in path.read_text().splitlines()
    ]
    return [line for line in lines if line["event"] == "end"]


class TestSession:
    """One session per operation: API errors become one line; anything else keeps its own type."""

    def test_an_unexpected_error_is_raised_as_itself_and_logged(self, events_dir: Path) -> None:
        """A bug inside an operation is not reported as success: it leaves with its type, logged as an error."""

        def operation() -> None:
            with product_client(EAS, EasClient, "cn-shanghai", None) as session:
                session.api.list_services()
                raise KeyError("bug")

        with pytest.raises(KeyError, match="bug"):
            operation()
        assert [(line["outcome"], line["error"]) for line in _outcomes(events_dir)] == [("error", "'bug'")]

    def test_an_api_error_is_one_line_with_code_request_id_and_target(
        self, events_dir: Path, fresh_emulator: RunningEmulator
    ) -> None:
        """A service error becomes a ProviderError naming code, action, RequestId and where the call went."""

        def operation() -> None:
            with product_client(EAS, EasClient, "cn-shanghai", None) as session:
                session.api.describe_service("cn-shanghai", "absent")

        with pytest.raises(ProviderError) as info:
            operation()
        line = str(info.value)
        assert "when calling the DescribeService operation" in line
        assert "RequestId: " in line
        assert f"[emulator at {fresh_emulator.url} (cn-shanghai)]" in line
        assert line.endswith(f"(event log: {next(events_dir.glob('*.jsonl'))})")
        assert [line["outcome"] for line in _outcomes(events_dir)] == ["error"]

    def test_a_clean_operation_is_logged_ok(self, events_dir: Path) -> None:
        """An operation that ends normally is logged as ok."""
        with product_client(EAS, EasClient, "cn-shanghai", None) as session:
            session.api.list_services()
        assert [line["outcome"] for line in _outcomes(events_dir)] == ["ok"]


class TestEmulatorClock:
    """ALICLOUD_AI_WAIT_CLOCK=emulator paces waits on the emulator's clock instead of sleeping."""

    def test_sleeping_advances_the_emulators_clock(
        self, fresh_emulator: RunningEmulator, admin: Admin, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each pause moves emulated time by the delay; a wait times out after the emulated timeout."""
        monkeypatch.setenv("ALICLOUD_AI_WAIT_CLOCK", "emulator")
        monkeypatch.setenv("ALICLOUD_AI_POLL_INTERVAL", "10")
        backoff = pacing(100.0, fresh_emulator.url)
        polls: list[float] = []
        with pytest.raises(WaitTimeoutError) as info:
            poll_until(
                lambda: polls.append(float(admin.get("/clock")["offset"])) or "Creating",
                lambda _status: False,
                str,
                describe="thing",
                backoff=backoff,
            )
        # The offset moves only by the waits (the clock itself also runs in real time, so it would not).
        gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
        assert gaps == [10, 20, 30, 30]  # doubling up to 30 s; one more pause would pass 100 s
        assert admin.get("/clock")["offset"] == 90.0
        assert "thing was still Creating after 9" in str(info.value)

    def test_an_endpoint_written_with_a_trailing_slash_reaches_the_clock(
        self, fresh_emulator: RunningEmulator, admin: Admin
    ) -> None:
        """``http://host:port/`` is the same emulator: its clock is read and moved."""
        clock = EmulatorClock(fresh_emulator.url + "/")
        before = clock.now()
        clock.advance(5)
        assert admin.get("/clock")["offset"] == 5.0
        assert clock.now() - before >= 5

    def test_not_honoured_against_the_cloud(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Against Alibaba Cloud there is no clock to drive: the setting is refused, not ignored."""
        monkeypatch.setenv("ALICLOUD_AI_WAIT_CLOCK", "emulator")
        with pytest.raises(WaitClockError) as info:
            pacing(10.0, None)
        assert str(info.value) == (
            "An error occurred (InvalidWaitClock): ALICLOUD_AI_WAIT_CLOCK=emulator needs calls to go to an "
            "emulator, not Alibaba Cloud"
        )

    def test_a_private_cloud_endpoint_is_not_taken_for_an_emulator(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Credentials and a VPC endpoint mean the cloud: a session there refuses the emulator's clock
        rather than asking that endpoint for one."""
        for name, value in {
            "HOME": str(tmp_path),
            "ALICLOUD_AI_EVENTS_DIR": str(tmp_path / "events"),
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "k",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
            "ALICLOUD_AI_ENDPOINT": "https://pai-eas-vpc.cn-shanghai.aliyuncs.com",
            "ALICLOUD_AI_WAIT_CLOCK": "emulator",
        }.items():
            monkeypatch.setenv(name, value)
        with (
            product_client(EAS, EasClient, "cn-shanghai", None) as session,
            pytest.raises(WaitClockError, match="needs calls to go to an emulator"),
        ):
            session.pacing(10.0)

    def test_unknown_value_names_the_allowed_ones(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A typo is refused with the allowed values."""
        monkeypatch.setenv("ALICLOUD_AI_WAIT_CLOCK", "emulated")
        with pytest.raises(WaitClockError) as info:
            pacing(10.0, "http://127.0.0.1:1")
        assert str(info.value) == (
            "An error occurred (InvalidWaitClock): ALICLOUD_AI_WAIT_CLOCK='emulated' is not supported; "
            "allowed values: real, emulator"
        )
