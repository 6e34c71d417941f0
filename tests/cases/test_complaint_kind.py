"""Adding a kind is one declaration: the "complaint" example (tests/cases/complaint.py) gets
its service, its routes, its listing and its OpenAPI models from its declaration alone."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.errors import RoleNotPermitted
from onshore.server.app import create_app
from onshore.server.inputs import LimitedRoute
from onshore.server.routes.cases import add_case_routes
from onshore.services.case_kinds import DeclaredCases
from onshore.services.runtime import Runtime, open_runtime
from tests.cases.complaint import COMPLAINT
from tests.cases.conftest import T0, settings_for, who
from tests.server.conftest import make_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BODY = {"channel": "web_form", "reference": "C-1", "summary": "my post was removed in error"}


@pytest.fixture
def complaints(tmp_path: Path) -> Iterator[DeclaredCases]:
    rt: Runtime = open_runtime(settings_for(tmp_path), create_keys=True, clock=FixedClock(T0))
    yield DeclaredCases(rt, COMPLAINT, registry=CollectorRegistry(), region="vn-hcm")
    rt.close()


def test_service_from_the_declaration(complaints: DeclaredCases) -> None:
    opened = complaints.intake(BODY, principal=who("olga", "operator"))
    assert opened.created and opened.case.state == "received"
    assert opened.case.data["reference"] == "C-1"
    assert opened.case.due_at is not None  # the packs' remove_within (24 h)
    again = complaints.intake(dict(BODY, summary="sent twice"), principal=who("olga", "operator"))
    assert not again.created and again.case.case_id == opened.case.case_id
    other = complaints.intake(dict(BODY, reference="C-2"), principal=who("olga", "operator"))
    assert other.created and other.case.case_id != opened.case.case_id
    cid = opened.case.case_id
    with pytest.raises(RoleNotPermitted):
        complaints.act(cid, "assess", principal=who("rita", "legal_reviewer"))
    complaints.act(cid, "assess", principal=who("olga", "operator"))
    done = complaints.act(cid, "answer", principal=who("rita", "legal_reviewer"),
                          note={"answer": "restored"})  # fmt: skip
    assert done.state == "answered" and done.due_at is None
    events = complaints.cases.history(cid)
    assert [(e.actor, e.role, e.action) for e in events] == [
        ("olga", "operator", "open"), ("olga", "operator", "assess"),
        ("rita", "legal_reviewer", "answer"),
    ]  # fmt: skip
    view = complaints.view(done)
    assert view["kind"] == "complaint" and view["next"] == []


def test_a_kind_with_effects_needs_its_service() -> None:
    from onshore.core.cases.kinds.takedown import TAKEDOWN

    with pytest.raises(ValueError, match="must bind them"):
        DeclaredCases(None, TAKEDOWN)  # type: ignore[arg-type]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    app = create_app(make_settings(tmp_path), create_keys=True)

    def service(request: Request) -> DeclaredCases:
        svc: DeclaredCases | None = getattr(request.app.state, "complaints", None)
        if svc is None:
            svc = DeclaredCases(app.state.onshore.vault.runtime, COMPLAINT,
                                registry=CollectorRegistry(), region="vn-hcm")  # fmt: skip
            request.app.state.complaints = svc
        return svc

    router = APIRouter(prefix=COMPLAINT.base_path, tags=["complaints"], route_class=LimitedRoute)
    add_case_routes(router, COMPLAINT, service)
    app.include_router(router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def auth(app: FastAPI, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.onshore.tokens.create(f't-{role}', role).secret}"}


def test_routes_from_the_declaration(app: FastAPI, client: TestClient) -> None:
    op, rev, aud = auth(app, "operator"), auth(app, "legal_reviewer"), auth(app, "auditor")
    url = "/v1/cases/complaints"
    assert client.post(url, json=BODY).status_code == 401
    assert client.post(url, headers=aud, json=BODY).status_code == 403
    assert client.post(url, headers=op, json={**BODY, "actor": "x"}).status_code == 422
    first = client.post(url, headers=op, json=BODY)
    assert first.status_code == 201, first.text
    cid = first.json()["case_id"]
    repeat = client.post(url, headers=op, json=BODY)
    assert repeat.status_code == 200 and repeat.json()["case_id"] == cid
    assert first.json()["next"] == ["assess"]
    act = f"{url}/{cid}/actions"
    assert client.post(f"{act}/assess").status_code == 401
    assert client.post(f"{act}/escalate", headers=op).status_code == 422  # not an action
    assert client.post(f"{act}/assess", headers=op, json={"role": "admin"}).status_code == 422
    assert client.post(f"{act}/assess", headers=op).json()["state"] == "assessing"
    bad = client.post(f"{act}/answer", headers=rev, json={"note": {"actor": "someone"}})
    assert bad.status_code == 422
    r = client.post(f"{act}/answer", headers=rev, json={"note": {"answer": "restored"}})
    assert r.status_code == 200 and r.json()["state"] == "answered", r.text
    got = client.get(f"{url}/{cid}", headers=aud).json()
    assert [h["action"] for h in got["history"]] == ["open", "assess", "answer"]
    assert got["history"][-1]["note"] == {"answer": "restored"}
    listing = client.get(url, headers=aud, params={"state": "answered"}).json()
    assert [c["case_id"] for c in listing["items"]] == [cid]
    assert client.get(url, headers=aud, params={"state": "nope"}).status_code == 422
    assert client.get(f"{url}/lifecycle", headers=aud).json()["initial"] == "received"
    assert client.get(f"{url}/due", headers=aud).status_code == 200


def test_openapi_describes_the_kind(client: TestClient) -> None:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/cases/complaints/{case_id}/actions/{action}"]["post"]
    action = next(p for p in post["parameters"] if p["name"] == "action")
    schemas = spec["components"]["schemas"]
    ref = action["schema"].get("$ref", "").rsplit("/", 1)[-1]
    assert schemas[ref]["enum"] == ["assess", "answer", "dismiss"]
    assert {"ComplaintCase", "ComplaintActionIn", "ComplaintIn", "AnswerNote"} <= set(schemas)
    assert "Take an action" in post["summary"]


def test_docs_show_the_worked_example() -> None:
    from tests.cases.complaint import COMPLAINTS

    docs = Path(__file__).resolve().parents[2] / "docs" / "cases.md"
    text = docs.read_text()
    block = text.split("<!-- complaint-diagram -->")[1].split("<!-- /complaint-diagram -->")[0]
    assert COMPLAINTS.mermaid() in block
    assert COMPLAINTS.markdown() in block
