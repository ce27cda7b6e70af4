"""``python -m pulumi_alicloud_ai doctor``: why a stack cannot reach Alibaba Cloud (or the emulator).

Each line is ``OK``, ``WARN`` or ``FAIL`` with what was found, and for anything not OK what to do:

* **settings** — mode, endpoint and region as providers resolve them (environment over stack config,
  read from ``Pulumi.yaml`` / ``Pulumi.<stack>.yaml`` in the project directory when there is one);
* **credentials** — which source the standard chain picks (``default/env``, a CLI profile, the ECS RAM
  role, ...) and the key id's first and last characters; never the secret;
* **endpoints** — the host each product (EAS, VOD, ROS) resolves to, whether it answers, the clock skew
  against its ``Date`` header (more than 15 minutes is what makes signatures fail with
  ``InvalidTimeStamp.Expired``), and whether a signed read-only call is accepted;
* **emulator** — whether one is configured and answers its health check;
* **providers** — whether the modules the pickled providers refer to import, here and in the project's
  virtualenv (the Python that runs ``python -m pulumi.dynamic``), and, with ``--state FILE`` (from
  ``pulumi stack export --show-secrets``), in the state's own pickled providers;
* **event log** — where the provider event log of this stack goes, and that it can be written.

Exit status 1 when any line is FAIL. ``run_checks`` takes the environment, paths and clock as arguments,
so tests can check a deliberately broken set-up without touching the machine's.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import pickletools
import pkgutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TextIO

import httpx
import yaml

from pulumi_alicloud_ai._version import __version__
from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider, default_chain
from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD, Product
from pulumi_alicloud_ai.client.errors import AlibabaCloudError, AuthError, CredentialsError
from pulumi_alicloud_ai.client.retry import NO_RETRIES
from pulumi_alicloud_ai.client.transport import OpenApiClient, Operation, emulator_aware_endpoint

SKEW_LIMIT = 15 * 60
"""The gateway refuses signatures dated further than this from its clock."""
SKEW_WARN = 60
PROBES: dict[str, tuple[Product, Operation, dict[str, Any]]] = {
    "eas": (EAS, Operation("ListServices", "GET", "/api/v2/services", idempotent=True), {"PageSize": "1"}),
    "vod": (VOD, Operation("ListAITemplate", idempotent=True), {"TemplateType": "AIImage"}),
    "ros": (ROS, Operation("ListAITasks", idempotent=True), {"MaxResults": "1"}),
}
"""A read-only call per product: it proves the endpoint, the signature and the key together."""
AUTH_ADVICE = {
    "SignatureDoesNotMatch": "the secret does not belong to this key id: check the secret of the source above",
    "InvalidAccessKeyId.NotFound": "the key id is unknown here: check the key id (or the endpoint)",
    "InvalidAccessKeyId.Inactive": "the key is disabled: enable it or use another one in the RAM console",
    "InvalidTimeStamp.Expired": "this machine's clock is off: sync it (e.g. `sudo timedatectl set-ntp true`)",
    "InvalidSecurityToken.Expired": "the STS token expired: refresh the temporary credentials",
}


@dataclass(frozen=True)
class Check:
    """One finding: ``ok`` True (OK), None (WARN) or False (FAIL), and what to do when not OK."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""

    def line(self) -> str:
        """``OK   credentials: default/env (key LTAI…abcd)`` / ``FAIL ...: ... -> what to do``."""
        mark = {True: "OK  ", None: "WARN", False: "FAIL"}[self.ok]
        return f"{mark} {self.name}: {self.detail}" + (f" -> {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class Settings:
    """What the providers would resolve."""

    mode: str
    endpoint: str | None
    region: str
    project: str
    stack: str
    virtualenv: Path | None


def masked_key_id(key_id: str) -> str:
    """``LTAI5t…abcd``: enough to tell keys apart, not enough to use one."""
    return f"{key_id[:4]}…{key_id[-4:]}" if len(key_id) > 10 else f"{key_id[:2]}…"


# --- settings ---------------------------------------------------------------------------------------


def _yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def read_settings(
    env: Mapping[str, str], project_dir: Path, stack: str | None, region: str | None, endpoint: str | None
) -> tuple[Settings, list[Check]]:
    """Mode, endpoint, region, project and stack, as providers would see them; and what is wrong."""
    from pulumi_alicloud_ai.resources import _connection
    from pulumi_alicloud_ai.resources._settings import EMULATOR_DEFAULT_REGION

    checks: list[Check] = []
    project_file = _yaml(project_dir / "Pulumi.yaml")
    project = str(project_file.get("name") or env.get("PULUMI_PROJECT") or "project")
    stacks = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in project_dir.glob("Pulumi.*.yaml"))
    stack = stack or env.get("PULUMI_STACK") or (stacks[0] if len(stacks) == 1 else "stack")
    config = _yaml(project_dir / f"Pulumi.{stack}.yaml").get("config") or {}
    config = config if isinstance(config, dict) else {}
    mode = env.get(_connection.MODE_ENV) or str(config.get("alicloud-ai:mode") or "auto")
    endpoint = endpoint or env.get(_connection.ENDPOINT_ENV) or config.get("alicloud-ai:endpoint") or None
    if mode not in _connection.MODES:
        checks.append(
            Check("mode", False, f"{mode!r} is not a mode", f"use one of {', '.join(_connection.MODES)}")
        )
        mode = "auto"
    emulated = mode == "emulator" or (
        mode == "auto"
        and (
            _connection.is_loopback_url(str(endpoint))
            if endpoint
            else not _connection.chain_has_credentials(env)
        )
    )
    chosen = region or str(config.get("alicloud:region") or "") or env.get(_connection.REGION_ENV) or ""
    if not chosen:
        chosen = EMULATOR_DEFAULT_REGION
        if not emulated:
            checks.append(
                Check(
                    "region",
                    None,
                    f"none configured; assuming {chosen}",
                    "`pulumi config set alicloud:region <region>` or set ALIBABA_CLOUD_REGION_ID",
                )
            )
    runtime = project_file.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    virtualenv = (project_dir / str(venv)) if venv else None
    where = f"project {project}, stack {stack}" + (
        f" ({project_dir / 'Pulumi.yaml'})" if project_file else ""
    )
    checks.insert(
        0,
        Check(
            "settings", True, f"mode {mode}, endpoint {endpoint or '(regional)'}, region {chosen}; {where}"
        ),
    )
    settings = Settings(mode, str(endpoint) if endpoint else None, chosen, project, stack, virtualenv)
    return settings, checks


