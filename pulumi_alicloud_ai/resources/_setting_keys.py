"""The names of every setting: stack config keys, environment variables, and their groups.

One home for the spelling of each (``alicloud:accessKey``, ``ALICLOUD_ACCESS_KEY`` ...), shared by the
resolution (:mod:`._settings`), the providers, the program side and ``doctor``.
"""

from __future__ import annotations

MODES = ("auto", "cloud", "emulator")
EMULATOR_DEFAULT_REGION = "cn-shanghai"
DEFAULT_EMULATOR_KEY = "test"

MODE_KEY, ENDPOINT_KEY = "alicloud-ai:mode", "alicloud-ai:endpoint"
REGION_KEY = "alicloud:region"
ACCESS_KEY_KEY, SECRET_KEY_KEY, TOKEN_KEY = (
    "alicloud:accessKey",
    "alicloud:secretKey",
    "alicloud:securityToken",
)
PROFILE_KEY, SHARED_FILE_KEY, ASSUME_ROLE_KEY = (
    "alicloud:profile",
    "alicloud:sharedCredentialsFile",
    "alicloud:assumeRole",
)
CONFIG_KEYS = (
    MODE_KEY,
    ENDPOINT_KEY,
    REGION_KEY,
    ACCESS_KEY_KEY,
    SECRET_KEY_KEY,
    TOKEN_KEY,
    PROFILE_KEY,
    SHARED_FILE_KEY,
    ASSUME_ROLE_KEY,
)
SECRET_CONFIG_KEYS = frozenset({ACCESS_KEY_KEY, SECRET_KEY_KEY, TOKEN_KEY})

MODE_ENV, ENDPOINT_ENV = "ALICLOUD_AI_MODE", "ALICLOUD_AI_ENDPOINT"
REGION_ENVS = ("ALICLOUD_REGION", "ALIBABA_CLOUD_REGION_ID")
ACCESS_KEY_ENV, SECRET_KEY_ENV, TOKEN_ENV = (
    "ALICLOUD_ACCESS_KEY",
    "ALICLOUD_SECRET_KEY",
    "ALICLOUD_SECURITY_TOKEN",
)
PROFILE_ENV, SHARED_FILE_ENV = "ALICLOUD_PROFILE", "ALICLOUD_SHARED_CREDENTIALS_FILE"
ROLE_ARN_ENV, SESSION_NAME_ENV, SESSION_EXPIRATION_ENV = (
    "ALICLOUD_ASSUME_ROLE_ARN",
    "ALICLOUD_ASSUME_ROLE_SESSION_NAME",
    "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION",
)
REGION_KEYS = ("settings.region", REGION_KEY, *REGION_ENVS)
"""Every setting that names a region, highest first."""
EMULATOR_KEY_ENVS = ("ALICLOUD_AI_EMULATOR_ACCESS_KEY_ID", "ALICLOUD_AI_EMULATOR_ACCESS_KEY_SECRET")
CHAIN_ENVS = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_ECS_METADATA",
)
"""Read by Alibaba's default credential chain, reported so a user sees when they are outranked."""
SECRET_ENVS = frozenset(
    {
        SECRET_KEY_ENV,
        TOKEN_ENV,
        ACCESS_KEY_ENV,
        EMULATOR_KEY_ENVS[1],
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
    }
)
