"""``Idempotency-Key`` over HTTP, on SQLite and PostgreSQL control stores: a retry gets the
first response (``Idempotent-Replayed: true``) and creates nothing twice; another body with
the key is 422, a key still in flight 409; keys are per caller, expire, and survive a restart.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from onshore.server.app import create_app
from onshore.services.idempotency_keys import Claim, fingerprint
from onshore.settings import Settings
from tests.server.conftest import TestClient, auth, make_settings
from tests.server.live import LiveServer

RECORD = {
    "subject": "u-idem",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def control_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Regions on SQLite; the control store on SQLite or on a real PostgreSQL database."""
    if request.param == "sqlite":
        return make_settings(tmp_path)
    return make_settings(tmp_path, control_store=request.getfixturevalue("pg_url"))


@pytest.fixture
def served(control_settings: Settings) -> Iterator[tuple[FastAPI, TestClient, dict[str, str]]]:
    app = create_app(control_settings, create_keys=True)
    svc = app.state.onshore.tokens
    secrets = {r: svc.create(f"idem-{r}", r).secret for r in ("operator", "admin", "auditor")}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client, secrets


def _post(client: TestClient, path: str, token: str, key: str | None, body: Any) -> Any:
    headers = auth(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, json=body, headers=headers)


def test_a_retry_gets_the_first_receipt_and_stores_nothing_twice(served: Any) -> None:
    app, client, tok = served
    first = _post(client, "/v1/records", tok["operator"], "rec-1", RECORD)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = _post(client, "/v1/records", tok["operator"], "rec-1", RECORD)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/json"
    assert len(app.state.onshore.vault.records_of("u-idem")) == 1
    fresh = _post(client, "/v1/records", tok["operator"], None, RECORD)  # no key: a new record
    assert fresh.json()["record_id"] != first.json()["record_id"]


