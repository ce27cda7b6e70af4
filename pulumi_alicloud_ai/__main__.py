"""``python -m pulumi_alicloud_ai COMMAND``: the demo, the embedded emulator's controls, and the tools.

Every command answers ``--help`` with its own options, without doing anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

PROG = "python -m pulumi_alicloud_ai"


def _demo(args: list[str]) -> int:
    from pulumi_alicloud_ai.demo import main

    return main(args)


def _doctor(args: list[str]) -> int:
    from pulumi_alicloud_ai.doctor import main

    return main(args)


def _events(args: list[str]) -> int:
    from pulumi_alicloud_ai.events import main

    return main(args)


def _replay(args: list[str]) -> int:
    from pulumi_alicloud_ai.replay import main

    return main(args)


def parser() -> argparse.ArgumentParser:
    """The top-level parser: a command and the arguments it parses itself."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Tools of pulumi-alicloud-ai.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n"
        + "\n".join(f"  {name:<10} {text}" for name, (text, _) in COMMANDS.items())
        + f"\n\n`{PROG} COMMAND --help` shows a command's options.",
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="one of the commands below")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str]) -> int:
    """Dispatch a command; with none, print the help and exit 2."""
    top = parser()
    if not argv:
        top.print_help(sys.stderr)
        return 2
    args = top.parse_args(argv)
    return COMMANDS[args.command][1](args.args)


def _emulator_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} emulator",
        description="The embedded emulator that resources use when no credentials are set "
        "(ALICLOUD_AI_MODE=auto), or an emulator in the foreground.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("status", help="where the embedded emulator listens, if it runs (the default)")
    actions.add_parser("start", help="start the embedded emulator in the background")
    actions.add_parser("stop", help="stop the embedded emulator")
    actions.add_parser(
        "run",
        help="run an emulator in the foreground (`emulator run --help` for its flags)",
        add_help=False,
    )
    return parser


def _emulator(args: list[str]) -> int:
    if args[:1] == ["run"]:
        from pulumi_alicloud_ai.emulator.cli import main as run

        return run(args[1:], prog=f"{PROG} emulator run")
    action = _emulator_parser().parse_args(args).action or "status"
    from pulumi_alicloud_ai.resources import _embedded

    if action == "start":
        print(f"embedded emulator: {_embedded.ensure_running()} (data in {_embedded.home()})")
    elif action == "stop":
        print("embedded emulator stopped" if _embedded.stop() else "embedded emulator was not running")
    else:
        url = _embedded.running_url()
        print(
            f"embedded emulator: {url} (data in {_embedded.home()})"
            if url
            else "embedded emulator: not running"
        )
    return 0


COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "demo": ("run the example program against a local emulator, no cloud account needed", _demo),
    "emulator": ("start, stop or inspect the embedded emulator, or run one in the foreground", _emulator),
    "doctor": ("check credentials, region, endpoints, clock skew, providers and the emulator", _doctor),
    "events": ("show (or --follow) a stack's provider event log, one line per resource", _events),
    "replay": ("re-send an emulator --record file and report the answers that differ", _replay),
}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
