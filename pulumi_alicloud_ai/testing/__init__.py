"""Tools that drive our providers the way the Pulumi engine does, for tests, examples and the demo.

* :class:`ProviderHost` runs the Pulumi SDK's dynamic-provider host and sends it real protobuf calls.
* :class:`LocalEngine` runs a Pulumi program and carries out its resources through that host:
  preview with diffs, up, destroy, state saved to a file, all without the Pulumi CLI. Its docstring
  lists what it does as the Pulumi engine does, and what it refuses.
"""

from pulumi_alicloud_ai.testing._errors import CheckFailedError, LocalEngineError, UnsupportedFeatureError
from pulumi_alicloud_ai.testing._state import ResourceState
from pulumi_alicloud_ai.testing.local_engine import LocalEngine, Step
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost

__all__ = [
    "CheckFailedError",
    "LocalEngine",
    "LocalEngineError",
    "ProviderCallError",
    "ProviderHost",
    "ResourceState",
    "Step",
    "UnsupportedFeatureError",
]
