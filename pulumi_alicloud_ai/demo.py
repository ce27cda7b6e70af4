"""The main job, on a laptop with no cloud account: deploy, scale and destroy an LLM service.

Starts a fresh emulator, then runs the real ``examples/llm-service`` program with the real providers:
``up`` (watching the service go Creating → Running), ``preview --diff`` of a 1 → 3 replicas change,
``up`` again, ``destroy``. With the Pulumi CLI on PATH it runs ``pulumi`` itself with a temporary local
backend; without it, the local engine drives the same providers through the engine's gRPC protocol.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import AlibabaCloudError
from pulumi_alicloud_ai.client.session import ClientSettings, open_client

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "llm-service"
REGION = "cn-shanghai"
SERVICE = "chat_llm"


def say(line: str = "") -> None:
    """Print at once (the demo is watched live)."""
    print(line, flush=True)


@contextmanager
def demo_emulator(data_dir: Path, time_scale: float) -> Iterator[str]:
    """A fresh emulator process for the demo, stopped at the end."""
    from pulumi_alicloud_ai.testing.provider_host import read_line

    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_alicloud_ai.emulator", "--port", "0", "--data-dir", str(data_dir),
         "--time-scale", str(time_scale)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield read_line(process).removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


class StatusWatcher:
    """Polls the service while a step runs and prints each status change: the progress Pulumi's
    engine cannot show from inside a Python dynamic provider. The status a step ended with is always
    shown, however quickly the step went."""

    def __init__(self, url: str) -> None:
        self._api = open_client(
            EAS, ClientSettings(region=REGION, endpoint=url), StaticCredentialsProvider("test", "test")
        )
        self._eas = EasClient(self._api)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.monotonic()
        self._last: str | None = None

    def __enter__(self) -> StatusWatcher:
        self._stop.clear()
        self._started, self._last = time.monotonic(), None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._poll()

    def close(self) -> None:
        """Release the client."""
        self._api.close()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._poll()

    def _poll(self) -> None:
        try:
            status = self._eas.describe_service(REGION, SERVICE).status
        except AlibabaCloudError:
            status = "(not there)"
        if status != self._last:
            say(f"      status: {status:<12} at {time.monotonic() - self._started:4.1f}s")
            self._last = status


def run_without_cli(url: str, work: Path) -> None:
    """Drive the example through the dynamic-provider host's gRPC protocol with the local engine."""
    from pulumi_alicloud_ai.testing.local_engine import LocalEngine, Step

    say("The Pulumi CLI is not on PATH, so the local engine drives the same providers through the")
    say("Pulumi engine's gRPC protocol (python -m pulumi.dynamic), running the real example program.")
    say("(./scripts/pulumi-cli builds the Pulumi CLI with Go; ./scripts/demo then uses it.)")
    env = {**os.environ, "ALICLOUD_AI_ENDPOINT": url, "ALICLOUD_AI_POLL_INTERVAL": "0.25", "HOME": str(work)}
    os.environ.update({"ALICLOUD_AI_ENDPOINT": url})

    def show(step: Step) -> None:
        if step.op != "same" or step.diffs:
            say("    " + step.render().replace("\n", "\n    "))

    watcher = StatusWatcher(url)
    try:
        with LocalEngine("llm-service", "demo", env=env, on_step=show) as engine:
            say("\n[2/4] pulumi up   (replicas = 1)")
            with watcher:
                _, outputs = engine.up(EXAMPLE, {"replicas": "1"})
            _print_outputs(outputs)
            say("\n[3/4] pulumi preview --diff   (pulumi config set replicas 3)")
            engine.preview(EXAMPLE, {"replicas": "3"})
            say("    pulumi up")
            with watcher:
                _, outputs = engine.up(EXAMPLE, {"replicas": "3"})
            say(f"    status {outputs.get('status')}, 3 replicas")
            say("\n[4/4] pulumi destroy")
            with watcher:
                engine.destroy()
    finally:
        watcher.close()


