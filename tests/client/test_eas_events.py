"""EasClient.latest_events: the newest events whichever order EAS pages them in.

The API reference does not say whether DescribeServiceEvent answers oldest or newest first, and the
emulator answers oldest first; a service that pages newest first is served here over HTTP.
"""

from __future__ import annotations

import httpx
import pytest

from pulumi_alicloud_ai.client.credentials import StaticCredentialsProvider
from pulumi_alicloud_ai.client.eas import EasClient
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.transport import OpenApiClient


def _service(count: int, newest_first: bool) -> httpx.MockTransport:
    """DescribeServiceEvent over ``count`` events a minute apart, paged in the given order."""
    events = [
        {"Type": "Normal", "Reason": f"Step{n}", "Message": "", "Time": f"2026-11-30T08:{n:02d}:00Z"}
        for n in range(count)
    ]
    ordered = events[::-1] if newest_first else events

    def answer(request: httpx.Request) -> httpx.Response:
        page, size = int(request.url.params["PageNum"]), int(request.url.params["PageSize"])
        body = {
            "RequestId": "r-1",
            "Events": ordered[(page - 1) * size : page * size],
            "PageNum": page,
            "TotalCount": count,
            "TotalPageNum": max(1, -(-count // size)),
        }
        return httpx.Response(200, json=body)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest-first", "newest-first"])
@pytest.mark.parametrize("count", [0, 2, 3, 4, 7, 11])
def test_the_newest_three_oldest_of_them_first(count: int, newest_first: bool) -> None:
    """Past one page too (4, 7 and 11 events, whose last page holds fewer than three)."""
    api = OpenApiClient(
        EAS,
        region="cn-shanghai",
        credentials=StaticCredentialsProvider("k", "s"),
        transport=_service(count, newest_first),
    )
    with api:
        latest = EasClient(api).latest_events("cn-shanghai", "svc")
    assert [event.reason for event in latest] == [f"Step{n}" for n in range(max(0, count - 3), count)]
