"""``python -m pulumi_alicloud_ai doctor``, against the emulator and against deliberately broken set-ups."""

from __future__ import annotations

import base64
import json
import pickle
import re
import socket
import subprocess
import sys
import time
import types
import venv
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_alicloud_ai import doctor
from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from tests.conftest import EmulatorFactory

KEY_ID = "doctor-key-id-0042"
SECRET = "doctor-secret-value-7f3a9"


@pytest.fixture(scope="module")
def emulator(module_emulators: EmulatorFactory) -> RunningEmulator:
    """An emulator with keys of its own, so a leaked secret would be recognisable."""
    return module_emulators.start(access_key_id=KEY_ID, access_key_secret=SECRET)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Pulumi project whose virtualenv is this test run's own Python environment."""
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        f"name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
    )
    (directory / "Pulumi.dev.yaml").write_text("config:\n  alicloud:region: cn-shanghai\n")
    return directory


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "ALICLOUD_AI_EVENTS_DIR": str(tmp_path / "events"),
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
        **extra,
    }


def _emulator_env(emulator: RunningEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    keys = {"ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID": KEY_ID, "ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET": SECRET}
    return _env(tmp_path, ALICLOUD_AI_ENDPOINT=emulator.url, **{**keys, **extra})


def _by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {check.name: check for check in checks}


def _text(checks: list[doctor.Check]) -> str:
    return "\n".join(check.line() for check in checks)


def test_against_the_emulator_every_line_is_ok(
    emulator: RunningEmulator, project: Path, tmp_path: Path
) -> None:
    """Settings, keys, the three endpoints, clock, signed calls, providers, virtualenv and log: all OK."""
    checks = doctor.run_checks(_emulator_env(emulator, tmp_path), project_dir=project)
    assert [check.line() for check in checks if check.ok is not True] == []
    found = _by_name(checks)
    assert "project shop, stack dev" in found["settings"].detail
    assert "region cn-shanghai" in found["settings"].detail
    assert found["credentials"].detail == "emulator keys (ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID)"
    assert f"{emulator.url}/_emulator/ui" in found["emulator"].detail
    for product in ("eas", "vod", "ros"):
        assert found[f"endpoint {product}"].detail.startswith(emulator.url)
        assert found[f"clock {product}"].detail.startswith("skew ")
        assert "accepted (RequestId " in found[f"signed call {product}"].detail
    assert "(as pai-eas.cn-shanghai.aliyuncs.com)" in found["endpoint eas"].detail
    assert found["project virtualenv"].ok is True
    assert found["event log"].detail.startswith(str(tmp_path / "events" / "shop-dev.jsonl"))
    assert SECRET not in _text(checks)


def test_cloud_credentials_from_the_environment_are_named_not_shown(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The chain's pick is named (``default/env``) with a shortened key id; the secret never appears."""
    env = _env(
        tmp_path,
        ALICLOUD_AI_MODE="cloud",
        ALICLOUD_AI_ENDPOINT=emulator.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET,
        ALIBABA_CLOUD_REGION_ID="cn-shanghai",
    )
    checks = doctor.run_checks(env, project_dir=tmp_path)
    found = _by_name(checks)
    assert found["credentials"].detail == "default/env (key doct…0042)"
    assert found["signed call eas"].ok is True
    assert KEY_ID not in _text(checks)
    assert SECRET not in _text(checks)


def test_a_wrong_secret_fails_the_signed_calls_and_says_what_to_check(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """With the wrong secret every signed call is FAIL SignatureDoesNotMatch, with advice; exit 1."""
    env = _emulator_env(emulator, tmp_path, ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET="not-the-secret-x1")
    checks = doctor.run_checks(env, project_dir=tmp_path)
    failed = _by_name(checks)["signed call eas"]
    assert failed.ok is False
    assert "SignatureDoesNotMatch" in failed.detail
    assert failed.fix == doctor.AUTH_ADVICE["SignatureDoesNotMatch"]
    assert "not-the-secret-x1" not in _text(checks)


def test_cloud_mode_without_credentials_fails_with_the_sources_tried(tmp_path: Path) -> None:
    """``alicloud-ai:mode cloud`` with no credentials anywhere is FAIL naming each source's reason."""
    checks = doctor.run_checks(_env(tmp_path, ALICLOUD_AI_MODE="cloud"), project_dir=tmp_path)
    found = _by_name(checks)
    assert found["credentials"].ok is False
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in found["credentials"].detail
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET" in found["credentials"].fix
    assert found["region"].ok is None  # nothing configured: a warning with the command to set it


def test_an_endpoint_that_does_not_answer_is_a_failure(tmp_path: Path) -> None:
    """A configured emulator that is not running fails its health check and every endpoint line."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    checks = doctor.run_checks(
        _env(tmp_path, ALICLOUD_AI_ENDPOINT=f"http://127.0.0.1:{port}"), project_dir=tmp_path
    )
    found = _by_name(checks)
    assert found["emulator"].ok is False
    assert "alicloud-ai-emulator" in found["emulator"].fix
    assert found["endpoint eas"].ok is False
    assert "does not answer (ConnectError" in found["endpoint eas"].detail


def test_clock_skew_past_fifteen_minutes_is_a_failure(emulator: RunningEmulator, tmp_path: Path) -> None:
    """A local clock an hour ahead of the endpoint's Date header is FAIL: signatures would expire."""
    checks = doctor.run_checks(
        _emulator_env(emulator, tmp_path), project_dir=tmp_path, clock=lambda: time.time() + 3600
    )
    skew = _by_name(checks)["clock eas"]
    assert skew.ok is False
    assert re.search(r"is 36\d\ds ahead of the eas endpoint", skew.detail), skew.detail  # Date has 1 s steps
    assert "InvalidTimeStamp.Expired" in skew.detail
    assert "timedatectl" in skew.fix


def test_a_project_virtualenv_without_the_package_is_a_failure(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The Python that would run the providers cannot import them: FAIL with the pip command."""
    bare = tmp_path / "bare-venv"
    venv.create(bare, with_pip=False)
    (tmp_path / "Pulumi.yaml").write_text(
        f"name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: {bare}\n"
    )
    found = _by_name(doctor.run_checks(_emulator_env(emulator, tmp_path), project_dir=tmp_path))
    assert found["project virtualenv"].ok is False
    assert "ModuleNotFoundError" in found["project virtualenv"].detail
    assert "pip install pulumi-alicloud-ai==" in found["project virtualenv"].fix


def test_a_missing_project_virtualenv_is_a_failure(emulator: RunningEmulator, tmp_path: Path) -> None:
    """A virtualenv named in Pulumi.yaml that does not exist says how to create it."""
    (tmp_path / "Pulumi.yaml").write_text(
        "name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    found = _by_name(doctor.run_checks(_emulator_env(emulator, tmp_path), project_dir=tmp_path))
    assert found["project virtualenv"].ok is False
    assert "pulumi install" in found["project virtualenv"].fix


def _state(tmp_path: Path, *providers: Any) -> Path:
    resources = [
        {"urn": f"urn:pulumi:dev::shop::t::r{index}", "outputs": {"__provider": provider}}
        for index, provider in enumerate(providers)
    ]
    path = tmp_path / f"state-{len(list(tmp_path.glob('state-*')))}.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return path


def _unimportable_provider() -> str:
    name = "pulumi_alicloud_ai.resources._gone_provider"
    module = types.ModuleType(name)
    gone = type("GoneProvider", (), {"__module__": name})
    module.GoneProvider = gone  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        return base64.b64encode(pickle.dumps(gone())).decode()
    finally:
        del sys.modules[name]


def test_state_providers_are_checked_without_unpickling(tmp_path: Path) -> None:
    """A state's pickled providers must refer to modules that import; one that does not is FAIL."""
    good = serialize_provider(AppServiceProvider())
    ok = doctor.check_state(_state(tmp_path, good, {"sig": "x", "plaintext": json.dumps(good)}))
    assert ok[0].ok is True
    assert "pulumi_alicloud_ai.resources._app_service_provider" in ok[0].detail
    broken = doctor.check_state(_state(tmp_path, good, _unimportable_provider()))
    assert broken[0].ok is False
    assert "_gone_provider" in broken[0].detail
    encrypted = doctor.check_state(_state(tmp_path, {"sig": "x", "ciphertext": "v1:abc"}))
    assert (encrypted[0].ok, encrypted[0].fix) == (None, "export with `--show-secrets`")


def test_doctor_command_prints_lines_and_exits_by_outcome(emulator: RunningEmulator, tmp_path: Path) -> None:
    """``python -m pulumi_alicloud_ai doctor`` prints each check; 0 when nothing failed, 1 otherwise."""
    good = subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai", "doctor", "--project-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_emulator_env(emulator, tmp_path),
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.splitlines()[0].startswith("OK   settings: mode auto")
    assert good.stdout.rstrip().endswith("all good")
    bad = subprocess.run(
        [sys.executable, "-m", "pulumi_alicloud_ai", "doctor", "--project-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(tmp_path, ALICLOUD_AI_MODE="cloud"),
    )
    assert bad.returncode == 1
    assert "FAIL credentials:" in bad.stdout
