"""The value rules of CreateAppService / UpdateAppService that the ``AppService`` provider checks at
``pulumi preview`` time, before anything is sent.

The emulator keeps its own copy (``emulator/eas/rules.py``) on purpose: a test sends the same boundary
values through both and fails when their verdicts differ, so neither side may import the other's.
Values come from the PAI-EAS 2021-07-01 API reference (CreateAppService, UpdateAppService); where it is
silent (name pattern, replica ceiling) the choice is ours and documented here. The allowed service specs
and app types are the typed ``Literal`` values in ``resources/app_service.py``.
"""

from __future__ import annotations

import re
from typing import Any

MODEL_STORAGES = ("oss", "nas")
NAS_FIELDS = ("NasMountTarget", "NasPath", "SecurityGroupID", "VpcID", "VswitchID")
"""CreateAppService reference, Config: the keys of an OSS and of a NAS mount, spelled as there."""
CONFIG_KEYS = ("ModelStorage", "OssPath", *NAS_FIELDS)
"""Every key EAS accepts in Config; any other is refused (it would be dropped, leaving no model)."""
NAS_ID_PREFIXES = {"SecurityGroupID": "sg-", "VpcID": "vpc-", "VswitchID": "vsw-"}

MIN_REPLICAS = 1
"""UpdateAppService reference, Replicas: must be greater than 0."""
MAX_REPLICAS = 100
"""Not published: a ceiling that catches a typo (1000 for 100) before it meets the account's quota."""

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,63}")
"""Not published: a conservative name format of our choosing. Used with ``fullmatch`` (no trailing newline)."""
NAME_RULE = "2 to 64 characters: lowercase letters, digits and underscores, starting with a letter"
OSS_PATH_PATTERN = re.compile(r"oss://[a-z0-9][a-z0-9-]{1,61}[a-z0-9]/(\S*)")
"""Used with ``fullmatch``; the bucket part follows OSS's bucket naming rules."""
OSS_PATH_RULE = "oss://<bucket>/<path>/ (bucket: 3-63 lowercase letters, digits, hyphens)"


def replicas_problem(replicas: Any) -> str | None:
    """Why ``replicas`` is not a valid instance count, or None."""
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        return f"replicas must be a whole number from {MIN_REPLICAS} to {MAX_REPLICAS}, got {replicas!r}"
    if not MIN_REPLICAS <= replicas <= MAX_REPLICAS:
        return f"replicas must be from {MIN_REPLICAS} to {MAX_REPLICAS} (the API wants > 0), got {replicas}"
    return None


def config_problems(config: Any) -> list[tuple[str, str]]:
    """``(wire key, reason)`` for everything wrong in a Config (model storage) object."""
    if not isinstance(config, dict):
        return [("Config", "Config must be an object")]
    unknown = sorted(str(key) for key in config if key not in CONFIG_KEYS)
    if unknown:
        return [
            (
                "Config",
                f"Config has unknown keys {', '.join(unknown)}; allowed keys: {', '.join(CONFIG_KEYS)}",
            )
        ]
    storage = config.get("ModelStorage")
    if storage is None:
        return []  # Config without model storage: nothing to mount
    if storage not in MODEL_STORAGES:
        return [("ModelStorage", f"ModelStorage {storage!r} is not supported; allowed values: oss, nas")]
    if storage == "oss":
        path = config.get("OssPath")
        if not isinstance(path, str) or not OSS_PATH_PATTERN.fullmatch(path):
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
