"""Benchmark 1: emulator throughput beside a bare uvicorn endpoint and moto, side by side in one run.

Three servers, each in its own process (so the load generator never shares their GIL):

* **emulator** — ``python -m pulumi_alicloud_ai.emulator`` (SQLite in WAL mode in a temporary
  ``--data-dir``) answering signed ``DescribeService`` calls for one existing service: every request is
  routed, its ACS3-HMAC-SHA256 signature verified (nonce replay check included), the service read
  through the store and brought up to the clock, and the answer sent (the store caches the decoded
  service and its encoded answer until the service is next written; a request that only reads takes no
  database lock). A call that arrives whole is answered by the server's protocol without an ASGI cycle
  (``emulator/answering.py``); the rest of uvicorn's stack (h11, asyncio, the connection guard) is the
  same as bare's.
* **bare** — a bare ASGI app on the same stack (uvicorn with the emulator's settings) answering the very
  same request bytes with a fixed copy of the emulator's DescribeService JSON.
* **moto** — ``moto.server.ThreadedMotoServer`` answering a SigV4-signed DynamoDB ``DescribeTable`` for
  one existing table (a comparable describe-one-resource call with a JSON answer). moto does not verify
  signatures unless IAM auth is switched on, so it does less work per call than the emulator.

Requests are **pre-signed** in the load generator before each timed run (the emulator refuses a reused
nonce, so every request is signed separately), so the numbers measure the servers, not signing. The load
generator is a raw HTTP/1.1 client on asyncio: N keep-alive connections, each sending its next request
when the previous answer is in. Each round runs the three servers back to back; the ratios judged are
the median over rounds of each round's ratio (a shared machine's load drifts between rounds more than
within one), req/s per server is the median round, latencies are pooled over rounds, and the servers'
own CPU time per request (from /proc) is printed as the noise-robust companion of req/s.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import (
    SERVERS,
    Child,
    LoadResult,
    child,
    emulator_args,
    header,
    median,
    percentile,
    print_profile,
    raw_request,
    run_load,
)

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import DESCRIBE_SERVICE, CreateAppServiceRequest, EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client

REGION = "cn-shanghai"
SERVICE = "bench_llm"
TARGET_OF_BARE = 0.6
TARGET_X_MOTO = 6.0
TABLE = "bench-table"


def emulator_requests(url: str, count: int) -> list[bytes]:
    """``count`` DescribeService requests exactly as our client sends them, each signed with its own nonce."""
    settings = ClientSettings(region=REGION, endpoint=url)
    with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
        out = []
        for _ in range(count):
            request = api.prepare(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": SERVICE})
            target = request.url.raw_path.decode("ascii")
            out.append(raw_request("GET", target, list(request.headers.items())))
        return out


def moto_requests(url: str, count: int) -> list[bytes]:
    """``count`` SigV4-signed DynamoDB DescribeTable requests, as botocore signs them."""
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import Credentials as AwsCredentials  # type: ignore[import-untyped]

    credentials = AwsCredentials("testing", "testing")
    body = json.dumps({"TableName": TABLE}).encode()
    netloc = url.split("://", 1)[1]
    out = []
    for _ in range(count):
        request = AWSRequest(
            method="POST",
            url=f"{url}/",
            data=body,
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.DescribeTable",
                "User-Agent": "Boto3/bench",
            },
        )
        SigV4Auth(credentials, "dynamodb", "us-east-1").add_auth(request)
        headers = [("Host", netloc), *((k, str(v)) for k, v in request.headers.items())]
        out.append(raw_request("POST", "/", headers, body))
    return out


def prepare_emulator(url: str) -> bytes:
    """Create the service the benchmark describes; return one DescribeService answer body."""
    settings = ClientSettings(region=REGION, endpoint=url)
    with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
        eas = EasClient(api)
        eas.create_app_service(
            CreateAppServiceRequest(
                service_name=SERVICE,
                app_type="LLM",
                service_spec="llama_7b_fp16",
                replicas=1,
                config={"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            )
        )
        answer = api.call(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": SERVICE})
    assert answer["Status"] == "Running", answer
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()


def prepare_moto(url: str) -> None:
    import boto3  # type: ignore[import-untyped]

    client = boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.describe_table(TableName=TABLE)


class Target:
    """One server under load, and what every timed run against it measured."""

    def __init__(self, name: str, server: Child, make: Callable[[int], list[bytes]]) -> None:
        self.name = name
        self.server = server
        self.make = make
        self.rates: list[float] = []
        self.cpu_per_request: list[float] = []
        self.latencies: list[float] = []
        self.bad = 0

    def run(self, count: int, clients: int) -> tuple[LoadResult, float]:
        requests = self.make(count)
        cpu0 = self.server.cpu_seconds()
        result = run_load(self.server.url, requests, clients)
        cpu = self.server.cpu_seconds() - cpu0
        self.bad += sum(n for status, n in result.statuses.items() if status != 200)
        return result, cpu

    def record(self, result: LoadResult, cpu: float) -> None:
        self.rates.append(result.rate)
        self.cpu_per_request.append(cpu / result.requests)
        self.latencies.extend(result.latencies)

    @property
    def rate(self) -> float:
        return median(self.rates)

    def line(self) -> str:
        return (
            f"{self.name:9s} {self.rate:8.0f} req/s   p50 {percentile(self.latencies, 50) * 1000:6.2f} ms   "
            f"p99 {percentile(self.latencies, 99) * 1000:6.2f} ms   server CPU "
            f"{median(self.cpu_per_request) * 1e6:6.0f} µs/req   rounds "
            + " ".join(f"{r:.0f}" for r in self.rates)
            + (f"   NON-200: {self.bad}" if self.bad else "")
        )


def measure(args: argparse.Namespace, tmp: str) -> list[Target]:
    """Warm up, then time ``args.rounds`` interleaved rounds against each server."""
    with child(emulator_args("--data-dir", tmp, "--time-scale", "0")) as emulator:
        body_file = Path(tmp) / "body.json"
        body_file.write_bytes(prepare_emulator(emulator.url))
        with child([SERVERS, "bare", str(body_file)]) as bare, child([SERVERS, "moto"]) as moto:
            prepare_moto(moto.url)
            targets = [
                Target("bare", bare, lambda n: emulator_requests(emulator.url, n)),
                Target("emulator", emulator, lambda n: emulator_requests(emulator.url, n)),
                Target("moto", moto, lambda n: moto_requests(moto.url, n)),
            ]
            counts: dict[str, int] = {}
            for target in targets:  # warm-up, and size the timed runs
                result, _ = target.run(400, args.clients)
                counts[target.name] = max(500, min(30_000, int(result.rate * args.seconds)))
            for _ in range(args.rounds):
                for target in targets:
                    result, cpu = target.run(counts[target.name], args.clients)
                    target.record(result, cpu)
    return targets


def profile(args: argparse.Namespace, tmp: str) -> None:
    """``--profile``: the emulator alone under py-spy while loaded as in the benchmark; where time goes."""
    raw = Path(tmp) / "emulator.pyspy"
    command = [
        "-c",
        "import os, sys; os.execvp(sys.argv[1], sys.argv[1:])",
        str(Path(sys.executable).with_name("py-spy")),
        "record", "--rate", "250", "--format", "raw", "--output", str(raw), "--",
        sys.executable, *emulator_args("--data-dir", tmp, "--time-scale", "0"),
    ]  # fmt: skip
    with child(command) as emulator:
        prepare_emulator(emulator.url)
        for _ in range(3):
            run_load(emulator.url, emulator_requests(emulator.url, 6000), args.clients)
        emulator.proc.send_signal(signal.SIGINT)  # py-spy writes its samples and stops the emulator
        emulator.proc.wait(timeout=60)
    print(f"py-spy profile of the emulator under load ({raw}), share of samples:")
    print_profile(raw, "AnsweringProtocol._take_requests (pulumi_alicloud_ai/emulator/answering.py)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections (16)")
    parser.add_argument("--seconds", type=float, default=2.5, help="target length of one timed run (2.5)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per server, interleaved (5)")
    parser.add_argument("--profile", action="store_true", help="instead: profile the emulator with py-spy")
    args = parser.parse_args()
    header("emulator_throughput")
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
            profile(args, tmp)
        return 0
    print(
        f"{args.clients} keep-alive clients, {args.rounds} interleaved rounds of ~{args.seconds:g} s per "
        "server; requests pre-signed before each run (servers measured, not signing)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        bare_t, emu, moto_t = targets = measure(args, tmp)
    for target in targets:
        print(target.line())
    # Each round runs bare, emulator and moto back to back: a ratio within a round shares the machine's
    # momentary load, so the median of the rounds' ratios is the figure judged.
    of_bare = median([e / b for e, b in zip(emu.rates, bare_t.rates, strict=True)])
    x_moto = median([e / m for e, m in zip(emu.rates, moto_t.rates, strict=True)])
    cpu_bare = median(bare_t.cpu_per_request) / median(emu.cpu_per_request)
    cpu_moto = median(moto_t.cpu_per_request) / median(emu.cpu_per_request)
    rounds = " ".join(f"{e / b:.0%}" for e, b in zip(emu.rates, bare_t.rates, strict=True))
    print(
        f"ratios: emulator/bare {of_bare:.0%} by req/s (median of the rounds' ratios: {rounds}; "
        f"{cpu_bare:.0%} by server CPU per request); emulator/moto {x_moto:.1f}x by req/s "
        f"({cpu_moto:.1f}x by server CPU per request)"
    )
    bad = sum(t.bad for t in targets)
    verdict = "met" if of_bare >= TARGET_OF_BARE and x_moto >= TARGET_X_MOTO and not bad else "MISSED"
    print(
        f"SUMMARY emulator_throughput: emulator {emu.rate:.0f} req/s = {of_bare:.0%} of bare "
        f"({bare_t.rate:.0f}; target >= {TARGET_OF_BARE:.0%}), {x_moto:.1f}x moto ({moto_t.rate:.0f}; "
        f"target >= {TARGET_X_MOTO:g}x); by server CPU {cpu_bare:.0%} and {cpu_moto:.1f}x; "
        f"p99 {percentile(emu.latencies, 99) * 1000:.1f} ms, {args.clients} clients, non-200 {bad} — {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
