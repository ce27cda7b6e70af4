"""Benchmark 2: API calls per lifecycle step, counted on the server, beside the lower bound.

The emulator runs in its own process wrapped in a counting ASGI middleware (``bench/_servers.py
counting-emulator``: every API request the emulator answers is logged with its action, status and error
code; the benchmark clears and reads that log around each step). Providers run in the real Pulumi
dynamic-provider host (``python -m pulumi.dynamic``) driven by ``ProviderHost``, as the engine drives them.

Transition times are known: the emulator's ``--time-scale`` shrinks the lifecycles (EAS ``Creating`` 30 s,
``Scaling`` 20 s, ``Deleting`` 10 s; a VOD AI image job 2 + 10 s), and ``ALICLOUD_AI_POLL_INTERVAL`` sets
the poll base ``b``. The lower bound of a step is its mutating calls plus the polls a doubling backoff
from ``b`` needs to see a transition of ``W`` seconds: sleeping b, 2b, 4b... reaches W after
``k = ceil(log2(W / b + 1))`` sleeps, one poll after each. Two time scales show the polls growing with
log(W/b), not with W.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _common import REPO_DIR, SERVERS, child, header

from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env

RESOURCES = REPO_DIR / "pulumi_alicloud_ai" / "resources"
POLLS = {"DescribeService", "GetAIImageJobs", "GetAITask"}


def polls_needed(wait: float, base: float) -> int:
    """Polls a doubling backoff from ``base`` needs to see a transition ``wait`` seconds away."""
    return math.ceil(math.log2(wait / base + 1)) if wait > 0 else 0


@dataclass
class Step:
    """One lifecycle step: what the server received, and the least it could have been."""

    resource: str
    name: str
    calls: Counter[str] = field(default_factory=Counter)
    mutating: int = 0
    wait: float = 0.0
    base: float = 1.0
    reads: int = 0
    """Reads the step needs besides polling (a refresh reads once)."""

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def polls(self) -> int:
        return sum(n for action, n in self.calls.items() if action in POLLS)

    @property
    def needed_polls(self) -> int:
        return polls_needed(self.wait, self.base)

    @property
    def bound(self) -> int:
        return self.mutating + self.needed_polls + self.reads

    def line(self) -> str:
        breakdown = ", ".join(f"{action} {n}" for action, n in sorted(self.calls.items())) or "-"
        wait = (
            f"   [wait {self.wait:g} s, base {self.base:g} s: {self.needed_polls} polls needed, "
            f"{self.polls} made]"
            if self.wait
            else ""
        )
        return f"  {self.name:14s} {self.total:4d} calls   bound {self.bound:3d}   {breakdown}{wait}"


class Counting:
    """The counting emulator's request log, read around each step."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, trust_env=False, timeout=30)

    def measure(self, step: Step, action: Callable[[], Any]) -> Any:
        self.http.post("/_bench/log/clear").raise_for_status()
        result = action()
        log = self.http.get("/_bench/log").json()
        step.calls.update(entry[1] for entry in log)
        return result

    def close(self) -> None:
        self.http.close()


def app_service_steps(url: str, home: str, scale: float, base: float) -> list[Step]:
    from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider

    counting = Counting(url)
    host = ProviderHost(AppServiceProvider(), provider_env(url, home, ALICLOUD_AI_POLL_INTERVAL=str(base)))
    steps: list[Step] = []

    def step(name: str, action: Callable[[], Any], **kw: Any) -> Any:
        steps.append(Step("AppService", name, base=base, **kw))
        return counting.measure(steps[-1], action)

    try:
        host.configure({})
        name = "calls_llm"
        news = {
            "service_name": name,
            "region": "cn-shanghai",
            "service_spec": "llama_7b_fp16",
            "replicas": 1,
            "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
        }
        checked = step("preview (new)", lambda: host.check(name, news))
        rid, outs, _ = step(
            "create+wait", lambda: host.create(name, checked.inputs), mutating=1, wait=30 * scale
        )
        inputs = checked.inputs

        def preview_same() -> Any:
            again = host.check(name, news, olds=inputs).inputs
            return host.diff(name, rid, outs, again)

        diff = step("no-op diff", preview_same)
        assert diff.changes == diff.DIFF_NONE, diff
        scaled = {**news, "replicas": 3}

        def update() -> Any:
            again = host.check(name, scaled, olds=inputs).inputs
            assert host.diff(name, rid, outs, again).changes == diff.DIFF_SOME
            return again, host.update(name, rid, outs, again)

        inputs, outs = step("replicas 1->3", update, mutating=1, wait=20 * scale)
        step("refresh", lambda: host.read(name, rid, outs, inputs), reads=1)
        step("delete+wait", lambda: host.delete(name, rid, outs), mutating=1, wait=10 * scale)
    finally:
        host.close()
        counting.close()
    return steps


