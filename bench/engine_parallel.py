"""Benchmark 6: the real Pulumi engine deploying 20 AppServices at once against a throttled emulator.

The Pulumi CLI (``scripts/pulumi-cli``: on PATH, cached, or built with Go) runs one generated program of
``--services`` (20) ``AppService`` resources with its default parallelism, in a temporary file backend.
The emulator runs in its own process at ``--time-scale 0.1`` (a 30 s creation takes 3 s, a 10 s deletion
1 s), wrapped in the counting middleware of ``bench/_servers.py``, with one fault rule
``{"rate_limit": --limit}`` (20 requests per second across all callers; the excess is answered
``Throttling.User``). ``pulumi up``, then ``pulumi destroy``.

Printed for each command: wall time, exit code, errored resources, calls per action and throttled
answers. Failures are a non-zero exit or an errored resource; duplicates are CreateAppService calls the
emulator accepted beyond one per resource, or ListServices showing more services than resources.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _common import REPO_DIR, SERVERS, child, header

THROTTLE = "Throttling.User"

PROGRAM = '''"""{count} AppServices deployed together."""
import pulumi
from pulumi_alicloud_ai import AppService, AppServiceArgs, OssModelStorage, ServiceSpec

for index in range({count}):
    AppService(
        f"svc-{{index:02d}}",
        AppServiceArgs(
            service_name=f"parallel_{{index:02d}}",
            service_spec=ServiceSpec.LLAMA_7B_INT8,
            config=OssModelStorage(oss_path="oss://models/llama-7b/"),
        ),
    )
'''


def pulumi_bin() -> Path:
    """The CLI's directory, as scripts/pulumi-cli finds or builds it."""
    found = subprocess.run(
        [str(REPO_DIR / "scripts" / "pulumi-cli")], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        sys.exit(f"no Pulumi CLI: {found.stderr.strip()}")
    return Path(found.stdout.strip())


def project(work: Path, count: int) -> Path:
    """A Pulumi project of ``count`` services that runs with this interpreter."""
    directory = work / "parallel"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        "name: engine-parallel\nruntime:\n  name: python\n  options:\n"
        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n"
    )
    (directory / "__main__.py").write_text(PROGRAM.format(count=count))
    return directory


def run(args: list[str], directory: Path, env: dict[str, str], url: str) -> dict[str, Any]:
    """One pulumi command: wall time, exit code, output, and the emulator's log while it ran."""
    httpx.post(f"{url}/_bench/log/clear").raise_for_status()
    started = time.monotonic()
    done = subprocess.run(
        ["pulumi", *args, "--non-interactive", "--color=never"],
        cwd=directory, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.monotonic() - started
    log = httpx.get(f"{url}/_bench/log").json()
    return {"wall": wall, "exit": done.returncode, "output": done.stdout + done.stderr, "log": log}


def report(name: str, result: dict[str, Any]) -> Counter[str]:
    """Print one command's figures; return the accepted calls per action."""
    log = result["log"]
    accepted = Counter(action for _, action, status, _ in log if status < 400)
    throttled = sum(1 for *_, code in log if code == THROTTLE)
    errored = result["output"].count("**creating failed**") + result["output"].count("**deleting failed**")
    print(
        f"-- pulumi {name}: {result['wall']:.1f} s wall, exit {result['exit']}, {errored} errored resources"
    )
    print(f"   {len(log)} requests, {throttled} answered {THROTTLE}; accepted per action:")
    for action, count in sorted(accepted.items()):
        print(f"     {action:<18} {count}")
    if result["exit"] != 0:
        print(result["output"][-3000:])
    return accepted


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--limit", type=float, default=20.0, help="emulator rate limit, requests/s")
    parser.add_argument("--time-scale", default="0.1")
    args = parser.parse_args()
    header("engine_parallel")
    bin_dir = pulumi_bin()
    version = subprocess.run([str(bin_dir / "pulumi"), "version"], capture_output=True, text=True, check=True)
    print(f"pulumi {version.stdout.strip()} ({bin_dir}); {args.services} services; time scale {args.time_scale}; "
          f"rate limit {args.limit:g}/s")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="engine-parallel-") as tmp:
        work = Path(tmp)
        emulator_cmd = [
            SERVERS,
            "counting-emulator",
            "--data-dir",
            str(work / "emulator"),
            "--time-scale",
            args.time_scale,
        ]
        with child(emulator_cmd) as emulator:
            httpx.post(f"{emulator.url}/_emulator/faults", json={"rate_limit": args.limit}).raise_for_status()
            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("ALIBABA_CLOUD_", "ALICLOUD_", "PULUMI_"))
            }
            env.update(
                PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
                HOME=str(work),
                PULUMI_HOME=str(work / "pulumi-home"),
                PULUMI_BACKEND_URL=f"file://{work / 'backend'}",
                PULUMI_CONFIG_PASSPHRASE="bench",
                PULUMI_SKIP_UPDATE_CHECK="true",
                ALICLOUD_AI_ENDPOINT=emulator.url,
                ALICLOUD_AI_POLL_INTERVAL="0.25",
            )
            (work / "backend").mkdir()
            directory = project(work, args.services)
            subprocess.run(["pulumi", "stack", "init", "bench", "--non-interactive"], cwd=directory, env=env, check=True,
                           capture_output=True)  # fmt: skip

            up = run(["up", "--yes", "--skip-preview"], directory, env, emulator.url)
            created = report("up", up)
            listed = httpx.get(f"{emulator.url}/_emulator/ui/feed").json()
            live = [
                entity["name"]
                for group in listed["groups"] if group["key"] == "eas-service"
                for entity in group["entities"] if entity["status"] == "Running"
            ]  # fmt: skip
            destroy = run(["destroy", "--yes", "--skip-preview"], directory, env, emulator.url)
            deleted = report("destroy", destroy)

    failures = int(up["exit"] != 0) + int(destroy["exit"] != 0)
    duplicates = max(0, created["CreateAppService"] - args.services) + max(0, len(live) - args.services)
    print(json.dumps({"running_after_up": len(live), "deleted": deleted["DeleteService"]}))
    met = failures == 0 and duplicates == 0 and len(live) == args.services
    print(
        f"SUMMARY engine_parallel: up {up['wall']:.1f} s, destroy {destroy['wall']:.1f} s for {args.services} services; "
        f"{failures} failures, {duplicates} duplicates ({'met' if met else 'MISSED'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
