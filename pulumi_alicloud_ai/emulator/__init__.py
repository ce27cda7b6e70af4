"""A local emulator of PAI-EAS, VOD and ROS AI APIs speaking Alibaba Cloud's wire protocol.

Start one in-process with :func:`serve_in_thread`, or from a shell with
``python -m pulumi_alicloud_ai.emulator``. Imported lazily by the rest of the package, since providers
only need it when no credentials are configured.
"""

from pulumi_alicloud_ai.emulator.runtime import EmulatorConfig, EmulatorState
from pulumi_alicloud_ai.emulator.server import EmulatorApp, RunningEmulator, serve_in_thread

__all__ = ["EmulatorApp", "EmulatorConfig", "EmulatorState", "RunningEmulator", "serve_in_thread"]
