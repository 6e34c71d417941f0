"""OIDC sign-in end to end: onshore and the local provider each served by uvicorn on a
loopback port, and an HTTP client that follows the redirects and keeps cookies as a browser
does. Then the provider misbehaves, and each refusal is checked for its typed error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from tests.sessions.conftest import COOKIE, TestClient, make_settings
from tests.support.oidc_provider import Provider, free_port, running_provider, serve

CLIENT_ID = "onshore-test"
SECRET = "oidc-client-secret-for-tests"
#: Seconds a request may take: a real server on a loaded two-core machine can be slow, never wrong.
TIMEOUT = 30.0


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(CLIENT_ID, SECRET) as p:
        yield p


@dataclass
class Onshore:
    """A served onshore app and its base URL."""

    app: FastAPI
    url: str


def _serve_onshore(
    base: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch, **oidc: Any
) -> Iterator[Onshore]:
    monkeypatch.setenv("ONSHORE_TEST_OIDC_SECRET", SECRET)
    port = free_port()
    settings = make_settings(
        base,
        oidc={
            "issuer": provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret_env": "ONSHORE_TEST_OIDC_SECRET",
            "redirect_url": f"http://127.0.0.1:{port}/v1/session/oidc/callback",
            **oidc,
        },
    )
    app = create_app(settings, create_keys=True)
    with serve(app, port) as url:
        yield Onshore(app, url)


@pytest.fixture
def onshore(
    tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Onshore]:
    provider.behaviour.__init__()  # type: ignore[misc]  # a well-behaved provider
    yield from _serve_onshore(tmp_path, provider, monkeypatch)


def _link(onshore: Onshore, provider: Provider, name: str, roles: list[str]) -> str:
    ctx = onshore.app.state.onshore
    user = ctx.users.create(host_administrator("test"), name, roles)
    assert ctx.sessions.store.link(
        provider.issuer, provider.behaviour.sub, user.user_id, ctx.vault.runtime.clock.now()
    )
    return str(user.user_id)


def test_full_round_trip_signs_in_a_linked_user(onshore: Onshore, provider: Provider) -> None:
    user_id = _link(onshore, provider, "alice", ["legal_reviewer"])
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, follow_redirects=True) as browser:
        answer = browser.get("/v1/session/oidc/login")
        assert answer.status_code == 200, answer.text
        hops = [str(r.url).split("?")[0] for r in answer.history]
        assert hops == [
            f"{onshore.url}/v1/session/oidc/login",
            f"{provider.issuer}/authorize",
        ]
        body = answer.json()
        assert body["principal"]["id"] == user_id and body["method"] == "oidc"
        assert browser.cookies.get(COOKIE)
        me = browser.get("/v1/session")
        assert me.status_code == 200 and me.json()["principal"]["roles"] == ["legal_reviewer"]
        assert me.json()["csrf_token"] == body["csrf_token"]
        out = browser.delete("/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
        assert out.status_code == 204 and browser.get("/v1/session").status_code == 401


def test_after_login_url_redirects(
    tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.behaviour.__init__()  # type: ignore[misc]
    for served in _serve_onshore(tmp_path, provider, monkeypatch, after_login_url="/v1/session"):
        _link(served, provider, "alice", ["operator"])
        with httpx.Client(timeout=TIMEOUT, base_url=served.url, follow_redirects=True) as browser:
            answer = browser.get("/v1/session/oidc/login")
            assert answer.status_code == 200 and str(answer.url).endswith("/v1/session")
            assert answer.json()["principal"]["name"] == "alice"


def _to_callback(browser: httpx.Client) -> str:
    """Walk the redirects by hand up to (not into) the callback; its URL."""
    start = browser.get("/v1/session/oidc/login")
    assert start.status_code == 303
    assert "onshore_oidc" in start.headers["set-cookie"]
    assert "samesite=lax" in start.headers["set-cookie"].lower()
    at_provider = httpx.get(start.headers["location"])
    assert at_provider.status_code == 302
    return str(at_provider.headers["location"])


def _error(answer: httpx.Response) -> tuple[int, str, Any]:
    err = answer.json()["error"]
    return answer.status_code, err["code"], err["details"].get("reason")


def test_bad_state_is_refused(onshore: Onshore, provider: Provider) -> None:
    _link(onshore, provider, "alice", ["operator"])
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url) as browser:
        callback = _to_callback(browser)
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
        forged = browser.get("/v1/session/oidc/callback?" + urlencode({**query, "state": "x"}))
        assert _error(forged) == (400, "auth.oidc_state", "state")
        assert COOKIE not in browser.cookies
    # a callback with no sign-in started
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url) as stranger:
        assert _error(stranger.get(callback)) == (400, "auth.oidc_state", "missing")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tamper": True}, "signature"),
        ({"foreign_key": True}, "signature"),
        ({"audience": "another-client"}, "aud"),
        ({"lifetime": -600}, "exp"),
        ({"nonce": "replayed-nonce"}, "nonce"),
    ],
)
def test_bad_id_tokens_are_refused(
    onshore: Onshore, provider: Provider, change: dict[str, Any], reason: str
) -> None:
    _link(onshore, provider, "alice", ["operator"])
    for name, value in change.items():
        setattr(provider.behaviour, name, value)
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, follow_redirects=True) as browser:
        answer = browser.get("/v1/session/oidc/login")
        assert _error(answer) == (401, "auth.oidc_token_invalid", reason)
        assert COOKIE not in browser.cookies


def test_unknown_subject_is_refused(onshore: Onshore, provider: Provider) -> None:
    provider.behaviour.sub = "nobody-linked"
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, follow_redirects=True) as browser:
        answer = browser.get("/v1/session/oidc/login")
        assert _error(answer) == (403, "auth.oidc_user_unknown", "not_linked")
        assert COOKIE not in browser.cookies


def test_auto_provisioning_maps_roles(
    tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.behaviour.__init__()  # type: ignore[misc]
    provider.behaviour.sub = "bob-sub"
    provider.behaviour.claims = {"preferred_username": "bob", "groups": ["legal", "staff"]}
    role_map = {"legal": ["legal_reviewer"], "release": ["approver"]}
    for served in _serve_onshore(
        tmp_path, provider, monkeypatch, auto_provision=True, role_map=role_map
    ):
        with httpx.Client(timeout=TIMEOUT, base_url=served.url, follow_redirects=True) as browser:
            first = browser.get("/v1/session/oidc/login")
            assert first.status_code == 200, first.text
            principal = first.json()["principal"]
            assert principal["name"] == "bob" and principal["roles"] == ["legal_reviewer"]
        with httpx.Client(timeout=TIMEOUT, base_url=served.url, follow_redirects=True) as again:
            second = again.get("/v1/session/oidc/login")  # linked now: the same user
            assert second.json()["principal"]["id"] == principal["id"]
        provider.behaviour.sub = "carol-sub"
        provider.behaviour.claims = {"preferred_username": "carol", "groups": ["staff"]}
        with httpx.Client(timeout=TIMEOUT, base_url=served.url, follow_redirects=True) as nobody:
            refused = nobody.get("/v1/session/oidc/login")
            assert _error(refused) == (403, "auth.oidc_user_unknown", "no_role")


def test_oidc_off_is_a_typed_404(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), create_keys=True)
    with TestClient(app) as client:
        answer = client.get("/v1/session/oidc/login")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "auth.oidc_disabled"


def test_admin_links_and_unlinks_a_subject(onshore: Onshore, provider: Provider) -> None:
    ctx = onshore.app.state.onshore
    ctx.users.create(host_administrator("test"), "alice", ["operator"])
    issued = ctx.users.service_token(host_administrator("test"), "admin-bot", "admin")
    admin = {"Authorization": f"Bearer {issued.secret}"}
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, headers=admin) as api:
        made = api.post("/v1/session/oidc/links", json={"user": "alice", "subject": "alice-sub"})
        assert made.status_code == 201, made.text
        assert made.json()["issuer"] == provider.issuer
        again = api.post("/v1/session/oidc/links", json={"user": "alice", "subject": "alice-sub"})
        assert _error(again)[:2] == (409, "auth.oidc_link_taken")
        nobody = api.post("/v1/session/oidc/links", json={"user": "zed", "subject": "z"})
        assert _error(nobody)[:2] == (404, "user.not_found")
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, follow_redirects=True) as browser:
        signed = browser.get("/v1/session/oidc/login")
        assert signed.status_code == 200 and signed.json()["principal"]["name"] == "alice"
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, headers=admin) as api:
        gone = api.delete("/v1/session/oidc/links", params={"subject": "alice-sub"})
        assert gone.status_code == 204
        assert (
            api.delete("/v1/session/oidc/links", params={"subject": "alice-sub"}).status_code == 404
        )
    with httpx.Client(timeout=TIMEOUT, base_url=onshore.url, follow_redirects=True) as browser:
        refused = browser.get("/v1/session/oidc/login")
        assert _error(refused) == (403, "auth.oidc_user_unknown", "not_linked")
