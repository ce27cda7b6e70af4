"""Benchmark 6: what a list, a filter and a create cost with 10, 1,000 and 10,000 entities stored.

For each scale a fresh data directory is seeded with N entities of each product (EAS services, ROS AI
tasks, VOD AI templates) by calling the emulator's own create handlers in-process — the code an API
call runs, without HTTP and signing, so seeding 10,000 takes seconds, not minutes. A few entities of
each are "rare" (a WorkspaceId, a TaskType, a TemplateType that only 5 of them have), so a selective
filter matches the same 5 at every scale. Time scale 0: every creation has finished before measuring.

The emulator then runs as its own process on that directory and each call is measured over HTTP, one
at a time on one keep-alive connection, through our client: its cost is the **server's CPU time per
call** (the emulator's main thread, from ``/proc/PID/schedstat``, nanoseconds), the figure the target
is judged on; the client's median latency is printed beside it. Every call is warmed up first (its
index exists, the entities it returns are decoded once). Creates add entities, a few hundred at most.
RSS is the emulator's ``VmRSS`` after all calls. Ratios are to the 10-entity figure; target: at most
1.5x at 10,000.

Two rows are printed but not judged, because their cost is not a page's by design (see
bench/README.md): a page in the middle of ListServices (PageNumber paging skips the index entries
before or after the page, whichever are fewer, decoding none) and the substring ``Filter`` (it reads the
name in every index entry of the region, decoding only the page).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import Child, child, emulator_args, header

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import CREATE_APP_SERVICE, DESCRIBE_SERVICE, LIST_SERVICES
from pulumi_alicloud_ai.client.endpoints import EAS, ROS, VOD, Product
from pulumi_alicloud_ai.client.ros import CREATE_AI_TASK, LIST_AI_TASKS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.transport import OpenApiClient
from pulumi_alicloud_ai.client.vod import ADD_AI_TEMPLATE, LIST_AI_TEMPLATE
from pulumi_alicloud_ai.emulator.eas.routes import create_app_service, list_services
from pulumi_alicloud_ai.emulator.ros.routes import create_ai_task
from pulumi_alicloud_ai.emulator.routing import Call
from pulumi_alicloud_ai.emulator.state import EmulatorConfig, EmulatorState
from pulumi_alicloud_ai.emulator.vod.routes import add_ai_template

REGION = "cn-shanghai"
RARE = 5
PAGE = 5
TARGET = 1.5


# --- seeding through the handlers ---------------------------------------------------------------------


def _call(state: EmulatorState, product: str, action: str, params: dict[str, str], body: bytes = b"") -> Call:
    return Call(
        product=product,
        action=action,
        version="",
        region=REGION,
        request_id="seed",
        host="",
        params=params,
        path_params={},
        body=body,
        content_type="application/json",
        access_key_id="test",
        state=state,
    )


def seed(data_dir: Path, count: int) -> None:
    """``count`` entities of each product, the first RARE of each selective, as the API makes them."""
    state = EmulatorState(EmulatorConfig(data_dir=data_dir, time_scale=0))
    try:
        for start in range(0, count, 500):
            with state.store.transaction():
                for index in range(start, min(count, start + 500)):
                    rare = index < RARE
                    service = {
                        "AppType": "LLM",
                        "Replicas": 1,
                        "ServiceName": f"svc_{index:05d}",
                        "ServiceSpec": "llama_7b_fp16",
                    }
                    workspace = {"WorkspaceId": "rare" if rare else "common"}
                    create_app_service(
                        _call(state, "eas", "CreateAppService", workspace, json.dumps(service).encode())
                    )
                    task = (
                        {"TaskType": "GenerateTemplate", "Prompt": f"a VPC number {index}"}
                        if rare
                        else {"TaskType": "FixTemplate", "Template": "{}"}
                    )
                    create_ai_task(_call(state, "ros", "CreateAITask", task))
                    kind, config = ("AIMediaAudit", "{}") if rare else ("AIImage", '{"Count": 1}')
                    template = {"TemplateName": f"t{index}", "TemplateType": kind, "TemplateConfig": config}
                    add_ai_template(_call(state, "vod", "AddAITemplate", template))
        with state.store.transaction():  # every creation is over at time scale 0: store it so
            list_services(_call(state, "eas", "ListServices", {"PageSize": "1"}))
    finally:
        state.close()


# --- measuring over HTTP ------------------------------------------------------------------------------


def cpu_ns(pid: int) -> int:
    """CPU time of the process's main thread in nanoseconds (``/proc/PID/schedstat``)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Row:
    """One call measured at every scale: server CPU (µs) and client latency (ms) per call, per round."""

    name: str
    judged: bool
    cpu_us: dict[int, list[float]] = field(default_factory=dict)
    latency_ms: dict[int, list[float]] = field(default_factory=dict)

    def cpu(self, count: int) -> float:
        return statistics.median(self.cpu_us[count])

    def latency(self, count: int) -> float:
        return statistics.median(self.latency_ms[count])


