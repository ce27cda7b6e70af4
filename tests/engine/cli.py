"""Run a Pulumi program through the real CLI against an emulator, hermetically, and see what it did.

``CliStack`` copies a program directory, points its ``Pulumi.yaml`` at this interpreter (which has
the package), and runs ``pulumi`` with a file backend, a passphrase, its own ``PULUMI_HOME`` and
``HOME`` in a temporary directory, ``--non-interactive``, and the emulator's URL in
``ALICLOUD_AI_ENDPOINT`` (or in ``alicloud-ai:endpoint`` stack config). Each command returns a
:class:`CliRun` with the output and the API calls the emulator served meanwhile, counted on its
request log. Any engine test can use it; ``tests/engine/conftest.py`` has the fixtures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.emulator.recorder import REQUEST_LOG_SIZE
from tests.official_sdk import vod_client

PASSPHRASE = "engine-tests"
COMMAND_TIMEOUT = 300.0
"""Seconds one pulumi command may take before the test fails (a hang, not a slow machine)."""


@dataclass(frozen=True)
class Call:
    """One API request the emulator served."""

    action: str
    status: int
    code: str
    subjects: tuple[str, ...]


class RequestLog:
    """Counts API calls on the emulator's request log between two points (the log keeps the last
    ``REQUEST_LOG_SIZE`` requests: a step that makes more cannot be counted and says so)."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self._state = emulator.state

    def mark(self) -> str | None:
        """The id of the newest request so far (None before the first)."""
        newest = list(self._state.requests)[-1:]
        return newest[0][1] if newest else None

    def since(self, mark: str | None) -> list[Call]:
        """Every request after ``mark``, oldest first."""
        records = self._state.request_records()
        ids = [record.request_id for record in records]
        if (mark is None and len(records) == REQUEST_LOG_SIZE) or (mark is not None and mark not in ids):
            raise RuntimeError(f"more than {REQUEST_LOG_SIZE} requests since the mark: cannot count them")
        start = 0 if mark is None else ids.index(mark) + 1
        return [Call(r.action, r.status, r.code, r.subjects) for r in records[start:]]


@dataclass(frozen=True)
class CliRun:
    """One finished ``pulumi`` command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    calls: tuple[Call, ...]
    """API requests the emulator served while the command ran, oldest first."""

    @property
    def output(self) -> str:
        """What the user saw: stdout, then stderr."""
        return self.stdout + self.stderr

    def count(self, action: str) -> int:
        """How many ``action`` calls the emulator served during the command."""
        return sum(1 for call in self.calls if call.action == action)

    def only(self, *actions: str) -> list[Call]:
        """The calls of these actions, in the order the emulator served them."""
        return [call for call in self.calls if call.action in actions]

    @property
    def actions(self) -> Counter[str]:
        """Calls per action."""
        return Counter(call.action for call in self.calls)

    def printed_output(self, name: str) -> str:
        """A stack output's value as ``pulumi up`` printed it under Outputs (the new value of a
        changed one), as JSON text: ``'"Running"'``."""
        found = re.search(
            rf"^\s+[-+~]?\s*{re.escape(name)} *: (?:.* => )?(.+)$",
            self.stdout.split("\nOutputs:\n", 1)[-1],
            re.M,
        )
        if found is None:
            raise CliError(f"no output {name!r} printed:\n{self.describe()}")
        return found[1]

    def describe(self) -> str:
        """For assertion messages: the command, its exit code and its whole output."""
        refused = [f"{call.action} {call.status} {call.code}" for call in self.calls if call.status >= 400]
        answers = f"refused calls: {', '.join(refused)}\n" if refused else ""
        return f"$ pulumi {' '.join(self.args)}  (exit {self.returncode})\n{answers}{self.output}"


class CliError(AssertionError):
    """A pulumi command ended otherwise than the test expected."""


def hermetic_env(cli_bin: Path, work: Path, emulator_url: str | None) -> dict[str, str]:
    """The CLI's environment: nothing from the developer's cloud settings, Pulumi home or backend."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALIBABA_CLOUD_", "ALICLOUD_", "PULUMI_"))
        and not key.lower().endswith("_proxy")
    }
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        PATH=f"{cli_bin}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        PULUMI_HOME=str(work / "pulumi-home"),
        PULUMI_BACKEND_URL=f"file://{work / 'backend'}",
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
        ALICLOUD_AI_EMULATOR_HOME=str(work / "embedded-emulator"),
        ALICLOUD_AI_POLL_INTERVAL="0.01",
    )
    if emulator_url is not None:
        env["ALICLOUD_AI_ENDPOINT"] = emulator_url
    (work / "backend").mkdir(parents=True, exist_ok=True)
    return env


def use_this_interpreter(project: Path) -> None:
    """Point the project's Pulumi.yaml at this interpreter's environment, which has the package."""
    path = project / "Pulumi.yaml"
    document = yaml.safe_load(path.read_text())
    runtime = document.get("runtime")
    if isinstance(runtime, str):
        runtime = {"name": runtime}
    runtime.setdefault("options", {})["virtualenv"] = sys.prefix
    document["runtime"] = runtime
    path.write_text(yaml.safe_dump(document, sort_keys=False))


