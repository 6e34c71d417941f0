"""Audience through the CLI and over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onshore.server.app import create_app
from tests.server.conftest import TestClient, make_settings
from tests.takedowns.test_interfaces import auth, run

from .conftest import foreign, foreign_toml, write_csv


def test_audience_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    foreign_toml(tmp_path / "onshore.toml")
    cfg = str(tmp_path / "onshore.toml")
    path = write_csv(
        tmp_path / "m.csv",
        [
            "acct-1,account,VN,2026-11-19,9990,,,",
            "acct-1,account,VN,2026-11-20,10412,,,",
            "acct-2,account,VN,2026-11-20,-1,,,",
        ],
    )
    code, out, err = run(capsys, "audience", "ingest", str(path), "-c", cfg, "--json")
    assert code == 2  # bad rows were found (and reported); the good ones were applied
    report = json.loads(out)
    assert report["inserted"] == 2 and report["bad_rows"][0]["line"] == 4
    code, out, _ = run(capsys, "audience", "ingest", str(path), "-c", cfg, "--json")
    assert json.loads(out)["already_applied"] is True
    code, out, err = run(capsys, "audience", "ingest", str(path), "-c", cfg, "--strict")
    assert code == 2 and "nothing applied" in err
    code, out, _ = run(
        capsys, "audience", "status", "acct-1", "-c", cfg, "--on", "2026-11-20", "--json"
    )
    assert json.loads(out)["subscribers"]["subscribers"] == 10412
    code, out, _ = run(capsys, "audience", "obligations", "-c", cfg, "--json")
    [case] = json.loads(out)
    details = json.dumps(
        {"contact": {"name": "An", "phone": "+84912345678"}, "content_summary": "music covers"}
    )
    assert (
        run(
            capsys,
            "audience",
            "prepare",
            case["case_id"],
            "--details",
            details,
            "-c",
            cfg,
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "audience", "dossier", case["case_id"], "--html", "-c", cfg)
    assert "10,412" in out
    code, out, _ = run(capsys, "audience", "file", case["case_id"], "-c", cfg, "--json")
    assert code == 0 and json.loads(out)["state"] == "filed"


def test_audience_over_http(tmp_path: Path) -> None:
    app = create_app(foreign(make_settings(tmp_path)), create_keys=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        op, aud = auth(app, "operator"), auth(app, "auditor")
        rows = [
            {"subject_id": "acct-1", "country": "VN", "date": "2026-11-20", "subscribers": 10412},
            {"subject_id": "", "country": "VN", "date": "2026-11-20"},
        ]
        assert (
            client.post("/v1/audience/metrics", headers=aud, json={"rows": rows}).status_code == 403
        )
        r = client.post("/v1/audience/metrics", headers=op, json={"rows": rows})
        assert r.status_code == 200, r.text
        assert r.json()["bad_rows"] == [{"line": 2, "reason": "subject_id is missing"}]
        strict = client.post(
            "/v1/audience/metrics", headers=op, json={"rows": rows, "strict": True}
        )
        assert strict.status_code == 422 and strict.json()["error"]["details"]["bad"] == 1
        csv_body = "subject_id,country,date,subscribers\nacct-1,VN,2026-11-21,10500\n"
        r = client.post("/v1/audience/metrics?format=csv", headers=op, content=csv_body)
        assert r.status_code == 200 and r.json()["inserted"] == 1
        status = client.get("/v1/audience/subjects/acct-1?on=2026-11-21", headers=aud).json()
        assert [h["subscribers"] for h in status["history"]] == [10412, 10500]
        [case] = client.get("/v1/audience/obligations", headers=aud).json()["items"]
        cid = case["case_id"]
        body = {"contact": {"name": "An", "email": "an@example.vn"}, "content_summary": "music"}
        assert (
            client.post(
                f"/v1/audience/obligations/{cid}/details", headers=op, json=body
            ).status_code
            == 200
        )
        html = client.get(f"/v1/audience/obligations/{cid}/dossier?format=html", headers=aud)
        assert html.status_code == 200 and "10,500" in html.text
        filed = client.post(f"/v1/audience/obligations/{cid}/file", headers=op)
        assert filed.json()["state"] == "filed" and filed.json()["data"]["filed"]["sha256"]