def _print_outputs(outputs: dict[str, Any]) -> None:
    from pulumi.runtime import rpc

    say("    Outputs:")
    for name in sorted(outputs):
        value = outputs[name]
        shown = "[secret]" if rpc.is_rpc_secret(value) or name == "access_token" else value
        say(f"      {name:<18} {shown}")


def run_with_cli(pulumi: str, url: str, work: Path) -> None:
    """Run the real Pulumi CLI on a copy of the example with a temporary local backend."""
    project = work / "llm-service"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    # Use this interpreter (which has the package) instead of a fresh virtualenv.
    (project / "Pulumi.yaml").write_text(
        (EXAMPLE / "Pulumi.yaml")
        .read_text()
        .replace(
            "    toolchain: pip\n    virtualenv: venv\n",
            f"    toolchain: pip\n    virtualenv: {Path(sys.prefix)}\n",
        )
    )
    env = {
        **os.environ,
        "PULUMI_HOME": str(work / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{work / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "demo",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "ALICLOUD_AI_ENDPOINT": url,
        "ALICLOUD_AI_POLL_INTERVAL": "0.25",
    }
    (work / "state").mkdir()

    def pulumi_cmd(*args: str) -> None:
        say(f"    $ pulumi {' '.join(args)}")
        subprocess.run([pulumi, *args, "--non-interactive"], cwd=project, env=env, check=True)

    say(f"Running the Pulumi CLI ({pulumi}) with a temporary local backend.")
    pulumi_cmd("stack", "init", "demo")
    pulumi_cmd("config", "set", "replicas", "1")
    say("\n[2/4] pulumi up   (replicas = 1)")
    pulumi_cmd("up", "--yes", "--skip-preview")
    say("\n[3/4] pulumi preview --diff   (replicas = 3)")
    pulumi_cmd("config", "set", "replicas", "3")
    pulumi_cmd("preview", "--diff")
    pulumi_cmd("up", "--yes", "--skip-preview")
    say("\n[4/4] pulumi destroy")
    pulumi_cmd("destroy", "--yes", "--skip-preview")
    pulumi_cmd("stack", "rm", "demo", "--yes")


def main(argv: list[str] | None = None, *, which: Callable[[str], str | None] = shutil.which) -> int:
    """Run the demo; ``--no-cli`` uses the local engine even when the Pulumi CLI is installed."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_alicloud_ai demo",
        description="Deploy the llm-service example on a local emulator, scale it 1 -> 3 in place, and "
        "destroy it: no cloud account needed. Uses the Pulumi CLI when it is installed.",
    )
    parser.add_argument(
        "--no-cli", action="store_true", help="use the built-in local engine even when `pulumi` is installed"
    )
    args = parser.parse_args(argv or [])
    started = time.monotonic()
    if not (EXAMPLE / "__main__.py").exists():
        say(f"error: the example program is not at {EXAMPLE}; run the demo from a clone of the repository")
        return 2
    pulumi = None if args.no_cli else which("pulumi")
    say("pulumi-alicloud-ai demo: a PAI-EAS LLM service on a local emulator, no cloud account needed\n")
    with tempfile.TemporaryDirectory(prefix="alicloud-ai-demo-") as tmp:
        work = Path(tmp)
        say("[1/4] starting an emulator (time scale 0.1: a 30 s creation takes 3 s)")
        with demo_emulator(work / "emulator", 0.1) as url:
            say(f"    listening on {url}")
            if pulumi:
                run_with_cli(pulumi, url, work)
                engine = f"the Pulumi CLI ({pulumi})"
            else:
                run_without_cli(url, work)
                engine = "the local engine (pulumi_alicloud_ai.testing.LocalEngine)"
    say(f"\nDone in {time.monotonic() - started:.1f}s: created, scaled 1 -> 3 in place, destroyed.")
    say(f"engine: {engine}")
    return 0
