"""Which emulator and which account: the instance id, several key pairs, STS AssumeRole and
GetCallerIdentity, all over HTTP with our own signing client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import (
    RamRoleArnProvider,
    StaticCredentialsProvider,
    caller_identity,
)
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import AuthError, CredentialsError
from pulumi_alicloud_ai.client.retry import NO_RETRIES
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation
from pulumi_alicloud_ai.emulator import EmulatorConfig, RunningEmulator, serve_in_thread
from pulumi_alicloud_ai.emulator.cli import parse_args
from pulumi_alicloud_ai.emulator.instance import INSTANCE_HEADER
from pulumi_alicloud_ai.emulator.keys import KeyPair

ACCOUNT_A, ACCOUNT_B, ROLE_ACCOUNT = "1111000011110000", "2222000022220000", "3333000033330000"
LIST = Operation("ListServices", "GET", "/api/v2/services", idempotent=True)


def _health(url: str) -> dict[str, object]:
    answer: dict[str, object] = httpx.get(f"{url}/_emulator/health").json()
    return answer


@pytest.fixture
def two_accounts(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator accepting team-a (account A) and team-b (account B) besides test/test."""
    keys = [KeyPair("team-a", "secret-a", ACCOUNT_A), KeyPair("team-b", "secret-b", ACCOUNT_B)]
    with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "data", keys=keys)) as running:
        yield running


def _list_services(url: str, key_id: str, secret: str, token: str | None = None) -> None:
    with OpenApiClient(
        EAS,
        region="cn-shanghai",
        credentials=StaticCredentialsProvider(key_id, secret, token),
        endpoint_override=url,
        retry=NO_RETRIES,
    ) as client:
        client.call(LIST, query={"PageSize": "1"})


class TestInstanceId:
    def test_a_restart_on_the_same_data_keeps_the_id(self, tmp_path: Path) -> None:
        """The id lives in the database: the same data directory is the same emulator."""
        config = EmulatorConfig(data_dir=tmp_path / "data")
        with serve_in_thread(config) as first:
            before = _health(first.url)["instance"]
        with serve_in_thread(config) as second:
            after = _health(second.url)["instance"]
        assert isinstance(before, str)
        assert before.startswith("emu-")
        assert after == before

    def test_other_data_memory_or_a_reset_is_another_instance(self, tmp_path: Path) -> None:
        """Another directory, no directory, or a wiped database each report a new id."""
        with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "one")) as one:
            first = _health(one.url)["instance"]
            httpx.post(f"{one.url}/_emulator/reset").raise_for_status()
            after_reset = _health(one.url)["instance"]
        with serve_in_thread(EmulatorConfig(data_dir=tmp_path / "two")) as two:
            other = _health(two.url)["instance"]
        with serve_in_thread(EmulatorConfig()) as memory:
            in_memory = _health(memory.url)["instance"]
        assert len({first, after_reset, other, in_memory}) == 4

    def test_every_answer_names_the_instance(self, emulator: RunningEmulator) -> None:
        """API answers, errors included, and admin answers carry the instance header."""
        instance = _health(emulator.url)["instance"]
        refused = httpx.get(f"{emulator.url}/api/v2/services")  # unsigned: an API error answer
        assert refused.status_code >= 400
        assert refused.headers[INSTANCE_HEADER] == instance
        assert httpx.get(f"{emulator.url}/_emulator/clock").headers[INSTANCE_HEADER] == instance


class TestSeveralKeys:
    def test_each_configured_pair_signs_and_is_counted_as_its_own(
        self, two_accounts: RunningEmulator
    ) -> None:
        """Calls signed by team-a and team-b both verify, and the keys view counts each key's calls."""
        _list_services(two_accounts.url, "team-a", "secret-a")
        _list_services(two_accounts.url, "team-b", "secret-b")
        _list_services(two_accounts.url, "team-b", "secret-b")
        usage = {
            key["accessKeyId"]: key for key in httpx.get(f"{two_accounts.url}/_emulator/keys").json()["keys"]
        }
        assert usage["team-a"]["presented"] == 1
        assert usage["team-b"]["presented"] == 2
        assert usage["team-a"]["accountId"] == ACCOUNT_A
        assert "secret-a" not in json.dumps(usage)

    def test_a_secret_of_another_pair_is_refused(self, two_accounts: RunningEmulator) -> None:
        """team-a's key id with team-b's secret is a signature mismatch, not a valid call."""
        with pytest.raises(AuthError) as info:
            _list_services(two_accounts.url, "team-a", "secret-b")
        assert info.value.code == "SignatureDoesNotMatch"

    def test_caller_identity_names_each_keys_account(self, two_accounts: RunningEmulator) -> None:
        """GetCallerIdentity answers with the account the signing key was configured for."""
        url = two_accounts.url
        assert caller_identity(StaticCredentialsProvider("team-a", "secret-a"), url)["AccountId"] == ACCOUNT_A
        assert caller_identity(StaticCredentialsProvider("team-b", "secret-b"), url)["AccountId"] == ACCOUNT_B


