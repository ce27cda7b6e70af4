"""EAS error codes the emulator answers with (the SDK lists none; these follow the gateway's style).

| code | HTTP | when |
|---|---|---|
| ``InvalidParameter.<Field>`` | 400 | a field is missing its allowed value (the message lists them) |
| ``MissingParameter.<Field>`` | 400 | a required field is absent |
| ``ServiceAlreadyExists`` | 409 | CreateAppService with a name already used in the region |
| ``ServiceNotFound`` | 404 | no service of that name in that region |
| ``InvalidServiceStatus`` | 400 | the service's status forbids the operation (the message says which allow it) |
| ``ServiceLocked`` | 400 | the service's safety lock (UpdateServiceSafetyLock) covers the operation |
| ``<Thing>NotFound`` | 404 | no autoscaler, cron scaler, mirror, instance or version of that name/number |
| ``<Thing>AlreadyExists`` | 409 | Create… of an autoscaler, cron scaler or mirror the service already has |
"""

from __future__ import annotations

from pulumi_alicloud_ai.emulator.errors import ApiError


def service_not_found(region: str, name: str) -> ApiError:
    """The named service does not exist in the region."""
    return ApiError("ServiceNotFound", f"Service {name!r} does not exist in region {region}.", 404)


def already_exists(region: str, name: str) -> ApiError:
    """Names are unique per region."""
    return ApiError("ServiceAlreadyExists", f"Service {name!r} already exists in region {region}.", 409)


def invalid_status(name: str, status: str, action: str, allowed: list[str]) -> ApiError:
    """The operation is not allowed in the current status."""
    return ApiError(
        "InvalidServiceStatus",
        f"Service {name!r} is {status}; {action} is allowed only when it is {' or '.join(sorted(allowed))}.",
    )


def locked(name: str, lock: str, covers: str, action: str) -> ApiError:
    """The safety lock forbids the operation."""
    return ApiError(
        "ServiceLocked",
        f"Service {name!r} has safety lock {lock!r}, which forbids {covers}; "
        f"set the lock to 'none' with UpdateServiceSafetyLock before {action}.",
    )


def not_found(thing: str, name: str, detail: str = "") -> ApiError:
    """A part of the service (autoscaler, mirror, instance, version) does not exist."""
    return ApiError(f"{thing}NotFound", f"Service {name!r} has no {detail or thing}.", 404)


def exists(thing: str, name: str) -> ApiError:
    """Create… of a part the service already has (use Update… instead)."""
    return ApiError(
        f"{thing}AlreadyExists", f"Service {name!r} already has a {thing}; use Update{thing}.", 409
    )
