"""Over HTTP, a bare date means midnight in the deployment's zone (POST /v1/decisions)."""

from __future__ import annotations

from pathlib import Path

from onshore.server.app import create_app
from tests.server.conftest import TestClient, make_settings


def test_bare_date_in_a_decision_is_local_midnight(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), create_keys=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        secret = app.state.onshore.tokens.create("t-op", "operator").secret
        body = {"op": "remove", "at": "2023-06-01", "request": "authority_takedown",
                "events": {"authority_request": "2023-06-01"}}  # fmt: skip
        r = client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 200, r.text
        decision = r.json()["decision"]
        assert decision["at"] == "2023-06-01T00:00:00+07:00"
        assert decision["deciding_rules"] == ["VN-LCS18-26.2b"]
        [owed] = decision["obligations"]
        assert owed["due"] == "2023-06-02T00:00:00+07:00"
