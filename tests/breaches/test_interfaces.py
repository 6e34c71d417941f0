"""Breaches through the CLI (as the host administrator) and over HTTP (as signed-in users
with roles): intake with counts, the late reason, the notifications, the transparency report."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.cli.main import main
from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings, load_settings

from .conftest import breach_settings, place

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx-based TestClient warns; it works
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_breach_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    cfg = str(tmp_path / "onshore.toml")
    with Vault.open(load_settings(Path(cfg)), create_keys=False) as vault:
        vn = [
            vault.put(f"u{i}", "profile", {"phone": f"+8490000000{i}"}).record_id for i in range(3)
        ]
        vault.put("s1", "profile", {"email": "s@example.sg"}, {"declared_residence": "SG"})
    late = (datetime.now(UTC) - timedelta(hours=80)).isoformat()
    body = {"scope": {"record_ids": vn, "subjects": ["s1"]}, "details": {"nature": "stolen laptop"}}
    (tmp_path / "b.json").write_text(json.dumps(body))
    code, out, err = run(
        capsys,
        "breach",
        "record",
        "-c",
        cfg,
        "--discovered-at",
        late,
        "--reference",
        "INC-9",
        "--body",
        f"@{tmp_path / 'b.json'}",
        "--json",
    )
    assert code == 0, err
    case = json.loads(out)
    by = case["data"]["affected"]["by_country"]
    assert (by["VN"]["subjects"], by["VN"]["records"], by["SG"]["subjects"]) == (3, 3, 1)
    assert (
        case["data"]["deadline"]["source"] == "VN-PDPL-breach" and "scope_refs" not in case["data"]
    )
    cid = case["case_id"]
    for action in ("assess", "draft"):
        code, out, err = run(capsys, "breach", "act", cid, action, "-c", cfg, "--json")
        assert code == 0, (action, err)
    code, _, err = run(capsys, "breach", "act", cid, "notify_authority", "-c", cfg)
    assert code != 0 and "case.guard_failed" in err and "late_reason" in err
    note = json.dumps({"late_reason": "the laptop's loss was reported late"})
    code, out, err = run(
        capsys, "breach", "act", cid, "notify_authority", "-c", cfg, "--note", note, "--json"
    )
    assert code == 0, err
    assert json.loads(out)["data"]["notified"]["late"] is True
    html = tmp_path / "n.html"
    code, out, err = run(
        capsys, "breach", "notifications", cid, "-c", cfg, "--format", "html", "--out", str(html)
    )
    assert code == 0, err
    page = html.read_text()
    assert "stolen laptop" in page and "NOT KNOWN YET" in page and "the laptop&#x27;s loss" in page
    code, out, _ = run(capsys, "breach", "notifications", cid, "-c", cfg, "--format", "json")
    assert json.loads(out)[0]["contents"]["approximate_subjects"] == 3
    code, out, _ = run(capsys, "breach", "show", cid, "-c", cfg, "--json")
    assert [h["action"] for h in json.loads(out)["history"]][-1] == "notify_authority"
    code, out, _ = run(
        capsys,
        "report",
        "transparency",
        "-c",
        cfg,
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--k",
        "1",
        "--out",
        str(tmp_path / "t"),
    )
    assert code == 0
    doc = json.loads((tmp_path / "t" / "transparency.json").read_text())
    breaches = next(t for t in doc["tables"] if t["name"] == "breaches")
    vn_row = next(r for r in breaches["rows"] if r["country"] == "VN")
    assert (vn_row["breaches"], vn_row["subjects_affected"], vn_row["notified_late"]) == (1, 3, 1)
    assert (tmp_path / "t" / "transparency-breaches.csv").read_text().startswith("country,")
    code, _, err = run(capsys, "breach", "record", "-c", cfg, "--discovered-at", "2999-01-01")
    assert code != 0 and "input.invalid" in err


def _settings(base: Path) -> Settings:
    s = breach_settings(base)
    return s.model_copy(
        update={
            "identities": s.identities.model_copy(
                update={"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
            )
        }
    )


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    v = Vault(open_runtime(_settings(tmp_path), create_keys=True, clock=clock))
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


def test_breach_over_http_as_users(app: FastAPI, client: TestClient, vault: Vault) -> None:
    ids = place(vault)
    ops, rita, audra = (
        signed_in(app, client, n, r)
        for n, r in (("ops", "operator"), ("rita", "legal_reviewer"), ("audra", "auditor"))
    )
    now = vault.runtime.clock.now()
    body: dict[str, Any] = {
        "discovered_at": (now - timedelta(hours=2)).isoformat(),
        "reference": "INC-H",
        "high_risk": True,
        "scope": {"subjects": ["vn-0", "fr-0", "fr-1"], "record_ids": ids["sg-0"]},
    }
    assert client.post("/v1/cases/breaches", headers=audra, json=body).status_code == 403
    created = client.post("/v1/cases/breaches", headers=ops, json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    by = case["data"]["affected"]["by_country"]
    assert {c: v["subjects"] for c, v in by.items()} == {"FR": 2, "SG": 1, "VN": 1}
    assert client.post("/v1/cases/breaches", headers=ops, json=body).status_code == 200
    cid = case["case_id"]

    def do(action: str, headers: dict[str, str], note: dict[str, Any] | None = None) -> Any:
        return client.post(
            f"/v1/cases/breaches/{cid}/actions/{action}", headers=headers, json={"note": note or {}}
        )

    assert do("assess", ops).status_code == 200
    r = do("update", ops, {"details": {"contact": "dpo@example.com", "actor": "x"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.invalid"
    assert do("update", ops, {"details": {"contact": "dpo@example.com"}}).status_code == 200
    assert do("draft", ops).json()["state"] == "drafted"
    assert do("notify_authority", ops).status_code == 403
    sent = do("notify_authority", rita, {"channel": "portal"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["data"]["notified"]["late"] is False
    md = client.get(f"/v1/cases/breaches/{cid}/notifications?format=markdown", headers=audra)
    assert md.status_code == 200 and "EU-GDPR-33" in md.text and "VN-PDPL-breach" in md.text
    docs = client.get(f"/v1/cases/breaches/{cid}/notifications", headers=audra).json()
    assert {(d["rule"], d["audience"]) for d in docs} == {
        ("EU-GDPR-33", "authority"),
        ("VN-PDPL-breach", "authority"),
        ("EU-GDPR-34", "subjects"),  # drafted now: owed, not sent yet
    }
    closing = do("close", rita)
    assert closing.status_code == 422 and closing.json()["error"]["code"] == "case.guard_failed"
    assert do("notify_subjects", ops, {"sent_to": 2}).status_code == 200
    assert do("close", rita).json()["state"] == "closed"
    future = {**body, "reference": "INC-F", "discovered_at": (now + timedelta(hours=1)).isoformat()}
    bad = client.post("/v1/cases/breaches", headers=ops, json=future)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "input.invalid"
    report = client.post(
        "/v1/cases/requests/transparency",
        headers=ops,
        json={"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"},
    )
    assert report.status_code == 200, report.text
    tables = {t["name"]: t for t in report.json()["report"]["tables"]}
    fr = next(r for r in tables["breaches"]["rows"] if r["country"] == "FR")
    assert fr["breaches"] is None and "breaches" in fr["suppressed"]  # 1 < k = 5
    assert "data_subject_requests" in tables
