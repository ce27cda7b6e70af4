"""The store's cache of decoded entities never answers with something SQLite would not.

The emulator owns its data directory, so no other emulator writes behind its cache; any other store
sees other connections' commits. A rolled-back transaction and a caller mutating what it read must
leave reads exactly as the database has them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import (
    CREATE_APP_SERVICE,
    DESCRIBE_SERVICE,
)
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.emulator import EmulatorConfig, serve_in_thread
from pulumi_alicloud_ai.emulator.store import DatabaseInUseError, Entity, Store

REGION = "cn-shanghai"
WHERE = {"ClusterId": REGION, "ServiceName": "shared_svc"}


def _entity(status: str = "Running", replicas: int = 1) -> Entity:
    return Entity("test", "widget", "w1", "r", "one", status, 1.0, {"replicas": replicas}, 1.0, 1.0)


def test_one_data_dir_has_one_emulator(tmp_path: Path) -> None:
    """The emulator trusts its cache because it owns its data directory: a second one on the same
    directory refuses to start, naming the first one's pid, in-process and as a CLI; once the first
    stops, the directory is free and what it wrote is there."""
    config = EmulatorConfig(data_dir=tmp_path / "shared", time_scale=0)
    with serve_in_thread(config) as first:
        settings = ClientSettings(region=REGION, endpoint=first.url)
        with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
            body = {
                "AppType": "LLM",
                "Replicas": 1,
                "ServiceName": "shared_svc",
                "ServiceSpec": "llama_7b_fp16",
            }
            api.call(CREATE_APP_SERVICE, json_body=body)
        with pytest.raises(DatabaseInUseError, match=f"pid {os.getpid()}"), serve_in_thread(config):
            pass
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "pulumi_alicloud_ai.emulator",
                "--port",
                "0",
                "--data-dir",
                str(tmp_path / "shared"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert cli.returncode == 2
        assert f"{tmp_path / 'shared'} is in use by another emulator (pid {os.getpid()})" in cli.stderr
        httpx.get(f"{first.url}/_emulator/health").raise_for_status()
    with serve_in_thread(config) as second:
        settings = ClientSettings(region=REGION, endpoint=second.url)
        with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
            assert api.call(DESCRIBE_SERVICE, path_params=WHERE)["ServiceName"] == "shared_svc"


def test_another_connection_commit_is_seen_in_and_out_of_transactions(tmp_path: Path) -> None:
    """A second Store on the same file changes an entity; the first, having it cached, reads the change."""
    first, second = Store(tmp_path / "db.sqlite3"), Store(tmp_path / "db.sqlite3")
    try:
        first.put(_entity())
        assert first.get("test", "widget", "w1") == _entity()
        second.put(_entity("Stopped", 2))
        assert first.get("test", "widget", "w1") == _entity("Stopped", 2)
        second.put(_entity("Running", 5))
        with first.transaction():
            assert first.get("test", "widget", "w1") == _entity("Running", 5)
        second.delete("test", "widget", "w1")
        with first.transaction():
            assert first.find_by_name("test", "widget", "r", "one") is None
    finally:
        first.close()
        second.close()


def test_a_rolled_back_write_is_not_remembered() -> None:
    """Reading an entity after changing it inside a transaction that then fails leaves no trace."""
    store = Store(None)
    store.put(_entity())

    def change_then_fail() -> None:
        with store.transaction():
            store.put(_entity("Deleting", 9))
            assert store.get("test", "widget", "w1") == _entity("Deleting", 9)  # seen inside, and cached
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert store.get("test", "widget", "w1") == _entity()
    with store.transaction():
        assert store.get("test", "widget", "w1") == _entity()


def test_each_read_is_a_copy() -> None:
    """Handlers change what they read before deciding to store it; the next read is unaffected."""
    store = Store(None)
    store.put(_entity())
    with store.transaction():
        read = store.get("test", "widget", "w1")
        assert read is not None
        read.data["replicas"] = 7
        read.status = "Broken"
        again = store.find_by_name("test", "widget", "r", "one")
    assert again == _entity()


@pytest.mark.parametrize(("owner", "statements"), [(False, 1), (True, 0)])
def test_a_request_answered_from_the_cache_runs_no_transaction(
    tmp_path: Path, owner: bool, statements: int
) -> None:
    """Store.run begins no transaction until a statement is needed: a cached read costs the version
    check alone, nothing at all when the store owns the database; a write still commits."""
    store = Store(tmp_path / "db.sqlite3", owner=owner)
    try:
        store.put(_entity())
        store.get("test", "widget", "w1")
        with store.measuring() as work:
            read = store.run(lambda _: store.get("test", "widget", "w1"), None)
        assert read == _entity()
        assert work.statements == statements

        def write(_: None) -> None:
            entity = store.get("test", "widget", "w1")
            assert entity is not None
            entity.status = "Stopped"
            store.put(entity)

        store.run(write, None)
    finally:
        store.close()
    reopened = Store(tmp_path / "db.sqlite3")
    assert reopened.get("test", "widget", "w1") == _entity("Stopped")
    reopened.close()


def test_a_request_read_from_a_stale_cache_starts_over(tmp_path: Path) -> None:
    """Another connection commits after a request read from the cache and before it writes: the
    request runs again on fresh data instead of writing over the other's change."""
    first, second = Store(tmp_path / "db.sqlite3"), Store(tmp_path / "db.sqlite3")
    seen: list[int] = []

    def add_ten(_: None) -> None:
        entity = first.get("test", "widget", "w1")
        assert entity is not None
        seen.append(entity.data["replicas"])
        if len(seen) == 1:
            second.put(_entity("Stopped", 2))  # lands between the cached read and the write
        entity.data["replicas"] += 10
        first.put(entity)

    try:
        first.put(_entity())
        first.get("test", "widget", "w1")
        first.run(add_ten, None)
        assert seen == [1, 2]
        assert first.get("test", "widget", "w1") == _entity("Stopped", 12)
        assert second.get("test", "widget", "w1") == _entity("Stopped", 12)
    finally:
        first.close()
        second.close()
