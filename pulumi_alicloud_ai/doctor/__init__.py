"""``python -m pulumi_alicloud_ai doctor``: why a stack cannot reach Alibaba Cloud (or the emulator).

Each line is ``OK``, ``WARN`` or ``FAIL`` with what was found, and for anything not OK what to do.
One module per family of checks, run in this order:

* :mod:`.settings` — mode, endpoint and region as providers resolve them, and every setting seen
  (stack config from ``Pulumi.<stack>.yaml``, environment), where it came from, and why each ignored
  one was ignored;
* :mod:`.credentials` — which credentials would sign (never the secret), and the target: the account
  STS names and the cloud or emulator instance resources would be recorded in;
* :mod:`.emulator` — whether the emulator answers its health check, and its instance id;
* :mod:`.endpoints` — each product's host, whether it answers, the clock skew against it, and whether
  a signed read-only call is accepted;
* :mod:`.providers` — whether the modules the pickled providers refer to import, here, in the project's
  virtualenv, and (``--state FILE``) in a state export;
* :mod:`.event_log` — where the provider event log goes, and that it can be written.

Exit status 1 when any line is FAIL. :func:`run_checks` takes the environment, paths and clock as
arguments, so tests can check a deliberately broken set-up without touching the machine's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from pulumi_alicloud_ai.doctor._report import Check, Settings, Target, masked_key_id
from pulumi_alicloud_ai.doctor.credentials import check_target, resolve_target
from pulumi_alicloud_ai.doctor.emulator import check_emulator
from pulumi_alicloud_ai.doctor.endpoints import AUTH_ADVICE, check_endpoints
from pulumi_alicloud_ai.doctor.event_log import check_event_log
from pulumi_alicloud_ai.doctor.providers import check_imports, check_state, pickled_modules, provider_modules
from pulumi_alicloud_ai.doctor.settings import read_settings

__all__ = [
    "AUTH_ADVICE",
    "Check",
    "Settings",
    "Target",
    "check_state",
    "main",
    "masked_key_id",
    "pickled_modules",
    "run_checks",
]


def run_checks(
    env: Mapping[str, str] | None = None,
    *,
    project_dir: Path | None = None,
    stack: str | None = None,
    region: str | None = None,
    endpoint: str | None = None,
    state: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Check]:
    """Every check, in the order printed."""
    env = os.environ if env is None else env
    settings, checks = read_settings(env, project_dir or Path.cwd(), stack, region, endpoint)
    target, found = resolve_target(settings, env)
    checks += found
    emulator_checks, instance = check_emulator(target)
    checks += emulator_checks
    checks += check_target(settings, target, instance)
    checks += check_endpoints(settings, target, clock)
    checks += check_imports(provider_modules(), settings.virtualenv)
    if state is not None:
        checks += check_state(state)
    checks.append(check_event_log(settings, env))
    return checks


def main(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    """The ``doctor`` command: print every check; exit 1 when any failed."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_alicloud_ai doctor",
        description="Check settings, credentials, target, endpoints, clock skew, providers and the emulator.",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="where Pulumi.yaml is (default .)"
    )
    parser.add_argument("--stack", help="the stack whose Pulumi.<stack>.yaml to read")
    parser.add_argument("--region", help="the region to check (default: as providers resolve it)")
    parser.add_argument("--endpoint", help="check this endpoint instead of the configured one")
    parser.add_argument("--state", type=Path, help="a `pulumi stack export --show-secrets` file to check")
    args = parser.parse_args(argv)
    checks = run_checks(
        project_dir=args.project_dir,
        stack=args.stack,
        region=args.region,
        endpoint=args.endpoint,
        state=args.state,
    )
    for check in checks:
        print(check.line(), file=out)
    failed = sum(1 for check in checks if check.ok is False)
    warned = sum(1 for check in checks if check.ok is None)
    print(f"{failed} problem(s), {warned} warning(s)" if failed or warned else "all good", file=out)
    return 1 if failed else 0
