"""``ProviderSettings``: the dynamic-provider counterpart of ``alicloud.Provider(...)``.

Pass one to any resource to put it in another account or region than the stack's::

    from pulumi_alicloud_ai import AppService, AppServiceArgs, AssumeRole, ProviderSettings

    prod = ProviderSettings(region="cn-hangzhou", assume_role=AssumeRole(role_arn="acs:ram::1234:role/deployer"))
    staging = ProviderSettings(profile="staging")   # a profile of ~/.aliyun/config.json

    AppService("chat", AppServiceArgs(...), settings=prod)
    AppService("chat-staging", AppServiceArgs(...), settings=staging)

A settings object carries only references (a profile name, a role ARN, a region, an endpoint), never
keys: it is recorded in the resource's state, and the credentials it names are resolved each time a
call is signed, in the provider. Its values outrank the stack config and the environment (see
``docs/settings.md``). Against an emulator, its profile and role are used too (the stack's own
credentials never are), so several accounts can be tested against one emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SESSION_EXPIRATION_RANGE = (900, 3600)
"""pulumi-alicloud's bounds for ``assumeRole.sessionExpiration`` (seconds)."""


def _text(name: str, value: Any, limit: int = 1024) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > limit):
        raise ValueError(f"{name} must be a non-empty string of at most {limit} characters, got {value!r}")


@dataclass(frozen=True)
class AssumeRole:
    """A RAM role to assume with the base credentials (pulumi-alicloud's ``assumeRole`` block)."""

    role_arn: str
    """``acs:ram::<account id>:role/<role name>``."""
    session_name: str | None = None
    session_expiration: int | None = None
    """Seconds, 900 to 3600 (default 3600)."""
    policy: str | None = None
    """A policy document (JSON text) that further restricts the assumed role."""

    def __post_init__(self) -> None:
        _text("assume_role.role_arn", self.role_arn)
        _text("assume_role.session_name", self.session_name, 64)
        _text("assume_role.policy", self.policy, 2048)
        low, high = SESSION_EXPIRATION_RANGE
        expiration = self.session_expiration
        if expiration is not None and (
            isinstance(expiration, bool) or not isinstance(expiration, int) or not low <= expiration <= high
        ):
            raise ValueError(f"assume_role.session_expiration must be whole seconds from {low} to {high}")

    def to_inputs(self) -> dict[str, Any]:
        """The recorded form (snake_case keys, unset fields left out)."""
        fields = {
            "role_arn": self.role_arn,
            "session_name": self.session_name,
            "session_expiration": self.session_expiration,
            "policy": self.policy,
        }
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class ProviderSettings:
    """Where a resource lives and which credentials it uses: references only, never secrets."""

    region: str | None = None
    """Outranks ``alicloud:region``; the resource's own ``region`` input outranks this."""
    profile: str | None = None
    """A profile of the shared credentials file, used instead of the stack's credentials."""
    shared_credentials_file: str | None = None
    """The file ``profile`` is read from (default ``~/.aliyun/config.json``)."""
    assume_role: AssumeRole | None = None
    """A role assumed with the resource's base credentials (its profile, else the stack's)."""
    endpoint: str | None = None
    """One base URL for every product, e.g. an emulator's ``http://127.0.0.1:8123``."""

    def __post_init__(self) -> None:
        for name in ("region", "profile", "shared_credentials_file"):
            _text(name, getattr(self, name))
        if self.assume_role is not None and not isinstance(self.assume_role, AssumeRole):
            raise TypeError("assume_role must be an AssumeRole")
        if self.endpoint is not None:
            _text("endpoint", self.endpoint)
            parts = urlsplit(self.endpoint)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"endpoint must be an http(s) URL such as http://127.0.0.1:8123, got {self.endpoint!r}"
                )

    def to_inputs(self) -> dict[str, Any]:
        """The ``settings`` input a resource records (unset fields left out)."""
        fields: dict[str, Any] = {
            "region": self.region,
            "profile": self.profile,
            "shared_credentials_file": self.shared_credentials_file,
            "assume_role": self.assume_role.to_inputs() if self.assume_role else None,
            "endpoint": self.endpoint,
        }
        return {key: value for key, value in fields.items() if value is not None}
