"""Takedowns through the CLI and over HTTP (roles, the appeal safeguard, exports)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from onshore.cli.host import host_principal
from onshore.cli.main import main
from onshore.server.app import create_app
from tests.server.conftest import TestClient, make_settings

from .conftest import DECISION_LAW, NOTICE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_takedown_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    cfg = str(tmp_path / "onshore.toml")
    (tmp_path / "n.json").write_text(json.dumps(NOTICE))
    code, out, err = run(
        capsys,
        "takedowns",
        "receive",
        "-c",
        cfg,
        "--source",
        "authority_order",
        "--urgent",
        "--notice",
        f"@{tmp_path / 'n.json'}",
        "--json",
    )
    assert code == 0, err
    case = json.loads(out)
    assert case["data"]["priority"] == "P0" and case["due_at"]
    cid = case["case_id"]
    steps = [
        ("validate", "{}"),
        ("triage", "{}"),
        ("legal_review", "{}"),
        ("clear", '{"legal_opinion": "ok"}'),
        ("decide", json.dumps({"decision": DECISION_LAW})),
        ("enforce", '{"restriction_ref": "geo:VN"}'),
        ("send_statement", "{}"),
    ]
    for action, note in steps:
        code, out, err = run(
            capsys, "takedowns", "act", cid, action, "-c", cfg, "--note", note, "--json"
        )
        assert code == 0, (action, err)
    assert json.loads(out)["state"] == "statement_sent"
    code, out, err = run(
        capsys,
        "takedowns",
        "act",
        cid,
        "overturn",
        "-c",
        cfg,
    )
    assert code == 1 and "case.illegal_transition" in err
    code, out, _ = run(capsys, "takedowns", "export-dsa", "-c", cfg)
    assert json.loads(out)[0]["statements"][0]["puid"] == cid
    code, out, _ = run(capsys, "takedowns", "report", "-c", cfg, "--format", "csv")
    assert out.splitlines()[0].startswith("case_id,source") and cid in out
    code, out, _ = run(capsys, "takedowns", "export-lumen", cid, "-c", cfg)
    assert json.loads(out)["notice"]["type"] == "GovernmentRequest"
    assert run(capsys, "takedowns", "due", "-c", cfg, "--json")[0] == 0
    code, out, _ = run(capsys, "takedowns", "show", cid, "-c", cfg, "--json")
    history = json.loads(out)["history"]
    assert len(history) == 8 and {h["actor"] for h in history} == {host_principal().id}
    code, out, err = run(
        capsys,
        "takedowns",
        "receive",
        "-c",
        cfg,
        "--source",
        "fax",
        "--notice",
        "{}",
    )
    assert code == 2 and "input.invalid" in err


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(make_settings(tmp_path), create_keys=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def auth(app: FastAPI, role: str, name: str | None = None) -> dict[str, str]:
    secret = app.state.onshore.tokens.create(name or f"t-{role}", role).secret
    return {"Authorization": f"Bearer {secret}"}


def test_takedown_over_http(app: FastAPI, client: TestClient) -> None:
    op, rev, rev2, aud = (
        auth(app, "operator"),
        auth(app, "legal_reviewer", "rita"),
        auth(app, "legal_reviewer", "lan"),
        auth(app, "auditor"),
    )
    body = {"source": "trusted_flagger", "notice": NOTICE}
    assert client.post("/v1/cases/takedowns", headers=aud, json=body).status_code == 403
    created = client.post("/v1/cases/takedowns", headers=op, json=body)
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]

    def do(action: str, headers: dict[str, str], note: dict | None = None):  # type: ignore[no-untyped-def]
        return client.post(
            f"/v1/cases/takedowns/{cid}/actions/{action}",
            headers=headers,
            json={"note": note or {}},
        )

    decision = {
        "action": "remove",
        "ground": "terms",
        "terms_ground": "rules 4.2",
        "explanation": "spam",
        "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    }
    for action, h, note in [
        ("validate", op, None),
        ("triage", op, None),
        ("start_review", op, None),
        ("decide", rev, {"decision": decision}),
        ("enforce", op, {"restriction_ref": "hide"}),
        ("send_statement", op, None),
        ("open_appeal_window", op, None),
        ("appeal", op, {"appeal_grounds": "not spam"}),
    ]:
        r = do(action, h, note)
        assert r.status_code == 200, (action, r.text)
    assert do("uphold", op, {"reason": "x"}).status_code == 403  # needs cases.review
    same = do("uphold", rev, {"reason": "x"})
    assert same.status_code == 403 and same.json()["error"]["code"] == "case.separation_of_duties"
    assert do("uphold", rev2, {"reason": "spam"}).json()["state"] == "upheld"
    assert client.get(f"/v1/cases/takedowns/{cid}", headers=aud).json()["state"] == "upheld"
    assert client.get("/v1/cases/takedowns/export/dsa", headers=aud).json()[0]["statements"]
    csv_text = client.get("/v1/cases/takedowns/report?format=csv", headers=aud).text
    assert cid in csv_text
    assert client.get("/v1/cases/takedowns/due", headers=aud).status_code == 200
    assert client.get(f"/v1/cases/takedowns/{cid}/lumen", headers=aud).status_code == 200
    assert client.get("/v1/cases/takedowns/lifecycle", headers=aud).json()["initial"] == "received"
    bad = client.post("/v1/cases/takedowns", headers=op, json={"source": "x", "notice": {}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "input.invalid"
