"""Benchmark 3: what a provider costs before any API call: Check / Diff latency and import time.

**Check and Diff** go through the real Pulumi dynamic-provider host (``python -m pulumi.dynamic``, started
by ``ProviderHost``) as gRPC calls carrying the dill-serialized provider, as the engine sends them.
Requests are built once (building them is the engine's work, not ours); after a warm-up, each call is
timed on its own and the median and p90 are printed. Beside them: the same calls to a provider whose
``check``/``diff`` do nothing (the host + gRPC floor), and ``AppServiceProvider.check/diff`` called
in-process (our code alone). Check and Diff never touch the network, so no emulator is needed.

**Import time**: a fresh interpreter per sample, samples interleaved, median of the time the import
statement takes (``time.perf_counter`` around it, interpreter start-up excluded): ``import pulumi``
alone; ``import pulumi_alicloud_ai`` (lazy: only the version); and
``import pulumi_alicloud_ai.resources.app_service``, the module a program really imports. Then
``python -X importtime`` shows which packages the resource module adds on top of ``pulumi``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from _common import header, median, percentile
from pulumi.dynamic import CheckResult, DiffResult, ResourceProvider
from pulumi.runtime import proto

from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, _struct, provider_env

NEWS = {
    "service_name": "overhead_llm",
    "region": "cn-shanghai",
    "service_spec": "llama_7b_fp16",
    "replicas": 2,
    "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
}
MODULES = ("pulumi", "pulumi_alicloud_ai", "pulumi_alicloud_ai.resources.app_service")


class NullProvider(ResourceProvider):
    """Does nothing: what the host and gRPC cost on their own."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False)


def grpc_timings(provider: ResourceProvider, calls: int, home: str) -> dict[str, list[float]]:
    """Seconds per Check and per Diff through the dynamic-provider host, after a warm-up."""
    host = ProviderHost(provider, provider_env("http://127.0.0.1:9", home))
    try:
        host.configure({})
        checked = host.check("r", NEWS).inputs
        outputs = {**checked, "service_id": "eas-m-1", "status": "Running"}
        urn = host.urn("r")
        check = proto.CheckRequest(
            urn=urn, olds=_struct(host._with_provider(checked)), news=_struct(host._with_provider(NEWS))
        )
        diff = proto.DiffRequest(
            urn=urn,
            id="cn-shanghai/overhead_llm",
            olds=_struct(host._with_provider(outputs)),
            news=_struct(host._with_provider(checked)),
        )
        stub = host._stub
        out: dict[str, list[float]] = {"Check": [], "Diff": []}
        for method, request in (("Check", check), ("Diff", diff)):
            send = getattr(stub, method)
            for _ in range(50):
                send(request, timeout=30)
            for _ in range(calls):
                started = time.perf_counter()
                send(request, timeout=30)
                out[method].append(time.perf_counter() - started)
        return out
    finally:
        host.close()


def in_process(calls: int) -> dict[str, list[float]]:
    provider = AppServiceProvider()
    checked = provider.check({}, dict(NEWS)).inputs
    outputs = {**checked, "service_id": "eas-m-1", "status": "Running"}
    out: dict[str, list[float]] = {"Check": [], "Diff": []}
    jobs: dict[str, Callable[[], Any]] = {
        "Check": lambda: provider.check(checked, dict(NEWS)),
        "Diff": lambda: provider.diff("cn-shanghai/overhead_llm", outputs, checked),
    }
    for name, job in jobs.items():
        for _ in range(50):
            job()
        for _ in range(calls):
            started = time.perf_counter()
            job()
            out[name].append(time.perf_counter() - started)
    return out


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def importtime(module: str) -> dict[str, int]:
    """``-X importtime``: self microseconds per imported module."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        out[name.strip()] = int(self_us)
    return out


def fmt(values: list[float]) -> str:
    return f"median {median(values) * 1000:6.2f} ms   p90 {percentile(values, 90) * 1000:6.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300, help="timed Check and Diff calls each (300)")
    parser.add_argument("--samples", type=int, default=15, help="fresh interpreters per import (15)")
    args = parser.parse_args()
    header("provider_overhead")
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as home:
        ours = grpc_timings(AppServiceProvider(), args.calls, home)
        floor = grpc_timings(NullProvider(), args.calls, home)
    local = in_process(args.calls)
    print(f"gRPC calls through python -m pulumi.dynamic, {args.calls} each after 50 warm-up calls:")
    for method in ("Check", "Diff"):
        print(f"  {method:5s} AppServiceProvider   {fmt(ours[method])}")
        print(f"  {method:5s} no-op provider       {fmt(floor[method])}   (host + gRPC floor)")
        print(f"  {method:5s} in-process, no gRPC  {fmt(local[method])}   (our code alone)")

    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.samples):
        for module in MODULES:
            samples[module].append(import_seconds(module))
    print(f"import time, {args.samples} fresh interpreters each (median, min..max):")
    for module in MODULES:
        values = samples[module]
        print(
            f"  import {module:42s} {statistics.median(values) * 1000:7.1f} ms   "
            f"({min(values) * 1000:.0f}..{max(values) * 1000:.0f})"
        )
    pulumi_ms = statistics.median(samples["pulumi"]) * 1000
    resource_ms = statistics.median(samples["pulumi_alicloud_ai.resources.app_service"]) * 1000
    package_ms = statistics.median(samples["pulumi_alicloud_ai"]) * 1000
    ratio = resource_ms / pulumi_ms

    base = importtime("pulumi")
    ours_modules = importtime("pulumi_alicloud_ai.resources.app_service")
    added: dict[str, int] = defaultdict(int)
    for name, self_us in ours_modules.items():
        if name not in base:
            added[name.split(".", 1)[0]] += self_us
    total_added = sum(added.values())
    print(
        f"-X importtime: the resource module adds {len(ours_modules) - len(base)} modules and "
        f"{total_added / 1000:.0f} ms (self time) to `import pulumi`; by top-level package:"
    )
    for package, self_us in sorted(added.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {package:28s} {self_us / 1000:6.1f} ms")

    check_ms = median(ours["Check"]) * 1000
    diff_ms = median(ours["Diff"]) * 1000
    verdict = "met" if check_ms <= 5 and diff_ms <= 5 and ratio <= 1.5 else "MISSED"
    print(
        f"SUMMARY provider_overhead: Check {check_ms:.2f} ms, Diff {diff_ms:.2f} ms (target <= 5 ms; "
        f"no-op provider {median(floor['Check']) * 1000:.2f}/{median(floor['Diff']) * 1000:.2f} ms); "
        f"import app_service {resource_ms:.0f} ms = {ratio:.2f}x import pulumi {pulumi_ms:.0f} ms "
        f"(target <= 1.5x), import pulumi_alicloud_ai {package_ms:.1f} ms — {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
