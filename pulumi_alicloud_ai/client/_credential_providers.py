"""Credential values and the sources that produce them, one class per source (see ``credentials.py``).

Private: import these names from :mod:`pulumi_alicloud_ai.client.credentials`. The network calls live in
``_credential_fetch.py``; this module decides what to ask, what to cache and what to call the result.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

import httpx

from pulumi_alicloud_ai.client import _credential_fetch as fetch
from pulumi_alicloud_ai.client.errors import CredentialsError

IMDS_ENDPOINT = "http://100.100.100.200"
REFRESH_MARGIN_SECONDS = 15 * 60
"""Temporary credentials are fetched again once they are this close to ``Expiration`` (the SDK's rule)."""
DEFAULT_DURATION_SECONDS = 3600

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """One access key (plus STS token when temporary) and the name of the source that produced it.

    :ivar provider_name: sent as the signed ``x-acs-credentials-provider`` header.
    :ivar expiration: epoch seconds; None for long-lived keys.
    """

    access_key_id: str
    access_key_secret: str
    security_token: str | None = None
    provider_name: str = "static_ak"
    expiration: float | None = None

    def __repr__(self) -> str:
        token = "'****'" if self.security_token else "None"
        return (
            f"Credentials(access_key_id='{self.access_key_id[:4]}****', access_key_secret='****', "
            f"security_token={token}, provider_name={self.provider_name!r}, expiration={self.expiration!r})"
        )

    __str__ = __repr__

    # Pulumi dill-pickles dynamic providers into the stack state; refusing here makes a provider that
    # captured credentials fail loudly at preview instead of writing keys into the state file.
    def __reduce__(self) -> NoReturn:
        raise TypeError("Credentials cannot be pickled; resolve them from a provider at call time")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("Credentials cannot be pickled; resolve them from a provider at call time")

    def __getstate__(self) -> NoReturn:
        raise TypeError("Credentials cannot be pickled; resolve them from a provider at call time")

    def __copy__(self) -> Credentials:
        return self  # immutable, so copying needs no pickling protocol

    def __deepcopy__(self, memo: dict[int, Any]) -> Credentials:
        return self


class CredentialsProvider(Protocol):
    """A credential source. ``name`` appears in chain error messages and in ``provider_name``."""

    name: str

    def get_credentials(self) -> Credentials:
        """Current credentials; raises :class:`CredentialsError` when this source has nothing."""
        ...


def env_or_os(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    """The given mapping, or ``os.environ`` as it is now (read per call, unlike the SDK)."""
    return os.environ if environ is None else environ


def flag(environ: Mapping[str, str], name: str) -> bool:
    """A switch variable is on only when it reads ``true`` (any case), as in the SDK."""
    return environ.get(name, "").strip().lower() == "true"


def home_dir(environ: Mapping[str, str], home: str | None) -> str:
    """``~`` as the SDK resolves it: ``$HOME``, else ``$HOMEPATH``, else the user's home directory."""
    return home or environ.get("HOME") or environ.get("HOMEPATH") or os.path.expanduser("~")


def _temporary(body: Mapping[str, str], provider_name: str, what: str) -> Credentials:
    return Credentials(
        access_key_id=body["AccessKeyId"],
        access_key_secret=body["AccessKeySecret"],
        security_token=body["SecurityToken"],
        provider_name=provider_name,
        expiration=fetch.parse_expiration(body["Expiration"], what),
    )


class StaticCredentialsProvider:
    """Keys given in code or a profile: ``static_ak``, or ``static_sts`` when a token comes with them."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str | None = None) -> None:
        self.name = "static_sts" if security_token else "static_ak"
        self._credentials = Credentials(access_key_id, access_key_secret, security_token or None, self.name)

    def get_credentials(self) -> Credentials:
        """The keys as given; empty ones are an error rather than a request doomed to fail signing."""
        if not self._credentials.access_key_id or not self._credentials.access_key_secret:
            raise CredentialsError("access key id and access key secret must not be empty")
        return self._credentials


class EnvironmentProvider:
    """``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET`` (+ optional ``_SECURITY_TOKEN``), read at each call."""

    name = "env"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def get_credentials(self) -> Credentials:
        """Both key variables must be non-empty; the name stays ``env`` even with a token, as in the SDK."""
        env = env_or_os(self._environ)
        key_id = env.get("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
        secret = env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
        missing = [n for n, v in (("ACCESS_KEY_ID", key_id), ("ACCESS_KEY_SECRET", secret)) if not v]
        if missing:
            raise CredentialsError(" and ".join(f"ALIBABA_CLOUD_{n}" for n in missing) + " not set")
        token = env.get("ALIBABA_CLOUD_SECURITY_TOKEN") or None
        return Credentials(key_id, secret, token, self.name)


class _RefreshingProvider:
    """Caches temporary credentials and fetches anew within 15 minutes of ``Expiration``.

    Refresh runs on the calling thread under a lock, so concurrent callers trigger one fetch.
    """

    name: str
    _serve_stale_on_failure = False

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cached: Credentials | None = None
        self._lock = threading.Lock()

    def get_credentials(self) -> Credentials:
        """The cached credentials while fresh, else freshly fetched ones."""
        with self._lock:
            now = self._clock()
            cached = self._cached
            if cached is not None and (
                cached.expiration is None or now < cached.expiration - REFRESH_MARGIN_SECONDS
            ):
                return cached
            try:
                self._cached = self._fetch(now)
            except CredentialsError:
                still_valid = cached is not None and cached.expiration is not None and now < cached.expiration
                if self._serve_stale_on_failure and still_valid and cached is not None:
                    return cached
                raise
            return self._cached

    def _fetch(self, now: float) -> Credentials:
        raise NotImplementedError


class _StsProvider(_RefreshingProvider):
    """Shared STS settings: endpoint choice, session name, duration (at least 900 s, as STS demands)."""

    def __init__(
        self,
        *,
        role_session_name: str | None,
        duration_seconds: int,
        policy: str | None,
        sts_region: str | None,
        enable_vpc: bool | None,
        sts_endpoint: str | None,
        environ: Mapping[str, str] | None,
        http: httpx.Client | None,
        clock: Clock,
    ) -> None:
        super().__init__(clock)
        if duration_seconds < 900:
            raise ValueError("session duration must be at least 900 seconds")
        self._session_name = role_session_name
        self._duration = duration_seconds
        self._policy = policy
        self._sts_region = sts_region
        self._enable_vpc = enable_vpc
        self._sts_endpoint = sts_endpoint
        self._environ = environ
        self._http = http

    def _base_url(self, env: Mapping[str, str]) -> str:
        return fetch.sts_base_url(
            env, override=self._sts_endpoint, region=self._sts_region, enable_vpc=self._enable_vpc
        )

    def _session(self, env: Mapping[str, str], now: float) -> str:
        return (
            self._session_name
            or env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME")
            or f"pulumi-alicloud-ai-{int(now)}"
        )


class RamRoleArnProvider(_StsProvider):
    """STS ``AssumeRole`` with keys from ``source``, signed with legacy RPC HMAC-SHA1.

    ``role_arn`` defaults to ``ALIBABA_CLOUD_ROLE_ARN``. The reported name is
    ``ram_role_arn/<source name>``, as in the SDK.
    """

    name = "ram_role_arn"

    def __init__(
        self,
        source: CredentialsProvider,
        role_arn: str | None = None,
        *,
        role_session_name: str | None = None,
        duration_seconds: int = DEFAULT_DURATION_SECONDS,
        policy: str | None = None,
        external_id: str | None = None,
        sts_region: str | None = None,
        enable_vpc: bool | None = None,
        sts_endpoint: str | None = None,
        environ: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(
            role_session_name=role_session_name,
            duration_seconds=duration_seconds,
            policy=policy,
            sts_region=sts_region,
            enable_vpc=enable_vpc,
            sts_endpoint=sts_endpoint,
            environ=environ,
            http=http,
            clock=clock,
        )
        self._source = source
        self._role_arn = role_arn
        self._external_id = external_id

    def _fetch(self, now: float) -> Credentials:
        env = env_or_os(self._environ)
        role_arn = self._role_arn or env.get("ALIBABA_CLOUD_ROLE_ARN")
        if not role_arn:
            raise CredentialsError("no role ARN: pass role_arn or set ALIBABA_CLOUD_ROLE_ARN")
        source = self._source.get_credentials()
        body = fetch.assume_role(
            self._http,
            self._base_url(env),
            access_key_id=source.access_key_id,
            access_key_secret=source.access_key_secret,
            security_token=source.security_token,
            role_arn=role_arn,
            session_name=self._session(env, now),
            duration=self._duration,
            policy=self._policy,
            external_id=self._external_id,
            now=now,
        )
        return _temporary(body, f"{self.name}/{source.provider_name}", "STS AssumeRole")


class OIDCRoleArnProvider(_StsProvider):
    """STS ``AssumeRoleWithOIDC`` (RRSA on ACK): a token file proves identity, nothing is signed.

    Unset arguments come from ``ALIBABA_CLOUD_ROLE_ARN``, ``ALIBABA_CLOUD_OIDC_PROVIDER_ARN`` and
    ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``. The token file is re-read at each refresh because it rotates.
    """

    name = "oidc_role_arn"

    def __init__(
        self,
        role_arn: str | None = None,
        oidc_provider_arn: str | None = None,
        oidc_token_file: str | None = None,
        *,
        role_session_name: str | None = None,
        duration_seconds: int = DEFAULT_DURATION_SECONDS,
        policy: str | None = None,
        sts_region: str | None = None,
        enable_vpc: bool | None = None,
        sts_endpoint: str | None = None,
        environ: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(
            role_session_name=role_session_name,
            duration_seconds=duration_seconds,
            policy=policy,
            sts_region=sts_region,
            enable_vpc=enable_vpc,
            sts_endpoint=sts_endpoint,
            environ=environ,
            http=http,
            clock=clock,
        )
        self._settings = {
            "ALIBABA_CLOUD_ROLE_ARN": role_arn,
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": oidc_provider_arn,
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": oidc_token_file,
        }

    def _fetch(self, now: float) -> Credentials:
        env = env_or_os(self._environ)
        values = {var: given or env.get(var, "") for var, given in self._settings.items()}
        missing = [var for var, value in values.items() if not value]
        if missing:
            raise CredentialsError(f"not configured: {', '.join(missing)} not set")
        token_file = values["ALIBABA_CLOUD_OIDC_TOKEN_FILE"]
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialsError(f"cannot read the OIDC token file {token_file}: {exc.strerror}") from None
        body = fetch.assume_role_with_oidc(
            self._http,
            self._base_url(env),
            role_arn=values["ALIBABA_CLOUD_ROLE_ARN"],
            oidc_provider_arn=values["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
            oidc_token=token,
            session_name=self._session(env, now),
            duration=self._duration,
            policy=self._policy,
            now=now,
        )
        return _temporary(body, self.name, "STS AssumeRoleWithOIDC")


class EcsRamRoleProvider(_RefreshingProvider):
    """The ECS instance's RAM role from the metadata service: IMDSv2 token first, v1 fallback.

    ``role_name`` defaults to ``ALIBABA_CLOUD_ECS_METADATA``, else IMDS is asked. ``disable_imds_v1``
    defaults to ``ALIBABA_CLOUD_IMDSV1_DISABLED``; ``ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`` turns the
    source off. Timeouts are 1 s connect / 1 s read, so a machine off ECS fails fast.
    """

    name = "ecs_ram_role"
    _serve_stale_on_failure = True

    def __init__(
        self,
        role_name: str | None = None,
        *,
        disable_imds_v1: bool | None = None,
        endpoint: str = IMDS_ENDPOINT,
        environ: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(clock)
        self._role_name = role_name
        self._disable_imds_v1 = disable_imds_v1
        self._endpoint = endpoint
        self._environ = environ
        self._http = http

    def get_credentials(self) -> Credentials:
        """Refuses at once when IMDS is switched off in the environment."""
        if flag(env_or_os(self._environ), "ALIBABA_CLOUD_ECS_METADATA_DISABLED"):
            raise CredentialsError("disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
        return super().get_credentials()

    def _fetch(self, now: float) -> Credentials:
        env = env_or_os(self._environ)
        disable_v1 = self._disable_imds_v1
        if disable_v1 is None:
            disable_v1 = flag(env, "ALIBABA_CLOUD_IMDSV1_DISABLED")
        role = self._role_name or env.get("ALIBABA_CLOUD_ECS_METADATA") or None
        body = fetch.ecs_role_credentials(self._http, self._endpoint, role, disable_v1=disable_v1)
        return _temporary(body, self.name, "the ECS metadata service")


class CredentialsURIProvider(_RefreshingProvider):
    """A local credentials server: ``GET uri`` (default ``ALIBABA_CLOUD_CREDENTIALS_URI``)."""

    name = "credential_uri"

    def __init__(
        self,
        uri: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(clock)
        self._uri = uri
        self._environ = environ
        self._http = http

    def _fetch(self, now: float) -> Credentials:
        uri = self._uri or env_or_os(self._environ).get("ALIBABA_CLOUD_CREDENTIALS_URI")
        if not uri:
            raise CredentialsError("not configured: ALIBABA_CLOUD_CREDENTIALS_URI not set")
        return _temporary(fetch.uri_credentials(self._http, uri), self.name, "the credentials URI")
