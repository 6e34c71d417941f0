"""The console's case page over HTTP (TestClient, real SQLite stores, users signed in through
the console's form): fields, timeline, clocks, actions with the two-person rule, the package
download, the ledger's verify button (and a tampered leaf), permissions and 404s."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.core.cases.package import verify_package
from onshore.server.console import i18n
from onshore.services.vault import Vault
from tests.authority_requests.conftest import REGISTRY_YAML
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
    server,
    vault,
)

__all__ = ["app", "client", "clock", "console_tables", "server", "vault"]  # fixtures used here

#: A fresh authority reference per request (the same reference opens the same case).
_REFS = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def registry(vault: Vault) -> None:  # the module's vault
    """A deployment authority registry with a verified channel (read when the requests
    service is first built, at the module's first request)."""
    (Path(vault.runtime.settings.base_dir) / "authorities.yaml").write_text(REGISTRY_YAML)


@dataclass(frozen=True)
class Site:
    """The app, a browser on it, the runtime's clock and this test's users: their names
    (``olga``, ``rita``, ``ada``, ``aud`` -> a fresh name) and ids."""

    app: FastAPI
    client: TestClient
    clock: FixedClock
    names: dict[str, str]
    users: dict[str, str]


@pytest.fixture
def site(app: FastAPI, client: TestClient, clock: FixedClock) -> Site:  # fixtures
    """Four users: an operator, a reviewer who also approves, an approver, an auditor."""
    roles = {
        "olga": ["operator"],
        "rita": ["legal_reviewer", "approver"],
        "ada": ["approver"],
        "aud": ["auditor"],
    }
    names = {key: fresh_name(key) for key in roles}
    users = {key: add_user(app, names[key], roles[key]) for key in roles}
    return Site(app, client, clock, names, users)


def enter(site: Site, who: str, page: str) -> str:
    """Sign ``who`` in through the console's form, landing on ``page``; its CSRF token."""
    site.client.cookies.clear()
    sign_in = site.client.get("/console/sign-in")
    answer = site.client.post(
        "/console/sign-in",
        data={"csrf_token": form_token(sign_in.text), "name": site.names[who], "password": PASSWORD,
              "next": page},
    )  # fmt: skip  # the form's fields
    assert answer.status_code == 303, answer.text
    return form_token(site.client.get(page).text)


def text(html: str) -> str:
    """The page's words, tags and runs of blanks dropped (for assertions on sentences)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def open_request(site: Site, **extra: object) -> str:
    """An authority request opened through the JSON API by an operator's token."""
    token = site.app.state.onshore.tokens.create(fresh_name("intake-"), "operator").secret
    bearer = {"Authorization": f"Bearer {token}"}
    body = {"authority": "VN-A05", "process_type": "court_order", "reference": f"TA-{next(_REFS)}",
            "legal_basis": "CPC 196", "scope": {"phone_number": ["0912345678"],
            "categories": ["email"]}, **extra}  # fmt: skip  # the intake body
    put = site.client.post(
        "/v1/records", headers=bearer,
        json={"subject": "u1", "kind": "profile", "signals": {"phone_number": "+84912345678"},
              "data": {"phone": "+84912345678", "email": "a@example.vn"}},
    )  # fmt: skip  # the record body
    assert put.status_code == 201, put.text
    made = site.client.post("/v1/cases/requests", headers=bearer, json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["case_id"])


def act(site: Site, url: str, action: str, token: str, **fields: str) -> Any:
    """Post an action's form."""
    return site.client.post(f"{url}/actions/{action}", data={"csrf_token": token, **fields})


def test_page_shows_fields_timeline_and_clock(site: Site) -> None:
    cid = open_request(site, respond_within={"amount": 2, "unit": "day"})
    url = f"/console/cases/authority_request/{cid}"
    enter(site, "olga", url)
    page = site.client.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    words = text(page.text)
    assert "TA-" in words and "VN-A05" in words  # fields
    assert "Open : opened in Received" in words and "intake-" in words  # the first step
    assert "The authority's own deadline" in words and "On time" in words
    assert 'action="' + url + '/actions/authenticate"' in page.text
    assert "declare_emergency" not in page.text  # an approver's action: not olga's
    assert site.client.get(f"/console/cases/requests/{cid}").status_code == 200  # by segment
    start = site.clock.at
    site.clock.at += timedelta(days=3)
    try:
        enter(site, "olga", url)  # a new session: the first one lapsed meanwhile
        assert "Breached" in text(site.client.get(url).text)
    finally:
        site.clock.at = start
    enter(site, "olga", url)
    site.client.cookies.set(i18n.COOKIE, "vi")
    vi = site.client.get(url)
    assert vi.status_code == 200 and 'lang="vi"' in vi.text
    assert "Còn hạn" in vi.text and "Lịch sử" in vi.text  # On time, History


def test_two_people_release_and_the_same_person_cannot(site: Site) -> None:
    cid = open_request(site)
    url = f"/console/cases/authority_request/{cid}"
    token = enter(site, "olga", url)
    assert act(site, url, "authenticate", token).status_code == 303
    bad = act(site, url, "verify", token, channel="a05-fax")
    assert bad.status_code == 422 and "not a verified channel" in bad.text
    assert "case.guard_failed" in bad.text
    assert act(site, url, "verify", token, channel="a05-portal").status_code == 303
    assert act(site, url, "submit", token).status_code == 303
    token = enter(site, "rita", url)
    done = act(site, url, "approve", token)
    assert done.status_code == 303
    assert "Done" in text(site.client.get(url).text)  # the message after the redirect
    token = enter(site, "olga", url)
    for action in ("check_residency", "collect", "submit_qa", "package", "request_release"):
        assert act(site, url, action, token).status_code == 303, action
    token = enter(site, "rita", url)
    page = text(site.client.get(url).text)
    assert f"Approve by {site.names['rita']} ( {site.users['rita']} )" in page
    assert "Whoever takes “Release” must be someone else." in page
    assert "Not open to you:" in page and "two-person rule" in page
    refused = act(site, url, "release", token)
    assert refused.status_code == 403
    assert "case.separation_of_duties" in refused.text
    assert "“Release” was not taken." in text(refused.text)
    token = enter(site, "ada", url)
    assert act(site, url, "release", token).status_code == 303
    page = text(site.client.get(url).text)
    assert (
        f"Release by {site.names['ada']} ( {site.users['ada']} )" in page
        and "a second person." in page
    )
    assert "Produced" in page and "The released package verifies" in page
    assert "needs the records.read permission" in page  # an approver does not read records
    assert site.client.get(f"{url}/package.zip").status_code == 403
    enter(site, "olga", url)
    got = site.client.get(f"{url}/package.zip")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    files = {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}
    assert verify_package(files).ok


def test_verify_button_and_a_tampered_leaf(site: Site) -> None:
    cid = open_request(site)
    url = f"/console/cases/authority_request/{cid}"
    token = enter(site, "olga", url)
    act(site, url, "authenticate", token)
    stale = act(site, url, "verify", token, channel="a05-portal", version="1")
    assert stale.status_code == 409 and "case.conflict" in stale.text  # acted on an old page
    page = site.client.get(url).text
    indexes = [int(i) for i in re.findall(r"/ledger/(\d+)/verify", page)]
    assert len(indexes) == 2  # opened, authenticated
    ok = site.client.post(f"{url}/ledger/{indexes[0]}/verify", data={"csrf_token": token})
    assert ok.status_code == 200
    words = text(ok.text)
    assert f"Verified: entry {indexes[0]} is included in the ledger of region vn-hcm" in words
    assert "checkpoint signed by key onshore/vn-hcm+" in words
    ledger = site.app.state.onshore.vault.ledger("vn-hcm")
    kept = ledger.store.leaves(indexes[0], indexes[0] + 1)[0][1]
    raw = bytearray(kept)
    raw[150] ^= 0x01  # the payload commitment: the leaf still decodes

    def store(entry: bytes) -> None:
        with ledger.db.transaction():
            ledger.db.execute(
                "UPDATE ledger_leaves SET entry = ? WHERE idx = ?", (entry, indexes[0])
            )

    store(bytes(raw))
    try:
        bad = site.client.post(f"{url}/ledger/{indexes[0]}/verify", data={"csrf_token": token})
    finally:
        store(kept)  # the module's other tests share this ledger
    words = text(bad.text)
    assert "Not verified" in words and "ledger.proof_invalid" in words
    assert "Verified:" not in words
    assert site.client.post(f"{url}/ledger/{indexes[0]}/verify").status_code == 403  # no CSRF token
    other = site.client.post(f"{url}/ledger/99999/verify", data={"csrf_token": token})
    assert other.status_code == 404


def test_permissions_and_unknown_cases(site: Site) -> None:
    cid = open_request(site)
    url = f"/console/cases/authority_request/{cid}"
    assert site.client.get(url).status_code == 303  # not signed in: to the sign-in page
    token = enter(site, "aud", url)  # an auditor reads cases, takes no action
    page = site.client.get(url).text
    assert "Nothing you may do" in text(page) and "VN-A05" in page
    assert act(site, url, "authenticate", token).status_code == 403
    missing = site.client.get("/console/cases/authority_request/authorit-00000000000000000000")
    assert missing.status_code == 404 and "case.not_found" in missing.text
    assert site.client.get(f"/console/cases/takedown/{cid}").status_code == 404  # another kind
    assert site.client.get(f"/console/cases/nonsense/{cid}").status_code == 404


def test_an_audience_obligation_its_rule_and_its_dossier(site: Site) -> None:
    token = site.app.state.onshore.tokens.create(fresh_name("metrics-"), "operator").secret
    subject = fresh_name("acct-")
    rows = [{"subject_id": subject, "country": "VN", "date": "2026-11-20", "subscribers": 10412}]
    got = site.client.post(
        "/v1/audience/metrics", headers={"Authorization": f"Bearer {token}"}, json={"rows": rows}
    )
    assert got.status_code == 200, got.text
    cases = site.app.state.onshore_audience.cases.iter_cases(kind="audience_obligation")
    [case] = [c for c in cases if c.data["subject_id"] == subject]
    url = f"/console/cases/obligations/{case.case_id}"
    csrf = enter(site, "olga", url)
    words = text(site.client.get(url).text)
    rule = case.data["rule"]
    assert rule["rule_id"] in words and rule["cite"] in words  # the rule that sets the clock
    assert "Download the dossier (JSON)" in words
    done = act(
        site, url, "prepare", csrf,
        contact='{"name": "An", "email": "an@example.vn"}', content_summary="music",
    )  # fmt: skip  # the form's fields
    assert done.status_code == 303, done.text
    dossier = site.client.get(f"{url}/dossier.json")
    assert dossier.status_code == 200 and dossier.json()["content_summary"] == "music"
    assert "attachment" in dossier.headers["content-disposition"]
    printable = site.client.get(f"{url}/dossier.html")
    assert printable.status_code == 200 and "10,412" in printable.text
    assert site.client.get(f"{url}/dossier.pdf").status_code == 422
    request_page = f"/console/cases/authority_request/{open_request(site)}"
    assert site.client.get(f"{request_page}/dossier.json").status_code == 422
