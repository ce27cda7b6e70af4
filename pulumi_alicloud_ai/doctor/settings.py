"""The settings family: the project, the stack config and environment, and every setting resolved.

The stack config is read from ``Pulumi.<stack>.yaml``; encrypted values count as set (their value is
never needed here, only whether they are there). ``--region`` and ``--endpoint`` act as a resource's
own settings would: above everything else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pulumi_alicloud_ai._bounded import load_yaml
from pulumi_alicloud_ai._secret import Secret
from pulumi_alicloud_ai.doctor._report import Check, Settings
from pulumi_alicloud_ai.resources import _setting_keys as keys
from pulumi_alicloud_ai.resources import _settings
from pulumi_alicloud_ai.resources._connection import chain_has_credentials

ENCRYPTED = "(encrypted)"
"""Stands for a ``secure:`` value: set, but readable only by the Pulumi CLI."""


def _yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"), what=str(path))
    except (OSError, ValueError, yaml.YAMLError):  # BoundsError is a ValueError
        return {}
    return loaded if isinstance(loaded, dict) else {}


def stack_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A stack file's ``config:`` as the engine would pass it: strings, objects as JSON, secrets wrapped."""
    config: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or value is None:
            continue
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            config[key] = Secret(ENCRYPTED)
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        config[key] = Secret(text) if key in keys.SECRET_CONFIG_KEYS else text
    return config


def read_settings(
    env: Mapping[str, str], project_dir: Path, stack: str | None, region: str | None, endpoint: str | None
) -> tuple[Settings, list[Check]]:
    """Mode, endpoint, region, project and stack as providers would resolve them; every setting seen."""
    project_file = _yaml(project_dir / "Pulumi.yaml")
    project = str(project_file.get("name") or env.get("PULUMI_PROJECT") or "project")
    stacks = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in project_dir.glob("Pulumi.*.yaml"))
    stack = stack or env.get("PULUMI_STACK") or (stacks[0] if len(stacks) == 1 else "stack")
    raw = _yaml(project_dir / f"Pulumi.{stack}.yaml").get("config") or {}
    config = stack_config(raw if isinstance(raw, Mapping) else {})
    encrypted = tuple(key for key, value in config.items() if value == Secret(ENCRYPTED))
    overrides = {key: value for key, value in (("region", region), ("endpoint", endpoint)) if value}
    resolution = _settings.resolve(
        environ=env,
        config=config,
        resource=overrides,
        has_credentials=lambda _plan: chain_has_credentials(env),
    )
    checks = [
        Check(problem.key, False, problem.message, "fix or unset it") for problem in resolution.problems
    ]
    for seen in resolution.seen:
        detail = f"{seen.shown} from {seen.source}, " + ("used" if seen.used else f"ignored: {seen.why}")
        checks.append(Check(seen.key, True if seen.used else None, detail))
    chosen = resolution.region
    if not chosen:
        chosen = keys.EMULATOR_DEFAULT_REGION
        checks.append(
            Check(
                "region",
                None,
                f"none configured; assuming {chosen}",
                "`pulumi config set alicloud:region <region>` or set ALICLOUD_REGION",
            )
        )
    runtime = project_file.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    virtualenv = (project_dir / str(venv)) if venv else None
    where = f"project {project}, stack {stack}" + (
        f" ({project_dir / 'Pulumi.yaml'})" if project_file else ""
    )
    summary = (
        f"mode {resolution.mode}, endpoint {resolution.endpoint or '(regional)'}, region {chosen}, "
        f"{'an emulator' if resolution.placement.emulated else 'Alibaba Cloud'}; {where}"
    )
    checks.insert(0, Check("settings", True, summary))
    settings = Settings(
        resolution.mode, resolution.endpoint, chosen, project, stack, virtualenv, resolution, encrypted
    )
    return settings, checks
