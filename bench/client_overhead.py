"""Benchmark 5: single-threaded keep-alive DescribeService calls per second, our client beside the SDK.

One emulator in its own process (SQLite in WAL mode, one service). One thread in this process calls, one
call after another over a kept-alive connection:

* **ours** — ``EasClient(open_client(EAS, ...)).describe_service`` (build, sign, send, decode to a pydantic
  ``Service``; the process-wide rate limiter and retry policy in the path, as providers use it).
* **official** — ``alibabacloud_eas20210701.Client.describe_service``, configured as tests/official_sdk.py
  does (``endpoint=127.0.0.1:PORT``, ``protocol=http``).
* **floor (pre-signed)** — a raw ``httpx.Client.get`` of the same path with headers our client signed
  before the timed run: the server does exactly the same work (signature, nonce, SQLite, JSON), the client
  only sends and reads. This is the floor the 1.25x target is judged against.
* **floor (unsigned)** — a raw ``httpx.Client.get`` of the same path without a signature: the emulator
  rejects it early (``MissingParameter.AccessKeyId``, 400), so it is the HTTP round trip alone.

Rounds alternate the four to spread the machine's noise; each figure is the median round. Client CPU per
call (``time.process_time`` of this process) is printed beside calls/s: it is the client's own cost,
unaffected by the server sharing the 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx
from _common import child, emulator_args, header, median

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import DESCRIBE_SERVICE, CreateAppServiceRequest, EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.session import ClientSettings, open_client

REGION = "cn-shanghai"
SERVICE = "bench_llm"
PATH = f"/api/v2/services/{REGION}/{SERVICE}"


def official_client(port: int) -> Any:
    from alibabacloud_eas20210701.client import Client  # type: ignore[import-untyped]
    from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]

    return Client(
        Config(
            access_key_id="test",
            access_key_secret="test",
            endpoint=f"127.0.0.1:{port}",
            protocol="http",
            region_id=REGION,
        )
    )


def presigned(url: str, count: int) -> list[dict[str, str]]:
    """Header sets our client would send for DescribeService, each signed with its own nonce."""
    settings = ClientSettings(region=REGION, endpoint=url)
    out = []
    with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
        for _ in range(count):
            request = api.prepare(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": SERVICE})
            out.append(dict(request.headers.items()))
    return out


class Contender:
    """One way of making the call, and its timed runs."""

    def __init__(self, name: str, setup: Callable[[int], Callable[[], Any]]) -> None:
        self.name = name
        self.setup = setup
        self.rates: list[float] = []
        self.cpu: list[float] = []

    def run(self, calls: int) -> None:
        call = self.setup(calls)
        cpu0 = time.process_time()
        started = time.perf_counter()
        for _ in range(calls):
            call()
        elapsed = time.perf_counter() - started
        self.cpu.append((time.process_time() - cpu0) / calls)
        self.rates.append(calls / elapsed)

    @property
    def rate(self) -> float:
        return median(self.rates)

    def line(self) -> str:
        return (
            f"{self.name:22s} {self.rate:7.0f} calls/s  {1e6 / self.rate:6.0f} µs/call  client CPU "
            f"{median(self.cpu) * 1e6:5.0f} µs/call   rounds " + " ".join(f"{r:.0f}" for r in self.rates)
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=400, help="calls per timed run (400)")
    parser.add_argument("--rounds", type=int, default=12, help="timed runs per contender, interleaved (12)")
    args = parser.parse_args()
    header("client_overhead")
    with (
        tempfile.TemporaryDirectory(prefix="bench-client-") as tmp,
        child(emulator_args("--data-dir", tmp, "--time-scale", "0")) as emulator,
    ):
        settings = ClientSettings(region=REGION, endpoint=emulator.url)
        api = open_client(EAS, settings, StaticCredentialsProvider("test", "test"))
        ours = EasClient(api)
        ours.create_app_service(
            CreateAppServiceRequest(
                service_name=SERVICE,
                app_type="LLM",
                service_spec="llama_7b_fp16",
                replicas=1,
                config={"ModelStorage": "oss", "OssPath": "oss://models/llama/"},
            )
        )
        assert ours.describe_service(REGION, SERVICE).status == "Running"
        sdk = official_client(emulator.port)
        assert sdk.describe_service(REGION, SERVICE).body.status == "Running"
        raw = httpx.Client(base_url=emulator.url, trust_env=False)

        def raw_signed(calls: int) -> Callable[[], Any]:
            headers = iter(presigned(emulator.url, calls))

            def call() -> Any:
                response = raw.get(PATH, headers=next(headers))
                assert response.status_code == 200, response.text
                return response.json()

            return call

        def raw_unsigned(_calls: int) -> Callable[[], Any]:
            def call() -> Any:
                response = raw.get(PATH)
                assert response.status_code == 400, response.text
                return response.json()

            return call

        contenders = [
            Contender("ours (EasClient)", lambda _n: lambda: ours.describe_service(REGION, SERVICE)),
            Contender("official SDK", lambda _n: lambda: sdk.describe_service(REGION, SERVICE)),
            Contender("floor: httpx pre-signed", raw_signed),
            Contender("floor: httpx unsigned", raw_unsigned),
        ]
        try:
            for contender in contenders:  # warm-up: connections, imports, caches
                contender.setup(200)
                for _ in range(200):
                    contender.setup(1)()
            for _ in range(args.rounds):
                for contender in contenders:
                    contender.run(args.calls)
        finally:
            raw.close()
            api.close()
    for contender in contenders:
        print(contender.line())
    mine, official, floor, unsigned = contenders
    vs_sdk = mine.rate / official.rate
    vs_floor = floor.rate / mine.rate
    vs_unsigned = unsigned.rate / mine.rate
    extra_cpu = (median(mine.cpu) - median(floor.cpu)) * 1e6
    print(
        f"ours is {vs_sdk:.2f}x the official SDK's calls/s; takes {vs_floor:.2f}x the pre-signed floor's time "
        f"per call ({extra_cpu:.0f} µs more client CPU per call), {vs_unsigned:.2f}x the unsigned round trip's"
    )
    verdict = "met" if vs_sdk >= 1.0 and vs_floor <= 1.25 else "MISSED"
    print(
        f"SUMMARY client_overhead: ours {mine.rate:.0f} calls/s = {vs_sdk:.2f}x official SDK "
        f"({official.rate:.0f}; target >= 1x), {vs_floor:.2f}x the pre-signed httpx floor's time per call "
        f"({floor.rate:.0f} calls/s; target <= 1.25x) — {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
