"""The authorisation matrix: every endpoint x every role (and no token) -> expected status.

Two parts: a table of this area's endpoints with the status each role gets, and a sweep
over every route any router declares with a permission (cases routers included), checking
that roles outside ``MATRIX`` get 403 and an anonymous caller 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from onshore.server.app import create_app
from onshore.server.permissions import MATRIX, Permission, allowed, matrix_markdown
from onshore.services.tokens import ROLES
from onshore.settings import Settings
from tests.server.conftest import TestClient, auth

REC = {
    "subject": "u1",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
    "record_id": "matrix-rec",
}

# (method, path, body, permission, status when allowed)
ENDPOINTS: list[tuple[str, str, Any, Permission | None, int]] = [
    ("POST", "/v1/records", {**REC, "record_id": None}, Permission.RECORDS_WRITE, 201),
    (
        "POST",
        "/v1/records/batch",
        {"records": [{**REC, "record_id": "b-{role}"}]},
        Permission.RECORDS_WRITE,
        201,
    ),
    ("GET", "/v1/records/matrix-rec", None, Permission.RECORDS_READ, 200),
    (
        "POST",
        "/v1/records/matrix-rec/transfer",
        {"to_region": "sg-1", "purpose": "ops"},
        Permission.RECORDS_TRANSFER,
        409,
    ),
    ("GET", "/v1/subjects/u1", None, Permission.SUBJECTS_READ, 200),
    ("POST", "/v1/subjects/gone-{role}/erasure", None, Permission.SUBJECTS_ERASE, 200),
    (
        "POST",
        "/v1/decisions",
        {"op": "store", "subject_country": "VN", "categories": ["email"], "region_country": "SG"},
        Permission.DECISIONS_EXPLAIN,
        200,
    ),
    ("GET", "/v1/ledger/vn-hcm/checkpoint", None, Permission.LEDGER_READ, 200),
    ("GET", "/v1/ledger/vn-hcm/proofs/records/matrix-rec", None, Permission.LEDGER_READ, 200),
    ("GET", "/v1/ledger/vn-hcm/proofs/leaves/0", None, Permission.LEDGER_READ, 200),
    ("GET", "/v1/ledger/vn-hcm/proofs/consistency?old_size=1", None, Permission.LEDGER_READ, 200),
    ("GET", "/v1/tokens", None, Permission.TOKENS_MANAGE, 200),
    (
        "POST",
        "/v1/tokens",
        {"name": "new-{role}", "role": "auditor"},
        Permission.TOKENS_MANAGE,
        201,
    ),
    ("DELETE", "/v1/tokens/victim-{role}", None, Permission.TOKENS_MANAGE, 200),
    ("GET", "/healthz", None, None, 200),
    ("GET", "/metrics", None, None, 200),
    ("GET", "/openapi.json", None, None, 200),
    ("GET", "/", None, None, 200),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from tests.server.conftest import make_settings

    settings: Settings = make_settings(tmp_path_factory.mktemp("matrix"))
    app = create_app(settings, create_keys=True)
    svc = app.state.onshore.tokens
    tokens = {role: svc.create(f"m-{role}", role).secret for role in ROLES}
    for role in ROLES:
        svc.create(f"victim-{role}", "auditor")
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/v1/records", json=REC, headers=auth(tokens["admin"])).status_code == 201
        yield c, tokens


def _call(c: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return c.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(
    ("method", "path", "body", "permission", "ok"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
def test_matrix(
    world: tuple[TestClient, dict[str, str]],
    role: str | None,
    method: str,
    path: str,
    body: Any,
    permission: Permission | None,
    ok: int,
) -> None:
    c, tokens = world
    name = role or "anonymous"
    path = path.replace("{role}", name)
    if isinstance(body, dict):
        import json

        body = json.loads(json.dumps(body).replace("{role}", name))
        if body.get("record_id", "") is None:
            del body["record_id"]
    headers = auth(tokens[role]) if role else {}
    r = _call(c, method, path, body, headers)
    if permission is None:
        expected = ok
    elif role is None:
        expected = 401
    else:
        expected = ok if allowed(role, permission) else 403
    assert r.status_code == expected, (role, method, path, r.text[:300])


def _permission_of(route: APIRoute) -> Permission | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        found = getattr(dep.call, "permission", None)
        if isinstance(found, Permission):
            return found
        stack.extend(dep.dependencies)
    return None


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI's lazily included routers
            yield from _api_routes(route.original_router.routes)


def _protected_routes(app: FastAPI) -> list[tuple[str, str, Permission]]:
    out: list[tuple[str, str, Permission]] = []
    for route in _api_routes(app.routes):
        permission = _permission_of(route)
        if permission is not None:
            out.extend((method, route.path, permission) for method in sorted(route.methods or ()))
    return out


def test_every_protected_route_refuses_other_roles_and_strangers(
    world: tuple[TestClient, dict[str, str]],
) -> None:
    c, tokens = world
    app: FastAPI = c.app  # type: ignore[assignment]
    routes = _protected_routes(app)
    assert len(routes) >= 13
    table = {(m, p.split("?")[0]) for m, p, *_ in ENDPOINTS}
    for method, path, permission in routes:
        concrete = path
        for param in ("{record_id}", "{subject_id}", "{region}", "{name_or_id}", "{index}"):
            concrete = concrete.replace(param, "0" if param == "{index}" else "vn-hcm")
        if path.startswith(
            ("/v1/records", "/v1/subjects", "/v1/ledger", "/v1/tokens", "/v1/decisions")
        ):
            assert any(m == method for m, p in table), (method, path)
        for role in ROLES:
            if not allowed(role, permission):
                r = c.request(method, concrete, json={}, headers=auth(tokens[role]))
                assert r.status_code == 403, (role, method, path)
        r = c.request(method, concrete, json={})
        assert r.status_code == 401, (method, path)


def test_every_permission_has_roles_and_admin_has_all() -> None:
    for permission in Permission:
        assert MATRIX[permission], permission
        assert "admin" in MATRIX[permission]
        assert MATRIX[permission] <= set(ROLES)
    assert not allowed("auditor", Permission.RECORDS_READ)
    assert not allowed("nobody", Permission.LEDGER_READ)


def test_docs_show_the_matrix() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert matrix_markdown() in doc, "docs/api.md must contain server.permissions.matrix_markdown()"