def test_a_batch_retry_is_replayed(served: Any) -> None:
    app, client, tok = served
    body = {"records": [RECORD, {**RECORD, "kind": "login"}]}
    first = _post(client, "/v1/records/batch", tok["operator"], "batch-1", body)
    again = _post(client, "/v1/records/batch", tok["operator"], "batch-1", body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len(app.state.onshore.vault.records_of("u-idem")) == 2


def test_the_key_with_another_body_is_refused(served: Any) -> None:
    app, client, tok = served
    assert _post(client, "/v1/records", tok["operator"], "rec-2", RECORD).status_code == 201
    other = _post(client, "/v1/records", tok["operator"], "rec-2", {**RECORD, "kind": "login"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency.key_reused"
    assert len(app.state.onshore.vault.records_of("u-idem")) == 1


def test_a_key_in_flight_is_409_with_retry_after(served: Any) -> None:
    app, client, tok = served
    keys = app.state.onshore.idempotency
    principal = app.state.onshore.tokens.verify(tok["operator"]).id
    body = client.build_request("POST", "/v1/records", json=RECORD).content
    running = keys.begin(  # the first request, still being processed
        principal, "POST /v1/records", "rec-3", fingerprint("POST", "/v1/records", "", body)
    )
    assert isinstance(running, Claim)
    busy = client.post(
        "/v1/records", content=body, headers={**auth(tok["operator"]), "Idempotency-Key": "rec-3"}
    )
    assert busy.status_code == 409, busy.text
    assert busy.json()["error"]["code"] == "idempotency.in_progress"
    assert int(busy.headers["retry-after"]) >= 1
    assert app.state.onshore.vault.records_of("u-idem") == []


def test_keys_belong_to_their_caller(served: Any) -> None:
    app, client, tok = served
    mine = _post(client, "/v1/records", tok["operator"], "shared", RECORD)
    theirs = _post(client, "/v1/records", tok["admin"], "shared", {**RECORD, "kind": "login"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert len(app.state.onshore.vault.records_of("u-idem")) == 2


def test_a_refused_request_keeps_nothing(served: Any) -> None:
    _app, client, tok = served
    denied = _post(client, "/v1/records", tok["auditor"], "rec-4", RECORD)
    assert denied.status_code == 403  # the key is never looked at without the permission
    bad = _post(client, "/v1/records", tok["operator"], "rec-4", {**RECORD, "data": 1})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "input.invalid"
    ok = _post(client, "/v1/records", tok["operator"], "rec-4", RECORD)  # the key is still free
    assert ok.status_code == 201 and "idempotent-replayed" not in ok.headers


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "\xe9-accent".encode("latin-1")])
def test_malformed_keys_are_422(served: Any, key: str | bytes) -> None:
    app, client, tok = served
    headers = {**auth(tok["operator"]), "Idempotency-Key": key}
    refused = client.post("/v1/records", json=RECORD, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "idempotency.key_invalid"
    assert app.state.onshore.vault.records_of("u-idem") == []


def test_token_creation_is_replayed(served: Any) -> None:
    _app, client, tok = served
    body = {"name": "ci-idem", "role": "operator"}
    first = _post(client, "/v1/tokens", tok["admin"], "tok-1", body)
    again = _post(client, "/v1/tokens", tok["admin"], "tok-1", body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    taken = _post(client, "/v1/tokens", tok["admin"], None, body)  # without a key: a conflict
    assert taken.status_code == 409


def test_metrics_ingest_is_replayed(served: Any) -> None:
    _app, client, tok = served
    body = {"rows": []}
    first = _post(client, "/v1/audience/metrics", tok["operator"], "m-1", body)
    again = _post(client, "/v1/audience/metrics", tok["operator"], "m-1", body)
    assert first.status_code == 200, first.text
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()


def test_a_kept_response_outlives_a_restart(control_settings: Settings) -> None:
    key = str(uuid.uuid4())
    app = create_app(control_settings, create_keys=True)
    secret = app.state.onshore.tokens.create("restart", "operator").secret
    with TestClient(app) as client:
        first = _post(client, "/v1/records", secret, key, RECORD)
    with TestClient(create_app(control_settings)) as client:
        again = _post(client, "/v1/records", secret, key, RECORD)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()


def test_the_longest_key_is_a_setting(tmp_path: Path) -> None:
    base = make_settings(tmp_path)
    settings = Settings.model_validate({**base.model_dump(), "idempotency": {"max_key_length": 20}})
    app = create_app(settings, create_keys=True)
    secret = app.state.onshore.tokens.create("short-keys", "operator").secret
    with TestClient(app, raise_server_exceptions=False) as client:
        param = next(
            p
            for p in client.get("/openapi.json").json()["paths"]["/v1/records"]["post"][
                "parameters"
            ]
            if p["name"] == "Idempotency-Key"
        )
        assert param["schema"]["maxLength"] == 20
        assert _post(client, "/v1/records", secret, "k" * 20, RECORD).status_code == 201
        refused = _post(client, "/v1/records", secret, "k" * 21, RECORD)
        assert refused.status_code == 422
        assert refused.json()["error"]["details"]["max_length"] == 20


def test_concurrent_retries_on_a_live_server_store_one_record(live: LiveServer) -> None:
    """Eight clients send the same batch with the same key at once to a real ``onshore
    serve``: one runs it; each other gets its replay or 409 in progress; one set is stored."""
    body = {"records": [{**RECORD, "subject": "u-race", "kind": f"k{i}"} for i in range(50)]}
    headers = {**auth(live.tokens["operator"]), "Idempotency-Key": "race-1"}
    start = threading.Barrier(8)

    def send() -> httpx.Response:
        start.wait()
        return httpx.post(f"{live.base}/v1/records/batch", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: send(), range(8)))
    ran = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    replayed = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    busy = [a for a in answers if a.status_code == 409]
    assert len(ran) == 1 and len(ran) + len(replayed) + len(busy) == 8, answers
    assert all(a.json() == ran[0].json() for a in replayed)
    assert all(a.json()["error"]["code"] == "idempotency.in_progress" for a in busy)
    listed = httpx.get(
        f"{live.base}/v1/subjects/u-race?limit=1000", headers=auth(live.tokens["operator"])
    )
    assert len(listed.json()["items"]) == 50


def test_the_control_store_holds_neither_keys_nor_responses_in_the_clear(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    app = create_app(settings, create_keys=True)
    admin = app.state.onshore.tokens.create("keeper", "admin").secret
    key = "tok-" + uuid.uuid4().hex
    with TestClient(app) as client:
        made = _post(client, "/v1/tokens", admin, key, {"name": "kept", "role": "auditor"})
        again = _post(client, "/v1/tokens", admin, key, {"name": "kept", "role": "auditor"})
    secret = made.json()["token"]
    assert again.json()["token"] == secret  # the caller with the key gets it back
    with sqlite3.connect(tmp_path / "data" / "control.db") as db:
        rows = db.execute("SELECT idem_key, body FROM idempotency_keys").fetchall()
    assert len(rows) == 1
    stored_key, body = rows[0]
    assert key not in stored_key and secret.encode() not in body and b"kept" not in body
