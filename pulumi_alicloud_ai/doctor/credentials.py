"""The credentials family: which credentials would sign, and which account and target they reach.

The decision is the providers' own (:mod:`pulumi_alicloud_ai.resources._settings`); the embedded
emulator is never started here. The key id is shown shortened; the secret never.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pulumi_alicloud_ai.client.credentials import caller_identity
from pulumi_alicloud_ai.client.errors import CredentialsError
from pulumi_alicloud_ai.doctor._report import Check, Settings, Target, masked_key_id
from pulumi_alicloud_ai.resources import _connection, _embedded
from pulumi_alicloud_ai.resources import _target as targets
from pulumi_alicloud_ai.resources._setting_keys import EMULATOR_KEY_ENVS

CLOUD_CREDENTIALS_FIX = (
    "`pulumi config set alicloud:accessKey ...` and `pulumi config set --secret alicloud:secretKey ...`, "
    "ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or a profile (`aliyun configure`, alicloud:profile)"
)


def _embedded_not_running(home: Path) -> Check:
    return Check(
        "emulator",
        None,
        f"the embedded emulator is not running; providers start it on first use (data in {home})",
        "nothing to do, or `python -m pulumi_alicloud_ai emulator start` to check it now",
    )


def resolve_target(settings: Settings, env: Mapping[str, str]) -> tuple[Target, list[Check]]:
    """The providers' decision (``_connection.resolve``) without starting the embedded emulator."""
    resolution = settings.resolution
    if resolution is None:
        raise ValueError("settings were not resolved")
    plan, placement = resolution.credentials, resolution.placement
    if placement.emulated:
        checks: list[Check] = []
        if placement.embedded and resolution.mode == "auto":
            checks.append(
                Check(
                    "credentials",
                    None,
                    "none found, so resources go to the embedded LOCAL EMULATOR, not Alibaba Cloud",
                    "set alicloud:accessKey/secretKey, ALICLOUD_ACCESS_KEY/SECRET_KEY (or a profile) "
                    "to deploy to the cloud",
                )
            )
        elif plan.emulator_keys:
            keys = EMULATOR_KEY_ENVS[0]
            source = f"emulator keys ({keys})" if env.get(keys) else "emulator keys (the default test/test)"
            checks.append(Check("credentials", True, source))
        else:
            checks.append(Check("credentials", True, plan.describe()))
        url = placement.endpoint or _embedded.running_url()
        if url is None:
            return Target(True, None, None), [*checks, _embedded_not_running(_embedded.home())]
        return Target(True, url, _connection.credentials_for(plan, env, url), url), checks
    static = plan.static
    unreadable = [key for key in settings.encrypted if static is not None and key in static.origin]
    if unreadable:
        return Target(False, placement.endpoint, None), [
            Check(
                "credentials",
                None,
                f"{plan.describe()}, encrypted in Pulumi.{settings.stack}.yaml: doctor cannot read them, "
                "so the signed calls below are not tried",
                "`pulumi config get alicloud:secretKey` shows it; a `pulumi preview` signs with it",
            )
        ]
    sts_url = _connection.sts_url_for(placement, settings.region, env)
    provider = _connection.credentials_for(plan, env, sts_url)
    try:
        credentials = provider.get_credentials()
    except CredentialsError as exc:
        return Target(False, placement.endpoint, None), [
            Check(
                "credentials",
                False,
                f"mode {settings.mode} needs Alibaba Cloud credentials and none were found "
                f"({plan.describe()}): {exc.message}",
                CLOUD_CREDENTIALS_FIX,
            )
        ]
    named = (
        credentials.provider_name if not plan.explicit else f"{plan.describe()}: {credentials.provider_name}"
    )
    detail = f"{named} (key {masked_key_id(credentials.access_key_id)}"
    detail += ", temporary)" if credentials.security_token else ")"
    return Target(False, placement.endpoint, provider, sts_url), [Check("credentials", True, detail)]


def check_target(settings: Settings, target: Target, instance: str | None) -> list[Check]:
    """Where resources would be recorded as living: the account (STS GetCallerIdentity) and place."""
    if target.credentials is None or target.sts_url is None:
        return []
    try:
        account: str | None = caller_identity(target.credentials, target.sts_url)["AccountId"]
        problem = ""
    except CredentialsError as exc:
        account, problem = None, exc.message
    kind: targets.Kind = "emulator" if target.emulated else "cloud"
    described = targets.Target(kind, settings.region, account, target.endpoint, instance).describe()
    if problem:
        return [
            Check(
                "target",
                None,
                f"{described}; the account could not be learnt ({problem})",
                "without it, resources are matched by endpoint only, and a NotFound is not taken as deleted",
            )
        ]
    return [Check("target", True, described)]
