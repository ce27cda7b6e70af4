"""The emulator verifies ACS3-HMAC-SM3 from the official SDK and from our client, and refuses what it
cannot verify with a message naming the algorithms it can."""

from __future__ import annotations

from typing import Any

import pytest
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import CREATE_APP_SERVICE, DESCRIBE_SERVICE
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import AuthError, NotFoundError
from pulumi_alicloud_ai.client.session import ClientSettings, open_client
from pulumi_alicloud_ai.client.signing import ACS3_HMAC_SM3
from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.official_sdk import sdk_config

REGION = "cn-shanghai"


def _sdk(emulator: RunningEmulator, algorithm: str, secret: str = "test") -> Any:
    from alibabacloud_eas20210701.client import Client

    config = sdk_config(emulator, secret=secret)
    config.signature_algorithm = algorithm
    return Client(config)


def test_official_sdk_signing_with_sm3_is_accepted(emulator: RunningEmulator) -> None:
    """A create and a describe signed with ACS3-HMAC-SM3 by the official SDK succeed."""
    from alibabacloud_eas20210701 import models

    client = _sdk(emulator, "ACS3-HMAC-SM3")
    request = models.CreateAppServiceRequest(
        service_name="sm3_signed", app_type="LLM", service_spec="llama_7b_fp16", replicas=1
    )
    created = client.create_app_service(request).body
    assert client.describe_service(REGION, "sm3_signed").body.service_id == created.service_id


def test_sm3_with_the_wrong_secret_is_a_mismatch(emulator: RunningEmulator) -> None:
    """The emulator checks the SM3 HMAC: a wrong secret is SignatureDoesNotMatch naming the SM3 string."""
    with pytest.raises(TeaException) as info:
        _sdk(emulator, "ACS3-HMAC-SM3", secret="wrong").describe_service(REGION, "anything")
    assert info.value.code == "SignatureDoesNotMatch"
    assert "ACS3-HMAC-SM3" in info.value.message


def test_rsa_signatures_are_refused_by_name(emulator: RunningEmulator) -> None:
    """ACS3-RSA-SHA256 (a private key the emulator cannot know) is IncompleteSignature naming what works."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(TeaException) as info:
        _sdk(emulator, "ACS3-RSA-SHA256", secret=pem).describe_service(REGION, "anything")
    assert info.value.code == "IncompleteSignature"
    assert "ACS3-HMAC-SHA256 or ACS3-HMAC-SM3" in info.value.message


def test_our_client_signs_with_sm3_when_asked(emulator: RunningEmulator) -> None:
    """``ClientSettings(signature_algorithm='ACS3-HMAC-SM3')`` signs every call with SM3 and they verify."""
    settings = ClientSettings(region=REGION, endpoint=emulator.url, signature_algorithm=ACS3_HMAC_SM3)
    body = {"ServiceName": "sm3_client", "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1}
    with open_client(EAS, settings, StaticCredentialsProvider("test", "test")) as api:
        api.call(CREATE_APP_SERVICE, json_body=body)
        assert api.call(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": "sm3_client"})
        with pytest.raises(NotFoundError):
            api.call(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": "sm3_missing"})
    wrong = StaticCredentialsProvider("test", "wrong")
    with open_client(EAS, settings, wrong) as api, pytest.raises(AuthError, match="ACS3-HMAC-SM3"):
        api.call(DESCRIBE_SERVICE, path_params={"ClusterId": REGION, "ServiceName": "sm3_client"})


def test_unknown_algorithm_setting_is_refused_at_once() -> None:
    """A client asked for an algorithm it cannot sign with fails when opened, naming the allowed values."""
    settings = ClientSettings(region=REGION, endpoint="http://127.0.0.1:1", signature_algorithm="HMAC-MD5")
    with pytest.raises(ValueError, match="ACS3-HMAC-SM3"):
        open_client(EAS, settings, StaticCredentialsProvider("test", "test"))
