"""``doctor`` lists every setting it sees, where it came from, and why each ignored one was ignored;
it honours pulumi-alicloud's stack config and names the target resources would be recorded in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai import doctor
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.keys import KeyPair

KEY_ID, SECRET, ACCOUNT = "stack-key-id-0099", "stack-secret-value-55aa", "4444000044440000"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """An emulator that also accepts the stack's key, acting for its own account."""
    config = EmulatorConfig(
        data_dir=tmp_path_factory.mktemp("doctor-settings"), keys=[KeyPair(KEY_ID, SECRET, ACCOUNT)]
    )
    with serve_in_thread(config) as running:
        yield running


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n" + config)
    return tmp_path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "ALICLOUD_AI_EVENTS_DIR": str(tmp_path / "events"),
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
        **extra,
    }


def _lines(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {check.name: check for check in checks}


def test_stack_config_credentials_sign_and_the_target_names_their_account(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """alicloud:accessKey/secretKey in the stack file are used (cloud mode at a local endpoint): the
    signed calls pass, the target is that key's account, and the secret is never printed."""
    project = _project(
        tmp_path,
        f"  alicloud:region: cn-shanghai\n  alicloud:accessKey: {KEY_ID}\n  alicloud:secretKey: {SECRET}\n",
    )
    checks = doctor.run_checks(
        _env(tmp_path, ALICLOUD_AI_MODE="cloud", ALICLOUD_AI_ENDPOINT=emulator.url), project_dir=project
    )
    found = _lines(checks)
    assert found["alicloud:accessKey"].ok is True
    assert found["alicloud:accessKey"].detail == "**** from stack config, used"
    assert found["credentials"].detail.startswith("alicloud:accessKey/alicloud:secretKey (stack config)")
    assert found["signed call eas"].ok is True
    assert found["target"].detail == f"Alibaba Cloud, account {ACCOUNT} (cn-shanghai) through {emulator.url}"
    text = "\n".join(check.line() for check in checks)
    assert SECRET not in text
    assert KEY_ID not in text


def test_every_ignored_setting_is_listed_with_the_reason(emulator: RunningEmulator, tmp_path: Path) -> None:
    """Outranked, unknown and cloud-only-against-an-emulator settings are WARN lines saying why."""
    project = _project(tmp_path, "  alicloud:region: cn-beijing\n  alicloud-ai:endpiont: http://x\n")
    env = _env(
        tmp_path,
        ALICLOUD_AI_ENDPOINT=emulator.url,
        ALICLOUD_REGION="cn-hangzhou",
        ALICLOUD_ACCESS_KEY="cloud-key",
        ALICLOUD_SECRET_KEY="cloud-secret-1",
    )
    found = _lines(doctor.run_checks(env, project_dir=project))
    assert found["ALICLOUD_AI_ENDPOINT"].ok is True
    assert found["alicloud:region"].ok is True
    assert (found["ALICLOUD_REGION"].ok, found["ALICLOUD_REGION"].detail) == (
        None,
        "cn-hangzhou from environment, ignored: overridden by alicloud:region",
    )
    assert "not a setting pulumi-alicloud-ai reads" in found["alicloud-ai:endpiont"].detail
    assert "never sent cloud credentials" in found["ALICLOUD_SECRET_KEY"].detail
    assert found["ALICLOUD_SECRET_KEY"].detail.startswith("**** ")
    instance = httpx.get(f"{emulator.url}/_emulator/health").json()["instance"]
    assert found["target"].detail.startswith(f"the emulator {instance} at {emulator.url}")
    assert instance in found["emulator"].detail


def test_encrypted_stack_credentials_are_named_but_not_tried(tmp_path: Path) -> None:
    """A secure: value cannot be read by doctor: WARN, and no signed call is made with a placeholder."""
    project = _project(
        tmp_path,
        f"  alicloud:region: cn-shanghai\n  alicloud:accessKey: {KEY_ID}\n"
        "  alicloud:secretKey:\n    secure: v1:abcdef\n",
    )
    checks = doctor.run_checks(
        _env(tmp_path, ALICLOUD_AI_MODE="cloud", ALICLOUD_AI_ENDPOINT="http://127.0.0.1:9"),
        project_dir=project,
    )
    found = _lines(checks)
    assert found["credentials"].ok is None
    assert "encrypted in Pulumi.dev.yaml" in found["credentials"].detail
    assert not [check for check in checks if check.name.startswith("signed call")]


def test_a_bad_setting_is_a_failure_naming_the_key(tmp_path: Path) -> None:
    """alicloud:assumeRole without a roleArn is FAIL on that key."""
    project = _project(tmp_path, '  alicloud:assumeRole: {"sessionName": "ci"}\n')
    found = _lines(doctor.run_checks(_env(tmp_path, ALICLOUD_AI_MODE="emulator"), project_dir=project))
    assert found["alicloud:assumeRole"].ok is None  # ignored against an emulator, and said so
    cloud = doctor.run_checks(
        _env(tmp_path, ALICLOUD_AI_MODE="cloud", ALICLOUD_AI_ENDPOINT="http://127.0.0.1:9"),
        project_dir=project,
    )
    problems = [check for check in cloud if check.name == "alicloud:assumeRole" and check.ok is False]
    assert [check.detail for check in problems] == ["alicloud:assumeRole needs a roleArn"]
