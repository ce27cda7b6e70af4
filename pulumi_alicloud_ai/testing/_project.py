"""What a project directory's ``Pulumi.yaml`` tells the engine: the project's name and config defaults.

The CLI takes the project name from this file (it is part of every URN) and fills stack config that was
not set from the ``config:`` block's defaults, checking declared ``integer`` and ``boolean`` types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pulumi_alicloud_ai._bounded import Bounds, load_yaml
from pulumi_alicloud_ai.testing._errors import LocalEngineError

PROJECT_BOUNDS = Bounds(max_bytes=1024 * 1024)


def _read(directory: Path) -> dict[str, Any]:
    path = directory / "Pulumi.yaml"
    if not path.exists():
        return {}
    try:
        if path.stat().st_size > PROJECT_BOUNDS.max_bytes:
            raise ValueError(f"larger than {PROJECT_BOUNDS.max_bytes} bytes")
        document = load_yaml(path.read_text(encoding="utf-8"), bounds=PROJECT_BOUNDS, what=str(path))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise LocalEngineError(f"cannot read {path}: {exc}") from None
    if not isinstance(document, dict):
        raise LocalEngineError(f"{path} is not a mapping")
    return document


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def project_config(directory: Path, project: str, stack: str, config: Mapping[str, str]) -> dict[str, str]:
    """``config`` (``key`` or ``project:key``) completed from the defaults the project declares.

    Raises, as the CLI does, when the file names another project, a declared value without a default
    is not set, or a value does not have its declared type.
    """
    document = _read(directory)
    name = document.get("name")
    if name is not None and name != project:
        raise LocalEngineError(
            f"{directory / 'Pulumi.yaml'} is project {name!r}, but this LocalEngine runs project "
            f"{project!r}: create it with LocalEngine({name!r}, ...)"
        )
    values = {key if ":" in key else f"{project}:{key}": value for key, value in config.items()}
    declared = document.get("config") or {}
    if not isinstance(declared, dict):
        raise LocalEngineError(f"{directory / 'Pulumi.yaml'}: config must be a mapping")
    for raw_key, spec in declared.items():
        key = str(raw_key) if ":" in str(raw_key) else f"{project}:{raw_key}"
        typed = isinstance(spec, dict)
        kind = spec.get("type") if typed else None
        default = spec.get("default") if typed else spec
        if key not in values and default is not None:
            values[key] = _text(default)
        if key not in values:
            raise LocalEngineError(f"Stack {stack!r} is missing configuration value {str(raw_key)!r}")
        if not _has_type(kind, values[key]):
            raise LocalEngineError(
                f"Stack {stack!r} with configuration key {str(raw_key)!r} must be of type {kind!r}"
            )
    return values


def _has_type(kind: Any, value: str) -> bool:
    if kind == "integer":
        return value.strip().lstrip("+-").isdigit()
    if kind == "boolean":
        return value in ("true", "false")
    return True
