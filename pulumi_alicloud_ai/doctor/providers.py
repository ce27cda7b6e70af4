"""The providers family: whether the modules the pickled providers refer to import, here and in the
project's virtualenv (the Python that runs ``python -m pulumi.dynamic``), and, with ``--state FILE``
(from ``pulumi stack export --show-secrets``), in the state's own pickled providers (read from the
pickle's opcodes; nothing is unpickled)."""

from __future__ import annotations

import base64
import importlib
import json
import os
import pickletools
import pkgutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai._version import __version__
from pulumi_alicloud_ai.doctor._report import Check


def provider_modules() -> list[str]:
    """The modules that hold this package's dynamic providers (what pickled providers refer to)."""
    from pulumi_alicloud_ai import resources

    return sorted(
        f"{resources.__name__}.{info.name}"
        for info in pkgutil.iter_modules(resources.__path__)
        if info.name.endswith("_provider") and info.name != "_provider"
    )


def check_imports(modules: Sequence[str], virtualenv: Path | None) -> list[Check]:
    """The provider modules import here, and with the project's virtualenv Python."""
    checks = []
    failed = []
    for module in ("pulumi", "dill", *modules):
        try:
            importlib.import_module(module)
        except Exception as exc:  # any import failure is the finding
            failed.append(f"{module} ({type(exc).__name__}: {exc})")
    if failed:
        checks.append(
            Check(
                "providers",
                False,
                f"cannot import {'; '.join(failed)}",
                "pip install -e . (or reinstall the package)",
            )
        )
    else:
        checks.append(
            Check(
                "providers",
                True,
                f"pulumi_alicloud_ai {__version__} and {len(modules)} provider module(s) import in {sys.executable}",
            )
        )
    if virtualenv is not None:
        checks.append(_check_virtualenv(virtualenv, modules))
    return checks


def _check_virtualenv(virtualenv: Path, modules: Sequence[str]) -> Check:
    python = virtualenv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        return Check(
            "project virtualenv",
            False,
            f"{python} does not exist",
            "create it: run `pulumi install` (or python -m venv) in the project directory",
        )
    script = (
        "import importlib, pulumi_alicloud_ai._version as v\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        "print(v.__version__)"
    )
    try:
        done = subprocess.run(
            [str(python), "-c", script], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("project virtualenv", False, f"{python} does not run: {exc}", "recreate the virtualenv")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return Check(
            "project virtualenv",
            False,
            f"{python} cannot import the providers: {last}",
            f"{python} -m pip install pulumi-alicloud-ai=={__version__}",
        )
    theirs = done.stdout.strip()
    if theirs != __version__:
        return Check(
            "project virtualenv",
            None,
            f"{python} has pulumi_alicloud_ai {theirs}, this is {__version__}",
            "install the same version in both, or run doctor with the project's Python",
        )
    return Check("project virtualenv", True, f"{python} imports pulumi_alicloud_ai {theirs}")


def pickled_modules(serialized: str) -> set[str]:
    """Module names a base64 dill/pickle payload refers to, read from its opcodes (nothing is unpickled)."""
    data = base64.b64decode(serialized)
    modules: set[str] = set()
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST") and isinstance(arg, str):
            modules.add(arg.split(" ", 1)[0])
        elif opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
            strings.append(str(arg))
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            modules.add(strings[-2])
    return modules


def _provider_payloads(state: Any) -> list[tuple[str, Any]]:
    deployment = state.get("deployment", state) if isinstance(state, dict) else {}
    resources = deployment.get("resources", []) if isinstance(deployment, dict) else []
    found = []
    for resource in resources if isinstance(resources, list) else []:
        outputs = resource.get("outputs") or resource.get("inputs") or {}
        if isinstance(outputs, dict) and "__provider" in outputs:
            found.append((str(resource.get("urn", "?")), outputs["__provider"]))
    return found


def check_state(path: Path) -> list[Check]:
    """Every pickled provider in a ``pulumi stack export --show-secrets`` file refers to modules that import."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [
            Check(
                "state",
                False,
                f"cannot read {path}: {exc}",
                "pass the output of `pulumi stack export --show-secrets`",
            )
        ]
    payloads = _provider_payloads(state)
    if not payloads:
        return [Check("state", None, f"{path} holds no dynamic providers", "")]
    problems: list[str] = []
    modules: set[str] = set()
    for urn, stored in payloads:
        payload = (
            json.loads(stored["plaintext"]) if isinstance(stored, dict) and "plaintext" in stored else stored
        )
        if not isinstance(payload, str):
            return [Check("state", None, f"{urn}: the provider is encrypted", "export with `--show-secrets`")]
        try:
            modules |= pickled_modules(payload)
        except ValueError as exc:  # bad base64 (binascii.Error) or a truncated pickle
            problems.append(f"{urn}: not a pickled provider ({exc})")
    ours = sorted(module for module in modules if module.split(".", 1)[0] == "pulumi_alicloud_ai")
    for module in ours:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any import failure is the finding
            problems.append(f"{module} ({type(exc).__name__}: {exc})")
    if problems:
        return [
            Check(
                "state",
                False,
                f"{len(payloads)} pickled provider(s); cannot import {'; '.join(problems)}",
                "install the pulumi-alicloud-ai version that wrote this state in the project's virtualenv",
            )
        ]
    return [
        Check(
            "state",
            True,
            f"{len(payloads)} pickled provider(s) refer to {', '.join(ours) or 'no module of ours'}; all import",
        )
    ]
