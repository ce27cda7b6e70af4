"""The settings rule on its own: one precedence for every key, what is reported, what is refused."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_alicloud_ai._secret import Secret
from pulumi_alicloud_ai.resources._settings import Placement, Resolution, decide, resolve

ROLE_A, ROLE_B, ROLE_C = "acs:ram::111:role/a", "acs:ram::222:role/b", "acs:ram::333:role/c"


@dataclass
class Setup:
    environ: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    resource: dict[str, Any] = field(default_factory=dict)

    def run(self, *, chain: bool = False) -> Resolution:
        return resolve(
            environ=self.environ, config=self.config, resource=self.resource, has_credentials=lambda _p: chain
        )


@dataclass(frozen=True)
class Source:
    """One place a setting can come from: the key reported, how to set it, what it yields."""

    key: str
    put: Callable[[Setup], None]
    value: str


def env(name: str, value: str) -> Callable[[Setup], None]:
    return lambda s: s.environ.__setitem__(name, value)


def cfg(name: str, value: Any) -> Callable[[Setup], None]:
    return lambda s: s.config.__setitem__(name, value)


def res(name: str, value: Any) -> Callable[[Setup], None]:
    return lambda s: s.resource.__setitem__(name, value)


def both(*puts: Callable[[Setup], None]) -> Callable[[Setup], None]:
    def put(setup: Setup) -> None:
        for one in puts:
            one(setup)

    return put


def endpoint_of(r: Resolution) -> str:
    return str(r.endpoint)


def region_of(r: Resolution) -> str:
    return str(r.region)


def mode_of(r: Resolution) -> str:
    return r.mode


def profile_of(r: Resolution) -> str:
    return r.credentials.profile.name if r.credentials.profile else "-"


def profile_file_of(r: Resolution) -> str:
    return str(r.credentials.profile.path) if r.credentials.profile else "-"


def role_of(r: Resolution) -> str:
    return r.credentials.assume_role.role_arn if r.credentials.assume_role else "-"


def credentials_of(r: Resolution) -> str:
    plan = r.credentials
    if plan.static is not None:
        return plan.static.access_key_id.reveal()
    return profile_of(r)


# Every setting, its sources highest first, and how to read the winner off the resolution.
PRECEDENCE: dict[str, tuple[list[Source], Callable[[Resolution], str]]] = {
    "endpoint": (
        [
            Source("settings.endpoint", res("endpoint", "https://a.example.com"), "https://a.example.com"),
            Source(
                "alicloud-ai:endpoint",
                cfg("alicloud-ai:endpoint", "https://b.example.com"),
                "https://b.example.com",
            ),
            Source(
                "ALICLOUD_AI_ENDPOINT",
                env("ALICLOUD_AI_ENDPOINT", "https://c.example.com"),
                "https://c.example.com",
            ),
        ],
        endpoint_of,
    ),
    "region": (
        [
            Source("settings.region", res("region", "cn-hangzhou"), "cn-hangzhou"),
            Source("alicloud:region", cfg("alicloud:region", "cn-beijing"), "cn-beijing"),
            Source("ALICLOUD_REGION", env("ALICLOUD_REGION", "ap-southeast-1"), "ap-southeast-1"),
            Source("ALIBABA_CLOUD_REGION_ID", env("ALIBABA_CLOUD_REGION_ID", "cn-shenzhen"), "cn-shenzhen"),
        ],
        region_of,
    ),
    "mode": (
        [
            Source("alicloud-ai:mode", cfg("alicloud-ai:mode", "cloud"), "cloud"),
            Source("ALICLOUD_AI_MODE", env("ALICLOUD_AI_MODE", "emulator"), "emulator"),
        ],
        mode_of,
    ),
    "profile": (
        [
            Source("settings.profile", res("profile", "p1"), "p1"),
            Source("alicloud:profile", cfg("alicloud:profile", "p2"), "p2"),
            Source("ALICLOUD_PROFILE", env("ALICLOUD_PROFILE", "p3"), "p3"),
        ],
        profile_of,
    ),
    "shared credentials file": (
        [
            Source(
                "settings.shared_credentials_file",
                both(res("profile", "p"), res("shared_credentials_file", "/f1")),
                "/f1",
            ),
            Source(
                "alicloud:sharedCredentialsFile",
                both(res("profile", "p"), cfg("alicloud:sharedCredentialsFile", "/f2")),
                "/f2",
            ),
            Source(
                "ALICLOUD_SHARED_CREDENTIALS_FILE",
                both(res("profile", "p"), env("ALICLOUD_SHARED_CREDENTIALS_FILE", "/f3")),
                "/f3",
            ),
        ],
        profile_file_of,
    ),
    "assume role": (
        [
            Source("settings.assume_role", res("assume_role", {"role_arn": ROLE_A}), ROLE_A),
            Source(
                "alicloud:assumeRole", cfg("alicloud:assumeRole", json.dumps({"roleArn": ROLE_B})), ROLE_B
            ),
            Source("ALICLOUD_ASSUME_ROLE_ARN", env("ALICLOUD_ASSUME_ROLE_ARN", ROLE_C), ROLE_C),
        ],
        role_of,
    ),
    "credentials": (
        [
            Source("settings.profile", res("profile", "resource-profile"), "resource-profile"),
            Source(
                "alicloud:accessKey",
                both(
                    cfg("alicloud:accessKey", Secret("config-key")), cfg("alicloud:secretKey", Secret("s1"))
                ),
                "config-key",
            ),
            Source(
                "ALICLOUD_ACCESS_KEY",
                both(env("ALICLOUD_ACCESS_KEY", "env-key"), env("ALICLOUD_SECRET_KEY", "s2")),
                "env-key",
            ),
            Source("alicloud:profile", cfg("alicloud:profile", "stack-profile"), "stack-profile"),
            Source("ALICLOUD_PROFILE", env("ALICLOUD_PROFILE", "env-profile"), "env-profile"),
        ],
        credentials_of,
    ),
}

PAIRS = [
    pytest.param(name, sources[i], sources[j], read, id=f"{name}: {sources[i].key} > {sources[j].key}")
    for name, (sources, read) in PRECEDENCE.items()
    for i in range(len(sources))
    for j in range(i + 1, len(sources))
]
SINGLES = [
    pytest.param(source, read, id=f"{name}: {source.key}")
    for name, (sources, read) in PRECEDENCE.items()
    for source in sources
]


@pytest.mark.parametrize(("source", "read"), SINGLES)
def test_each_source_alone_is_honoured_and_reported_as_used(
    source: Source, read: Callable[[Resolution], str]
) -> None:
    """Every alicloud:* key, ALICLOUD_* variable and settings field works on its own."""
    setup = Setup(environ={"ALICLOUD_AI_MODE": "cloud"} if source.key != "alicloud-ai:mode" else {})
    source.put(setup)
    resolution = setup.run(chain=True)
    assert read(resolution) == source.value
    used = [seen for seen in resolution.seen if seen.key == source.key]
    assert used
    assert used[0].used


@pytest.mark.parametrize(("name", "higher", "lower", "read"), PAIRS)
def test_the_higher_source_wins_and_the_lower_is_reported_ignored(
    name: str, higher: Source, lower: Source, read: Callable[[Resolution], str]
) -> None:
    """With both set, the documented order decides, and the loser is listed with what outranked it."""
    setup = Setup(environ={"ALICLOUD_AI_MODE": "cloud"} if name != "mode" else {})
    higher.put(setup)
    lower.put(setup)
    resolution = setup.run(chain=True)
    assert read(resolution) == higher.value
    ignored = [seen for seen in resolution.seen if seen.key == lower.key]
    assert ignored
    assert not ignored[0].used
    assert "overridden by" in ignored[0].why


class TestDecide:
    @pytest.mark.parametrize(
        ("mode", "endpoint", "credentials", "expected"),
        [
            ("emulator", None, True, Placement(True, None)),
            ("emulator", "https://example.com", False, Placement(True, "https://example.com")),
            ("cloud", None, False, Placement(False, None)),
            ("cloud", "http://127.0.0.1:1", False, Placement(False, "http://127.0.0.1:1")),
            ("auto", "http://127.0.0.1:1", True, Placement(True, "http://127.0.0.1:1")),
            (
                "auto",
                "https://pai-eas-vpc.cn-shanghai.aliyuncs.com",
                False,
                Placement(False, "https://pai-eas-vpc.cn-shanghai.aliyuncs.com"),
            ),
            ("auto", None, True, Placement(False, None)),
            ("auto", None, False, Placement(True, None)),
        ],
    )
    def test_mode_and_endpoint_decide_cloud_or_emulator(
        self, mode: str, endpoint: str | None, credentials: bool, expected: Placement
    ) -> None:
        """The one mode-and-endpoint rule (doctor, program and providers all use it)."""
        assert decide(mode, endpoint, lambda: credentials) == expected

    def test_the_chain_is_asked_only_when_it_decides(self) -> None:
        """Only auto mode without an endpoint asks whether credentials exist (it may probe the network)."""
        asked: list[bool] = []

        def probe() -> bool:
            asked.append(True)
            return True

        decide("cloud", None, probe)
        decide("auto", "http://127.0.0.1:1", probe)
        assert asked == []
        decide("auto", None, probe)
        assert asked == [True]

    def test_explicit_credentials_decide_auto_mode_without_asking_the_chain(self) -> None:
        """alicloud:accessKey/secretKey alone mean the cloud (they used to be ignored)."""
        setup = Setup(config={"alicloud:accessKey": Secret("k"), "alicloud:secretKey": Secret("s")})
        resolution = resolve(
            environ={}, config=setup.config, has_credentials=lambda _p: pytest.fail("chain asked")
        )
        assert resolution.placement == Placement(False, None)


class TestEmulator:
    def test_cloud_credentials_are_never_planned_for_an_emulator(self) -> None:
        """Against an emulator the stack's keys, profile and role are listed as ignored, with why."""
        setup = Setup(
            environ={
                "ALICLOUD_AI_ENDPOINT": "http://127.0.0.1:9",
                "ALICLOUD_ACCESS_KEY": "k",
                "ALICLOUD_SECRET_KEY": "s",
            },
            config={"alicloud:profile": "prod", "alicloud:assumeRole": json.dumps({"roleArn": ROLE_B})},
        )
        resolution = setup.run()
        assert resolution.placement.emulated
        assert resolution.credentials.emulator_keys
        assert resolution.credentials.static is None
        assert resolution.credentials.assume_role is None
        ignored = {seen.key: seen.why for seen in resolution.seen if not seen.used}
        assert set(ignored) >= {
            "ALICLOUD_ACCESS_KEY",
            "ALICLOUD_SECRET_KEY",
            "alicloud:profile",
            "alicloud:assumeRole",
        }
        assert all("emulator" in why for why in ignored.values())

    def test_a_resources_own_profile_and_role_are_used_against_an_emulator(self) -> None:
        """So several accounts can be tested against one emulator."""
        setup = Setup(
            environ={"ALICLOUD_AI_ENDPOINT": "http://127.0.0.1:9"},
            resource={"profile": "team-a", "assume_role": {"role_arn": ROLE_A}},
        )
        plan = setup.run().credentials
        assert not plan.emulator_keys
        assert profile_of(setup.run()) == "team-a"
        assert plan.assume_role is not None
        assert plan.assume_role.role_arn == ROLE_A

    def test_an_emulator_without_a_region_gets_its_default(self) -> None:
        """cn-shanghai, the emulator's own region, and the reason is named."""
        resolution = Setup(environ={"ALICLOUD_AI_MODE": "emulator"}).run()
        assert resolution.region == "cn-shanghai"
        assert "emulator" in resolution.region_key