class CliStack:
    """One stack of one program under the real CLI, in a directory of its own."""

    def __init__(
        self,
        cli_bin: Path,
        program: Path,
        work: Path,
        emulator: RunningEmulator,
        *,
        stack: str = "test",
        endpoint_in_config: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.work = work
        self.emulator = emulator
        self.project = work / program.name
        shutil.copytree(
            program, self.project, ignore=shutil.ignore_patterns("venv", "__pycache__", "Pulumi.*.yaml")
        )
        use_this_interpreter(self.project)
        self.env = hermetic_env(cli_bin, work, None if endpoint_in_config else emulator.url)
        self.env.update(env or {})
        self.log = RequestLog(emulator)
        self.stack = stack
        self.run("stack", "init", stack)
        if endpoint_in_config:
            self.config_set("alicloud-ai:endpoint", emulator.url)

    # --- running commands -------------------------------------------------------------------------

    def run(self, *args: str, expect_failure: bool = False) -> CliRun:
        """Run ``pulumi ARGS --non-interactive``; raise CliError unless it ends as expected."""
        mark = self.log.mark()
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive", "--color=never"],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        run = CliRun(tuple(args), done.returncode, done.stdout, done.stderr, tuple(self.log.since(mark)))
        if (run.returncode != 0) != expect_failure:
            raise CliError(
                ("expected a failure, got success" if expect_failure else "failed") + ":\n" + run.describe()
            )
        return run

    def up(self, *extra: str, expect_failure: bool = False) -> CliRun:
        """``pulumi up --yes --skip-preview``."""
        return self.run("up", "--yes", "--skip-preview", *extra, expect_failure=expect_failure)

    def preview(self, *extra: str, expect_failure: bool = False) -> CliRun:
        """``pulumi preview --diff``."""
        return self.run("preview", "--diff", *extra, expect_failure=expect_failure)

    def refresh(self, *extra: str, expect_failure: bool = False) -> CliRun:
        """``pulumi refresh --yes --skip-preview``."""
        return self.run("refresh", "--yes", "--skip-preview", *extra, expect_failure=expect_failure)

    def destroy(self, *extra: str, expect_failure: bool = False) -> CliRun:
        """``pulumi destroy --yes --skip-preview``."""
        return self.run("destroy", "--yes", "--skip-preview", *extra, expect_failure=expect_failure)

    def import_(
        self, type_token: str, name: str, resource_id: str, *extra: str, expect_failure: bool = False
    ) -> CliRun:
        """``pulumi import --yes TYPE NAME ID``."""
        return self.run(
            "import", "--yes", type_token, name, resource_id, *extra, expect_failure=expect_failure
        )

    def config_set(self, key: str, value: str, *, secret: bool = False, path: bool = False) -> None:
        """``pulumi config set`` (``--secret``, ``--path`` when asked)."""
        flags = (["--secret"] if secret else []) + (["--path"] if path else [])
        self.run("config", "set", *flags, key, value)

    # --- reading the stack ------------------------------------------------------------------------

    def export_text(self, *, show_secrets: bool = False) -> str:
        """``pulumi stack export`` as printed (secrets encrypted unless ``show_secrets``)."""
        return self.run("stack", "export", *(["--show-secrets"] if show_secrets else [])).stdout

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """The deployment ``pulumi stack export`` prints, parsed."""
        document: dict[str, Any] = json.loads(self.export_text(show_secrets=show_secrets))
        return document

    def import_state(self, path: Path) -> None:
        """``pulumi stack import --file PATH``."""
        self.run("stack", "import", "--file", str(path))

    def outputs(self, *, show_secrets: bool = True) -> dict[str, Any]:
        """The stack outputs (``pulumi stack output --json``)."""
        args = ["stack", "output", "--json", *(["--show-secrets"] if show_secrets else [])]
        parsed: dict[str, Any] = json.loads(self.run(*args).stdout)
        return parsed

    def resources(self, *, show_secrets: bool = False) -> dict[str, dict[str, Any]]:
        """The stack's resources by name (``pulumi stack export``), without the stack and providers."""
        deployment = self.export(show_secrets=show_secrets)["deployment"]
        return {
            resource["urn"].rsplit("::", 1)[1]: resource
            for resource in deployment.get("resources", [])
            if not resource["type"].startswith(("pulumi:pulumi:", "pulumi:providers:"))
        }


def leftovers(emulator: RunningEmulator) -> dict[str, list[str]]:
    """What a destroyed stack must not leave behind: EAS services and VOD AI templates (as the
    emulator's dashboard feed shows them) and AI images (as VOD's ListAIImageInfo lists them, for
    every video). VOD AI image jobs and ROS AI tasks are records that no API deletes."""
    from alibabacloud_vod20170321.models import ListAIImageInfoRequest

    feed = httpx.get(f"{emulator.url}/_emulator/ui/feed", timeout=10).raise_for_status().json()
    live = {
        group["key"]: [e for e in group["entities"] if e["status"] != "Deleted"] for group in feed["groups"]
    }
    vod = vod_client(emulator)
    images = [
        info.file_url
        for video in live.get("vod-video", [])
        for info in vod.list_aiimage_info(ListAIImageInfoRequest(video_id=video["id"])).body.aiimage_info_list
    ]
    found = {
        "eas services": [entity["name"] for entity in live.get("eas-service", [])],
        "vod templates": [entity["name"] for entity in live.get("vod-aitemplate", [])],
        "vod images": images,
    }
    return {kind: names for kind, names in found.items() if names}
