"""The server signs grown ledgers on a timer (the tail window) and serves the ledger audit."""

from __future__ import annotations

import time
from pathlib import Path

from onshore.adapters import open_database
from onshore.server.app import create_app
from onshore.services.ledger import Ledger
from tests.server.conftest import TestClient, auth, make_settings

VN_USER = {
    "subject": "u-vn",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
}


def _vn(client: TestClient) -> Ledger:
    ledger: Ledger = client.app.state.onshore.vault.ledger("vn-hcm")  # type: ignore[attr-defined]
    return ledger


def _operator(client: TestClient) -> str:
    tokens = client.app.state.onshore.tokens  # type: ignore[attr-defined]
    return str(tokens.create("op", "operator").secret)


def test_the_timer_signs_a_grown_region_within_the_interval(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, checkpoint_interval_seconds=0.2), create_keys=True)
    with TestClient(app) as client:
        token = _operator(client)
        for _ in range(3):
            r = client.post("/v1/records", json=VN_USER, headers=auth(token))
            assert r.status_code == 201, r.text
        ledger = _vn(client)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            latest = ledger.store.latest_checkpoint()
            if latest is not None and latest[0] == ledger.store.size() == 3:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no automatic checkpoint covered the new leaves")
        signed = len(ledger.store.checkpoints())
        time.sleep(0.6)  # the region did not grow: nothing more is signed
        assert len(ledger.store.checkpoints()) == signed


def test_without_the_timer_shutdown_still_signs(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, checkpoint_interval_seconds=0), create_keys=True)
    with TestClient(app) as client:
        r = client.post("/v1/records", json=VN_USER, headers=auth(_operator(client)))
        assert r.status_code == 201, r.text
        time.sleep(0.3)
        assert _vn(client).store.latest_checkpoint() is None
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'vn-hcm.db'}")
    try:
        latest = db.ledger.latest_checkpoint()
        assert latest is not None and latest[0] == db.ledger.size() == 1
    finally:
        db.close()


def test_audit_endpoint_reports_findings(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/v1/records", json=VN_USER, headers=auth(tokens["operator"]))
    assert r.status_code == 201
    record_id = r.json()["record_id"]
    r = client.get("/v1/ledger/vn-hcm/audit", headers=auth(tokens["auditor"]))
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True and r.json()["records"] == 1
    db = client.app.state.onshore.vault.runtime.region("vn-hcm").db  # type: ignore[attr-defined]
    with db.transaction():
        db.records.delete(record_id)
    r = client.get("/v1/ledger/vn-hcm/audit", headers=auth(tokens["auditor"]))
    body = r.json()
    assert r.status_code == 200 and body["ok"] is False
    assert body["counts"] == {"placement.no_record": 1}
    assert (
        client.get("/v1/ledger/nowhere/audit", headers=auth(tokens["auditor"])).status_code == 404
    )
    assert client.get("/v1/ledger/vn-hcm/audit").status_code == 401
