"""What the emulated EAS accepts in a CreateAppService / UpdateAppService body.

This is the emulator's own copy of the service's rules. The ``AppService`` provider keeps its own
(``client/eas_rules.py``) and never shares these: ``tests/reliability/test_rules_parity.py`` sends the
same boundary values through both and fails when their verdicts differ, which only works while each
side is free to be wrong on its own.

Sources: the PAI-EAS 2021-07-01 API reference pages of CreateAppService and UpdateAppService. Where
they are silent (name format, replica ceiling) the emulator chooses, and says so beside the value.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_alicloud_ai.emulator.errors import invalid_parameter, missing_parameter

REQUIRED_ON_CREATE = ("ServiceName", "AppType", "ServiceSpec", "Replicas")
"""CreateAppService reference: ServiceName, AppType, ServiceSpec and Replicas are "Required: Yes"."""

APP_TYPES = frozenset({"LLM"})
"""CreateAppService reference, AppType: "Valid values: LLM"."""

SERVICE_SPECS = frozenset(
    {
        "llama_7b_fp16",
        "llama_7b_int8",
        "llama_13b_fp16",
        "chatglm_6b_fp16",
        "chatglm_6b_int8",
        "chatglm2_6b_fp16",
        "baichuan_7b_int8",
        "baichuan_13b_fp16",
        "baichuan_7b_fp16",
    }
)
"""CreateAppService reference, ServiceSpec valid values (it lists llama_7b_int8 twice: nine distinct)."""

REPLICAS_FLOOR = 1
"""UpdateAppService reference, Replicas: the number of instances "must be greater than 0"."""
REPLICAS_CEILING = 100
"""Not published: the emulator's stand-in for an account's instance quota."""

SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]{1,63}")
"""Not published (the reference says only "the service name"): 2-64 characters, lowercase letters,
digits and underscores, starting with a letter. Matched whole (``fullmatch``), so no trailing newline."""

OSS_PATH = re.compile(r"oss://[a-z0-9][a-z0-9-]{1,61}[a-z0-9]/\S*")
"""CreateAppService reference, Config: ``{"ModelStorage": "oss", "OssPath": "oss://examplebucket/xxxx/"}``;
bucket names are 3-63 lowercase letters, digits and hyphens (OSS naming rules)."""

STORAGE_KEYS = {
    "oss": ("OssPath",),
    "nas": ("NasMountTarget", "NasPath", "SecurityGroupID", "VpcID", "VswitchID"),
}
"""CreateAppService reference, Config: the keys of each ModelStorage, spelled exactly as there."""
CONFIG_KEYS = frozenset({"ModelStorage", *(key for keys in STORAGE_KEYS.values() for key in keys)})
"""Every key a Config may hold; anything else is refused rather than silently ignored."""
ID_PREFIXES = {"SecurityGroupID": "sg-", "VpcID": "vpc-", "VswitchID": "vsw-"}
"""The resource-id prefixes of the NAS network keys (the reference's examples: sg-…, vpc-…, vsw-…)."""


def validate(body: dict[str, Any], *, creating: bool) -> None:
    """Raise ``MissingParameter``/``InvalidParameter`` for the first field the service would refuse."""
    if creating:
        for key in REQUIRED_ON_CREATE:
            if body.get(key) in (None, ""):
                raise missing_parameter(key)
        name = body["ServiceName"]
        if not isinstance(name, str) or SERVICE_NAME.fullmatch(name) is None:
            raise invalid_parameter(
                "ServiceName",
                f"The ServiceName {name!r} is invalid: 2 to 64 lowercase letters, digits or underscores, "
                "starting with a letter.",
            )
    _one_of(body, "AppType", APP_TYPES)
    _one_of(body, "ServiceSpec", SERVICE_SPECS)
    if "Replicas" in body:
        replicas = body["Replicas"]
        if (
            isinstance(replicas, bool)
            or not isinstance(replicas, int)
            or not REPLICAS_FLOOR <= replicas <= REPLICAS_CEILING
        ):
            raise invalid_parameter(
                "Replicas",
                f"The Replicas {replicas!r} is invalid: a whole number from {REPLICAS_FLOOR} "
                f"to {REPLICAS_CEILING}.",
            )
    if "AppVersion" in body and not isinstance(body["AppVersion"], str):
        raise invalid_parameter("AppVersion", "The AppVersion must be a string.")
    if "Config" in body:
        _config(body["Config"])


def _one_of(body: dict[str, Any], key: str, allowed: frozenset[str]) -> None:
    if key in body and (not isinstance(body[key], str) or body[key] not in allowed):
        raise invalid_parameter(
            key, f"The {key} {body[key]!r} is not supported; allowed values: {', '.join(sorted(allowed))}."
        )


def _config(config: Any) -> None:
    if not isinstance(config, dict):
        raise invalid_parameter("Config", "The Config must be a JSON object.")
    unknown = sorted(str(key) for key in config if key not in CONFIG_KEYS)
    if unknown:
        raise invalid_parameter(
            "Config",
            f"The Config has unknown keys {', '.join(unknown)}; allowed keys: "
            f"{', '.join(sorted(CONFIG_KEYS))}.",
        )
    storage = config.get("ModelStorage")
    if storage is None:
        return  # nothing to mount
    if not isinstance(storage, str) or storage not in STORAGE_KEYS:
        raise invalid_parameter(
            "Config.ModelStorage",
            f"The ModelStorage {storage!r} is not supported; allowed values: {', '.join(STORAGE_KEYS)}.",
        )
    if storage == "oss":
        path = config.get("OssPath")
        if not isinstance(path, str) or OSS_PATH.fullmatch(path) is None:
            raise invalid_parameter(
                "Config.OssPath", f"The OssPath {path!r} is invalid: use oss://<bucket>/<path>/."
            )
        return
    for key in STORAGE_KEYS["nas"]:
        value = config.get(key)
        if not isinstance(value, str) or not value:
            raise invalid_parameter(f"Config.{key}", f"The {key} is required when ModelStorage is nas.")
        prefix = ID_PREFIXES.get(key)
        if prefix is not None and not value.startswith(prefix):
            raise invalid_parameter(f"Config.{key}", f"The {key} {value!r} must start with {prefix!r}.")
    if not config["NasPath"].startswith("/"):
        raise invalid_parameter("Config.NasPath", "The NasPath must be an absolute path starting with '/'.")