def measure(
    server: Child, call: Callable[[int], Any], *, seconds: float = 0.0, times: int = 0
) -> tuple[float, float]:
    """Call one at a time for about ``seconds`` (or ``times`` calls); server CPU µs and median latency
    ms per call."""
    latencies: list[float] = []
    cpu0 = cpu_ns(server.proc.pid)
    deadline = time.perf_counter() + seconds
    index = 0
    while time.perf_counter() < deadline or index < max(times, 10):
        started = time.perf_counter()
        call(index)
        latencies.append(time.perf_counter() - started)
        index += 1
    cpu = cpu_ns(server.proc.pid) - cpu0
    return cpu / 1000 / index, statistics.median(latencies) * 1000


Calls = list[tuple[str, bool, Callable[[int], Any]]]


def calls(apis: dict[Product, OpenApiClient], count: int) -> tuple[Calls, Calls]:
    """``(reads, creates)``: (row name, judged against the target, the call given a sequence number)."""
    eas, ros, vod = apis[EAS], apis[ROS], apis[VOD]
    second_page = ros.call(LIST_AI_TASKS, query={"MaxResults": PAGE})["NextToken"]
    last_page = max(1, -(-count // PAGE))
    serial = iter(range(1_000_000))

    def create_service(_: int) -> Any:
        body = {
            "AppType": "LLM",
            "Replicas": 1,
            "ServiceName": f"new_{next(serial)}",
            "ServiceSpec": "llama_7b_fp16",
        }
        return eas.call(CREATE_APP_SERVICE, query={"WorkspaceId": "new"}, json_body=body)

    def add_template(_: int) -> Any:
        template = {
            "TemplateName": f"n{next(serial)}",
            "TemplateType": "AIImage",
            "TemplateConfig": '{"Count": 1}',
        }
        return vod.call(ADD_AI_TEMPLATE, query=template)

    reads: Calls = [
        (
            f"EAS ListServices, page 1 of {PAGE}",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE}),
        ),
        (
            f"EAS ListServices, page 2 of {PAGE} asc",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": 2, "Order": "asc"}),
        ),
        (
            "EAS filter Status=Running",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE, "ServiceStatus": "Running"}),
        ),
        (
            "EAS filter WorkspaceId (5 match)",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"WorkspaceId": "rare"}),
        ),
        (
            "EAS filter ServiceName",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"ServiceName": "svc_00003"}),
        ),
        (
            "EAS DescribeService",
            True,
            lambda _: eas.call(
                DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": "svc_00002"}
            ),
        ),
        (
            f"ROS ListAITasks, page 1 of {PAGE}",
            True,
            lambda _: ros.call(LIST_AI_TASKS, query={"MaxResults": PAGE}),
        ),
        (
            "ROS ListAITasks, NextToken page",
            True,
            lambda _: ros.call(LIST_AI_TASKS, query={"MaxResults": PAGE, "NextToken": second_page}),
        ),
        (
            "ROS filter TaskType (5 match)",
            True,
            lambda _: ros.call(LIST_AI_TASKS, query={"TaskType": "GenerateTemplate"}),
        ),
        (
            "VOD ListAITemplate (5 of the type)",
            True,
            lambda _: vod.call(LIST_AI_TEMPLATE, query={"TemplateType": "AIMediaAudit"}),
        ),
        (
            "EAS ListServices, last page",
            True,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": last_page}),
        ),
        (
            "EAS ListServices, middle page (not judged)",
            False,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE, "PageNumber": max(1, last_page // 2)}),
        ),
        (
            "EAS Filter substring (not judged)",
            False,
            lambda _: eas.call(LIST_SERVICES, query={"PageSize": PAGE, "Filter": "00003"}),
        ),
    ]
    creates: Calls = [
        ("EAS CreateAppService", True, create_service),
        (
            "ROS CreateAITask",
            True,
            lambda _: ros.call(CREATE_AI_TASK, form={"TaskType": "FixTemplate", "Template": "{}"}),
        ),
        ("VOD AddAITemplate", True, add_template),
    ]
    return reads, creates


