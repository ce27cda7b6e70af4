"""The official SDKs, pointed at the emulator, get correctly shaped answers (the protocol referee)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.official_sdk import eas_client, ros_client, vod_client


def _unimplemented_calls() -> dict[str, Callable[..., Any]]:
    """One real action per product that the emulator does not serve."""
    from alibabacloud_eas20210701 import models as eas
    from alibabacloud_ros20190910 import models as ros
    from alibabacloud_vod20170321 import models as vod

    return {
        "eas": lambda emu, **kw: eas_client(emu, **kw).create_benchmark_task(
            eas.CreateBenchmarkTaskRequest(body='{"ServiceName":"x"}')
        ),
        "vod": lambda emu, **kw: vod_client(emu, **kw).get_categories(vod.GetCategoriesRequest()),
        "ros": lambda emu, **kw: ros_client(emu, **kw).create_stack(
            ros.CreateStackRequest(stack_name="s", region_id="cn-hangzhou", template_body="{}")
        ),
    }


PRODUCTS = ["eas", "vod", "ros"]


def _raised(call: Callable[[], Any]) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


@pytest.mark.parametrize("product", PRODUCTS)
def test_unknown_action_is_invalid_action(emulator: RunningEmulator, product: str) -> None:
    """A real action the emulator does not serve is a 404 InvalidAction.NotFound with a RequestId."""
    error = _raised(lambda: _unimplemented_calls()[product](emulator))
    assert error.code == "InvalidAction.NotFound"
    assert error.data["statusCode"] == 404
    assert error.data["RequestId"]
    assert error.data["Recommend"].startswith("https://api.aliyun.com/troubleshoot?q=InvalidAction.NotFound")


@pytest.mark.parametrize("product", PRODUCTS)
def test_wrong_secret_is_signature_mismatch(emulator: RunningEmulator, product: str) -> None:
    """A request signed with the wrong secret is a 400 SignatureDoesNotMatch naming the string to sign."""
    error = _raised(lambda: _unimplemented_calls()[product](emulator, secret="not-the-secret"))
    assert error.code == "SignatureDoesNotMatch"
    assert error.data["statusCode"] == 400
    assert "ACS3-HMAC-SHA256" in error.message
    assert "not-the-secret" not in str(error.data)


@pytest.mark.parametrize("product", PRODUCTS)
def test_unknown_key_is_not_found(emulator: RunningEmulator, product: str) -> None:
    """An access key the emulator does not know is a 404 InvalidAccessKeyId.NotFound."""
    error = _raised(lambda: _unimplemented_calls()[product](emulator, key="LTAIunknown"))
    assert error.code == "InvalidAccessKeyId.NotFound"
    assert error.data["statusCode"] == 404


def _issue_sts(emulator: RunningEmulator, seconds: float = 3600) -> dict[str, str]:
    response = httpx.post(f"{emulator.url}/_emulator/sts", json={"DurationSeconds": seconds})
    response.raise_for_status()
    creds: dict[str, str] = response.json()["Credentials"]
    return creds


@pytest.mark.parametrize("product", PRODUCTS)
def test_sts_credentials_the_emulator_issued_are_accepted(emulator: RunningEmulator, product: str) -> None:
    """STS credentials from the admin API sign requests the official SDK sends (the token is signed in)."""
    sts = _issue_sts(emulator)
    error = _raised(
        lambda: _unimplemented_calls()[product](
            emulator, key=sts["AccessKeyId"], secret=sts["AccessKeySecret"], token=sts["SecurityToken"]
        )
    )
    assert error.code == "InvalidAction.NotFound"  # past the signature check


def test_sts_token_of_another_key_is_rejected(emulator: RunningEmulator) -> None:
    """A security token that does not belong to the access key is refused."""
    first, second = _issue_sts(emulator), _issue_sts(emulator)
    error = _raised(
        lambda: _unimplemented_calls()["vod"](
            emulator, key=first["AccessKeyId"], secret=first["AccessKeySecret"], token=second["SecurityToken"]
        )
    )
    assert error.code == "InvalidSecurityToken.MismatchWithAccessKey"


def test_expired_sts_token_is_rejected(emulator: RunningEmulator) -> None:
    """Temporary credentials past their expiration are refused with InvalidSecurityToken.Expired."""
    sts = _issue_sts(emulator, seconds=-1)
    error = _raised(
        lambda: _unimplemented_calls()["ros"](
            emulator, key=sts["AccessKeyId"], secret=sts["AccessKeySecret"], token=sts["SecurityToken"]
        )
    )
    assert error.code == "InvalidSecurityToken.Expired"


@pytest.mark.parametrize("product", PRODUCTS)
def test_legacy_v2_signatures_verify(emulator: RunningEmulator, product: str) -> None:
    """SDK clients configured for the legacy HMAC-SHA1 signers are verified too."""
    from tests import official_sdk

    original = official_sdk.sdk_config

    def legacy_config(*args: Any, **kwargs: Any) -> Any:
        config = original(*args, **kwargs)
        config.signature_algorithm = "v2"
        return config

    official_sdk.sdk_config = legacy_config
    try:
        good = _raised(lambda: _unimplemented_calls()[product](emulator))
        bad = _raised(lambda: _unimplemented_calls()[product](emulator, secret="wrong"))
    finally:
        official_sdk.sdk_config = original
    assert good.code == "InvalidAction.NotFound"
    assert bad.code == "SignatureDoesNotMatch"
