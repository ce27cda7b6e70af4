"""pulumi-alicloud's settings, through the dynamic-provider host: stack config the engine passes to
``configure``, ALICLOUD_* variables, their precedence, several accounts in one program, and the
preview-time failure of ``alicloud-ai:mode cloud`` without credentials. The emulator verifies which
key signed each call, and counts the requests each key presented (``GET /_emulator/keys``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_alicloud_ai import AppService, AppServiceArgs, AssumeRole, ProviderSettings
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.keys import KeyPair
from pulumi_alicloud_ai.resources import _program
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.resources._vod_template_provider import VodAITemplateProvider
from pulumi_alicloud_ai.testing import LocalEngine
from pulumi_alicloud_ai.testing.provider_host import UNKNOWN, ProviderHost, provider_env, secret

ACCOUNT_A, ACCOUNT_B, ROLE_ACCOUNT = "1000000000000001", "2000000000000002", "3000000000000003"
KEYS = {"team-a": ("secret-a-1", ACCOUNT_A), "team-b": ("secret-b-2", ACCOUNT_B)}


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator standing for two accounts (team-a, team-b) besides its default test key."""
    keys = [KeyPair(key, secret_, account) for key, (secret_, account) in KEYS.items()]
    config = EmulatorConfig(data_dir=tmp_path_factory.mktemp("accounts"), time_scale=0, keys=keys)
    with serve_in_thread(config) as running:
        yield running


def _presented(emulator: RunningEmulator) -> dict[str, int]:
    keys = httpx.get(f"{emulator.url}/_emulator/keys").json()["keys"]
    return {key["accessKeyId"]: key["presented"] for key in keys}


def _signers_of(emulator: RunningEmulator, action: Any) -> set[str]:
    """The key ids that presented requests while ``action`` ran."""
    before = _presented(emulator)
    action()
    after = _presented(emulator)
    return {key for key, count in after.items() if count > before.get(key, 0)}


def _profiles(home: Path) -> Path:
    """An aliyun CLI config with one profile per team (the shared credentials file format)."""
    path = home / "shared-config.json"
    profiles = [
        {"name": f"p-{key}", "mode": "AK", "access_key_id": key, "access_key_secret": secret_}
        for key, (secret_, _) in KEYS.items()
    ]
    path.write_text(json.dumps({"current": "", "profiles": profiles}))
    return path


def _service(name: str, **extra: Any) -> dict[str, Any]:
    return {"service_name": name, "service_spec": "llama_7b_fp16", "region": "cn-shanghai", **extra}


def _host(env: dict[str, str], config: dict[str, Any]) -> ProviderHost:
    host = ProviderHost(AppServiceProvider(), env)
    host.configure(config)
    return host