# --- credentials and target ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where calls go and with which keys."""

    emulated: bool
    endpoint: str | None
    credentials: Any
    """A credentials provider, or None when none works."""


def resolve_target(settings: Settings, env: Mapping[str, str]) -> tuple[Target, list[Check]]:
    """The provider's decision (``_connection.resolve``) without starting the embedded emulator."""
    from pulumi_alicloud_ai.resources import _connection, _embedded

    endpoint = settings.endpoint
    if settings.mode == "emulator" or (
        settings.mode == "auto" and endpoint and _connection.is_loopback_url(endpoint)
    ):
        keys = _connection.EMULATOR_KEY_ENV[0]
        source = f"emulator keys ({keys})" if env.get(keys) else "emulator keys (the default test/test)"
        check = Check("credentials", True, source)
        if endpoint is None:
            endpoint = _embedded.running_url()
            if endpoint is None:
                return Target(True, None, None), [check, _embedded_not_running(_embedded.home())]
        return Target(True, endpoint, _connection._emulator_keys(env)), [check]
    chain = default_chain(env)
    try:
        credentials = chain.get_credentials()
    except CredentialsError as exc:
        if settings.mode == "auto" and not endpoint:
            url = _embedded.running_url()
            checks = [
                Check(
                    "credentials",
                    None,
                    "none found, so resources go to the embedded LOCAL EMULATOR, not Alibaba Cloud",
                    "set ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (or a profile) to deploy to the cloud",
                )
            ]
            if url is None:
                checks.append(_embedded_not_running(_embedded.home()))
            return Target(True, url, StaticCredentialsProvider("test", "test") if url else None), checks
        return Target(False, endpoint, None), [
            Check(
                "credentials",
                False,
                f"mode {settings.mode} needs Alibaba Cloud credentials and none were found: {exc.message}",
                "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or `aliyun configure`",
            )
        ]
    detail = f"{credentials.provider_name} (key {masked_key_id(credentials.access_key_id)}"
    detail += ", temporary)" if credentials.security_token else ")"
    return Target(False, endpoint, chain), [Check("credentials", True, detail)]


def _embedded_not_running(home: Path) -> Check:
    return Check(
        "emulator",
        None,
        f"the embedded emulator is not running; providers start it on first use (data in {home})",
        "nothing to do, or `python -m pulumi_alicloud_ai emulator start` to check it now",
    )


# --- endpoints -----------------------------------------------------------------------------------------


def _skew(response: httpx.Response, now: float) -> float | None:
    date = response.headers.get("date")
    if not date:
        return None
    try:
        return now - parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None


