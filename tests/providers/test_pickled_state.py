"""State written by earlier releases keeps working: its pickled providers load and serve calls.

``tests/data/pickled_providers.json`` holds the ``__provider`` values, byte for byte, that programs
wrote into state before the providers shared one lifecycle core: what each resource class pickled
(``program``), and what the implementation classes pickled before providers loaded lazily
(``before_lazy_providers``). dill pickles a class by its module path and name, so each must still import
and still be a provider.
"""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path
from typing import Any

import dill
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_alicloud_ai.emulator import RunningEmulator
from pulumi_alicloud_ai.resources._app_service_provider import AppServiceProvider
from pulumi_alicloud_ai.testing.provider_host import ProviderHost, provider_env

RECORDED = json.loads((Path(__file__).parents[1] / "data" / "pickled_providers.json").read_text())
CASES = [
    pytest.param(era, kind, serialized, id=f"{era}-{kind}")
    for era in ("program", "before_lazy_providers")
    for kind, serialized in sorted(RECORDED[era].items())
]

VALID_INPUTS: dict[str, dict[str, Any]] = {
    "AppService": {"service_name": "pickled", "service_spec": "llama_7b_fp16", "region": "cn-shanghai"},
    "VodAITemplate": {
        "template_name": "pickled",
        "template_type": "AIImage",
        "config": {"Count": 2},
        "region": "cn-shanghai",
    },
    "AIImageJob": {"video_id": "v", "ai_template_id": "t", "region": "cn-shanghai"},
    "AITask": {"task_type": "GenerateTemplate", "prompt": "a VPC", "region": "cn-shanghai"},
}


@pytest.mark.parametrize(("era", "kind", "serialized"), CASES)
def test_recorded_provider_unpickles_to_a_provider(era: str, kind: str, serialized: str) -> None:
    """Each recorded ``__provider`` loads to a provider instance of a class that still exists."""
    provider = dill.loads(base64.b64decode(serialized))
    assert isinstance(provider, ResourceProvider)
    assert type(provider).__name__ == f"{kind}Provider"


@pytest.mark.parametrize(("era", "kind", "serialized"), CASES)
def test_recorded_provider_serves_check_in_the_host(
    era: str, kind: str, serialized: str, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """The Pulumi host, given the recorded bytes as ``__provider``, answers Check as today's provider does."""
    host = ProviderHost(None, provider_env(emulator.url, str(tmp_path)))
    try:
        host.configure({})
        good = host.check(kind, {**VALID_INPUTS[kind], "__provider": serialized})
        bad = host.check(kind, {**VALID_INPUTS[kind], "colour": "red", "__provider": serialized})
    finally:
        host.close()
    assert good.failures == {}
    assert "colour" in bad.failures


def test_pickled_provider_holds_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider Pulumi pickles into state carries no credential, whatever the environment holds."""
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIplantedKeyId0001")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "planted-secret-value-0001")
    provider = AppServiceProvider()
    provider.check({}, dict(VALID_INPUTS["AppService"]))
    serialized = serialize_provider(provider)
    raw = pickle.dumps(provider)
    for blob in (serialized.encode(), raw, base64.b64decode(serialized)):
        assert b"planted-secret-value-0001" not in blob
        assert b"LTAIplantedKeyId0001" not in blob
