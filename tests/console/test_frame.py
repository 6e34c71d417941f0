"""The console's frame over real SQLite stores: sign-in required, the sign-in form (wrong
password, lockout, its own CSRF pairing, ``next``), sign-out and CSRF on console forms,
errors shown as pages, the language switch, and dates in the deployment's time zone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.ports import Case
from tests.console.support import (
    PASSWORD,
    TestClient,
    add_user,
    app,
    client,
    clock,
    console_tables,
    form_token,
    fresh_name,
    make_settings,
    server,
    sign_in,
    vault,
)

__all__ = ["app", "client", "clock", "console_tables", "server", "vault"]  # fixtures used here


def _alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>\s*<p>([^<]*)</p>', html)
    assert found, "the page shows no error"
    return found.group(1)


def test_pages_need_a_session_and_send_the_browser_to_sign_in(client: TestClient) -> None:
    for path in ("/console/my-work", "/console/queues/takedown?due=breached"):
        answer = client.get(path)
        assert answer.status_code == 303
        where = urlsplit(answer.headers["location"])
        assert where.path == "/console/sign-in"
        assert parse_qs(where.query)["next"] == [path]
    form = client.get("/console/sign-in?next=/console/queues/takedown")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert 'name="next" value="/console/queues/takedown"' in form.text
    assert 'name="password" type="password"' in form.text and 'name="totp"' in form.text
    assert "/v1/session/oidc/login" not in form.text  # no OIDC configured


def test_sign_in_goes_to_next_and_shows_who_is_signed_in(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={
            "csrf_token": form_token(page.text),
            "name": name,
            "password": PASSWORD,
            "next": "/console/queues/takedown",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/queues/takedown"
    assert "onshore_session=" in answer.headers["set-cookie"]
    queue = client.get("/console/queues/takedown")
    assert queue.status_code == 200
    assert f"<summary>{name}</summary>" in queue.text and "legal_reviewer" in queue.text
    # the same session works for the JSON API (one sign-in service, one session)
    assert client.get("/v1/session").json()["principal"]["name"] == name


@pytest.mark.parametrize(
    "target", ["https://evil.example/x", "//evil.example/x", "/v1/records", "/console/../v1"]
)
def test_next_never_leaves_the_console(app: FastAPI, client: TestClient, target: str) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["auditor"])
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": form_token(page.text), "name": name, "password": PASSWORD,
              "next": target},
    )  # fmt: skip  # one form per call
    assert answer.status_code == 303 and answer.headers["location"] == "/console"


def test_a_wrong_password_and_then_the_lockout_are_shown_in_the_page(
    app: FastAPI, client: TestClient
) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    token = form_token(client.get("/console/sign-in").text)
    wrong = {"csrf_token": token, "name": name, "password": "not the password"}
    answer = client.post("/console/sign-in", data=wrong)
    assert answer.status_code == 401 and answer.headers["content-type"].startswith("text/html")
    assert _alert(answer.text) == "The name or the password is wrong."
    assert "auth.invalid_credentials" in answer.text
    assert f'value="{name}"' in answer.text and "not the password" not in answer.text
    for _ in range(10):
        answer = client.post("/console/sign-in", data=wrong)
        if answer.status_code == 429:
            break
    assert answer.status_code == 429, "the lockout never came"
    wait = int(answer.headers["retry-after"])
    assert wait > 0
    assert _alert(answer.text) == f"Too many failed sign-ins. Try again in {wait} seconds."
    right = {**wrong, "password": PASSWORD}
    assert client.post("/console/sign-in", data=right).status_code == 429  # still locked


def test_the_sign_in_form_must_come_from_this_browser(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    client.get("/console/sign-in")
    body = {"name": name, "password": PASSWORD}
    for token in (None, "forged"):
        data = body if token is None else {**body, "csrf_token": token}
        answer = client.post("/console/sign-in", data=data)
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")  # a page, not JSON
        assert "auth.csrf_failed" in answer.text
        assert "onshore_session" not in answer.headers.get("set-cookie", "")


def test_console_forms_need_the_session_csrf_token(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    token = sign_in(client, name)
    for data in ({}, {"csrf_token": "not-the-token"}):
        refused = client.post("/console/sign-out", data=data)
        assert refused.status_code == 403 and "auth.csrf_failed" in refused.text
        assert client.get("/console/my-work").status_code == 200  # still signed in
    done = client.post("/console/sign-out", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/console/sign-in"
    assert "You are signed out." in client.get("/console/sign-in").text
    assert client.get("/console/my-work").status_code == 303  # the session is gone
    assert client.get("/v1/session").status_code == 401


def test_typed_errors_are_pages_in_the_readers_language(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    sign_in(client, name)
    missing = client.get("/console/queues/no_such_kind")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<code>not_found</code>" in missing.text
    client.get("/console/language/vi?next=/console")
    bad = client.get("/console/queues/takedown?sort=sideways")
    assert bad.status_code == 422 and "input.invalid" in bad.text
    assert "Đã xảy ra lỗi" in bad.text and '<html lang="vi">' in bad.text


def test_the_language_switch_changes_the_text_and_is_kept(app: FastAPI, client: TestClient) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    sign_in(client, name)
    english = client.get("/console/my-work")
    assert '<html lang="en">' in english.text and "<h1>My work</h1>" in english.text
    assert 'href="/console/language/vi?next=/console/my-work"' in english.text
    switch = client.get("/console/language/vi?next=/console/my-work")
    assert switch.status_code == 303 and switch.headers["location"] == "/console/my-work"
    assert "onshore_lang=vi" in switch.headers["set-cookie"]
    vietnamese = client.get("/console/my-work")
    assert '<html lang="vi">' in vietnamese.text and "<h1>Việc của tôi</h1>" in vietnamese.text
    assert "Đăng xuất" in vietnamese.text and "Sign out" not in vietnamese.text
    client.get("/console/language/en?next=/console/my-work")
    assert "<h1>My work</h1>" in client.get("/console/my-work").text
    assert client.get("/console/language/fr?next=//x").headers["location"] == "/console"


def test_without_a_choice_accept_language_decides(client: TestClient) -> None:
    vi = client.get("/console/sign-in", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert '<html lang="vi">' in vi.text and "Đăng nhập" in vi.text
    other = client.get("/console/sign-in", headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert '<html lang="en">' in other.text


def _one_takedown(app: FastAPI, clock: FixedClock, due_in: timedelta, case_id: str) -> None:
    runtime = app.state.onshore.vault.runtime
    runtime.regions["vn-hcm"].db.cases.create(
        Case(case_id, "takedown", "received", "vn-hcm", clock.now(), clock.now(),
             clock.now() + due_in, {"notice": {"source": "user"}})
    )  # fmt: skip  # the case's fields in declaration order


def _due_cell(html: str, case_id: str) -> str:
    row = html[html.index(f"{case_id}</a>") :]
    found = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', row)
    return found[1][1]  # opened, then due


def test_dates_are_shown_in_the_deployments_time_zone(
    app: FastAPI, client: TestClient, clock: FixedClock
) -> None:
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    sign_in(client, name)
    _one_takedown(app, clock, timedelta(hours=1), "tkd-tz")  # 03:00 UTC: 10:00 in Ho Chi Minh
    page = client.get("/console/queues/takedown")
    assert "Asia/Ho_Chi_Minh (UTC+07:00)" in page.text
    assert _due_cell(page.text, "tkd-tz") == "Dec 7, 2026, 10:00:00\u202fAM"
    client.get("/console/language/vi?next=/console/queues/takedown")
    vi = client.get("/console/queues/takedown")
    assert "10:00:00 7 thg 12, 2026" in _due_cell(vi.text, "tkd-tz")


def test_a_configured_time_zone_is_used(tmp_path: Path, clock: FixedClock) -> None:
    from onshore.server.app import create_app
    from onshore.services.runtime import open_runtime
    from onshore.services.vault import Vault

    settings = make_settings(tmp_path, calendar={"time_zone": "Europe/Berlin"})
    vault = Vault(open_runtime(settings, create_keys=True, clock=clock))
    try:
        app = create_app(settings, vault=vault)
        with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as browser:
            add_user(app, "lan", ["legal_reviewer"])
            sign_in(browser, "lan")
            _one_takedown(app, clock, timedelta(hours=1), "tkd-tz")
            page = browser.get("/console/queues/takedown")
            assert "Europe/Berlin (UTC+01:00)" in page.text
            assert _due_cell(page.text, "tkd-tz") == "Dec 7, 2026, 4:00:00\u202fAM"
    finally:
        vault.close()


def test_a_time_zone_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        make_settings(tmp_path, calendar={"time_zone": "Mars/Olympus"})


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@media" in css.text and ":focus-visible" in css.text
    page = client.get("/console/sign-in")
    assert "http://" not in page.text and "https://" not in page.text  # no CDN


def test_oidc_sign_in_is_offered_when_configured(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onshore.server.app import create_app
    from onshore.services.runtime import open_runtime
    from onshore.services.vault import Vault

    monkeypatch.setenv("ONSHORE_TEST_OIDC_SECRET", "a client secret for the test")
    settings = make_settings(
        tmp_path,
        oidc={
            "issuer": "https://id.example",
            "client_id": "onshore",
            "client_secret_env": "ONSHORE_TEST_OIDC_SECRET",
            "redirect_url": "https://onshore.example/v1/session/oidc/callback",
        },
    )
    vault = Vault(open_runtime(settings, create_keys=True, clock=clock))
    try:
        with TestClient(create_app(settings, vault=vault)) as browser:
            page = browser.get("/console/sign-in")
            assert 'href="/v1/session/oidc/login"' in page.text
    finally:
        vault.close()


def test_the_console_starts_at_its_overview(client: TestClient) -> None:
    answer = client.get("/console")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/overview"


def test_the_status_page_leads_to_the_console(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'href="/console"' in page.text
    assert "vn-hcm" in page.text  # the status table is still there for monitoring


def test_the_console_table_can_be_set_from_the_environment() -> None:
    from onshore.settings import Settings, default_config_dict
    from onshore.settings.environment import apply_env

    data = default_config_dict()
    apply_env(
        data, {"ONSHORE_CALENDAR__TIME_ZONE": "Asia/Bangkok", "ONSHORE_CONSOLE__PAGE_SIZE": "20"}
    )
    settings = Settings.model_validate(data)
    assert settings.console.page_size == 20
    assert settings.calendar.zone_name("VN") == "Asia/Bangkok"


def test_a_form_posted_without_a_session_leads_to_sign_in_then_home(client: TestClient) -> None:
    answer = client.post("/console/sign-out", data={"csrf_token": "x"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=%2Fconsole"