class TestValues:
    def test_recorded_values_fill_what_live_config_lacks(self) -> None:
        """The engine's config wins; what the program recorded is used when a key is absent."""
        live = resolve(
            environ={},
            config={"alicloud-ai:endpoint": "http://127.0.0.1:2"},
            recorded={"endpoint": "http://127.0.0.1:1", "mode": "emulator"},
            has_credentials=lambda _p: False,
        )
        assert live.endpoint == "http://127.0.0.1:2"
        assert live.mode == "emulator"
        assert {seen.key: seen.source for seen in live.seen}["alicloud-ai:mode"] == "recorded in state"

    def test_assume_role_fields_and_environment_defaults(self) -> None:
        """sessionName, sessionExpiration and policy are read; the env fills session fields of an env role."""
        from_config = Setup(
            environ={"ALICLOUD_AI_MODE": "cloud"},
            config={
                "alicloud:assumeRole": json.dumps(
                    {
                        "roleArn": ROLE_A,
                        "sessionName": "ci",
                        "sessionExpiration": 1800,
                        "policy": {"Version": "1"},
                    }
                )
            },
        ).run(chain=True)
        role = from_config.credentials.assume_role
        assert role is not None
        assert (role.session_name, role.session_expiration, role.policy) == ("ci", 1800, '{"Version":"1"}')
        from_env = Setup(
            environ={
                "ALICLOUD_AI_MODE": "cloud",
                "ALICLOUD_ASSUME_ROLE_ARN": ROLE_C,
                "ALICLOUD_ASSUME_ROLE_SESSION_NAME": "night",
                "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION": "900",
            }
        ).run(chain=True)
        role = from_env.credentials.assume_role
        assert role is not None
        assert (role.role_arn, role.session_name, role.session_expiration) == (ROLE_C, "night", 900)

    @pytest.mark.parametrize(
        ("setup", "key", "words"),
        [
            (
                Setup(config={"alicloud-ai:mode": "clod"}),
                "alicloud-ai:mode",
                "allowed values: auto, cloud, emulator",
            ),
            (Setup(environ={"ALICLOUD_AI_ENDPOINT": "ftp://x"}), "ALICLOUD_AI_ENDPOINT", "not a URL"),
            (
                Setup(config={"alicloud:accessKey": Secret("k")}),
                "alicloud:secretKey",
                "alicloud:accessKey is set",
            ),
            (Setup(config={"alicloud:assumeRole": "not json"}), "alicloud:assumeRole", "roleArn"),
            (
                Setup(
                    config={"alicloud:assumeRole": json.dumps({"roleArn": ROLE_A, "sessionExpiration": 60})}
                ),
                "alicloud:assumeRole.sessionExpiration",
                "900 to 3600",
            ),
        ],
        ids=["mode", "endpoint", "half-a-key", "role-json", "role-expiration"],
    )
    def test_a_bad_value_is_a_problem_naming_the_key(self, setup: Setup, key: str, words: str) -> None:
        """Each unusable setting is reported with the key the user wrote and what is allowed."""
        problems = setup.run(chain=True).problems
        assert [problem.key for problem in problems] == [key]
        assert words in problems[0].message

    def test_secrets_are_masked_in_every_report_and_never_pickled(self) -> None:
        """Keys and tokens show as ****; the plan holding them cannot be pickled into state."""
        setup = Setup(
            environ={
                "ALICLOUD_SECRET_KEY": "env-secret",
                "ALICLOUD_ACCESS_KEY": "env-id",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "chain-secret",
            },
            config={
                "alicloud:secretKey": Secret("cfg-secret"),
                "alicloud:accessKey": Secret("cfg-id"),
                "alicloud:securityToken": Secret("cfg-token"),
            },
        )
        resolution = setup.run()
        text = " ".join(seen.line() for seen in resolution.seen) + repr(resolution)
        for planted in ("env-secret", "env-id", "chain-secret", "cfg-secret", "cfg-id", "cfg-token"):
            assert planted not in text
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(resolution.credentials)

    def test_unknown_keys_of_our_namespaces_are_reported(self) -> None:
        """A typo such as alicloud-ai:endpiont is listed as not read, rather than silently dropped."""
        resolution = Setup(
            config={"alicloud-ai:endpiont": "http://127.0.0.1:1", "alicloud:accountId": "1"}
        ).run()
        ignored = {seen.key: seen.why for seen in resolution.seen if not seen.used}
        assert "not a setting" in ignored["alicloud-ai:endpiont"]
        assert "alicloud:accountId" in ignored
        assert resolution.endpoint is None