def ai_image_job_steps(url: str, home: str, scale: float, base: float) -> list[Step]:
    from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
    from pulumi_alicloud_ai.client.endpoints import VOD
    from pulumi_alicloud_ai.client.session import ClientSettings, open_client
    from pulumi_alicloud_ai.client.vod import VodClient
    from pulumi_alicloud_ai.resources._ai_image_job_provider import AIImageJobProvider

    # Set-up, not counted: a video (admin API) and an AIImage template.
    video_id = httpx.post(
        f"{url}/_emulator/vod/videos", json={"Title": "clip", "Duration": 90, "Region": "cn-shanghai"}
    ).json()["VideoId"]
    settings = ClientSettings(region="cn-shanghai", endpoint=url)
    with open_client(VOD, settings, StaticCredentialsProvider("test", "test")) as api:
        template_id = VodClient(api).add_ai_template("thumbs", "AIImage", {"Count": 3}).template_id

    counting = Counting(url)
    host = ProviderHost(AIImageJobProvider(), provider_env(url, home, ALICLOUD_AI_POLL_INTERVAL=str(base)))
    steps: list[Step] = []

    def step(name: str, action: Callable[[], Any], **kw: Any) -> Any:
        steps.append(Step("AIImageJob", name, base=base, **kw))
        return counting.measure(steps[-1], action)

    try:
        host.configure({})
        news = {"video_id": video_id, "ai_template_id": template_id, "region": "cn-shanghai"}
        checked = step("preview (new)", lambda: host.check("job", news))
        # The images are outputs, so reading them once (ListAIImageInfo) is part of the bound.
        rid, outs, _ = step(
            "create+wait", lambda: host.create("job", checked.inputs), mutating=1, wait=12 * scale, reads=1
        )

        def preview_same() -> Any:
            again = host.check("job", news, olds=checked.inputs).inputs
            return host.diff("job", rid, outs, again)

        diff = step("no-op diff", preview_same)
        assert diff.changes == diff.DIFF_NONE, diff
        steps.append(Step("AIImageJob", "(update)"))  # every input replaces: there is no update
        step("refresh", lambda: host.read("job", rid, outs, checked.inputs), reads=2)
        # Delete: one DeleteAIImageInfos for three images, after finding them (ListAIImageInfo).
        step("delete", lambda: host.delete("job", rid, outs), mutating=1, reads=1)
    finally:
        host.close()
        counting.close()
    return steps


def ai_task_steps(url: str, home: str, scale: float, base: float) -> list[Step]:
    from pulumi_alicloud_ai.resources._ai_task_provider import AITaskProvider

    counting = Counting(url)
    host = ProviderHost(AITaskProvider(), provider_env(url, home, ALICLOUD_AI_POLL_INTERVAL=str(base)))
    steps: list[Step] = []

    def step(name: str, action: Callable[[], Any], **kw: Any) -> Any:
        steps.append(Step("AITask", name, base=base, **kw))
        return counting.measure(steps[-1], action)

    try:
        host.configure({})
        news = {
            "task_type": "GenerateTemplate",
            "prompt": "A VPC with two vswitches",
            "region": "cn-shanghai",
        }
        checked = step("preview (new)", lambda: host.check("task", news))
        rid, outs, _ = step(
            "create+wait", lambda: host.create("task", checked.inputs), mutating=1, wait=14 * scale
        )

        def preview_same() -> Any:
            again = host.check("task", news, olds=checked.inputs).inputs
            return host.diff("task", rid, outs, again)

        diff = step("no-op diff", preview_same)
        assert diff.changes == diff.DIFF_NONE, diff
        steps.append(Step("AITask", "(update)"))  # every input replaces: there is no update
        # GetAITask for the task and its output; ListAITasks is the only call returning the prompt.
        step("refresh", lambda: host.read("task", rid, outs, checked.inputs), reads=2)
        step("delete", lambda: host.delete("task", rid, outs))  # ROS cannot delete AI tasks
    finally:
        host.close()
        counting.close()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="0.1,0.4", help="emulator --time-scale values (0.1,0.4)")
    parser.add_argument("--base", type=float, default=0.25, help="ALICLOUD_AI_POLL_INTERVAL, seconds (0.25)")
    args = parser.parse_args()
    header("api_calls")
    scales = [float(s) for s in args.scales.split(",")]
    has_job = (RESOURCES / "_ai_image_job_provider.py").exists()
    has_task = (RESOURCES / "_ai_task_provider.py").exists()
    if not has_job:
        print(
            "note: AIImageJob skipped: pulumi_alicloud_ai/resources/_ai_image_job_provider.py does not exist"
        )
    if not has_task:
        print("note: AITask skipped: pulumi_alicloud_ai/resources/_ai_task_provider.py does not exist")
    all_steps: list[tuple[float, Step]] = []
    for scale in scales:
        with (
            tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp,
            child([SERVERS, "counting-emulator", "--data-dir", tmp, "--time-scale", str(scale)]) as emulator,
        ):
            print(
                f"-- time scale {scale:g}: EAS Creating {30 * scale:g} s, Scaling {20 * scale:g} s, "
                f"Deleting {10 * scale:g} s; VOD job {12 * scale:g} s; ROS task {14 * scale:g} s; "
                f"poll base {args.base:g} s"
            )
            groups = [("AppService", app_service_steps)]
            if has_job:
                groups.append(("AIImageJob", ai_image_job_steps))
            if has_task:
                groups.append(("AITask", ai_task_steps))
            for resource, run in groups:
                home = str(Path(tmp) / f"home-{resource}")
                steps = run(emulator.url, home, scale, args.base)
                print(f" {resource}")
                for step in steps:
                    print(
                        step.line()
                        if step.name != "(update)"
                        else "  (update)        n/a: every input replaces"
                    )
                all_steps.extend((scale, s) for s in steps if s.name != "(update)")
    noop = sum(s.total for _, s in all_steps if s.name in ("no-op diff", "preview (new)"))
    waits = [(scale, s) for scale, s in all_steps if s.wait]
    extra_polls = max(s.polls - s.needed_polls for _, s in waits)
    extra_calls = max(s.total - s.bound for _, s in all_steps)
    creates = ", ".join(
        f"{s.resource} {s.wait:g} s: {s.polls} polls (need {s.needed_polls})"
        for _, s in waits
        if s.name == "create+wait"
    )
    verdict = "met" if noop == 0 and extra_polls <= 2 else "MISSED"
    print(
        f"SUMMARY api_calls: no-op preview+diff {noop} calls (target 0); waits {creates}; "
        f"at most {extra_polls} polls and {extra_calls} calls above the bound per step (target O(log(wait/base))) "
        f"— {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
