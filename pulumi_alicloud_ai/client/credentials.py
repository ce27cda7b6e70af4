"""Where credentials come from: named providers (botocore style) and the SDK's default chain.

The product SDKs never consult a chain on their own; our client asks :func:`default_chain` for one
explicitly. It mirrors ``alibabacloud-credentials`` 1.0.12: environment → OIDC role (RRSA) → CLI profile
(``~/.aliyun/config.json``) → INI profile (``credentials.ini``) → ECS RAM role (IMDS) → credentials URI.
The first source that answers wins and is remembered; reported names carry the SDK's prefixes
(``default/env``, ``default/profile/static_ak``, ``default/cli_profile/ram_role_arn/static_ak``), which
become the signed ``x-acs-credentials-provider`` header.

Deliberate differences from the SDK:

* Environment variables are read when ``get_credentials()`` runs, not once when the module is imported:
  ``environ=None`` means ``os.environ`` as it is at each call, and tests pass a dict. Chain membership
  follows: a source whose switch is off (OIDC vars unset, ``ALIBABA_CLOUD_ECS_METADATA_DISABLED=true``,
  no ``ALIBABA_CLOUD_CREDENTIALS_URI``) stays in the chain and reports why it has nothing.
* Temporary credentials are refreshed inline by the call that finds them within 15 minutes of their
  ``Expiration`` (clock injectable); there is no background scheduler thread. IMDS, like the SDK's
  ``StaleValueBehavior.ALLOW``, keeps serving a stale but unexpired value when a refresh fails.
* Profile files are re-read on every call; the provider built from a profile is kept while the file and
  the chosen profile are unchanged, so its cached STS credentials survive.
* The chain collects only :class:`CredentialsError`; any other exception is a bug and propagates.
  No message quotes a secret, a response body or a URL query.
* CLI modes ``CloudSSO``/``OAuth``/``External`` and INI ``rsa_key_pair`` are refused with a clear error.

:class:`Credentials` redacts itself and refuses to be pickled: Pulumi pickles dynamic providers into the
stack state, so a provider must resolve credentials at call time and never hold them.

The classes live in private modules (``_credential_providers``, ``_credential_profiles``, and the
network calls in ``_credential_fetch``) and are re-exported here; import them from this module.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import httpx

from pulumi_alicloud_ai.client import _credential_fetch as fetch
from pulumi_alicloud_ai.client._credential_profiles import CLIProfileProvider, ProfileProvider
from pulumi_alicloud_ai.client._credential_providers import (
    IMDS_ENDPOINT,
    REFRESH_MARGIN_SECONDS,
    Credentials,
    CredentialsProvider,
    CredentialsURIProvider,
    EcsRamRoleProvider,
    EnvironmentProvider,
    OIDCRoleArnProvider,
    RamRoleArnProvider,
    StaticCredentialsProvider,
)
from pulumi_alicloud_ai.client.errors import CredentialsError

__all__ = [
    "IMDS_ENDPOINT",
    "REFRESH_MARGIN_SECONDS",
    "CLIProfileProvider",
    "ChainProvider",
    "Credentials",
    "CredentialsProvider",
    "CredentialsURIProvider",
    "EcsRamRoleProvider",
    "EnvironmentProvider",
    "OIDCRoleArnProvider",
    "ProfileProvider",
    "RamRoleArnProvider",
    "StaticCredentialsProvider",
    "caller_identity",
    "configured_provider",
    "default_chain",
    "sts_base_url",
]


def _reason(error: CredentialsError) -> str:
    extras = [error.code] if error.code != "InvalidCredentials" else []
    if error.request_id:
        extras.append(f"RequestId: {error.request_id}")
    return error.message + (f" ({', '.join(extras)})" if extras else "")


class ChainProvider:
    """Asks each provider in turn; the first that answers is remembered and asked directly next time.

    On total failure the :class:`CredentialsError` lists every source with its reason (never a secret).
    """

    def __init__(self, providers: Sequence[CredentialsProvider], *, name: str = "default") -> None:
        self.name = name
        self._providers = tuple(providers)
        self._last: CredentialsProvider | None = None

    def get_credentials(self) -> Credentials:
        """Credentials named ``<chain name>/<source name>``."""
        if self._last is not None:
            return self._named(self._last.get_credentials())
        reasons = []
        for provider in self._providers:
            try:
                credentials = provider.get_credentials()
            except CredentialsError as exc:
                reasons.append(f"{provider.name}: {_reason(exc)}")
                continue
            self._last = provider
            return self._named(credentials)
        raise CredentialsError(
            "unable to load credentials from any of the providers in the chain: " + "; ".join(reasons)
        )

    def _named(self, credentials: Credentials) -> Credentials:
        return replace(credentials, provider_name=f"{self.name}/{credentials.provider_name}")


def default_chain(
    environ: Mapping[str, str] | None = None,
    *,
    home: str | None = None,
    http: httpx.Client | None = None,
    imds_endpoint: str = IMDS_ENDPOINT,
    sts_endpoint: str | None = None,
    clock: Callable[[], float] = time.time,
) -> ChainProvider:
    """The SDK's default chain: env, OIDC, CLI profile, INI profile, ECS RAM role, credentials URI.

    ``environ=None`` reads ``os.environ`` at each call; ``home`` replaces ``$HOME``; ``http``,
    ``imds_endpoint``, ``sts_endpoint`` (a full base URL) and ``clock`` exist for tests.
    """
    return ChainProvider(
        [
            EnvironmentProvider(environ),
            OIDCRoleArnProvider(environ=environ, http=http, clock=clock, sts_endpoint=sts_endpoint),
            CLIProfileProvider(
                environ=environ,
                home=home,
                http=http,
                clock=clock,
                sts_endpoint=sts_endpoint,
                imds_endpoint=imds_endpoint,
            ),
            ProfileProvider(
                environ=environ,
                home=home,
                http=http,
                clock=clock,
                sts_endpoint=sts_endpoint,
                imds_endpoint=imds_endpoint,
            ),
            EcsRamRoleProvider(endpoint=imds_endpoint, environ=environ, http=http, clock=clock),
            CredentialsURIProvider(environ=environ, http=http, clock=clock),
        ]
    )


def configured_provider(
    *,
    static: tuple[str, str, str | None] | None = None,
    profile: str | None = None,
    profile_path: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    role_duration_seconds: int | None = None,
    role_policy: str | None = None,
    environ: Mapping[str, str] | None = None,
    sts_endpoint: str | None = None,
    http: httpx.Client | None = None,
    clock: Callable[[], float] = time.time,
) -> CredentialsProvider:
    """The provider pulumi-alicloud's settings describe: given keys (``static``: id, secret, token),
    else a named profile of the CLI's ``config.json`` (``profile_path`` replaces
    ``~/.aliyun/config.json``), else the default chain; with ``role_arn``, that role is assumed with
    whichever of them answered. Nothing is fetched until credentials are asked for.
    """
    base: CredentialsProvider
    if static is not None:
        base = StaticCredentialsProvider(*static)
    elif profile:
        base = CLIProfileProvider(
            profile, path=profile_path, environ=environ, http=http, sts_endpoint=sts_endpoint, clock=clock
        )
    else:
        base = default_chain(environ, http=http, sts_endpoint=sts_endpoint, clock=clock)
    if not role_arn:
        return base
    return RamRoleArnProvider(
        base,
        role_arn,
        role_session_name=role_session_name,
        duration_seconds=role_duration_seconds or 3600,
        policy=role_policy,
        sts_endpoint=sts_endpoint,
        environ=environ,
        http=http,
        clock=clock,
    )


def sts_base_url(
    environ: Mapping[str, str] | None = None, *, region: str | None = None, override: str | None = None
) -> str:
    """Where STS calls go: ``override`` (an emulator), else ``sts.{region}`` as the SDK picks it."""
    env = os.environ if environ is None else environ
    return fetch.sts_base_url(env, override=override, region=region, enable_vpc=None)


def caller_identity(
    credentials: CredentialsProvider,
    sts_url: str,
    *,
    http: httpx.Client | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, str]:
    """STS ``GetCallerIdentity`` with these credentials: ``AccountId``, ``Arn`` and ``IdentityType``.

    Any key may call it (it needs no RAM permission), so it is how a provider learns which account it
    is about to act in.
    """
    current = credentials.get_credentials()
    return fetch.caller_identity(
        http,
        sts_url.rstrip("/"),
        access_key_id=current.access_key_id,
        access_key_secret=current.access_key_secret,
        security_token=current.security_token,
        now=clock(),
    )
