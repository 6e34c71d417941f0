"""The case routes generated from the declarations: who acts is the authenticated principal
(never a body field), duplicate intake opens one case, ``Idempotency-Key`` replays, and the
OpenAPI document describes every kind with its own models and action enum."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.core.cases.registry import KINDS
from onshore.server.app import create_app
from tests.authority_requests.conftest import REGISTRY_YAML
from tests.server.conftest import make_settings
from tests.takedowns.conftest import NOTICE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

REQUEST = {
    "authority": "VN-A05", "process_type": "warrant", "reference": "CV-77",
    "legal_basis": "CPC 196", "scope": {"subjects": ["u1"], "categories": ["email"]},
}  # fmt: skip


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


def test_a_case_action_without_a_valid_identity_fails(app: FastAPI, client: TestClient) -> None:
    op = auth(app, "operator")
    cid = client.post("/v1/cases/requests", headers=op, json=REQUEST).json()["case_id"]
    url = f"/v1/cases/requests/{cid}/actions/authenticate"
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        r = client.post(url, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "auth.unauthenticated"
    assert client.get(f"/v1/cases/requests/{cid}").status_code == 401
    assert len(client.get(f"/v1/cases/requests/{cid}", headers=op).json()["history"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"actor": "ada"},
        {"role": "approver"},
        {"note": {"actor": "ada"}},
        {"note": {"role": "approver"}},
    ],
)
def test_no_body_field_decides_who_acts(
    app: FastAPI, client: TestClient, body: dict[str, Any]
) -> None:
    op = auth(app, "operator")
    refused = client.post("/v1/cases/requests", headers=op, json={**REQUEST, "actor": "x"})
    assert refused.status_code == 422
    cid = client.post("/v1/cases/requests", headers=op, json=REQUEST).json()["case_id"]
    r = client.post(f"/v1/cases/requests/{cid}/actions/authenticate", headers=op, json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.invalid"


def test_the_history_records_the_principal(app: FastAPI, client: TestClient) -> None:
    op = auth(app, "operator", "olga")
    cid = client.post("/v1/cases/requests", headers=op, json=REQUEST).json()["case_id"]
    client.post(f"/v1/cases/requests/{cid}/actions/authenticate", headers=op)
    history = client.get(f"/v1/cases/requests/{cid}", headers=op).json()["history"]
    token = app.state.onshore.tokens.page()[0]
    principal_id = (
        getattr(token, "owner_id", None) or token.token_id
    )  # its owner, once tokens have one
    assert {(h["actor"], h["role"]) for h in history} == {(principal_id, "operator")}


def test_duplicate_request_intake_opens_one_case(app: FastAPI, client: TestClient) -> None:
    op, other = auth(app, "operator"), auth(app, "legal_reviewer")
    first = client.post("/v1/cases/requests", headers=op, json=REQUEST)
    assert first.status_code == 201, first.text
    again = client.post("/v1/cases/requests", headers=other, json={**REQUEST, "legal_basis": "x"})
    assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]
    assert again.json()["data"]["legal_basis"] == "CPC 196"  # the case as first opened
    new = client.post("/v1/cases/requests", headers=op, json={**REQUEST, "reference": "CV-78"})
    assert new.status_code == 201 and new.json()["case_id"] != first.json()["case_id"]
    sg = client.post("/v1/cases/requests", headers=op, json={**REQUEST, "authority": "SG-SPF"})
    assert sg.status_code == 201  # the same reference from another authority is another case
    assert len(client.get("/v1/cases/requests", headers=op).json()["items"]) == 3


def test_duplicate_notice_intake_opens_one_case(app: FastAPI, client: TestClient) -> None:
    op = auth(app, "operator")
    body = {"source": "trusted_flagger", "notice": NOTICE}
    first = client.post("/v1/cases/takedowns", headers=op, json=body)
    assert first.status_code == 201, first.text
    again = client.post("/v1/cases/takedowns", headers=op, json={**body, "urgent": True})
    assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]
    other = client.post(
        "/v1/cases/takedowns", headers=op, json={**body, "source": "user_complaint"}
    )
    assert other.status_code == 201  # the same reference from another source


def test_idempotency_key_on_intake(app: FastAPI, client: TestClient) -> None:
    op = auth(app, "operator")
    key = {**op, "Idempotency-Key": "3f0c8e2a-intake"}
    first = client.post("/v1/cases/requests", headers=key, json=REQUEST)
    replay = client.post("/v1/cases/requests", headers=key, json=REQUEST)
    assert first.status_code == replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json() == first.json()
    reused = client.post("/v1/cases/requests", headers=key, json={**REQUEST, "reference": "Z"})
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency.key_reused"


def test_the_approver_of_a_review_cannot_release_over_http(
    app: FastAPI, client: TestClient
) -> None:
    op, rev, appr = auth(app, "operator"), auth(app, "legal_reviewer"), auth(app, "approver")
    admin = auth(app, "admin")
    record = {"subject": "u1", "kind": "profile", "data": {"email": "a@example.vn"},
              "signals": {"declared_residence": "VN"}}  # fmt: skip
    assert client.post("/v1/records", headers=op, json=record).status_code == 201
    cid = client.post("/v1/cases/requests", headers=op, json=REQUEST).json()["case_id"]
    url = f"/v1/cases/requests/{cid}/actions"
    steps = [
        ("authenticate", op, {}), ("verify", op, {"channel": "a05-portal"}), ("submit", op, {}),
        ("approve", rev, {}), ("check_residency", op, {}), ("collect", op, {}),
        ("submit_qa", op, {}), ("package", op, {}), ("request_release", op, {}),
    ]  # fmt: skip
    for action, headers, note in steps:
        r = client.post(f"{url}/{action}", headers=headers, json={"note": note})
        assert r.status_code == 200, (action, r.text)
    r = client.post(f"{url}/release", headers=rev)  # whoever approved in review
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    r = client.post(f"{url}/release", headers=admin)  # the table gives release to approvers
    assert r.status_code == 403 and r.json()["error"]["code"] == "case.role_not_permitted"
    r = client.post(f"{url}/release", headers=appr, json={"note": {}})
    assert r.status_code == 200 and r.json()["state"] == "produced", r.text


def test_openapi_describes_every_kind(client: TestClient) -> None:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for d in KINDS.values():
        stem = "".join(p.capitalize() for p in d.name.split("_"))
        assert {f"{stem}Case", f"{stem}CaseDetail", f"{stem}Page", f"{stem}ActionIn"} <= set(
            schemas
        )
        post = spec["paths"][f"{d.base_path}/{{case_id}}/actions/{{action}}"]["post"]
        param = next(p for p in post["parameters"] if p["name"] == "action")
        ref = param["schema"]["$ref"].rsplit("/", 1)[-1]
        assert schemas[ref]["enum"] == list(d.action_names)
        assert post["summary"].startswith("Take an action")
        assert not any(n in schemas[f"{stem}ActionIn"]["properties"] for n in ("actor", "role"))
        if d.intake is not None:
            intake = spec["paths"][d.base_path]["post"]
            body = intake["requestBody"]["content"]["application/json"]["schema"]
            assert body["$ref"].endswith(d.intake.__name__)
            assert "200" in intake["responses"] and "201" in intake["responses"]
    assert {"RequestIn", "NoticeIn", "RejectNote", "DecisionNote", "DetailsNote"} <= set(schemas)
