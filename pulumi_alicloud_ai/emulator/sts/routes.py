"""STS (RPC, version 2015-04-01): ``AssumeRole`` and ``GetCallerIdentity``, plus the keys admin view.

Point an STS client at the emulator (``sts_endpoint`` / the provider's emulator mode does this) and
``AssumeRole`` hands out temporary keys that act for the account the role ARN names
(``acs:ram::<account>:role/<name>``); any well-formed role of any account can be assumed by any key
the emulator accepts. ``GetCallerIdentity`` says which account a key acts for. The rules below are the
emulator's own reading of the STS reference, not the client's.

``GET /_emulator/keys`` lists every key id, its account and how many requests presented it (no secret).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.routing import Route as AdminRoute

from pulumi_alicloud_ai._bounded import Bounds, load_json
from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.routing import Call, Route

ROLE_ARN = re.compile(r"^acs:ram::(\d{1,32}):role/([A-Za-z0-9.@_-]{1,64})$", re.IGNORECASE)
SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")
MIN_DURATION, MAX_DURATION = 900, 43200
MAX_POLICY_CHARS = 2048
POLICY_BOUNDS = Bounds(max_bytes=4 * MAX_POLICY_CHARS, max_depth=16)


def _duration(call: Call) -> int:
    raw = call.param("DurationSeconds") or "3600"
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not MIN_DURATION <= value <= MAX_DURATION:
        raise invalid_parameter(
            "DurationSeconds", f"DurationSeconds must be an integer from {MIN_DURATION} to {MAX_DURATION}."
        )
    return value


def _policy(call: Call) -> None:
    policy = call.param("Policy")
    if policy is None:
        return
    try:
        parsed = load_json(policy, POLICY_BOUNDS, what="Policy") if len(policy) <= MAX_POLICY_CHARS else None
    except ValueError:  # BoundsError included
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid_parameter(
            "PolicyGrammar",
            f"Policy must be a JSON policy document of at most {MAX_POLICY_CHARS} characters.",
        )


def assume_role(call: Call) -> dict[str, Any]:
    """AssumeRole: temporary keys acting for the role's account."""
    role_arn = call.require("RoleArn")
    matched = ROLE_ARN.match(role_arn)
    if matched is None:
        raise invalid_parameter("RoleArn", "RoleArn must look like acs:ram::<account id>:role/<role name>.")
    session = call.require("RoleSessionName")
    if not SESSION_NAME.match(session):
        raise invalid_parameter(
            "RoleSessionName", "RoleSessionName must be 2 to 64 letters, digits, '.', '@', '_' or '-'."
        )
    duration = _duration(call)
    _policy(call)
    account, role = matched.group(1), matched.group(2)
    credentials = call.state.keys.issue(duration, account)
    role_id = str(int.from_bytes(secrets.token_bytes(8), "big"))
    return {
        "AssumedRoleUser": {
            "Arn": f"acs:ram::{account}:role/{role.lower()}/{session}",
            "AssumedRoleId": f"{role_id}:{session}",
        },
        "Credentials": credentials,
    }


def get_caller_identity(call: Call) -> dict[str, Any]:
    """GetCallerIdentity: the account the signing key acts for."""
    keys = call.state.keys
    account = keys.account_of(call.access_key_id)
    temporary = call.access_key_id not in keys.pairs
    return {
        "AccountId": account,
        "IdentityType": "AssumedRoleUser" if temporary else "RAMUser",
        "Arn": f"acs:ram::{account}:{'assumed-role' if temporary else 'user'}/{call.access_key_id}",
        "PrincipalId": call.access_key_id,
        "UserId": call.access_key_id,
    }


async def list_keys(request: Request) -> JSONResponse:
    """Every key id, its account and how many requests presented it."""
    return JSONResponse({"keys": request.app.state.emulator.keys.usage()})


ROUTES = [
    Route.rpc("sts", "AssumeRole", assume_role),
    Route.rpc("sts", "GetCallerIdentity", get_caller_identity),
]
ADMIN_ROUTES: list[BaseRoute] = [AdminRoute("/_emulator/keys", list_keys, methods=["GET"])]
