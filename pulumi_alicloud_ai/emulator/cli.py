"""``python -m pulumi_alicloud_ai.emulator`` / ``alicloud-ai-emulator``: run the emulator in the foreground.

Prints exactly one line, ``listening on http://HOST:PORT``, to stdout once the socket is bound (so a
parent process can read the port when it asked for ``--port 0``). Ctrl-C and SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from pulumi_alicloud_ai.emulator.connections import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)
from pulumi_alicloud_ai.emulator.faults import load_rules_file
from pulumi_alicloud_ai.emulator.keys import KeyPair, load_keys_file, parse_key
from pulumi_alicloud_ai.emulator.runtime import DEFAULT_MAX_BODY, EmulatorConfig
from pulumi_alicloud_ai.emulator.server import make_server


def parse_args(argv: Sequence[str] | None = None, prog: str = "alicloud-ai-emulator") -> EmulatorConfig:
    """Turn command-line flags into an :class:`EmulatorConfig`."""
    parser = argparse.ArgumentParser(prog=prog, description="Local emulator of PAI-EAS, VOD and ROS AI APIs.")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--data-dir", type=Path, help="where the SQLite database lives (default: in memory)")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="multiply lifecycle durations (0: instant)"
    )
    parser.add_argument("--faults", type=Path, help="JSON file of fault rules")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault rules' random source")
    parser.add_argument("--region", default="cn-shanghai", help="region for clients that do not name one")
    parser.add_argument("--access-key-id", default="test", help="the first accepted key (default test)")
    parser.add_argument("--access-key-secret", default="test", help="its secret (default test)")
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="ID:SECRET[:ACCOUNT]",
        help="accept another key pair, acting for ACCOUNT (repeatable)",
    )
    parser.add_argument(
        "--keys-file",
        type=Path,
        help='JSON file of more key pairs: {"keys": [{"accessKeyId", "accessKeySecret", "accountId"}]}',
    )
    parser.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, help="largest request body, bytes")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (an admin token is then required)",
    )
    parser.add_argument("--admin-token", help="token for the admin API (generated when --allow-remote)")
    parser.add_argument(
        "--allow-remote-callbacks",
        action="store_true",
        help="follow VOD completion-callback URLs beyond loopback (default: loopback only)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the emulator answers to besides loopback names, its bound address and, for API "
        "calls, *.aliyuncs.com (repeatable)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help=f"open connections at most (default {DEFAULT_MAX_CONNECTIONS}, lowered to fit the open-file limit)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        help=f"seconds a client gets to send a request head (default {DEFAULT_HEADER_TIMEOUT:g})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=DEFAULT_BODY_TIMEOUT,
        help=f"seconds a client gets to send a request body (default {DEFAULT_BODY_TIMEOUT:g})",
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="append every request and response (secrets scrubbed) to FILE as JSON lines",
    )
    args = parser.parse_args(argv)
    faults = []
    if args.faults is not None:
        try:
            faults = load_rules_file(json.loads(args.faults.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            parser.error(f"--faults {args.faults}: {exc}")
    keys: list[KeyPair] = []
    try:
        keys += [parse_key(text) for text in args.key]
        if args.keys_file is not None:
            keys += load_keys_file(args.keys_file)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    if not (math.isfinite(args.time_scale) and args.time_scale >= 0):
        parser.error("--time-scale must be a finite number >= 0")
    if args.max_body < 1:
        parser.error("--max-body must be at least 1")
    if args.max_connections < 1:
        parser.error("--max-connections must be at least 1")
    for flag, value in (("--header-timeout", args.header_timeout), ("--body-timeout", args.body_timeout)):
        if not (math.isfinite(value) and value > 0):
            parser.error(f"{flag} must be a positive number of seconds")
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        time_scale=args.time_scale,
        region=args.region,
        access_key_id=args.access_key_id,
        access_key_secret=args.access_key_secret,
        keys=keys,
        seed=args.seed,
        faults=faults,
        max_body=args.max_body,
        allow_remote=args.allow_remote,
        admin_token=args.admin_token,
        allow_remote_callbacks=args.allow_remote_callbacks,
        record=args.record,
        allowed_hosts=tuple(args.allowed_host),
        max_connections=args.max_connections,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
    )


def main(argv: Sequence[str] | None = None, prog: str = "alicloud-ai-emulator") -> int:
    """Run until interrupted."""
    config = parse_args(argv, prog)
    try:
        server, state = make_server(config)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def announce(port: int) -> None:
        if config.admin_token:
            print(f"admin token: {config.admin_token}", file=sys.stderr, flush=True)
        print(f"listening on http://{config.host}:{port}", flush=True)

    server.on_ready = announce
    try:
        server.run()
    finally:
        state.close()
    return 0
