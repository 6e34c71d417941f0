"""``/v1/auth`` and ``/v1/users`` over HTTP: sign-in with typed errors (no enumeration,
lockout with Retry-After, TOTP), whoami, logout, and tokens whose owner changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI

from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from onshore.services.users import Users
from onshore.settings import Settings
from onshore.settings.identities import IdentitySettings
from tests.server.conftest import TestClient, auth, make_settings

PASSWORD = "correct horse battery"
FAST = IdentitySettings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)
ADMIN = host_administrator("tester")


@pytest.fixture
def app(tmp_path: Any) -> FastAPI:
    settings: Settings = make_settings(tmp_path)
    settings = settings.model_copy(update={"identities": FAST})
    return create_app(settings, create_keys=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def users(app: FastAPI) -> Users:
    svc: Users = app.state.onshore.users
    svc.create(ADMIN, "lan", ["legal_reviewer", "operator"], password=PASSWORD)
    return svc


def _sign_in(c: TestClient, **body: Any) -> Any:
    return c.post("/v1/auth/token", json={"name": "lan", "password": PASSWORD, **body})


def _code(r: Any) -> str:
    return str(r.json()["error"]["code"])


def test_sign_in_whoami_logout(client: TestClient, users: Users) -> None:
    r = _sign_in(client, ttl=600)
    assert r.status_code == 201, r.text
    body = r.json()
    lan = users.get("lan")
    assert body["principal"] == {
        "kind": "user", "id": lan.user_id, "name": "lan",
        "roles": ["legal_reviewer", "operator"], "token_id": body["info"]["token_id"],
        "via": "token",
    }  # fmt: skip
    assert body["info"]["owner_id"] == lan.user_id and body["info"]["expires_at"]
    me = client.get("/v1/auth/whoami", headers=auth(body["token"]))
    assert me.status_code == 200 and me.json() == body["principal"]
    assert client.delete("/v1/auth/token", headers=auth(body["token"])).status_code == 204
    gone = client.get("/v1/auth/whoami", headers=auth(body["token"]))
    assert gone.status_code == 401 and _code(gone) == "auth.unauthenticated"


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient, users: Users) -> None:
    wrong = _sign_in(client, password="not it at all")
    unknown = _sign_in(client, name="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert _code(wrong) == "auth.invalid_credentials"
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_lockout_is_429_with_retry_after(client: TestClient, users: Users) -> None:
    for _ in range(FAST.lockout_threshold):
        assert _sign_in(client, password="guess guess").status_code == 401
    locked = _sign_in(client)
    assert locked.status_code == 429 and _code(locked) == "auth.locked"
    assert locked.headers["retry-after"] == str(FAST.lockout_base_seconds)
    assert PASSWORD not in locked.text


def test_totp_over_http(client: TestClient, users: Users) -> None:
    secret = users.enrol_totp(ADMIN, "lan").secret
    r = _sign_in(client)
    assert r.status_code == 401 and _code(r) == "auth.totp_required"
    code = pyotp.TOTP(secret).now()
    ok = _sign_in(client, totp=code)
    assert ok.status_code == 201, ok.text
    replay = _sign_in(client, totp=code)
    assert replay.status_code == 401 and _code(replay) == "auth.totp_invalid"


def test_bad_sign_in_bodies_are_422(client: TestClient, users: Users) -> None:
    assert _sign_in(client, ttl=0).status_code == 422
    capped = _sign_in(client, ttl=10**40)  # cut to login_token_max_ttl_seconds
    assert capped.status_code == 201, capped.text
    assert client.post("/v1/auth/token", json={"name": "lan"}).status_code == 422
    assert _sign_in(client, role="admin").status_code == 422  # no field decides the roles


def test_token_of_a_user_who_lost_the_role_or_was_disabled(
    client: TestClient, users: Users
) -> None:
    secret = _sign_in(client).json()["token"]
    record = {"subject": "u1", "kind": "profile", "data": {"email": "a@example.com"}}
    assert client.post("/v1/records", json=record, headers=auth(secret)).status_code == 201
    users.change_roles(ADMIN, "lan", remove=["operator"])  # records.write needs operator
    r = client.post("/v1/records", json=record, headers=auth(secret))
    assert r.status_code == 403 and _code(r) == "auth.forbidden"
    assert client.get("/v1/auth/whoami", headers=auth(secret)).json()["roles"] == ["legal_reviewer"]
    users.set_roles(ADMIN, "lan", ["auditor"])  # none of the token's roles remain
    r = client.get("/v1/auth/whoami", headers=auth(secret))
    assert r.status_code == 403 and _code(r) == "auth.role_revoked"
    users.set_roles(ADMIN, "lan", ["operator"])
    assert client.get("/v1/auth/whoami", headers=auth(secret)).status_code == 200
    users.disable(ADMIN, "lan")
    r = client.get("/v1/auth/whoami", headers=auth(secret))
    assert r.status_code == 401 and _code(r) == "auth.owner_disabled"


def test_expired_token_is_401(client: TestClient, users: Users, app: FastAPI) -> None:
    from datetime import timedelta

    from onshore.adapters.clock import FixedClock

    tokens = app.state.onshore.tokens
    lan = users.get("lan")
    issued = tokens.issue(
        lan, "short-lived", lan.roles, expires_at=tokens.clock.now() + timedelta(seconds=5)
    )
    assert client.get("/v1/auth/whoami", headers=auth(issued.secret)).status_code == 200
    real = tokens.clock
    tokens.clock = FixedClock(real.now() + timedelta(seconds=6))
    try:
        r = client.get("/v1/auth/whoami", headers=auth(issued.secret))
    finally:
        tokens.clock = real
    assert r.status_code == 401 and _code(r) == "auth.token_expired"


def test_admin_manages_users(client: TestClient, app: FastAPI, users: Users) -> None:
    admin = app.state.onshore.tokens.create("root", "admin").secret
    operator = app.state.onshore.tokens.create("ops", "operator").secret
    made = client.post(
        "/v1/users",
        json={"name": "minh", "roles": ["approver"], "password": PASSWORD, "email": "m@x.vn"},
        headers=auth(admin),
    )
    assert made.status_code == 201, made.text
    assert "password" not in made.text and made.json()["roles"] == ["approver"]
    assert client.post("/v1/users", json={"name": "minh", "roles": ["auditor"]},
                       headers=auth(admin)).status_code == 409  # fmt: skip
    listed = client.get("/v1/users", headers=auth(admin)).json()
    assert [u["name"] for u in listed["items"]] == ["lan", "minh"]
    r = client.post("/v1/users/minh/roles", json={"add": ["auditor"]}, headers=auth(admin))
    assert r.json()["roles"] == ["approver", "auditor"]
    assert client.post("/v1/users/minh/disable", headers=auth(admin)).json()["disabled"]
    assert not client.post("/v1/users/minh/enable", headers=auth(admin)).json()["disabled"]
    assert client.get("/v1/users/ghost", headers=auth(admin)).status_code == 404
    for method, path in (("GET", "/v1/users"), ("POST", "/v1/users/minh/disable")):
        r = client.request(method, path, headers=auth(operator))
        assert r.status_code == 403 and _code(r) == "auth.forbidden"
    bad = client.post("/v1/users", json={"name": "x", "roles": ["root"]}, headers=auth(admin))
    assert bad.status_code == 422


def test_the_access_leaf_names_the_principal(client: TestClient, app: FastAPI) -> None:
    from onshore.core.ledger.leaf import LeafEncoder, decode_leaf

    tokens = app.state.onshore.tokens
    issued = tokens.create("ci-bot", "auditor")
    vault = app.state.onshore.vault
    region = vault.runtime.region(vault.runtime.settings.deployment.default_region)
    before = region.db.ledger.size()
    assert client.get("/v1/auth/whoami", headers=auth(issued.secret)).status_code == 200
    [(_, entry, _)] = region.db.ledger.leaves(before, before + 1)
    key = region.keys.current("ledger-hmac")
    actor = LeafEncoder(key.material, key.version).ref("actor", issued.info.owner_id)
    assert decode_leaf(entry).actor_ref == actor
