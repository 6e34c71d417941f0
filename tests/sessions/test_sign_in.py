"""Signing in over HTTP: password and TOTP, wrong passwords and lockout, the cookie's flags,
session fixation, timeouts and sign-out."""

from __future__ import annotations

import logging
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from tests.sessions.conftest import (
    COOKIE,
    PASSWORD,
    TestClient,
    add_user,
    make_settings,
    set_cookies,
    sign_in,
)


def test_sign_in_sets_a_strict_http_only_cookie_and_answers_who(
    app: FastAPI, client: TestClient
) -> None:
    user_id = add_user(app, "lan", ["legal_reviewer"])
    answer = sign_in(client)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["principal"]["id"] == user_id and body["principal"]["via"] == "session"
    assert body["principal"]["roles"] == ["legal_reviewer"] and body["method"] == "password"
    assert answer.headers["cache-control"] == "no-store"
    [cookie] = [c for c in set_cookies(answer) if c.startswith(COOKIE + "=")]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= flags
    assert "secure" not in flags and not any(f.startswith("max-age") for f in flags)
    me = client.get("/v1/session")
    assert me.status_code == 200
    assert me.json()["principal"]["id"] == user_id
    assert me.json()["csrf_token"] == body["csrf_token"]
    assert me.json()["session_id"] == body["session_id"]


def test_cookie_is_secure_over_tls_or_when_configured(app: FastAPI, tmp_path: object) -> None:
    add_user(app, "lan", ["operator"])
    with TestClient(app, base_url="https://testserver") as tls:
        answer = sign_in(tls)
        assert answer.status_code == 200
        assert "secure" in set_cookies(answer)[0].lower()
        assert tls.get("/v1/session").status_code == 200


def test_secure_cookie_always(tmp_path: object, clock: FixedClock) -> None:
    from pathlib import Path

    from onshore.services.runtime import open_runtime
    from onshore.services.vault import Vault

    settings = make_settings(Path(str(tmp_path)), sessions={"secure_cookie": "always"})
    vault = Vault(open_runtime(settings, create_keys=True, clock=clock))
    try:
        app = create_app(settings, vault=vault)
        add_user(app, "lan", ["operator"])
        with TestClient(app) as plain:
            assert "secure" in set_cookies(sign_in(plain))[0].lower()
    finally:
        vault.close()


def test_form_sign_in(app: FastAPI, client: TestClient) -> None:
    add_user(app, "lan", ["operator"])
    answer = client.post("/v1/session", data={"name": "lan", "password": PASSWORD})
    assert answer.status_code == 200 and answer.json()["principal"]["name"] == "lan"
    bad = client.post("/v1/session", data={"name": "lan"})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["fields"] == ["password"]


