"""The EAS service lifecycle, as a table (status names from eas.md's ServiceStatus list).

Timed steps (seconds before ``--time-scale``): a new service is ``Creating`` for 30 s, then
``Running``; an update is ``Updating`` (spec, version, config) or ``Scaling`` (replicas only) for 20 s;
``Stopping`` 10 s → ``Stopped``; ``Starting`` 20 s → ``Running``; ``Deleting`` 10 s → gone. A service
carrying a fault (an ``effect: fail`` rule) ends ``Failed`` instead of ``Running``, and a delete carrying
one ends ``DeleteFailed`` (eas.md: "Delete → Deleting → gone (404) or DeleteFailed") instead of going,
from where only another delete moves it. DevelopService puts a
running service in ``Developing`` until it exits (``Updating``) or commits (``Committing`` 20 s →
``Running``).
"""

from __future__ import annotations

from pulumi_alicloud_ai.emulator.lifecycle import GONE, Lifecycle, Step

CREATING, RUNNING, UPDATING, SCALING = "Creating", "Running", "Updating", "Scaling"
STOPPING, STOPPED, STARTING, DELETING, FAILED = "Stopping", "Stopped", "Starting", "Deleting", "Failed"
DELETE_FAILED = "DeleteFailed"
DEVELOPING, COMMITTING = "Developing", "Committing"

_ANY_UPDATE = frozenset({UPDATING, SCALING})

APP_SERVICE = Lifecycle(
    product="eas",
    kind="service",
    initial=CREATING,
    states=frozenset(
        {
            CREATING,
            RUNNING,
            UPDATING,
            SCALING,
            STOPPING,
            STOPPED,
            STARTING,
            DELETING,
            FAILED,
            DELETE_FAILED,
            DEVELOPING,
            COMMITTING,
        }
    ),
    steps={
        CREATING: Step(RUNNING, 30, "ServiceCreated"),
        UPDATING: Step(RUNNING, 20, "ServiceUpdated"),
        SCALING: Step(RUNNING, 20, "ServiceScaled"),
        STOPPING: Step(STOPPED, 10, "ServiceStopped"),
        STARTING: Step(RUNNING, 20, "ServiceStarted"),
        DELETING: Step(GONE, 10, "ServiceDeleted"),
        COMMITTING: Step(RUNNING, 20, "ServiceCommitted"),
    },
    on_fault={CREATING: FAILED, UPDATING: FAILED, SCALING: FAILED, STARTING: FAILED, DELETING: DELETE_FAILED},
    moves={
        CREATING: frozenset({DELETING}),
        RUNNING: _ANY_UPDATE | {STOPPING, STARTING, DELETING, DEVELOPING},
        DEVELOPING: frozenset({UPDATING, COMMITTING, DELETING}),
        COMMITTING: frozenset({DELETING}),
        FAILED: _ANY_UPDATE | {DELETING},
        DELETE_FAILED: frozenset({DELETING}),
        STOPPED: _ANY_UPDATE | {STARTING, DELETING},
        UPDATING: frozenset({DELETING}),
        SCALING: frozenset({DELETING}),
        STOPPING: frozenset({DELETING}),
        STARTING: frozenset({DELETING}),
        DELETING: frozenset(),
    },
)
