"""CSRF: a state-changing request signed in by the session cookie needs the session's CSRF
token; bearer-token requests do not; reads never do."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from onshore.core.identity import host_administrator
from tests.sessions.conftest import COOKIE, TestClient, add_user, sign_in


def _admin_session(app: FastAPI, client: TestClient) -> dict[str, Any]:
    add_user(app, "root-admin", ["admin"])
    answer = sign_in(client, "root-admin")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_missing_or_wrong_token_is_refused_right_one_accepted(
    app: FastAPI, client: TestClient
) -> None:
    session = _admin_session(app, client)
    body = {"name": "ci-bot", "role": "operator"}
    missing = client.post("/v1/tokens", json=body)
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "auth.csrf_failed"
    assert missing.json()["error"]["details"]["reason"] == "missing"
    wrong = client.post("/v1/tokens", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403 and wrong.json()["error"]["details"]["reason"] == "mismatch"
    assert client.get("/v1/tokens").json()["items"] == []  # nothing was created
    right = client.post("/v1/tokens", json=body, headers={"X-CSRF-Token": session["csrf_token"]})
    assert right.status_code == 201, right.text
    assert [t["name"] for t in client.get("/v1/tokens").json()["items"]] == ["ci-bot"]


def test_another_sessions_token_is_refused(app: FastAPI, client: TestClient) -> None:
    _admin_session(app, client)
    add_user(app, "other-admin", ["admin"])
    other = TestClient(app)  # no lifespan of its own: the stores stay open for ``client``
    foreign = sign_in(other, "other-admin").json()["csrf_token"]
    refused = client.post(
        "/v1/tokens", json={"name": "x1", "role": "operator"}, headers={"X-CSRF-Token": foreign}
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.csrf_failed"


def test_form_field_carries_the_token(app: FastAPI, client: TestClient) -> None:
    session = _admin_session(app, client)
    wrong = client.request("DELETE", "/v1/session", data={"csrf_token": "nope"})
    assert wrong.status_code == 403 and client.get("/v1/session").status_code == 200
    out = client.request("DELETE", "/v1/session", data={"csrf_token": session["csrf_token"]})
    assert out.status_code == 204 and client.get("/v1/session").status_code == 401


def test_reads_need_no_token(app: FastAPI, client: TestClient) -> None:
    _admin_session(app, client)
    assert client.get("/v1/tokens").status_code == 200


def test_bearer_requests_are_unaffected(app: FastAPI, client: TestClient) -> None:
    issued = app.state.onshore.users.service_token(host_administrator("test"), "admin-bot", "admin")
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    made = client.post("/v1/tokens", json={"name": "by-bearer", "role": "operator"}, headers=bearer)
    assert made.status_code == 201, made.text
    # a bearer token wins over a (bogus) session cookie riding along: no CSRF token needed
    both = client.post(
        "/v1/tokens",
        json={"name": "by-bearer-2", "role": "operator"},
        headers={**bearer, "Cookie": f"{COOKIE}=whatever"},
    )
    assert both.status_code == 201, both.text


def test_session_principal_is_checked_for_permissions(app: FastAPI, client: TestClient) -> None:
    add_user(app, "reader", ["auditor"])
    answer = sign_in(client, "reader")
    refused = client.post(
        "/v1/tokens",
        json={"name": "x2", "role": "operator"},
        headers={"X-CSRF-Token": answer.json()["csrf_token"]},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.forbidden"
    assert client.get("/v1/tokens").status_code == 403


def test_openapi_declares_the_cookie_scheme(app: FastAPI, client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["SessionCookie"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": schemes["SessionCookie"]["description"],
    }
    security = doc["paths"]["/v1/tokens"]["post"]["security"]
    assert {"SessionCookie": []} in security and {"bearer": []} in security
