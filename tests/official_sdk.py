"""The official Alibaba Cloud SDK clients, pointed at an emulator: our referee for the wire protocol."""

from __future__ import annotations

from typing import Any

from pulumi_alicloud_ai.emulator import RunningEmulator


def sdk_config(
    emulator: RunningEmulator, *, key: str = "test", secret: str = "test", token: str | None = None
) -> Any:
    """``Config`` exactly as endpoints.md says to point an SDK client at a local server."""
    from alibabacloud_tea_openapi.models import Config

    return Config(
        access_key_id=key,
        access_key_secret=secret,
        security_token=token,
        endpoint=f"127.0.0.1:{emulator.port}",
        protocol="http",
        region_id="cn-shanghai",
    )


def eas_client(emulator: RunningEmulator, **kwargs: Any) -> Any:
    """An ``alibabacloud_eas20210701`` client."""
    from alibabacloud_eas20210701.client import Client

    return Client(sdk_config(emulator, **kwargs))


def vod_client(emulator: RunningEmulator, **kwargs: Any) -> Any:
    """An ``alibabacloud_vod20170321`` client."""
    from alibabacloud_vod20170321.client import Client

    return Client(sdk_config(emulator, **kwargs))


def ros_client(emulator: RunningEmulator, **kwargs: Any) -> Any:
    """An ``alibabacloud_ros20190910`` client."""
    from alibabacloud_ros20190910.client import Client

    return Client(sdk_config(emulator, **kwargs))
