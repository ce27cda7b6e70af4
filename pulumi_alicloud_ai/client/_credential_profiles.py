"""Profile files as credential sources: the ``aliyun`` CLI's ``config.json`` and ``credentials.ini``.

Private: import these names from :mod:`pulumi_alicloud_ai.client.credentials`. A profile only picks and
configures one of the providers in ``_credential_providers.py``; the file is re-read at each call and
the provider it describes is rebuilt only when the file or the chosen profile changed.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from pulumi_alicloud_ai.client._credential_providers import (
    IMDS_ENDPOINT,
    Clock,
    Credentials,
    CredentialsProvider,
    EcsRamRoleProvider,
    OIDCRoleArnProvider,
    RamRoleArnProvider,
    StaticCredentialsProvider,
    env_or_os,
    flag,
    home_dir,
)
from pulumi_alicloud_ai.client.errors import CredentialsError


@dataclass(frozen=True)
class _Shared:
    """What profile-built providers inherit from the profile provider that builds them."""

    environ: Mapping[str, str] | None
    http: httpx.Client | None
    clock: Clock
    sts_endpoint: str | None
    imds_endpoint: str

    def sts(self) -> dict[str, Any]:
        return {
            "environ": self.environ,
            "http": self.http,
            "clock": self.clock,
            "sts_endpoint": self.sts_endpoint,
        }

    def ecs(self, role_name: str | None) -> EcsRamRoleProvider:
        return EcsRamRoleProvider(
            role_name, endpoint=self.imds_endpoint, environ=self.environ, http=self.http, clock=self.clock
        )


def _duration(value: object) -> int:
    """A profile's duration; absent or 0 (the CLI writes 0 for "unset") means the default hour."""
    return int(value) if isinstance(value, int | str) and str(value).strip() not in ("", "0") else 3600


class _ProfileFileProvider:
    """Reads its file at each call; rebuilds the inner provider only when file or profile changed."""

    name: str

    def __init__(self, shared: _Shared, home: str | None) -> None:
        self._shared = shared
        self._home = home
        self._inner: tuple[bytes, CredentialsProvider] | None = None

    def get_credentials(self) -> Credentials:
        """Credentials from the selected profile, named ``<this name>/<inner name>``."""
        env = env_or_os(self._shared.environ)
        path, profile = self._locate(env)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CredentialsError(f"cannot read {path}: {exc.strerror}") from None
        key = hashlib.sha256(raw + b"\0" + (profile or "").encode()).digest()
        if self._inner is None or self._inner[0] != key:
            try:
                provider = self._build(path, raw, profile)
            except ValueError as exc:
                raise CredentialsError(f"{path}: {exc}") from None
            self._inner = (key, provider)
        credentials = self._inner[1].get_credentials()
        return replace(credentials, provider_name=f"{self.name}/{credentials.provider_name}")

    def _locate(self, env: Mapping[str, str]) -> tuple[str, str | None]:
        raise NotImplementedError

    def _build(self, path: str, raw: bytes, profile: str | None) -> CredentialsProvider:
        raise NotImplementedError


