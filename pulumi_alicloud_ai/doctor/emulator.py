"""The emulator family: whether the emulator resources would use answers its health check, and which
instance it is (resources record it, so a wiped or different emulator at the same URL is recognised)."""

from __future__ import annotations

import httpx

from pulumi_alicloud_ai.doctor._report import Check, Target


def check_emulator(target: Target) -> tuple[list[Check], str | None]:
    """An emulator target answers its health check; its instance id, when it does."""
    if not target.emulated or target.endpoint is None:
        return [], None
    try:
        health = httpx.get(f"{target.endpoint}/_emulator/health", timeout=5.0, trust_env=False)
        data = health.json() if health.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        data = None
    if not isinstance(data, dict):
        return [
            Check(
                "emulator",
                False,
                f"{target.endpoint} is configured but its health check does not answer",
                "start it (`alicloud-ai-emulator --port N`) or unset ALICLOUD_AI_ENDPOINT",
            )
        ], None
    instance = data.get("instance") if isinstance(data.get("instance"), str) else None
    check = Check(
        "emulator",
        True,
        f"{target.endpoint}: instance {instance or '(none reported)'}, version {data.get('version')}, "
        f"region {data.get('region')}, time scale {data.get('timeScale')}; "
        f"dashboard at {target.endpoint}/_emulator/ui",
    )
    return [check], instance
