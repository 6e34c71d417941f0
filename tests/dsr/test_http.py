"""``/v1/cases/dsr`` over HTTP, as signed-in users: who may take which step, the two-person
rules, the package, erasure, typed refusals, and no keyed terms in what is shown."""
# ruff: noqa: E501

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.core.cases.package import verify_package
from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from onshore.services.production import read_package
from tests.server.conftest import make_settings
from tests.users.conftest import FAST

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = make_settings(tmp_path).model_copy(update={"identities": FAST})
    return create_app(settings, create_keys=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def sign_in(app: FastAPI, client: TestClient, name: str, *roles: str) -> dict[str, str]:
    """Create user ``name`` with ``roles`` and sign in: the bearer header."""
    app.state.onshore.users.create(host_administrator("t"), name, list(roles), password=PASSWORD)
    r = client.post("/v1/auth/token", json={"name": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_access_request_over_http(app: FastAPI, client: TestClient) -> None:
    an = sign_in(app, client, "an", "operator")
    binh = sign_in(app, client, "binh", "legal_reviewer")
    dung = sign_in(app, client, "dung", "auditor")
    for subject, residence in (("u-lan", "VN"), ("u-lan", "SG")):
        r = client.post("/v1/records", headers=an, json={
            "subject": subject, "kind": "profile", "data": {"email": "lan@example.vn"},
            "signals": {"declared_residence": residence}})  # fmt: skip
        assert r.status_code == 201, r.text
    body = {
        "request_type": "copy",
        "channel": "web_form",
        "reference": "WF-9",
        "email": ["lan@example.vn"],
    }
    assert client.post("/v1/cases/dsr", headers=dung, json=body).status_code == 403
    r = client.post("/v1/cases/dsr", headers=an, json={**body, "actor": "someone"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.invalid"
    created = client.post("/v1/cases/dsr", headers=an, json=body)
    assert created.status_code == 201, created.text
    assert (
        client.post("/v1/cases/dsr", headers=an, json=body).status_code == 200
    )  # the same reference
    cid = created.json()["case_id"]

    def do(action: str, headers: dict[str, str], note: dict[str, Any] | None = None) -> Any:
        return client.post(
            f"/v1/cases/dsr/{cid}/actions/{action}", headers=headers, json={"note": note or {}}
        )

    r = do("assemble", an)
    assert r.status_code == 409 and r.json()["error"]["code"] == "case.illegal_transition"
    r = do("verify_identity", an, {"method": "selfie"})
    assert r.status_code == 422
    assert do("verify_identity", an, {"method": "account_session"}).status_code == 200
    assert do("assemble", dung).status_code == 403
    assert do("assemble", an).status_code == 200
    r = do("deliver", an)  # an operator holds no role that delivers
    assert r.status_code in (403,) and r.json()["error"]["code"] in (
        "auth.forbidden",
        "case.role_not_permitted",
    )
    r = do("deliver", binh)
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["state"] == "answered" and case["data"]["package"]["regions"] == ["sg-1", "vn-hcm"]
    key = client.get("/v1/cases/dsr/signing-key", headers=dung, params={"region": case["region"]})
    assert key.status_code == 200
    report = verify_package(
        read_package(Path(case["data"]["package"]["dir"])), public_key=key.json()["public_key"]
    )
    assert report.ok and report.records == 2
    got = client.get(f"/v1/cases/dsr/{cid}", headers=dung).json()
    assert [h["action"] for h in got["history"]] == [
        "open",
        "verify_identity",
        "assemble",
        "deliver",
    ]
    assert got["history"][1]["actor"] != got["history"][3]["actor"]
    assert "scope_terms" not in got["data"] and "lan@example.vn" not in r.text + created.text
    lifecycle = client.get("/v1/cases/dsr/lifecycle", headers=dung).json()
    assert lifecycle["declaration"]["clock"]["requirement"] == "respond_within"


def test_erasure_and_refusal_over_http(app: FastAPI, client: TestClient) -> None:
    both = sign_in(app, client, "an", "operator", "legal_reviewer")
    binh = sign_in(app, client, "binh", "legal_reviewer")
    r = client.post("/v1/records", headers=both, json={
        "subject": "u-9", "kind": "profile", "data": {"email": "nine@example.vn"}, "signals": {"declared_residence": "VN"}})  # fmt: skip
    assert r.status_code == 201
    opened = client.post("/v1/cases/dsr", headers=both, json={
        "request_type": "erasure", "channel": "app", "subject": "u-9", "country": "VN"}).json()  # fmt: skip
    url = f"/v1/cases/dsr/{opened['case_id']}/actions"
    assert opened["data"]["deadline"]["source"] == "VN-D165-del"
    assert (
        client.post(
            f"{url}/verify_identity", headers=both, json={"note": {"method": "otp_phone"}}
        ).status_code
        == 200
    )
    r = client.post(f"{url}/erase", headers=both, json={})  # who verified may not erase
    assert r.status_code == 403 and r.json()["error"]["code"] == "case.separation_of_duties"
    r = client.post(f"{url}/erase", headers=binh, json={})
    assert r.status_code == 200 and r.json()["data"]["erasure"]["erased"] == {"vn-hcm": 1}
    assert app.state.onshore.vault.records_of("u-9") == []
    other = client.post("/v1/cases/dsr", headers=both, json={
        "request_type": "objection", "channel": "app", "subject": "u-9"}).json()  # fmt: skip
    url = f"/v1/cases/dsr/{other['case_id']}/actions"
    r = client.post(f"{url}/refuse", headers=binh, json={"note": {"grounds": ["bored"]}})
    assert r.status_code == 422
    r = client.post(
        f"{url}/refuse",
        headers=binh,
        json={"note": {"grounds": ["no_data_held"], "explanation": "erased already"}},
    )
    assert r.status_code == 200 and r.json()["data"]["refusal"]["grounds"] == ["no_data_held"]