class CLIProfileProvider(_ProfileFileProvider):
    """A profile of the ``aliyun`` CLI's ``~/.aliyun/config.json``.

    The profile is ``profile_name``, else ``ALIBABA_CLOUD_PROFILE``, else the file's ``current``.
    ``ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`` turns the source off.
    """

    name = "cli_profile"

    def __init__(
        self,
        profile_name: str | None = None,
        *,
        path: str | None = None,
        environ: Mapping[str, str] | None = None,
        home: str | None = None,
        http: httpx.Client | None = None,
        sts_endpoint: str | None = None,
        imds_endpoint: str = IMDS_ENDPOINT,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(_Shared(environ, http, clock, sts_endpoint, imds_endpoint), home)
        self._profile_name = profile_name
        self._path = path

    def _locate(self, env: Mapping[str, str]) -> tuple[str, str | None]:
        if flag(env, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"):
            raise CredentialsError("disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true")
        path = self._path or os.path.join(home_dir(env, self._home), ".aliyun", "config.json")
        return path, self._profile_name or env.get("ALIBABA_CLOUD_PROFILE") or None

    def _build(self, path: str, raw: bytes, profile: str | None) -> CredentialsProvider:
        try:
            config = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ValueError("not valid JSON") from None
        if not isinstance(config, dict):
            raise ValueError("not a JSON object")  # noqa: TRY004 - a bad file, not a bad argument
        return self._mode(config, profile or config.get("current"), set())

    def _mode(self, config: dict[str, Any], name: object, seen: set[str]) -> CredentialsProvider:
        if not isinstance(name, str) or not name:
            raise ValueError("no profile selected (no ALIBABA_CLOUD_PROFILE and no 'current')")
        if name in seen:
            raise ValueError(f"profile '{name}' is its own source_profile")
        seen.add(name)
        profiles = config.get("profiles")
        profiles = profiles if isinstance(profiles, list) else []
        found = [p for p in profiles if isinstance(p, dict) and p.get("name") == name]
        if not found:
            raise ValueError(f"no profile named '{name}'")
        p, shared = found[0], self._shared
        mode = p.get("mode")
        if mode in ("AK", "StsToken"):
            token = p.get("sts_token") if mode == "StsToken" else None
            return StaticCredentialsProvider(
                p.get("access_key_id") or "", p.get("access_key_secret") or "", token
            )
        if mode == "EcsRamRole":
            return shared.ecs(p.get("ram_role_name") or None)
        common = {
            "duration_seconds": _duration(p.get("expired_seconds")),
            "policy": p.get("policy") or None,
            "sts_region": p.get("sts_region") or None,
            "enable_vpc": p.get("enable_vpc"),
            **shared.sts(),
        }
        if mode == "OIDC":
            return OIDCRoleArnProvider(
                p.get("ram_role_arn") or None,
                p.get("oidc_provider_arn") or None,
                p.get("oidc_token_file") or None,
                role_session_name=p.get("role_session_name") or None,
                **common,
            )
        if mode in ("RamRoleArn", "ChainableRamRoleArn"):
            source: CredentialsProvider
            if mode == "RamRoleArn":
                source = StaticCredentialsProvider(
                    p.get("access_key_id") or "", p.get("access_key_secret") or ""
                )
            else:
                source = self._mode(config, p.get("source_profile"), seen)
            return RamRoleArnProvider(
                source,
                p.get("ram_role_arn") or None,
                role_session_name=p.get("ram_session_name") or None,
                external_id=p.get("external_id") or None,
                **common,
            )
        raise ValueError(f"unsupported profile mode '{mode}' in profile '{name}'")


class ProfileProvider(_ProfileFileProvider):
    """A section of ``credentials.ini`` (``ALIBABA_CLOUD_CREDENTIALS_FILE``, else ``~/.alibabacloud/``).

    The section is ``profile_name``, else ``ALIBABA_CLOUD_PROFILE``, else ``default``; its ``type`` picks
    the provider.
    """

    name = "profile"

    def __init__(
        self,
        profile_name: str | None = None,
        *,
        path: str | None = None,
        environ: Mapping[str, str] | None = None,
        home: str | None = None,
        http: httpx.Client | None = None,
        sts_endpoint: str | None = None,
        imds_endpoint: str = IMDS_ENDPOINT,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(_Shared(environ, http, clock, sts_endpoint, imds_endpoint), home)
        self._profile_name = profile_name
        self._path = path

    def _locate(self, env: Mapping[str, str]) -> tuple[str, str | None]:
        path = self._path or env.get("ALIBABA_CLOUD_CREDENTIALS_FILE")
        path = path or os.path.join(home_dir(env, self._home), ".alibabacloud", "credentials.ini")
        return path, self._profile_name or env.get("ALIBABA_CLOUD_PROFILE") or "default"

    def _build(self, path: str, raw: bytes, profile: str | None) -> CredentialsProvider:
        parser = configparser.ConfigParser(interpolation=None)  # a '%' in a secret is just a character
        try:
            parser.read_string(raw.decode("utf-8"))
        except (configparser.Error, UnicodeDecodeError):
            raise ValueError("not a valid INI file") from None
        name = profile or "default"
        if not parser.has_section(name):
            raise ValueError(f"no section [{name}]")
        # The SDK drops everything after a '#' in a value, as an inline comment.
        s = {key: value.split("#")[0].strip() for key, value in parser.items(name)}
        kind, shared = s.get("type"), self._shared
        if kind == "access_key":
            return StaticCredentialsProvider(s.get("access_key_id", ""), s.get("access_key_secret", ""))
        if kind == "ram_role_arn":
            source = StaticCredentialsProvider(s.get("access_key_id", ""), s.get("access_key_secret", ""))
            return RamRoleArnProvider(
                source,
                s.get("role_arn") or None,
                role_session_name=s.get("role_session_name") or None,
                policy=s.get("policy") or None,
                **shared.sts(),
            )
        if kind == "oidc_role_arn":
            return OIDCRoleArnProvider(
                s.get("role_arn") or None,
                s.get("oidc_provider_arn") or None,
                s.get("oidc_token_file_path") or None,
                role_session_name=s.get("role_session_name") or None,
                policy=s.get("policy") or None,
                **shared.sts(),
            )
        if kind == "ecs_ram_role":
            return shared.ecs(s.get("role_name") or None)
        if kind == "rsa_key_pair":
            raise ValueError(f"[{name}]: unsupported credential type 'rsa_key_pair' (not implemented here)")
        raise ValueError(f"[{name}]: unsupported credential type {kind!r}")
