"""Run the emulator: ``python -m pulumi_alicloud_ai.emulator --port 0``."""

import sys

from pulumi_alicloud_ai.emulator.cli import main

sys.exit(main())
