"""``Timeouts``: how long a resource's operations may wait; one type for every resource.

Pulumi's ``customTimeouts`` do not reach Python dynamic providers, so resources take these instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi


@dataclass
class Timeouts:
    """Limits on waiting, each in seconds or as a duration such as ``'30s'``, ``'20m'`` or ``'1h'``
    (more than 0, at most 24 h). Each resource says which operations wait and their defaults; a limit
    for an operation that does not wait on that resource is refused at ``pulumi preview``.

    Attributes:
        create: How long create waits for the resource to be ready (or, for jobs and tasks, final).
        update: How long update waits for the resource to settle, before and after the change.
        delete: How long delete waits for the resource to settle, and then to be gone.
    """

    create: pulumi.Input[float | str] | None = None
    update: pulumi.Input[float | str] | None = None
    delete: pulumi.Input[float | str] | None = None


def timeouts_input(timeouts: Timeouts | None) -> dict[str, Any] | None:
    """The ``timeouts`` input property: the limits given, by operation."""
    if timeouts is None:
        return None
    return {operation: value for operation, value in vars(timeouts).items() if value is not None}
