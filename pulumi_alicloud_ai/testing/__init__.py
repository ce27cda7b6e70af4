"""Tools that drive our providers the way the Pulumi engine does, for tests, examples and the demo.

* :class:`ProviderHost` runs the Pulumi SDK's dynamic-provider host and sends it real protobuf calls.
* :class:`LocalEngine` runs a Pulumi program and carries out its resources through that host:
  preview with diffs, up, destroy, all without the Pulumi CLI.
"""

from pulumi_alicloud_ai.testing.local_engine import LocalEngine, Step
from pulumi_alicloud_ai.testing.provider_host import ProviderCallError, ProviderHost

__all__ = ["LocalEngine", "ProviderCallError", "ProviderHost", "Step"]
