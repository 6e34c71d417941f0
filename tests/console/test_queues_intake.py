"""A takedown opened through the JSON API, as its service writes it, appears in the console's
queue with the declared columns, its deadline from the packs and its badge."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from tests.console.support import (
    TestClient,
    add_user,
    app,
    client,
    clock,
    console_tables,
    fresh_name,
    server,
    sign_in,
    vault,
)

__all__ = ["app", "client", "clock", "console_tables", "server", "vault"]  # fixtures used here

NOTICE = {
    "reason": "advertises unlicensed online gambling",
    "reference": "ABEI-2026-0042",
    "content": [{"url": "https://social.example/p/123", "content_type": "CONTENT_TYPE_VIDEO"}],
    "sender": {"name": "Broadcasting Authority", "kind": "authority", "country": "VN"},
    "jurisdictions": ["VN"],
}


def test_an_api_intake_shows_in_the_queue(
    app: FastAPI, client: TestClient, clock: FixedClock
) -> None:
    token = app.state.onshore.tokens.create("intake", "operator").secret
    body = {"source": "authority_order", "urgent": True, "notice": NOTICE}
    opened = client.post(
        "/v1/cases/takedowns", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    due = datetime.fromisoformat(case["due_at"])
    assert due - clock.now() == timedelta(hours=6)  # the vn pack: urgent authority takedown
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    sign_in(client, name)
    page = client.get("/console/queues/takedown").text
    row = page[page.index(f"/console/cases/takedown/{case['case_id']}") :].split("</tr>")[0]
    assert "<td>authority_order</td><td>ABEI-2026-0042</td><td>✓</td>" in row
    assert f'<time datetime="{due.isoformat()}">' in row
    assert 'data-badge="due_soon"' in row  # within the kind's 6-hour window
    at = clock.at
    try:
        clock.at = due + timedelta(seconds=1)
        assert client.get("/console/my-work").status_code == 303  # the session idled out
        sign_in(client, name)
        late = client.get("/console/queues/takedown?due=breached").text
        assert f"/console/cases/takedown/{case['case_id']}" in late
        assert 'data-badge="breached"' in late
    finally:
        clock.at = at