def test_wrong_password_sets_no_cookie_and_logs_no_password(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    add_user(app, "lan", ["operator"])
    with caplog.at_level(logging.INFO):
        answer = client.post("/v1/session", json={"name": "lan", "password": "hunter2-wrong!"})
        unknown = client.post("/v1/session", json={"name": "nobody", "password": "hunter2-x"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "auth.invalid_credentials"
    assert unknown.json()["error"]["code"] == "auth.invalid_credentials"
    assert not set_cookies(answer) and client.get("/v1/session").status_code == 401
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "sign-in refused" in logged and "hunter2" not in logged


def test_totp_second_factor(app: FastAPI, client: TestClient, clock: FixedClock) -> None:
    add_user(app, "lan", ["approver"])
    secret = app.state.onshore.users.enrol_totp(host_administrator("test"), "lan").secret
    assert sign_in(client).json()["error"]["code"] == "auth.totp_required"
    wrong = pyotp.TOTP(secret).at(clock.now() - timedelta(minutes=10))
    assert sign_in(client, totp=wrong).json()["error"]["code"] == "auth.totp_invalid"
    answer = sign_in(client, totp=pyotp.TOTP(secret).at(clock.now()))
    assert answer.status_code == 200 and client.get("/v1/session").status_code == 200


def test_lockout_after_repeated_failures(app: FastAPI, client: TestClient) -> None:
    add_user(app, "lan", ["operator"])
    threshold = app.state.onshore.vault.runtime.settings.identities.lockout_threshold
    for _ in range(threshold):
        client.post("/v1/session", json={"name": "lan", "password": "not the password"})
    locked = sign_in(client)  # the right password, too late
    assert locked.json()["error"]["code"] == "auth.locked"
    assert not set_cookies(locked)


def test_disabled_user_cannot_sign_in_and_loses_the_session(
    app: FastAPI, client: TestClient
) -> None:
    add_user(app, "lan", ["operator"])
    assert sign_in(client).status_code == 200
    app.state.onshore.users.disable(host_administrator("test"), "lan")
    gone = client.get("/v1/session")
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "auth.owner_disabled"
    assert sign_in(client).json()["error"]["code"] == "auth.user_disabled"
    app.state.onshore.users.enable(host_administrator("test"), "lan")
    assert client.get("/v1/session").status_code == 401  # that session was ended


def test_session_fixation_new_id_at_every_sign_in(app: FastAPI, client: TestClient) -> None:
    add_user(app, "lan", ["operator"])
    client.cookies.set(COOKIE, "planted-by-an-attacker")
    first = sign_in(client)
    one = first.cookies[COOKIE]
    assert one != "planted-by-an-attacker"
    second = sign_in(client)  # signing in again, with the first session's cookie
    two = second.cookies[COOKIE]
    assert two != one and second.json()["session_id"] != first.json()["session_id"]
    assert second.json()["csrf_token"] != first.json()["csrf_token"]
    client.cookies.clear()
    old = client.get("/v1/session", headers={"Cookie": f"{COOKIE}={one}"})
    assert old.status_code == 401  # the brought session was destroyed
    assert client.get("/v1/session", headers={"Cookie": f"{COOKIE}={two}"}).status_code == 200
    planted = client.get("/v1/session", headers={"Cookie": f"{COOKIE}=planted-by-an-attacker"})
    assert planted.status_code == 401


def test_idle_timeout(app: FastAPI, client: TestClient, clock: FixedClock) -> None:
    add_user(app, "lan", ["operator"])
    sign_in(client)
    for _ in range(3):
        clock.at += timedelta(minutes=29)
        assert client.get("/v1/session").status_code == 200
    clock.at += timedelta(minutes=30)
    expired = client.get("/v1/session")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "auth.session_expired"
    assert expired.json()["error"]["details"]["reason"] == "idle"


def test_absolute_timeout(app: FastAPI, client: TestClient, clock: FixedClock) -> None:
    add_user(app, "lan", ["operator"])
    started = clock.now()
    sign_in(client)
    while clock.now() - started < timedelta(hours=11, minutes=40):
        clock.at += timedelta(minutes=20)
        assert client.get("/v1/session").status_code == 200
    clock.at = started + timedelta(hours=12)
    expired = client.get("/v1/session")
    assert expired.json()["error"]["code"] == "auth.session_expired"
    assert expired.json()["error"]["details"]["reason"] == "absolute"


def test_sign_out_destroys_the_session(app: FastAPI, client: TestClient) -> None:
    add_user(app, "lan", ["operator"])
    answer = sign_in(client)
    secret, csrf = answer.cookies[COOKIE], answer.json()["csrf_token"]
    refused = client.delete("/v1/session")  # no CSRF token: refused, still signed in
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.csrf_failed"
    assert client.get("/v1/session").status_code == 200
    out = client.delete("/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    cleared = [c for c in set_cookies(out) if c.startswith(COOKIE + "=")]
    assert cleared and ("max-age=0" in cleared[0].lower() or "expires=" in cleared[0].lower())
    client.cookies.clear()
    replay = client.get("/v1/session", headers={"Cookie": f"{COOKIE}={secret}"})
    assert replay.status_code == 401  # a copied cookie is worthless after sign-out
    assert client.delete("/v1/session").json()["error"]["details"]["reason"] == "missing"