def run(
    scales: list[int], rounds: int, seconds: float, creates_per_round: int
) -> tuple[dict[str, Row], dict[int, float]]:
    """Seed every scale, start an emulator on each, then measure in interleaved rounds (every call at
    every scale in each round, the scales' order rotating), reads first, creates last."""
    rows: dict[str, Row] = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-scale-") as tmp, ExitStack() as stack:
        servers: dict[int, Child] = {}
        planned: dict[int, tuple[Calls, Calls]] = {}
        for count in scales:
            data_dir = Path(tmp) / str(count)
            started = time.perf_counter()
            seed(data_dir, count)
            print(f"  seeded {count:,} of each product in {time.perf_counter() - started:.1f} s", flush=True)
            server = stack.enter_context(
                child(emulator_args("--data-dir", str(data_dir), "--time-scale", "0"))
            )
            settings = ClientSettings(region=REGION, endpoint=server.url)
            credentials = StaticCredentialsProvider("test", "test")
            apis = {
                product: stack.enter_context(open_client(product, settings, credentials))
                for product in (EAS, ROS, VOD)
            }
            servers[count] = server
            planned[count] = calls(apis, count)
            for _, _, call in planned[count][0]:  # warm: indexes exist, returned entities decoded once
                for index in range(3):
                    call(index)
        for phase, per_call in ((0, {"seconds": seconds}), (1, {"times": creates_per_round})):
            for round_index in range(rounds):
                order = scales[round_index % len(scales) :] + scales[: round_index % len(scales)]
                for position in range(len(planned[scales[0]][phase])):
                    for count in order:
                        name, judged, call = planned[count][phase][position]
                        row = rows.setdefault(name, Row(name, judged))
                        cpu, latency = measure(servers[count], call, **per_call)
                        row.cpu_us.setdefault(count, []).append(cpu)
                        row.latency_ms.setdefault(count, []).append(latency)
        rss = {count: rss_mb(server.proc.pid) for count, server in servers.items()}
    return rows, rss


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="10,1000,10000", help="entities per product (10,1000,10000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--seconds", type=float, default=0.25, help="per read call, scale and round (0.25)")
    parser.add_argument("--creates", type=int, default=30, help="creates per product, scale and round (30)")
    args = parser.parse_args()
    header("store_scale")
    scales = [int(value) for value in args.scales.split(",")]
    rows, rss = run(scales, args.rounds, args.seconds, args.creates)
    base, top = scales[0], scales[-1]
    print(
        f"server CPU per call in µs (median of {args.rounds} rounds), ratio to {base} entities, "
        "client median latency in brackets"
    )
    print(f"{'':44s}" + "".join(f"{count:>28,d}" for count in scales))
    worst = (0.0, "")
    for row in rows.values():
        cells = [
            f"{row.cpu(count):7.0f} {row.cpu(count) / row.cpu(base):6.2f}x ({row.latency(count):6.2f} ms)"
            for count in scales
        ]
        print(f"{row.name:44s}" + "".join(f"{cell:>28s}" for cell in cells))
        ratio = row.cpu(top) / row.cpu(base)
        if row.judged and ratio > worst[0]:
            worst = (ratio, row.name)
    print(
        f"{'emulator RSS (MB)':44s}"
        + "".join(f"{rss[c]:>15.1f} {rss[c] / rss[base]:6.2f}x{'':5s}" for c in scales)
    )
    rss_ratio = rss[top] / rss[base]
    met = worst[0] <= TARGET and rss_ratio <= TARGET
    print(
        f"SUMMARY store_scale: at {top:,} entities per product the costliest judged call is "
        f"{worst[0]:.2f}x its cost at {base} ({worst[1]}), RSS {rss_ratio:.2f}x (target <= {TARGET}x) — "
        + ("met" if met else "MISSED")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
