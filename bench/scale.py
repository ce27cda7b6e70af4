"""Benchmark 4: four stacks deploying together against one throttled emulator.

One emulator in its own process (``--time-scale 0``: each pending transition happens at the next read, so
the lifecycle does not dominate), wrapped in the counting middleware of ``bench/_servers.py``, with one
fault rule ``{"rate_limit": 20}`` (added through ``POST /_emulator/faults``): 20 requests per second across
all callers, the excess answered ``Throttling.User``.

Four ``python -m pulumi.dynamic`` host processes (four stacks), each sent four Create calls at a time from
threads (the engine's default parallelism per stack), create 200 ``AppService`` resources in total (50
per host), then delete them the same way. ``ALICLOUD_AI_POLL_INTERVAL`` is short (0.05 s). Each host has
its own ``shared_limiter`` for the endpoint (one per process): nothing coordinates the four but the
throttling answers they get.

From the server's log: accepted requests per second over each phase ÷ the limit, and the throttled
answers. Failures are Create/Delete calls that raised; duplicates are names the server accepted more than
one CreateAppService for, or ListServices showing more services than resources created.

``--timeline`` prints accepted/throttled requests per second; ``--trace DIR`` samples each host's
limiter rate into ``DIR/host<N>.trace``; ``--retry-only`` sets ``ALICLOUD_AI_ADAPTIVE_RATE=off`` in the
hosts, to compare with retrying alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from _common import SERVERS, child, header

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost, provider_env

THROTTLE = "Throttling.User"


class TracingProvider(AppServiceProvider):
    """``--trace``: the real provider, plus a thread in the host process that samples its limiter rates
    every 0.5 s into ``$BENCH_TRACE`` (bench-only; pickled by value, as the engine would)."""

    def create(self, props: dict[str, Any]) -> Any:
        _trace_limiters()
        return super().create(props)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        _trace_limiters()
        super().delete(_id, props)


def _trace_limiters() -> None:
    import os
    import threading
    import time

    from pulumi_alicloud_ai.client import ratelimit

    if getattr(ratelimit, "_bench_tracing", False):
        return
    ratelimit._bench_tracing = True  # type: ignore[attr-defined]

    def sample() -> None:
        with open(os.environ["BENCH_TRACE"], "a") as out:
            while True:
                rates = [round(limiter.rate or -1.0, 2) for limiter in ratelimit._SHARED.values()]
                out.write(f"{time.time():.2f} {rates}\n")
                out.flush()
                time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()


class Phase:
    """One phase (create or delete) across all hosts: outcomes, and the server's log for it."""

    def __init__(self, name: str, limit: float) -> None:
        self.name = name
        self.limit = limit
        self.failures: list[str] = []
        self.log: list[list[Any]] = []
        self.wall = 0.0

    @property
    def accepted(self) -> list[list[Any]]:
        return [entry for entry in self.log if entry[3] != THROTTLE]

    @property
    def throttled(self) -> int:
        return len(self.log) - len(self.accepted)

    @property
    def window(self) -> float:
        times = [entry[0] for entry in self.log]
        return max(times) - min(times) if times else 0.0

    @property
    def rate(self) -> float:
        return len(self.accepted) / self.window if self.window else 0.0

    def timeline(self) -> str:
        if not self.log:
            return "-"
        start = min(entry[0] for entry in self.log)
        seconds = int(max(entry[0] for entry in self.log) - start) + 1
        accepted, throttled = [0] * seconds, [0] * seconds
        for entry in self.log:
            bucket = accepted if entry[3] != THROTTLE else throttled
            bucket[int(entry[0] - start)] += 1
        return " ".join(f"{a}/{t}" if t else str(a) for a, t in zip(accepted, throttled, strict=True))

    def line(self) -> str:
        actions = Counter(entry[1] for entry in self.accepted)
        ideal = max(0.0, (len(self.accepted) - self.limit) / self.limit)  # the bucket starts full
        return (
            f"  {self.name:6s} {self.wall:5.1f} s  {len(self.accepted):4d} accepted + {self.throttled:4d} "
            f"throttled requests   {self.rate:5.2f} req/s = {self.rate / self.limit:.2f} of the limit   "
            f"(ideal {ideal:.1f} s)   failures {len(self.failures)}\n"
            f"         accepted: " + ", ".join(f"{a} {n}" for a, n in sorted(actions.items()))
        )


def run_phase(
    phase: Phase,
    hosts: list[ProviderHost],
    jobs: list[list[Any]],
    work: Callable[[ProviderHost, Any], Any],
    per_host: int,
    counts_url: str,
) -> list[Any]:
    """Run each host's jobs, ``per_host`` at a time; collect results and the server's log of the phase."""
    httpx.post(f"{counts_url}/_bench/log/clear").raise_for_status()
    results: list[Any] = []
    lock = threading.Lock()

    def one(host: ProviderHost, job: Any) -> None:
        try:
            result = work(host, job)
        except ProviderCallError as exc:
            with lock:
                phase.failures.append(exc.last_line)
            return
        with lock:
            results.append(result)

    pools = [ThreadPoolExecutor(per_host, thread_name_prefix=f"host{i}") for i in range(len(hosts))]
    started = time.perf_counter()
    futures = [
        pool.submit(one, host, job)
        for pool, host, host_jobs in zip(pools, hosts, jobs, strict=True)
        for job in host_jobs
    ]
    for future in futures:
        future.result()
    phase.wall = time.perf_counter() - started
    for pool in pools:
        pool.shutdown()
    phase.log = httpx.get(f"{counts_url}/_bench/log").json()
    for i, host in enumerate(hosts):
        proc = host._proc
        if proc.poll() is not None:
            stderr = proc.stderr.read()[-500:] if proc.stderr else ""
            print(f"  host {i} exited with {proc.returncode} during {phase.name}: {stderr}")
    return results


