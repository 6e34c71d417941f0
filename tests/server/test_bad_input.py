"""Bad input: each gets its status and stable code in the one shape, and nothing is written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.server.app import create_app
from onshore.server.context import ServerOptions
from onshore.settings import Settings
from tests.server.conftest import TestClient, auth, make_settings

GOOD = {
    "subject": "u1",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
}


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert "Traceback" not in r.text
    return dict(body["error"])


def _counts(app: FastAPI) -> dict[str, int]:
    return {n: r.db.records.count() for n, r in app.state.onshore.vault.runtime.regions.items()}


@pytest.mark.parametrize("raw", [b"{bad", b"", b"[1,", b'{"subject": "u1",}', b"\xff\xfe"])
def test_invalid_json_is_400(client: TestClient, tokens: dict[str, str], raw: bytes) -> None:
    for ctype in ("application/json", "application/x-www-form-urlencoded"):
        r = client.post(
            "/v1/records", content=raw, headers={**auth(tokens["operator"]), "content-type": ctype}
        )
        if raw == b"":
            _error(r, 422, "input.invalid")  # no body at all: the body is missing
        else:
            _error(r, 400, "input.invalid_json")


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {**GOOD, "data": "not an object"},
        {**GOOD, "subject": 42},
        {**GOOD, "subject": ""},
        {**GOOD, "signals": {"phone_number": 84912345678}},
        {"kind": "profile", "data": {}},
        {**GOOD, "record_id": "x" * 129},
    ],
)
def test_wrong_types_are_422(
    app: FastAPI, client: TestClient, tokens: dict[str, str], body: Any
) -> None:
    r = client.post("/v1/records", json=body, headers=auth(tokens["operator"]))
    err = _error(r, 422, "input.invalid")
    assert all("input" not in e for e in err["details"]["errors"])  # never echoed back
    assert _counts(app) == {"vn-hcm": 0, "sg-1": 0}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/records", {**GOOD, "extra": 1}),
        ("/v1/records", {**GOOD, "signals": {"phone_number": "+84912345678", "shoe": "42"}}),
        ("/v1/records/batch", {"records": [GOOD], "atomic": True}),
        ("/v1/records/batch", {"records": [{**GOOD, "nope": 1}]}),
        ("/v1/decisions", {"op": "store", "mood": "happy"}),
    ],
)
def test_unknown_fields_are_422(
    app: FastAPI, client: TestClient, tokens: dict[str, str], path: str, body: Any
) -> None:
    r = client.post(path, json=body, headers=auth(tokens["admin"]))
    err = _error(r, 422, "input.invalid")
    assert any(e["type"] == "extra_forbidden" for e in err["details"]["errors"])
    assert _counts(app) == {"vn-hcm": 0, "sg-1": 0}


def test_personal_data_is_not_echoed_in_validation_errors(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = {**GOOD, "subject": ["+84987654321"], "data": {"cccd": "079123456789"}}
    r = client.post("/v1/records", json=body, headers=auth(tokens["operator"]))
    assert r.status_code == 422
    assert "84987654321" not in r.text and "079123456789" not in r.text


@pytest.fixture
def small_app(settings: Settings) -> Iterator[TestClient]:
    app = create_app(
        settings, create_keys=True, options=ServerOptions(max_body_bytes=2048, max_batch=3)
    )
    app.state.test_token = app.state.onshore.tokens.create("op", "operator").secret
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_oversized_bodies_are_413(small_app: TestClient) -> None:
    headers = auth(small_app.app.state.test_token)  # type: ignore[attr-defined]
    big = {**GOOD, "data": {"bio": "x" * 4096}}
    _error(small_app.post("/v1/records", json=big, headers=headers), 413, "input.body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"subject": "u1", "kind": "k", "data": {"bio": "'
        for _ in range(10):
            yield b"y" * 512
        yield b'"}}'

    _error(
        small_app.post("/v1/records", content=chunks(), headers=headers),
        413,
        "input.body_too_large",
    )
    r = small_app.post("/v1/records/batch", json={"records": [GOOD] * 4}, headers=headers)
    _error(r, 413, "input.too_many_items")
    ok = small_app.post("/v1/records", json=GOOD, headers=headers)
    assert ok.status_code == 201


def test_record_over_the_record_limit_is_413(tmp_path: Any) -> None:
    app = create_app(make_settings(tmp_path, max_record_bytes=512), create_keys=True)
    token = app.state.onshore.tokens.create("op", "operator").secret
    with TestClient(app) as c:
        r = c.post("/v1/records", json={**GOOD, "data": {"bio": "z" * 1000}}, headers=auth(token))
        _error(r, 413, "input.record_too_large")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing"),
        ({"Authorization": "Bearer"}, "missing"),
        ({"Authorization": "Bearer onsh_" + "A" * 43}, "invalid"),
        ({"Authorization": "Bearer not-a-token"}, "invalid"),
    ],
)
def test_missing_or_invalid_token_is_401(
    client: TestClient, headers: dict[str, str], reason: str
) -> None:
    r = client.post("/v1/records", json=GOOD, headers=headers)
    err = _error(r, 401, "auth.unauthenticated")
    assert err["details"]["reason"] == reason
    assert r.headers["www-authenticate"] == "Bearer"
    assert "onsh_" not in r.text


def test_revoked_token_is_401_at_once(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    secret = tokens["operator"]
    assert client.post("/v1/records", json=GOOD, headers=auth(secret)).status_code == 201
    r = client.delete("/v1/tokens/test-operator", headers=auth(tokens["admin"]))
    assert r.status_code == 200 and r.json()["revoked_at"]
    err = _error(
        client.post("/v1/records", json=GOOD, headers=auth(secret)), 401, "auth.unauthenticated"
    )
    assert err["details"]["reason"] == "revoked"


def test_wrong_role_is_403(client: TestClient, tokens: dict[str, str]) -> None:
    err = _error(
        client.post("/v1/records", json=GOOD, headers=auth(tokens["auditor"])),
        403,
        "auth.forbidden",
    )
    assert err["details"] == {
        "permission": "records.write",
        "role": "auditor",
        "roles": ["auditor"],
    }


def test_no_permitted_region_is_409(tmp_path: Any) -> None:
    settings = make_settings(tmp_path)
    cfg = settings.model_dump()
    cfg["regions"] = {"sg-1": {k: v for k, v in cfg["regions"]["sg-1"].items() if k != "name"}}
    cfg["deployment"]["default_region"] = "sg-1"
    app = create_app(Settings.model_validate(cfg), create_keys=True)
    token = app.state.onshore.tokens.create("op", "operator").secret
    with TestClient(app) as c:
        r = c.post("/v1/records", json=GOOD, headers=auth(token))
        err = _error(r, 409, "residency.no_permitted_region")
        assert "84912345678" not in r.text
        assert err["message"]
        assert (
            c.post(
                "/v1/records",
                json={
                    **GOOD,
                    "subject": "sg",
                    "data": {"x": "1"},
                    "signals": {"declared_residence": "SG"},
                },
                headers=auth(token),
            ).status_code
            == 201
        )


def test_store_down_is_503_and_nothing_is_half_written(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    vault = app.state.onshore.vault
    sg = vault.runtime.regions["sg-1"]
    vn = vault.runtime.regions["vn-hcm"]
    sg_user = {
        **GOOD,
        "subject": "u-sg",
        "data": {"phone": "+6591234567"},
        "signals": {"phone_number": "+6591234567"},
    }
    # Authorisation decisions go to sg-1 (the default region): use vn-hcm as the one that fails.
    vn.db.conn.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(str(vn.db.path), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        before = {"sg": sg.db.records.count(), "sg_ledger": sg.db.ledger.size()}
        r = client.post(
            "/v1/records/batch", json={"records": [sg_user, GOOD]}, headers=auth(tokens["operator"])
        )
        err = _error(r, 503, "store.unavailable")
        assert "84912345678" not in r.text
        assert err["message"]
        assert sg.db.records.count() == before["sg"]
        # one leaf: the access decision; no placement leaf for the rolled-back sg record
        assert sg.db.ledger.size() == before["sg_ledger"] + 1
        health = client.get("/healthz")
        assert health.status_code in (200, 503)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert vn.db.records.count() == 0
    r = client.post(
        "/v1/records/batch", json={"records": [sg_user, GOOD]}, headers=auth(tokens["operator"])
    )
    assert r.status_code == 201
