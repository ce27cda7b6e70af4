"""The admin API: health, faults, clock, reset, and its refusal of Alibaba-signed requests."""

from __future__ import annotations

import httpx
import pytest

from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.conftest import Admin


def test_health_reports_settings(admin: Admin) -> None:
    """Health answers ok with the region, clock and time scale."""
    health = admin.get("/health")
    assert health["status"] == "ok"
    assert health["region"] == "cn-shanghai"
    assert health["timeScale"] == 1.0


def test_fault_rules_add_list_remove(admin: Admin) -> None:
    """Rules added through the API are listed in order and removed by id or all at once."""
    added = admin.post(
        "/faults",
        [
            {"action": "A", "error": {"code": "Throttling.User", "status": 400}},
            {"latency_ms": 5, "id": "slow"},
        ],
    )["rules"]
    assert [rule["action"] for rule in admin.get("/faults")["rules"]] == ["A", "*"]
    assert admin.delete(f"/faults/{added[0]['id']}") == {"removed": 1}
    assert [rule["id"] for rule in admin.get("/faults")["rules"]] == ["slow"]
    assert admin.delete("/faults") == {"removed": 1}
    assert admin.get("/faults") == {"rules": []}


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({}, "exactly one of"),
        ({"error": {"code": "X"}, "latency_ms": 3}, "exactly one of"),
        ({"product": "ecs", "latency_ms": 1}, "product must be one of"),
        ({"probability": 2, "latency_ms": 1}, "less than or equal to 1"),
        ({"latency_ms": 1, "colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_fault_rule_is_a_clear_400(
    fresh_emulator: RunningEmulator, rule: dict[str, object], fragment: str
) -> None:
    """An invalid rule is refused with InvalidParameter.FaultRule saying what is wrong."""
    response = httpx.post(f"{fresh_emulator.url}/_emulator/faults", json=rule)
    assert response.status_code == 400
    assert response.json()["Code"] == "InvalidParameter.FaultRule"
    assert fragment in response.json()["Message"]


def test_unknown_fault_id_is_404(fresh_emulator: RunningEmulator) -> None:
    """Deleting a rule that does not exist says so."""
    response = httpx.delete(f"{fresh_emulator.url}/_emulator/faults/nope")
    assert response.status_code == 404


def test_clock_advances_and_never_goes_back(admin: Admin, fresh_emulator: RunningEmulator) -> None:
    """Advancing the clock moves emulated time by exactly that much; a negative advance is refused."""
    before = admin.get("/clock")
    after = admin.post("/clock", {"seconds": 3600})
    assert after["offset"] == before["offset"] + 3600
    response = httpx.post(f"{fresh_emulator.url}/_emulator/clock", json={"seconds": -1})
    assert response.status_code == 400
    assert response.json()["Code"] == "InvalidParameter.Seconds"


def test_reset_forgets_faults_and_clock(admin: Admin) -> None:
    """Reset clears added fault rules and the clock offset."""
    admin.post("/faults", {"latency_ms": 1})
    admin.post("/clock", {"seconds": 10})
    admin.post("/reset")
    assert admin.get("/faults") == {"rules": []}
    assert admin.get("/clock")["offset"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "ACS3-HMAC-SHA256 Credential=test,SignedHeaders=host,Signature=00"},
        {"Authorization": "acs test:abc"},
        {"x-acs-signature-nonce": "abc"},
    ],
)
def test_admin_refuses_alibaba_signed_requests(
    fresh_emulator: RunningEmulator, headers: dict[str, str]
) -> None:
    """The admin API cannot be reached with an Alibaba Cloud signature."""
    response = httpx.post(f"{fresh_emulator.url}/_emulator/reset", headers=headers)
    assert response.status_code == 403
    assert response.json()["Code"] == "Forbidden.AdminApi"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ],
)
def test_admin_refuses_cross_site_browser_requests(
    fresh_emulator: RunningEmulator, headers: dict[str, str]
) -> None:
    """A web page on another origin cannot reset the emulator or add faults through the user's browser."""
    response = httpx.post(f"{fresh_emulator.url}/_emulator/reset", headers=headers)
    assert response.status_code == 403
    assert response.json()["Code"] == "Forbidden.CrossOrigin"


def test_admin_accepts_same_origin_browser_requests(fresh_emulator: RunningEmulator) -> None:
    """The dashboard's own requests (same origin) still work."""
    origin = f"http://127.0.0.1:{fresh_emulator.port}"
    response = httpx.post(
        f"{fresh_emulator.url}/_emulator/clock",
        json={"seconds": 1},
        headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200