def list_names(url: str, prefix: str) -> list[str]:
    """Service names in the region starting with ``prefix`` (ListServices, paged; retried if throttled)."""
    settings = ClientSettings(region="cn-shanghai", endpoint=url)
    names: list[str] = []
    with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
        eas = EasClient(api)
        page = 1
        while True:
            listed = eas.list_services(PageNumber=page, PageSize=100, Filter=prefix)
            names.extend(s.service_name for s in listed.services if s.service_name.startswith(prefix))
            if page * 100 >= listed.total_count:
                return names
            page += 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=200, help="AppServices in total (200)")
    parser.add_argument("--hosts", type=int, default=4, help="provider host processes (4)")
    parser.add_argument("--per-host", type=int, default=4, help="concurrent calls per host (4)")
    parser.add_argument("--limit", type=float, default=20.0, help="the emulator's rate_limit rule (20)")
    parser.add_argument("--timeline", action="store_true", help="print accepted/throttled per second")
    parser.add_argument("--trace", help="directory: sample each host's limiter rate into host<N>.trace")
    parser.add_argument(
        "--retry-only",
        action="store_true",
        help="for comparison: ALICLOUD_AI_ADAPTIVE_RATE=off in the hosts (no rate limiter, retries only)",
    )
    args = parser.parse_args()
    header("scale")
    prefix = "scale_"
    with (
        tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp,
        child([SERVERS, "counting-emulator", "--data-dir", tmp, "--time-scale", "0"]) as emulator,
    ):
        httpx.post(f"{emulator.url}/_emulator/faults", json={"rate_limit": args.limit}).raise_for_status()
        env_extra = {"ALICLOUD_AI_POLL_INTERVAL": "0.05"}
        provider = TracingProvider() if args.trace else AppServiceProvider()
        hosts = []
        for i in range(args.hosts):
            extra = dict(env_extra)
            if args.trace:
                extra["BENCH_TRACE"] = str(Path(args.trace) / f"host{i}.trace")
            if args.retry_only:
                extra["ALICLOUD_AI_ADAPTIVE_RATE"] = "off"
            hosts.append(
                ProviderHost(provider, provider_env(emulator.url, str(Path(tmp) / f"home{i}"), **extra))
            )
        try:
            for host in hosts:
                host.configure({})
            names = [f"{prefix}{i:03d}" for i in range(args.services)]
            news = {
                "region": "cn-shanghai",
                "service_spec": "llama_7b_fp16",
                "replicas": 1,
                "config": {"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            }
            checked = {name: hosts[0].check(name, {**news, "service_name": name}).inputs for name in names}
            jobs = [names[i :: args.hosts] for i in range(args.hosts)]
            print(
                f"{args.services} AppServices, {args.hosts} provider hosts x {args.per_host} concurrent calls, "
                f"rate_limit {args.limit:g} req/s across all callers, emulator --time-scale 0, clients: "
                + ("NO rate limiter (retries only)" if args.retry_only else "adaptive rate limiter + retries")
            )

            create = Phase("create", args.limit)
            created = run_phase(
                create,
                hosts,
                jobs,
                lambda host, name: (name, host.create(name, checked[name])),
                args.per_host,
                emulator.url,
            )
            listed = list_names(emulator.url, prefix)
            create_calls = Counter(entry[2] for entry in create.accepted if entry[1] == "CreateAppService")
            accepted_creates = create_calls.get(200, 0)
            # Names are unique per region, so a create sent twice shows as a 409 (or as an extra service).
            duplicates = create_calls.get(409, 0) + max(0, accepted_creates - len(set(listed)))

            delete = Phase("delete", args.limit)
            delete_jobs = [[item for item in created if item[0] in set(job)] for job in jobs]
            run_phase(
                delete,
                hosts,
                delete_jobs,
                lambda host, item: host.delete(item[0], item[1][0], item[1][1]),
                args.per_host,
                emulator.url,
            )
            left = list_names(emulator.url, prefix)
        finally:
            for host in hosts:
                host.close()

    print(create.line())
    print(delete.line())
    if args.timeline:
        for phase in (create, delete):
            print(f"  {phase.name} timeline (accepted/throttled per second): {phase.timeline()}")
    accepted = len(create.accepted) + len(delete.accepted)
    window = create.window + delete.window
    rate = accepted / window if window else 0.0
    ratio = rate / args.limit
    # The bucket starts full, so over both phases it admits at most limit x seconds + one burst per phase.
    admissible = args.limit * window + 2 * args.limit
    failures = create.failures + delete.failures
    for line in sorted(set(failures))[:5]:
        print(f"  failure: {line}")
    print(
        f"  ListServices after create: {len(listed)} services for {len(created)} created resources; "
        f"CreateAppService accepted {accepted_creates}x (status counts {dict(create_calls)}); "
        f"after delete: {len(left)} left"
    )
    mode = " [retry only]" if args.retry_only else ""
    verdict = "met" if ratio >= 0.9 and not failures and duplicates == 0 and not left else "MISSED"
    print(
        f"SUMMARY scale{mode}: {accepted} accepted requests in {window:.1f} s = {rate:.1f} req/s = {ratio:.2f} of the "
        f"{args.limit:g} req/s limit (target >= 0.9; {accepted / admissible:.2f} of what the bucket admits incl. "
        f"its initial burst), {create.throttled + delete.throttled} throttled, "
        f"failures {len(failures)}, duplicates {duplicates}, left over {len(left)} (targets 0) — {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
