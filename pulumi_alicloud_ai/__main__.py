"""``python -m pulumi_alicloud_ai COMMAND``: the demo and the embedded emulator's controls.

* ``demo [--no-cli]``: the main job (see :mod:`pulumi_alicloud_ai.demo`).
* ``emulator start|stop|status``: the embedded emulator resources use when no credentials are set.
* ``emulator run [FLAGS]``: an emulator in the foreground (same as ``python -m pulumi_alicloud_ai.emulator``).
* ``doctor [--project-dir D] [--stack S] [--state FILE]``: credentials, region, endpoints, clock skew,
  providers and emulator, each line OK or what to do.
* ``events [--follow] [--file F | --project P --stack S]``: the provider event log, one line per resource.
* ``replay FILE [--endpoint URL]``: re-send an emulator ``--record`` file and report answers that differ.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch a command."""
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "demo":
        from pulumi_alicloud_ai.demo import main as demo

        return demo(rest)
    if command == "emulator":
        return _emulator(rest)
    if command == "doctor":
        from pulumi_alicloud_ai.doctor import main as doctor

        return doctor(rest)
    if command == "events":
        from pulumi_alicloud_ai.resources._events import events_main

        return events_main(rest)
    if command == "replay":
        from pulumi_alicloud_ai.replay import main as replay

        return replay(rest)
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


def _emulator(args: list[str]) -> int:
    from pulumi_alicloud_ai.resources import _embedded

    action = args[0] if args else "status"
    if action == "run":
        from pulumi_alicloud_ai.emulator.cli import main as run

        return run(args[1:])
    if action == "start":
        print(f"embedded emulator: {_embedded.ensure_running()} (data in {_embedded.home()})")
        return 0
    if action == "stop":
        print("embedded emulator stopped" if _embedded.stop() else "embedded emulator was not running")
        return 0
    if action == "status":
        url = _embedded.running_url()
        print(
            f"embedded emulator: {url} (data in {_embedded.home()})"
            if url
            else "embedded emulator: not running"
        )
        return 0
    print(f"unknown emulator action {action!r}; use start, stop, status or run", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
