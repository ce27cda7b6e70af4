"""The dashboard's HTML, rendered on the server from a :func:`~.snapshot.snapshot` (already masked).

Every value goes through :func:`html.escape`. The live part of the page is one fragment that the page's
script fetches again every second and swaps in; stable ``id`` and ``data-*`` attributes let the script
keep open ``<details>`` open, and let tests (and users' own tooling) find a row by name and status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from html import escape
from importlib import resources
from typing import Any

OK_STATES = frozenset({"Running", "success", "SUCCESS", "Normal"})
BAD_STATES = frozenset({"Failed", "fail", "FAILURE"})
IDLE_STATES = frozenset({"Stopped", "Deleted"})


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _utc(epoch: float | None, pattern: str) -> str:
    """A stored time as text; ``?`` for one no calendar holds (the page must render whatever is stored)."""
    if not epoch:
        return ""
    try:
        return time.strftime(pattern, time.gmtime(epoch))
    except (OverflowError, OSError, ValueError):
        return "?"


def clock_text(epoch: float | None) -> str:
    """``HH:MM:SS`` (UTC) of an emulated time."""
    return _utc(epoch, "%H:%M:%S")


def full_time(epoch: float | None) -> str:
    """``YYYY-MM-DD HH:MM:SS UTC``."""
    return _utc(epoch, "%Y-%m-%d %H:%M:%S UTC")


CENTRAL = "central"
"""Shown for an entity made through a product's central endpoint (``ros.aliyuncs.com``), which names
no region."""


def region_cell(region: str) -> str:
    """The region column: the region, or :data:`CENTRAL` explained in a tooltip."""
    if region:
        return f'<td class="region">{_e(region)}</td>'
    return (
        f'<td class="region central" title="made through the central endpoint, which names no region">'
        f"{CENTRAL}</td>"
    )


def origin_cell(origin: Mapping[str, Any] | None) -> str:
    """Which stack and resource made the entity (the URN in a tooltip); empty when no provider did."""
    if not origin:
        return '<td class="origin"></td>'
    return (
        f'<td class="origin" title="{_e(origin["urn"])}" data-urn="{_e(origin["urn"])}">'
        f"{_e(origin['stack'])} · {_e(origin['resource'])}"
        f'<div class="since">{_e(origin["type"])}</div></td>'
    )


def status_class(status: str) -> str:
    """The badge colour of a status."""
    if status in OK_STATES:
        return "ok"
    if status in BAD_STATES:
        return "bad"
    if status in IDLE_STATES:
        return "idle"
    return "busy"


def badge(status: str) -> str:
    """A coloured status label."""
    return f'<span class="badge {status_class(status)}">{_e(status)}</span>'


def _table(headers: Sequence[str], rows: Sequence[str], empty: str, css: str = "") -> str:
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def request_rows(requests: Sequence[Mapping[str, Any]], *, with_subjects: bool = False) -> list[str]:
    """Rows of a request table: time, action, status, error code, RequestId, latency."""
    rows = []
    for record in requests:
        failed = int(record["status"]) >= 400
        code = f'<span class="code" title="{_e(record["message"])}">{_e(record["code"])}</span>'
        subject = f"<td>{_e(', '.join(record['subjects']))}</td>" if with_subjects else ""
        rows.append(
            f'<tr class="request{" failed" if failed else ""}" data-request-id="{_e(record["requestId"])}">'
            f'<td title="{_e(full_time(record["time"]))}">{_e(clock_text(record["time"]))}</td>'
            f"<td>{_e(record['product'])}</td><td>{_e(record['action'])}</td>"
            f'<td class="http">{_e(record["status"])}</td><td>{code if record["code"] else ""}</td>'
            f'<td class="rid">{_e(record["requestId"])}</td><td class="ms">{_e(record["ms"])} ms</td>{subject}</tr>'
        )
    return rows


REQUEST_HEADERS = ("time (UTC)", "product", "action", "HTTP", "error code", "RequestId", "latency")


def _summary(summary: Mapping[str, Any]) -> str:
    return " · ".join(f"{_e(key)}: {_e(value)}" for key, value in summary.items())


def entity_rows(group: Mapping[str, Any], entity: Mapping[str, Any]) -> str:
    """The row of one entity and its folded-away history, requests and details."""
    key = f"{group['key']}-{entity['id']}"
    nxt = entity.get("next")
    upcoming = f'<div class="next">→ {_e(nxt["to"])} at {_e(clock_text(nxt["at"]))}</div>' if nxt else ""
    last = entity["requests"][-1] if entity["requests"] else None
    last_text = (
        f'{_e(last["action"])} <span class="http">{_e(last["status"])}</span>'
        f"{' ' + _e(last['code']) if last['code'] else ''}"
        if last
        else ""
    )
    events = [
        f'<tr class="event {_e(event["type"]).lower()}"><td title="{_e(full_time(event["time"]))}">'
        f"{_e(clock_text(event['time']))}</td><td>{_e(event['type'])}</td><td>{_e(event['reason'])}</td>"
        f"<td>{_e(event['message'])}</td></tr>"
        for event in entity["events"]
    ]
    details = json.dumps(entity["details"], indent=2, ensure_ascii=False, sort_keys=True)
    return (
        f'<tr class="entity" id="{_e(key)}" data-product="{_e(group["product"])}" '
        f'data-kind="{_e(group["kind"])}" data-id="{_e(entity["id"])}" data-name="{_e(entity["name"])}" '
        f'data-status="{_e(entity["status"])}">'
        f'<td class="name">{_e(entity["name"])}</td><td class="id">{_e(entity["id"])}</td>'
        f"{region_cell(entity['region'])}"
        f'<td>{badge(entity["status"])}<div class="since">since {_e(clock_text(entity["since"]))}</div>'
        f"{upcoming}</td><td>{_summary(entity['summary'])}</td>{origin_cell(entity.get('origin'))}"
        f"<td>{last_text}</td></tr>"
        f'<tr class="more"><td colspan="7"><details id="details-{_e(key)}">'
        f"<summary>history ({len(events)}) · requests ({len(entity['requests'])}) · details</summary>"
        f'<div class="panes"><div><h4>History</h4>'
        f"{_table(('time (UTC)', 'type', 'reason', 'message'), events, 'no events yet')}</div>"
        f"<div><h4>Last requests</h4>"
        f"{_table(REQUEST_HEADERS, request_rows(entity['requests']), 'no requests seen since start')}</div>"
        f"<div><h4>Details</h4><pre>{_e(details)}</pre></div></div></details></td></tr>"
    )


def fault_rows(faults: Sequence[Mapping[str, Any]]) -> list[str]:
    """Rows of the fault-rule table, each with a Remove button."""
    rows = []
    for rule in faults:
        if "error" in rule:
            error = rule["error"]
            does = f"error {error.get('code')} (HTTP {error.get('status')})"
        elif "latency_ms" in rule:
            does = f"latency {rule['latency_ms']} ms"
        elif "rate_limit" in rule:
            does = f"rate limit {rule['rate_limit']}/s"
        else:
            does = f"effect {rule.get('effect')}" + (f": {rule['message']}" if rule.get("message") else "")
        count = rule.get("count")
        retired = " retired" if count == 0 else ""
        rows.append(
            f'<tr class="fault{retired}" data-rule-id="{_e(rule["id"])}"><td class="id">{_e(rule["id"])}</td>'
            f"<td>{_e(rule.get('product', '*'))}</td><td>{_e(rule.get('action', '*'))}</td>"
            f"<td>{_e(rule.get('region', '*'))}</td><td>{_e(does)}</td>"
            f"<td>{_e(rule.get('probability', 1.0))}</td><td>{'∞' if count is None else _e(count)}</td>"
            f'<td><button type="button" class="remove-fault" data-rule-id="{_e(rule["id"])}">Remove</button></td></tr>'
        )
    return rows


def live_fragment(data: Mapping[str, Any]) -> str:
    """The part of the page that updates: emulator line, fault rules, every entity, recent requests."""
    emulator = data["emulator"]
    recording = (
        f" · recording to <code>{_e(emulator['recording'])}</code>" if emulator.get("recording") else ""
    )
    parts = [
        f'<p id="clock" data-now="{_e(emulator["now"])}" data-offset="{_e(emulator["offset"])}">'
        f"emulated time <strong>{_e(full_time(emulator['now']))}</strong> "
        f"(clock +{_e(round(float(emulator['offset']), 1))} s, time scale {_e(emulator['timeScale'])}) · "
        f"region {_e(emulator['region'])} · version {_e(emulator['version'])}{recording}</p>",
        '<section id="faults"><h2>Fault rules</h2>',
        _table(
            ("id", "product", "action", "region", "does", "probability", "left", ""),
            fault_rows(data["faults"]),
            "No fault rules: every call behaves.",
        ),
        "</section>",
    ]
    for group in data["groups"]:
        rows = [entity_rows(group, entity) for entity in group["entities"]]
        parts.append(
            f'<section class="group" id="group-{_e(group["key"])}"><h2>{_e(group["title"])} '
            f'<span class="count">{len(rows)}</span></h2>'
            + _table(
                ("name", "id", "region", "state", "summary", "made by", "last request"),
                rows,
                f"No {group['title']} yet.",
                "entities",
            )
            + "</section>"
        )
    parts.append(
        '<section id="requests"><h2>Recent requests</h2>'
        + _table(
            (*REQUEST_HEADERS, "about"),
            request_rows(data["requests"], with_subjects=True),
            "No API requests since the emulator started.",
        )
        + "</section>"
    )
    return "\n".join(parts)


def page(data: Mapping[str, Any]) -> str:
    """The whole page: the template with the live fragment rendered in."""
    template = resources.files("pulumi_alicloud_ai.emulator.ui").joinpath("page.html").read_text("utf-8")
    return template.replace("<!--LIVE-->", live_fragment(data))
