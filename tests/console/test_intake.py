"""Opening a case from the console: the form comes from the kind's intake model, posts with
the CSRF token to the same service as ``POST /v1/cases/<segment>``, and shows refusals in
the page with their code."""

from __future__ import annotations

import json

from fastapi import FastAPI

from tests.console.support import (
    TestClient,
    add_user,
    app,
    client,
    clock,
    console_tables,
    form_token,
    fresh_name,
    server,
    sign_in,
    vault,
)

__all__ = ["app", "client", "clock", "console_tables", "server", "vault"]  # fixtures used here

NOTICE = {
    "reason": "unlicensed gambling ads",
    "jurisdictions": ["VN"],
    "content": [{"url": "https://example.vn/p/intake-1"}],
    "sender": {"name": "MIC", "kind": "authority", "email": "x@mic.example"},
    "reference": "MIC-INTAKE-1",
}


def test_an_operator_opens_a_takedown_from_the_form(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("op-")
    user_id = add_user(app, name, ["operator"])
    sign_in(client, name)
    queue = client.get("/console/queues/takedown")
    assert 'href="/console/new/takedowns"' in queue.text  # the queue links to the form
    page = client.get("/console/new/takedowns")
    assert page.status_code == 200
    for field in ('name="source"', 'name="urgent"', 'name="notice"', 'name="received_at"'):
        assert field in page.text
    fields = {
        "csrf_token": form_token(page.text),
        "source": "authority_order",
        "notice": json.dumps(NOTICE),
    }
    opened = client.post("/console/new/takedowns", data=fields)
    assert opened.status_code == 303, opened.text
    case_url = opened.headers["location"]
    assert case_url.startswith("/console/cases/takedown/")
    case_id = case_url.rsplit("/", 1)[1]
    case = app.state.onshore_takedowns.cases.get(case_id)
    assert case.data["notice"]["reference"] == "MIC-INTAKE-1"
    history = app.state.onshore_takedowns.cases.history(case_id)
    assert history[0].actor == user_id  # the signed-in user, never a typed name
    again = client.post("/console/new/takedowns", data=fields)  # the same reference
    assert again.status_code == 303 and again.headers["location"] == case_url


def test_a_bad_form_is_shown_again_with_its_error(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("op-")
    add_user(app, name, ["operator"])
    sign_in(client, name)
    page = client.get("/console/new/takedowns")
    sent = {"csrf_token": form_token(page.text), "source": "authority_order", "notice": "{oops"}
    refused = client.post("/console/new/takedowns", data=sent)
    assert refused.status_code == 422
    assert "input.invalid" in refused.text and "{oops" in refused.text  # the value kept
    missing = client.post("/console/new/takedowns", data={"source": "authority_order"})
    assert missing.status_code == 403  # no CSRF token


def test_who_may_not_write_gets_no_form(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("aud-")
    add_user(app, name, ["auditor"])
    sign_in(client, name)
    assert client.get("/console/new/takedowns").status_code == 403
    assert 'href="/console/new/takedowns"' not in client.get("/console/queues/takedown").text
    assert client.get("/console/new/obligations").status_code in (403, 404)
