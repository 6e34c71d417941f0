"""Transfers through the CLI (as the host administrator) and over HTTP (as signed-in users
with roles): the register, the case the transfers open, the dossier, filing, typed errors."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.cli.main import main
from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings, load_settings

from .conftest import transfer_settings, vn_record

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx-based TestClient warns; it works
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_transfers_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    toml = tmp_path / "onshore.toml"
    text = toml.read_text().replace(
        'entity = { incorporated_in = "VN", sectors = ["social_network"] }',
        'entity = { incorporated_in = "SG", sectors = ["ecommerce"] }',
    )
    toml.write_text(text + '\n[transfers]\ncontroller_name = "Example Shop Pte Ltd"\n')
    cfg = str(toml)
    with Vault.open(load_settings(toml), create_keys=False) as vault:
        for s in ("vn-1", "vn-2"):
            vault.transfer(vn_record(vault, s), "sg-1", purpose="analytics")
    code, out, err = run(capsys, "transfers", "register", "-c", cfg, "--country", "SG", "--json")
    assert code == 0, err
    [row] = json.loads(out)["rows"]
    assert (row["records"], row["subjects"], row["destination"]) == (2, 2, "SG")
    code, out, err = run(capsys, "transfers", "register", "-c", cfg, "--since", "2000-01-01")
    assert code == 0 and "transfer register" in out, err
    code, out, err = run(capsys, "transfers", "list", "-c", cfg, "--json")
    assert code == 0, err
    [case] = json.loads(out)
    cid = case["case_id"]
    note = json.dumps({"facts": {"recipient": "Example Analytics Pte Ltd"}})
    code, out, err = run(capsys, "transfers", "act", cid, "update", "-c", cfg, "--note", note)
    assert code == 0, err
    assert run(capsys, "transfers", "act", cid, "draft", "-c", cfg)[0] == 0
    code, out, err = run(capsys, "transfers", "act", cid, "file", "-c", cfg, "--json")
    assert code == 0, err
    filed = json.loads(out)
    assert filed["state"] == "filed" and filed["data"]["filed"]["sha256"]
    html = tmp_path / "tia.html"
    code, out, err = run(
        capsys, "transfers", "dossier", cid, "-c", cfg, "--format", "html", "--out", str(html)
    )
    assert code == 0, err
    page = html.read_text()
    assert "Example Shop Pte Ltd" in page and "Example Analytics" in page and "TO COMPLETE" in page
    code, out, _ = run(capsys, "transfers", "dossier", cid, "-c", cfg, "--format", "json")
    assert json.loads(out)["sections"][0]["status"] == "known"
    code, _, err = run(capsys, "transfers", "dossier", cid, "-c", cfg, "--format", "pdf")
    assert code != 0 and "input.invalid" in err
    code, _, err = run(capsys, "transfers", "register", "-c", cfg, "--country", "Singapore")
    assert code != 0 and "input.invalid" in err
    code, _, err = run(capsys, "transfers", "dossier", "transfer-0000", "-c", cfg)
    assert code != 0 and "not_found" in err
    code, out, err = run(capsys, "transfers", "sync", "-c", cfg, "--json")
    assert code == 0 and json.loads(out) == {"opened": [], "already_open": 1}, err


def _settings(base: Path) -> Settings:
    s = transfer_settings(base)
    return s.model_copy(
        update={
            "identities": s.identities.model_copy(
                update={"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
            )
        }
    )


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    v = Vault(open_runtime(_settings(tmp_path), create_keys=True))
    yield v
    v.close()


@pytest.fixture
def app(vault: Vault) -> FastAPI:
    return create_app(vault.runtime.settings, vault=vault)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def signed_in(app: FastAPI, client: TestClient, name: str, role: str) -> dict[str, str]:
    app.state.onshore.users.create(host_administrator("test"), name, [role], password=PASSWORD)
    got = client.post("/v1/auth/token", json={"name": name, "password": PASSWORD})
    assert got.status_code == 201, got.text
    return {"Authorization": f"Bearer {got.json()['token']}"}


def test_transfers_over_http_as_users(app: FastAPI, client: TestClient, vault: Vault) -> None:
    ops, rita, audra = (
        signed_in(app, client, n, r)
        for n, r in (("ops", "operator"), ("rita", "legal_reviewer"), ("audra", "auditor"))
    )
    rid = vn_record(vault, "vn-1")
    moved = client.post(
        f"/v1/records/{rid}/transfer", headers=ops, json={"to_region": "sg-1", "purpose": "crm"}
    )
    assert moved.status_code == 200, moved.text
    vault.transfer(vn_record(vault, "vn-2"), "sg-1", purpose="crm")
    assert client.get("/v1/transfers").status_code == 401
    got = client.get("/v1/transfers", headers=audra, params={"country": "SG"})
    assert got.status_code == 200, got.text
    [row] = got.json()["rows"]
    assert (row["records"], row["subjects"], row["purpose"]) == (2, 2, "crm")
    bad = client.get("/v1/transfers", headers=audra, params={"country": "sg"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "input.invalid"
    listed = client.get("/v1/cases/transfer-assessments", headers=audra)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    items = body["items"] if isinstance(body, dict) else body
    [case] = items
    cid = case["case_id"]
    assert client.post("/v1/cases/transfer-assessments", headers=ops, json={}).status_code == 405

    def do(action: str, headers: dict[str, str], note: dict[str, Any] | None = None) -> Any:
        return client.post(
            f"/v1/cases/transfer-assessments/{cid}/actions/{action}",
            headers=headers,
            json={"note": note or {}},
        )

    r = do("update", ops, {"facts": {"recipient": "R", "actor": "x"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.invalid"
    assert do("update", ops, {"facts": {"recipient": "Example Analytics"}}).status_code == 200
    assert do("draft", audra).status_code == 403
    assert do("draft", ops).json()["state"] == "drafted"
    assert do("file", ops).status_code == 403
    filed = do("file", rita, {"channel": "A05 portal", "reference": "A05-7"})
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "filed" and filed.json()["due_at"]
    md = client.get(f"/v1/transfers/dossiers/{cid}?format=markdown", headers=audra)
    assert md.status_code == 200 and "Example Analytics" in md.text and "TO COMPLETE" in md.text
    doc = client.get(f"/v1/transfers/dossiers/{cid}", headers=audra).json()
    assert doc["form"] == "vn-d356-form09" and "consent" in doc["to_complete"]
    missing = client.get("/v1/transfers/dossiers/transfer-0000", headers=audra)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case.not_found"
    hist = client.get(f"/v1/cases/transfer-assessments/{cid}", headers=audra).json()
    assert [h["action"] for h in hist["history"]][-1] == "file"
    synced = client.post("/v1/transfers/sync", headers=ops, json={})
    assert synced.status_code == 200 and synced.json() == {"opened": [], "already_open": 1}
    assert client.post("/v1/transfers/sync", headers=audra, json={}).status_code == 403
    spec = client.get("/openapi.json").json()
    assert "/v1/transfers" in spec["paths"] and "/v1/transfers/dossiers/{case_id}" in spec["paths"]