def check_endpoints(
    settings: Settings, target: Target, clock: Callable[[], float], timeout: float = 5.0
) -> list[Check]:
    """Resolve, reach, measure skew, and make one signed read-only call per product."""
    checks: list[Check] = []
    reached: dict[str, httpx.Response | str] = {}
    if target.emulated and target.endpoint is None:
        return checks
    for code, (product, operation, query) in PROBES.items():
        name = f"endpoint {code}"
        try:
            endpoint = emulator_aware_endpoint(product, settings.region, None, target.endpoint)
        except ValueError as exc:
            checks.append(Check(name, False, str(exc), "fix the region or alicloud-ai:endpoint"))
            continue
        shown = endpoint.base_url + (
            f" (as {endpoint.host})" if endpoint.host not in endpoint.base_url else ""
        )
        if endpoint.base_url not in reached:
            try:
                reached[endpoint.base_url] = httpx.get(
                    endpoint.base_url + "/", timeout=timeout, trust_env=False
                )
            except httpx.HTTPError as exc:
                reached[endpoint.base_url] = f"{type(exc).__name__}: {exc}"
        answer = reached[endpoint.base_url]
        if isinstance(answer, str):
            checks.append(
                Check(
                    name, False, f"{shown} does not answer ({answer})", "check the network, proxy or endpoint"
                )
            )
            continue
        checks.append(Check(name, True, f"{shown} answers"))
        skew = _skew(answer, clock())
        if skew is not None:
            checks.append(_skew_check(code, skew))
        if target.credentials is not None:
            checks.append(_probe(code, product, operation, query, settings, target))
    return checks


def _skew_check(code: str, skew: float) -> Check:
    text = f"this machine is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} the {code} endpoint"
    if abs(skew) > SKEW_LIMIT:
        return Check(
            f"clock {code}",
            False,
            text + "; signatures will fail with InvalidTimeStamp.Expired",
            "sync the clock (e.g. `sudo timedatectl set-ntp true`)",
        )
    if abs(skew) > SKEW_WARN:
        return Check(f"clock {code}", None, text, "sync the clock before it drifts past 15 minutes")
    return Check(f"clock {code}", True, f"skew {skew:+.1f}s")


def _probe(
    code: str,
    product: Product,
    operation: Operation,
    query: dict[str, Any],
    settings: Settings,
    target: Target,
) -> Check:
    name = f"signed call {code}"
    client = OpenApiClient(
        product,
        region=settings.region,
        credentials=target.credentials,
        endpoint_override=target.endpoint,
        retry=NO_RETRIES,
        timeout=10.0,
    )
    try:
        body = client.call(operation, query=query)
    except AuthError as exc:
        advice = AUTH_ADVICE.get(exc.code, "give the key's RAM user permission for this read-only call")
        return Check(
            name, False, f"{operation.action} refused: {exc.code} (RequestId {exc.request_id})", advice
        )
    except CredentialsError as exc:
        return Check(name, False, f"no credentials to sign with: {exc.message}", "see the credentials line")
    except AlibabaCloudError as exc:
        rid = f" (RequestId {exc.request_id})" if exc.request_id else ""
        return Check(name, None, f"{operation.action} answered {exc.code}{rid}: {exc.message}", "")
    finally:
        client.close()
    return Check(name, True, f"{operation.action} accepted (RequestId {body.get('RequestId', '?')})")


# --- emulator -------------------------------------------------------------------------------------------


def check_emulator(target: Target) -> list[Check]:
    """An emulator target answers its health check."""
    if not target.emulated or target.endpoint is None:
        return []
    try:
        health = httpx.get(f"{target.endpoint}/_emulator/health", timeout=5.0, trust_env=False)
        data = health.json() if health.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        data = None
    if not isinstance(data, dict):
        return [
            Check(
                "emulator",
                False,
                f"{target.endpoint} is configured but its health check does not answer",
                "start it (`alicloud-ai-emulator --port N`) or unset ALICLOUD_AI_ENDPOINT",
            )
        ]
    return [
        Check(
            "emulator",
            True,
            f"{target.endpoint}: version {data.get('version')}, region {data.get('region')}, "
            f"time scale {data.get('timeScale')}; dashboard at {target.endpoint}/_emulator/ui",
        )
    ]


# --- providers -------------------------------------------------------------------------------------------


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


# --- event log -------------------------------------------------------------------------------------------


def check_event_log(settings: Settings, env: Mapping[str, str]) -> Check:
    """Where the provider event log goes, and that it can be written there."""
    from pulumi_alicloud_ai.resources import _events

    if env.get(_events.EVENT_LOG_ENV, "").lower() in ("off", "0", "false", "no"):
        return Check(
            "event log", None, f"off ({_events.EVENT_LOG_ENV})", f"unset {_events.EVENT_LOG_ENV} to keep one"
        )
    path = _events.log_path(settings.project, settings.stack, env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(path.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        return Check(
            "event log",
            False,
            f"{path.parent} is not writable",
            f"set {_events.EVENTS_DIR_ENV} to a writable directory",
        )
    return Check("event log", True, f"{path} (follow it: python -m pulumi_alicloud_ai events --follow)")


# --- running ---------------------------------------------------------------------------------------------


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
    checks += check_emulator(target)
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
        description="Check credentials, region, endpoints, clock skew, providers and the emulator.",
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
