"""``/v1/cases/requests`` over HTTP: roles, the two-person rule, the package, the report."""
# ruff: noqa: E501

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from onshore.core.cases.package import verify_package
from onshore.server.app import create_app
from onshore.services.production import read_package
from onshore.services.tokens import ROLES
from tests.server.conftest import make_settings

from .conftest import REGISTRY_YAML

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    return create_app(make_settings(tmp_path), create_keys=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def auth(app: FastAPI, role: str, name: str | None = None) -> dict[str, str]:
    secret = app.state.onshore.tokens.create(name or f"t-{role}", role).secret
    return {"Authorization": f"Bearer {secret}"}


def test_request_lifecycle_over_http(app: FastAPI, client: TestClient) -> None:
    op, rev, appr, aud = (
        auth(app, r) for r in ("operator", "legal_reviewer", "approver", "auditor")
    )
    put = client.post("/v1/records", headers=op, json={
        "subject": "u1", "kind": "profile", "data": {"phone": "+84912345678", "email": "a@example.vn"},
        "signals": {"phone_number": "+84912345678"}})  # fmt: skip
    assert put.status_code == 201, put.text
    body = {"authority": "VN-A05", "process_type": "court_order", "reference": "TA-9",
            "legal_basis": "CPC 196", "scope": {"phone_number": ["0912345678"], "categories": ["email"]}}  # fmt: skip
    assert client.post("/v1/cases/requests", headers=aud, json=body).status_code == 403
    created = client.post("/v1/cases/requests", headers=op, json=body)
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]
    url = f"/v1/cases/requests/{cid}/actions"

    def do(action: str, headers: dict[str, str], note: dict | None = None) -> object:
        return client.post(f"{url}/{action}", headers=headers, json={"note": note or {}})

    assert do("authenticate", op).status_code == 200
    assert do("verify", op, {"channel": "a05-portal"}).status_code == 200
    assert do("submit", op).status_code == 200
    assert do("approve", op).status_code == 403  # operators do not review
    assert do("approve", rev).status_code == 200
    for action in ("check_residency", "collect", "submit_qa", "package", "request_release"):
        r = do(action, op)
        assert r.status_code == 200, (action, r.text)  # type: ignore[attr-defined]
    r = do("release", rev)  # a legal reviewer's token cannot release
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"  # type: ignore[attr-defined]
    r = do("release", appr)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    produced = r.json()  # type: ignore[attr-defined]
    assert produced["state"] == "produced"
    assert verify_package(read_package(Path(produced["data"]["package"]["dir"]))).ok
    got = client.get(f"/v1/cases/requests/{cid}", headers=aud)
    assert got.status_code == 200 and got.json()["history"][-1]["action"] == "release"
    assert "scope_terms" not in got.json()["data"]
    r = do("approve", rev)
    assert r.status_code == 409 and r.json()["error"]["code"] == "case.illegal_transition"  # type: ignore[attr-defined]
    listing = client.get("/v1/cases/requests", headers=aud).json()
    assert [c["case_id"] for c in listing["items"]] == [cid]
    assert client.get("/v1/cases/requests/due", headers=aud).status_code == 200
    assert client.get("/v1/cases/requests/lifecycle", headers=aud).json()["initial"] == "received"
    report = client.post("/v1/cases/requests/transparency", headers=op,
                         json={"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z", "k": 1})  # fmt: skip
    assert report.status_code == 200, report.text
    assert report.json()["report"]["tables"][0]["rows"][0]["requests"] == 1
    assert client.get("/v1/cases/requests/nope", headers=aud).status_code == 404


def test_rejection_reason_code_over_http(app: FastAPI, client: TestClient) -> None:
    op, rev = auth(app, "operator"), auth(app, "legal_reviewer", "kim")
    body = {"authority": "VN-A05", "process_type": "warrant", "reference": "X",
            "legal_basis": "Y", "scope": {"subjects": ["u1"], "categories": ["email"]}}  # fmt: skip
    cid = client.post("/v1/cases/requests", headers=op, json=body).json()["case_id"]
    url = f"/v1/cases/requests/{cid}/actions"
    client.post(f"{url}/authenticate", headers=op)
    r = client.post(f"{url}/reject", headers=rev, json={"note": {"reason_code": "bogus"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "case.guard_failed"


def test_every_role_has_a_token_kind() -> None:
    assert {"operator", "legal_reviewer", "approver", "auditor"} <= set(ROLES)
