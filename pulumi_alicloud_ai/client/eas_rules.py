"""The value rules of CreateAppService / UpdateAppService, in one place.

The emulator enforces them as the service would, and the ``AppService`` provider checks them at
``pulumi preview`` time, so both must agree. Values come from eas.md and the CreateAppService seed;
where the API is silent (name pattern, replica ceiling) the choice is ours and documented here.
"""

from __future__ import annotations

import re
from typing import Any

APP_TYPES = ("LLM",)
SERVICE_SPECS = (
    "llama_7b_fp16",
    "llama_7b_int8",
    "llama_13b_fp16",
    "chatglm_6b_fp16",
    "chatglm_6b_int8",
    "chatglm2_6b_fp16",
    "baichuan_7b_int8",
    "baichuan_13b_fp16",
    "baichuan_7b_fp16",
)
MODEL_STORAGES = ("oss", "nas")
NAS_FIELDS = ("NasMountTarget", "NasPath", "SecurityGroupID", "VpcID", "VswitchID")
NAS_ID_PREFIXES = {"SecurityGroupID": "sg-", "VpcID": "vpc-", "VswitchID": "vsw-"}

MIN_REPLICAS = 1
MAX_REPLICAS = 100
"""The API wants Replicas > 0; the ceiling is the emulator's stand-in for a quota."""

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
NAME_RULE = "2 to 64 characters: lowercase letters, digits and underscores, starting with a letter"
OSS_PATH_PATTERN = re.compile(r"^oss://[a-z0-9][a-z0-9-]{1,61}[a-z0-9]/(\S*)$")
OSS_PATH_RULE = "oss://<bucket>/<path>/ (bucket: 3-63 lowercase letters, digits, hyphens)"


def name_problem(name: Any) -> str | None:
    """Why ``name`` is not a valid service name, or None."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return f"service name {name!r} is invalid: use {NAME_RULE}"
    return None


def replicas_problem(replicas: Any) -> str | None:
    """Why ``replicas`` is not a valid instance count, or None."""
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        return f"replicas must be a whole number from {MIN_REPLICAS} to {MAX_REPLICAS}, got {replicas!r}"
    if not MIN_REPLICAS <= replicas <= MAX_REPLICAS:
        return f"replicas must be from {MIN_REPLICAS} to {MAX_REPLICAS} (the API wants > 0), got {replicas}"
    return None


def choice_problem(field: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    """Why ``value`` is not one of ``allowed``, or None."""
    if value not in allowed:
        return f"{field} {value!r} is not supported; allowed values: {', '.join(allowed)}"
    return None


def config_problems(config: Any) -> list[tuple[str, str]]:
    """``(wire key, reason)`` for everything wrong in a Config (model storage) object."""
    if not isinstance(config, dict):
        return [("Config", "Config must be an object")]
    storage = config.get("ModelStorage")
    if storage is None:
        return []  # Config without model storage: nothing to mount
    if storage not in MODEL_STORAGES:
        return [("ModelStorage", f"ModelStorage {storage!r} is not supported; allowed values: oss, nas")]
    if storage == "oss":
        path = config.get("OssPath")
        if not isinstance(path, str) or not OSS_PATH_PATTERN.match(path):
            return [("OssPath", f"OssPath {path!r} is invalid: use {OSS_PATH_RULE}")]
        return []
    problems = [
        (key, f"{key} is required when ModelStorage is nas")
        for key in NAS_FIELDS
        if not isinstance(config.get(key), str) or not config.get(key)
    ]
    for key, prefix in NAS_ID_PREFIXES.items():
        value = config.get(key)
        if isinstance(value, str) and value and not value.startswith(prefix):
            problems.append((key, f"{key} {value!r} should start with {prefix!r}"))
    nas_path = config.get("NasPath")
    if isinstance(nas_path, str) and nas_path and not nas_path.startswith("/"):
        problems.append(("NasPath", f"NasPath {nas_path!r} must be an absolute path starting with '/'"))
    return problems