class TestAssumeRole:
    def test_assumed_credentials_act_for_the_roles_account(self, two_accounts: RunningEmulator) -> None:
        """AssumeRole signed by team-a returns STS keys that act for the role's account and sign calls."""
        role = RamRoleArnProvider(
            StaticCredentialsProvider("team-a", "secret-a"),
            f"acs:ram::{ROLE_ACCOUNT}:role/deployer",
            role_session_name="pulumi",
            sts_endpoint=two_accounts.url,
        )
        assumed = role.get_credentials()
        assert assumed.access_key_id.startswith("STS.")
        assert assumed.provider_name == "ram_role_arn/static_ak"
        assert caller_identity(role, two_accounts.url)["AccountId"] == ROLE_ACCOUNT
        _list_services(
            two_accounts.url, assumed.access_key_id, assumed.access_key_secret, assumed.security_token
        )

    def test_a_malformed_role_arn_is_refused_with_stss_code(self, two_accounts: RunningEmulator) -> None:
        """A role ARN without an account id is InvalidParameter.RoleArn."""
        role = RamRoleArnProvider(
            StaticCredentialsProvider("team-a", "secret-a"),
            "acs:ram:::role/deployer",
            sts_endpoint=two_accounts.url,
        )
        with pytest.raises(CredentialsError) as info:
            role.get_credentials()
        assert info.value.code == "InvalidParameter.RoleArn"

    def test_an_unknown_source_key_cannot_assume_a_role(self, two_accounts: RunningEmulator) -> None:
        """AssumeRole is verified like any call: an unknown key gets InvalidAccessKeyId.NotFound."""
        role = RamRoleArnProvider(
            StaticCredentialsProvider("nobody", "nothing"),
            f"acs:ram::{ROLE_ACCOUNT}:role/deployer",
            sts_endpoint=two_accounts.url,
        )
        with pytest.raises(CredentialsError) as info:
            role.get_credentials()
        assert info.value.code == "InvalidAccessKeyId.NotFound"


class TestFlags:
    def test_key_flags_and_a_keys_file_add_pairs(self, tmp_path: Path) -> None:
        """--key ID:SECRET[:ACCOUNT] (repeated) and --keys-file both add accepted pairs."""
        keys_file = tmp_path / "keys.json"
        keys_file.write_text(json.dumps({"keys": [{"accessKeyId": "c", "accessKeySecret": "sc"}]}))
        config = parse_args(["--key", f"a:sa:{ACCOUNT_A}", "--key", "b:sb", "--keys-file", str(keys_file)])
        assert [(k.access_key_id, k.access_key_secret, k.account_id) for k in config.keys] == [
            ("a", "sa", ACCOUNT_A),
            ("b", "sb", ""),
            ("c", "sc", ""),
        ]

    @pytest.mark.parametrize("bad", ["only-an-id", "a:b:c:d", "a:b:not-digits", ":secret"])
    def test_a_bad_key_flag_is_a_usage_error(self, bad: str, capsys: pytest.CaptureFixture[str]) -> None:
        """A malformed --key stops the emulator with a message, before it listens."""
        with pytest.raises(SystemExit):
            parse_args(["--key", bad])
        assert "--key" in capsys.readouterr().err

    def test_a_hostile_keys_file_is_refused_within_bounds(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A keys file nested far deeper than its shape is refused before it is parsed, naming the file."""
        keys_file = tmp_path / "keys.json"
        keys_file.write_text('{"keys": ' + "[" * 10_000 + "]" * 10_000 + "}")
        with pytest.raises(SystemExit):
            parse_args(["--keys-file", str(keys_file)])
        assert str(keys_file) in capsys.readouterr().err