def _create(host: ProviderHost, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    checked = host.check(inputs["service_name"], inputs)
    assert checked.failures == {}
    resource_id, outs, _ = host.create(inputs["service_name"], checked.inputs)
    return resource_id, outs


class TestStackConfig:
    def test_the_endpoint_in_stack_config_wins_over_the_environment(self, tmp_path: Path) -> None:
        """alicloud-ai:endpoint, passed by the engine to configure, outranks ALICLOUD_AI_ENDPOINT."""
        with (
            serve_in_thread(EmulatorConfig(data_dir=tmp_path / "a", time_scale=0)) as a,
            serve_in_thread(EmulatorConfig(data_dir=tmp_path / "b", time_scale=0)) as b,
        ):
            host = _host(provider_env(b.url, str(tmp_path)), {"alicloud-ai:endpoint": a.url})
            try:
                _, outs = _create(host, _service("from_config"))
            finally:
                host.close()
            assert outs["_target"]["instance"] == httpx.get(f"{a.url}/_emulator/health").json()["instance"]

    @pytest.mark.parametrize(
        ("config", "env", "signer"),
        [
            ({"alicloud:accessKey": "team-a", "alicloud:secretKey": secret("secret-a-1")}, {}, "team-a"),
            ({}, {"ALICLOUD_ACCESS_KEY": "team-b", "ALICLOUD_SECRET_KEY": "secret-b-2"}, "team-b"),
            (
                {"alicloud:accessKey": "team-a", "alicloud:secretKey": secret("secret-a-1")},
                {"ALICLOUD_ACCESS_KEY": "team-b", "ALICLOUD_SECRET_KEY": "secret-b-2"},
                "team-a",
            ),
            ({"alicloud:profile": "p-team-b"}, {"ALICLOUD_PROFILE": "p-team-a"}, "team-b"),
            ({}, {"ALICLOUD_PROFILE": "p-team-a"}, "team-a"),
        ],
        ids=[
            "stack-keys",
            "env-keys",
            "stack-keys-over-env-keys",
            "stack-profile-over-env-profile",
            "env-profile",
        ],
    )
    def test_pulumi_alicloud_credentials_sign_in_their_order(
        self,
        accounts: RunningEmulator,
        tmp_path: Path,
        config: dict[str, Any],
        env: dict[str, str],
        signer: str,
    ) -> None:
        """alicloud:accessKey/secretKey, ALICLOUD_ACCESS_KEY/SECRET_KEY and profiles are honoured, the
        documented order decides, and the resource records the signing key's account."""
        base = provider_env(accounts.url, str(tmp_path), ALICLOUD_AI_MODE="cloud", **env)
        config = {**config, "alicloud:sharedCredentialsFile": str(_profiles(tmp_path))}
        host = _host(base, config)
        try:
            name = f"signed_{signer.replace('-', '_')}_{len(os.listdir(tmp_path))}"
            signers = _signers_of(accounts, lambda: _create(host, _service(name)))
            _, outs, _ = host.read(name, f"cn-shanghai/{name}", {}, {"service_name": name})
        finally:
            host.close()
        assert signers == {signer}
        assert outs["_target"]["account"] == KEYS[signer][1]

    def test_assume_role_in_stack_config_acts_for_the_roles_account(
        self, accounts: RunningEmulator, tmp_path: Path
    ) -> None:
        """alicloud:assumeRole (roleArn, sessionName, sessionExpiration) is assumed with the stack keys."""
        role = {
            "roleArn": f"acs:ram::{ROLE_ACCOUNT}:role/deployer",
            "sessionName": "ci",
            "sessionExpiration": 900,
        }
        config = {
            "alicloud:accessKey": "team-a",
            "alicloud:secretKey": secret("secret-a-1"),
            "alicloud:assumeRole": json.dumps(role),
        }
        host = _host(provider_env(accounts.url, str(tmp_path), ALICLOUD_AI_MODE="cloud"), config)
        try:
            signers = _signers_of(accounts, lambda: _create(host, _service("assumed")))
            outs = host.read("assumed", "cn-shanghai/assumed", {}, {"service_name": "assumed"})[1]
        finally:
            host.close()
        assert "team-a" in signers  # it signed AssumeRole
        assert any(key.startswith("STS.") for key in signers)  # the temporary keys signed the calls
        assert outs["_target"]["account"] == ROLE_ACCOUNT


class TestPreview:
    def test_cloud_mode_without_credentials_fails_at_check(self, tmp_path: Path) -> None:
        """alicloud-ai:mode cloud with no credentials anywhere is a check failure, before any create."""
        env = provider_env("", str(tmp_path))
        env.pop("ALICLOUD_AI_ENDPOINT")
        host = _host(env, {"alicloud-ai:mode": "cloud"})
        try:
            failures = host.check("svc", _service("nowhere")).failures
        finally:
            host.close()
        assert "no Alibaba Cloud credentials were found" in failures["credentials"]
        assert "alicloud-ai:mode is cloud" in failures["credentials"]
        assert "alicloud:accessKey" in failures["credentials"]

    def test_cloud_mode_with_stack_keys_passes_check(self, tmp_path: Path) -> None:
        """The same with alicloud:accessKey/secretKey set: no failure."""
        env = provider_env("", str(tmp_path))
        env.pop("ALICLOUD_AI_ENDPOINT")
        config = {"alicloud-ai:mode": "cloud", "alicloud:accessKey": "k", "alicloud:secretKey": secret("s")}
        host = _host(env, config)
        try:
            assert host.check("svc", _service("somewhere")).failures == {}
        finally:
            host.close()

    def test_a_bad_setting_fails_at_check_naming_it(self, tmp_path: Path) -> None:
        """A typo in the mode is named with the allowed values."""
        host = _host(provider_env("http://127.0.0.1:9", str(tmp_path)), {"alicloud-ai:mode": "clod"})
        try:
            failures = host.check("svc", _service("typo")).failures
        finally:
            host.close()
        assert "allowed values: auto, cloud, emulator" in failures["alicloud-ai:mode"]

    def test_the_resources_settings_and_recorded_connection_are_judged_at_check(self, tmp_path: Path) -> None:
        """Where the resource's own settings or the connection the program recorded send its calls is
        judged at preview, naming the setting; not while one of them holds a value not known yet."""
        host = _host(provider_env("http://127.0.0.1:9", str(tmp_path)), {})
        try:
            own = host.check("svc", _service("own", settings={"endpoint": "nowhere"})).failures
            recorded = host.check("svc", _service("recorded", connection={"mode": "clod"})).failures
            later = [
                host.check("svc", _service("later", settings=settings, connection=connection)).failures
                for settings, connection in (
                    ({"endpoint": UNKNOWN}, {"mode": "clod"}),
                    ({"endpoint": "nowhere"}, {"mode": UNKNOWN}),
                )
            ]
            not_an_object = host.check("svc", _service("list", settings=["nowhere"])).failures
        finally:
            host.close()
        assert list(own) == ["credentials"]
        assert own["credentials"].startswith(
            "settings.endpoint http://nowhere is not an emulator, but no Alibaba Cloud credentials were found"
        )
        assert recorded == {
            "alicloud-ai:mode": "alicloud-ai:mode 'clod' is not supported; allowed values: auto, cloud, emulator"
        }
        assert later == [{}, {}]
        assert not_an_object == {"settings": "Input should be a valid dictionary"}


class TestSeveralAccounts:
    def test_each_resource_signs_with_its_own_settings(
        self, accounts: RunningEmulator, tmp_path: Path
    ) -> None:
        """Three services in one provider process, each with its own settings object: each create and
        each delete is signed by that resource's key only, and each records its own account."""
        shared = str(_profiles(tmp_path))
        host = _host(provider_env(accounts.url, str(tmp_path)), {})
        settings = {
            "alpha": {"profile": "p-team-a", "shared_credentials_file": shared},
            "beta": {"profile": "p-team-b", "shared_credentials_file": shared},
            "gamma": {
                "profile": "p-team-b",
                "shared_credentials_file": shared,
                "assume_role": {"role_arn": f"acs:ram::{ROLE_ACCOUNT}:role/ops", "session_name": "gamma"},
            },
        }
        made: dict[str, tuple[str, dict[str, Any]]] = {}
        signers: dict[str, set[str]] = {}
        try:
            for name, chosen in settings.items():
                signers[name] = _signers_of(
                    accounts,
                    lambda n=name, c=chosen: made.__setitem__(n, _create(host, _service(n, settings=c))),
                )
            deleted = {
                name: _signers_of(accounts, lambda n=name: host.delete(n, made[n][0], made[n][1]))
                for name in ("alpha", "beta")
            }
        finally:
            host.close()
        assert signers["alpha"] == {"team-a"}
        assert signers["beta"] == {"team-b"}
        assert "team-b" in signers["gamma"]
        assert {key for key in signers["gamma"] if key != "team-b"} and all(
            key.startswith("STS.") for key in signers["gamma"] - {"team-b"}
        )
        assert deleted == {"alpha": {"team-a"}, "beta": {"team-b"}}
        accounts_recorded = {name: outs["_target"]["account"] for name, (_, outs) in made.items()}
        assert accounts_recorded == {"alpha": ACCOUNT_A, "beta": ACCOUNT_B, "gamma": ROLE_ACCOUNT}

    def test_one_program_with_two_settings_objects(
        self, accounts: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A program declares two services with two ProviderSettings; the local engine carries it out
        through the provider host, and each lands in its own account."""
        shared = str(_profiles(tmp_path))
        env = provider_env(accounts.url, str(tmp_path))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        _program.reset_cache()

        def program() -> None:
            team_a = ProviderSettings(profile="p-team-a", shared_credentials_file=shared)
            ops = ProviderSettings(
                profile="p-team-b",
                shared_credentials_file=shared,
                assume_role=AssumeRole(role_arn=f"acs:ram::{ROLE_ACCOUNT}:role/ops", session_expiration=900),
            )
            args = {"service_spec": "llama_7b_fp16", "region": "cn-shanghai"}
            AppService("one", AppServiceArgs(service_name="program_one", **args), settings=team_a)
            AppService("two", AppServiceArgs(service_name="program_two", **args), settings=ops)

        with LocalEngine("accounts", env=env) as engine:
            engine.up(program)
            recorded = {state.name: state.outputs["_target"]["account"] for state in engine.state.values()}
            inputs = {state.name: state.inputs["settings"] for state in engine.state.values()}
            assert [step.op for step in engine.destroy()] == ["delete", "delete"]
        assert recorded == {"one": ACCOUNT_A, "two": ROLE_ACCOUNT}
        assert inputs["one"] == {"profile": "p-team-a", "shared_credentials_file": shared}
        assert inputs["two"]["assume_role"] == {
            "role_arn": f"acs:ram::{ROLE_ACCOUNT}:role/ops",
            "session_expiration": 900,
        }


def test_an_import_takes_its_region_from_stack_config(tmp_path: Path) -> None:
    """`pulumi import` of a VOD template (its id carries no region) reads where alicloud:region says."""
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "vod", time_scale=0)) as emulator:
        host = ProviderHost(VodAITemplateProvider(), provider_env(emulator.url, str(tmp_path)))
        try:
            host.configure({"alicloud:region": "cn-beijing"})
            inputs = {"template_name": "imported", "template_type": "AIImage", "config": {"Count": 2}}
            checked = host.check("t", {**inputs, "region": "cn-beijing"})
            template_id, _, _ = host.create("t", checked.inputs)
            read_id, _, read_inputs = host.read("t", template_id, {}, {})
        finally:
            host.close()
    assert (read_id, read_inputs["region"]) == (template_id, "cn-beijing")
