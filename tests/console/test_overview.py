"""The console's overview page over real SQLite stores: counts per region as the stores hold
them, checkpoints, open obligations, and the transparency charts with the report's
small-count suppression."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.cases.transparency import requests_table
from onshore.server.app import create_app
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.runtime import open_runtime
from onshore.services.takedowns import TakedownService
from onshore.services.transparency import collect_facts
from onshore.services.vault import Vault
from tests.authority_requests.conftest import REGISTRY_YAML
from tests.authority_requests.test_flow import receive
from tests.cases.conftest import who
from tests.console.support import (
    PASSWORD,
    TestClient,
    add_user,
    app,
    client,
    clock,
    console_tables,
    form_token,
    make_settings,
    vault,
)
from tests.takedowns.conftest import DECISION_TERMS, NOTICE, drive

__all__ = ["app", "client", "clock", "console_tables", "vault"]  # fixtures used here

SVG = "{http://www.w3.org/2000/svg}"
CELL = r"<t[hd][^>]*>(.*?)</t[hd]>"


def sign_in_as(client: TestClient, name: str) -> None:
    """Sign in through the console's form (the session cookie stays in the client)."""
    page = client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={"csrf_token": form_token(page.text), "name": name, "password": PASSWORD,
              "next": "/console/overview"},
    )  # fmt: skip
    assert answer.status_code == 303, answer.text


@pytest.fixture
def reader(app: FastAPI, client: TestClient) -> TestClient:
    add_user(app, "an", ["auditor"])
    sign_in_as(client, "an")
    return client


def figure(page: str, ident: str) -> tuple[ET.Element, list[list[str]]]:
    """The chart (parsed SVG) and the table rows (cell texts) of figure ``ident``."""
    block = re.search(rf'<figure class="panel figure" id="{ident}">(.*?)</figure>', page, re.S)
    assert block, ident
    svg = re.search(r"<svg.*?</svg>", block.group(1), re.S)
    assert svg
    rows = [
        [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(CELL, r)]
        for r in re.findall(r"<tr>(.*?)</tr>", block.group(1).split("<tbody>")[1], re.S)
    ]
    return ET.fromstring(svg.group(0)), rows


def bars(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_signed_out_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/overview")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=")


def test_counts_per_region_match_the_stores(vault: Vault, reader: TestClient) -> None:
    people = {"u-an": "VN", "u-binh": "VN", "u-chi": "VN", "u-tan": "SG"}
    for subject, country in people.items():
        for n in range(2 if country == "VN" else 3):
            vault.put(subject, "post", {"post": f"bài {n}", "phone": "+84912345678"},
                      {"declared_residence": country})  # fmt: skip
    page = reader.get("/console/overview")
    assert page.status_code == 200, page.text
    for name, region in vault.runtime.regions.items():
        row = re.search(rf'<tr data-region="{name}">(.*?)</tr>', page.text, re.S)
        assert row, name
        cells = dict(re.findall(r'<td class="num (\w+)">(\d+)</td>', row.group(1)))
        assert int(cells["records"]) == region.db.records.count()
        assert int(cells["leaves"]) == vault.ledger(name).store.size()
        assert "Reachable" in row.group(1)
    vn = re.search(r'<tr data-region="vn-hcm">(.*?)</tr>', page.text, re.S)
    sg = re.search(r'<tr data-region="sg-1">(.*?)</tr>', page.text, re.S)
    assert vn and sg
    assert '<td class="num records">6</td>' in vn.group(1)
    assert '<td class="num subjects">3</td>' in vn.group(1)
    assert '<td class="num records">3</td>' in sg.group(1)
    assert '<td class="num subjects">1</td>' in sg.group(1)
    # no personal data on the page: no subject id, no phone number
    assert "u-an" not in page.text and "84912345678" not in page.text


def test_latest_checkpoint_is_shown(vault: Vault, clock: FixedClock, reader: TestClient) -> None:
    vault.put("u-an", "post", {"post": "x"}, {"declared_residence": "VN"})
    log = vault.ledger("vn-hcm")
    signed = log.checkpoint(clock.now())
    page = reader.get("/console/overview").text
    row = re.search(r'<tr data-region="vn-hcm">(.*?)</tr>', page, re.S)
    assert row
    size, root, _note, key_id, _at = log.store.latest_checkpoint()  # type: ignore[misc]
    assert signed is not None
    assert root.hex() in row.group(1) and key_id in row.group(1)
    assert f"Size {size}," in row.group(1)
    assert "2026" in row.group(1)  # the signing time, in the deployment's zone


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def test_an_unreachable_region_shows_its_error_code(tmp_path: Path) -> None:
    open_runtime(make_settings(tmp_path), create_keys=True).close()  # keys made while it was up
    settings = make_settings(tmp_path)
    down = f"postgresql://postgres@127.0.0.1:{closed_port()}/onshore"
    regions = {**settings.regions, "vn-hcm": settings.regions["vn-hcm"].model_copy(
        update={"store": down})}  # fmt: skip
    vault = Vault(open_runtime(settings.model_copy(update={"regions": regions})))
    app = create_app(vault.runtime.settings, vault=vault)
    try:
        with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
            add_user(app, "an", ["auditor"])
            sign_in_as(client, "an")
            page = client.get("/console/overview")
    finally:
        vault.close()
    assert page.status_code == 200
    row = re.search(r'<tr data-region="vn-hcm">(.*?)</tr>', page.text, re.S)
    assert row and "Unavailable" in row.group(1)
    assert '<code class="error-code">store.unavailable</code>' in row.group(1)
    assert "postgres@" not in page.text  # no connection string on the page
    sg = re.search(r'<tr data-region="sg-1">(.*?)</tr>', page.text, re.S)
    assert sg and "Reachable" in sg.group(1)
    # the sections that need every region say so, with the code, instead of failing
    assert page.text.count('<code class="error-code">store.unavailable</code>') == 3


def _requests(vault: Vault, clock: FixedClock, tmp_path: Path) -> AuthorityRequestService:
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    svc = AuthorityRequestService(vault, registry=CollectorRegistry())
    clock.at = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
    vn = [receive(svc) for _ in range(6)]
    for cid in vn[:2]:  # two rejections: a count below k
        svc.act(cid, "authenticate", principal=who("olga", "operator"))
        svc.act(cid, "reject", principal=who("rita", "legal_reviewer"),
                note={"reason_code": "overbroad", "reason": "too broad"})  # fmt: skip
    clock.at = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    for _ in range(3):  # three from Singapore, in December: a row below k
        receive(svc, authority="SG-SPF")
    clock.at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    return svc


def test_request_figures_suppress_small_counts_like_the_report(
    vault: Vault, clock: FixedClock, tmp_path: Path, reader: TestClient
) -> None:
    svc = _requests(vault, clock, tmp_path)
    html = reader.get("/console/overview").text
    # per authority country: VN 6 shown, SG 3 suppressed (drawn as "< 5" only)
    svg, rows = figure(html, "requests-by-authority")
    assert rows == [["SG", "< 5"], ["VN", "6"]]
    assert len(bars(svg)) == 1
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "< 5" in labels and "3" not in labels
    assert ": 3<" not in ET.tostring(svg, encoding="unicode")
    # the same figures as the report's own table over the same period
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    table = requests_table(collect_facts(svc, start, end), 5)
    assert {r["country"]: r["requests"] for r in table.rows} == {"VN": 6, "SG": None, "ALL": 9}
    # per outcome: 2 rejected, suppressed
    svg, rows = figure(html, "requests-by-outcome")
    assert rows == [["Some data produced", "0"], ["No data", "0"], ["Rejected", "< 5"]]
    assert bars(svg) == []
    # per month: November 6, December 3 (suppressed); twelve months, one bar
    svg, rows = figure(html, "requests-by-month")
    assert len(rows) == 12
    assert ["2026-11", "6"] in rows and ["2026-12", "< 5"] in rows
    assert len(bars(svg)) == 1
    december = next(r for r in rows if r[0] == "2026-12")
    assert "3" not in december[1]


def test_removal_figures_stack_outcomes_per_month(
    vault: Vault, clock: FixedClock, reader: TestClient
) -> None:
    svc = TakedownService(vault.runtime, registry=CollectorRegistry())
    clock.at = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
    op = who("olga", "operator")
    cases = [
        svc.receive(source="user_complaint", notice={**NOTICE, "reference": f"N-{i}"},
                    principal=op)
        for i in range(7)
    ]  # fmt: skip
    drive(svc, cases[0], [
        ("validate", "olga", "operator", {}), ("triage", "olga", "operator", {}),
        ("start_review", "olga", "operator", {}),
        ("decide", "rita", "legal_reviewer", {"decision": DECISION_TERMS}),
    ])  # fmt: skip
    clock.at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    html = reader.get("/console/overview").text
    svg, rows = figure(html, "removals-by-month")
    october = next(r for r in rows if r[0] == "2026-10")
    assert october == ["2026-10", "< 5", "0", "0", "6"]  # removed 1: suppressed
    assert len(bars(svg)) == 1  # only October's 6 pending are drawn
    legend = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert legend
    svg, rows = figure(html, "removals-by-requester")
    assert rows == [["User complaint", "7"]]
    assert len(bars(svg)) == 1
    svg, rows = figure(html, "removals-by-outcome")
    assert rows == [["Removed", "< 5"], ["Restricted", "0"], ["No action", "0"], ["Pending", "6"]]
    assert len(bars(svg)) == 1


def test_open_obligations_by_rule_and_country(
    vault: Vault, clock: FixedClock, tmp_path: Path, reader: TestClient
) -> None:
    svc = _requests(vault, clock, tmp_path)
    html = reader.get("/console/overview").text
    open_cases = [
        c for c in svc.cases.iter_cases(kind="authority_request")
        if c.state not in ("closed", "withdrawn")
    ]  # fmt: skip
    by_rule: dict[str, int] = {}
    for c in open_cases:
        rule = (c.data.get("deadline") or {}).get("source", "-")
        by_rule[rule] = by_rule.get(rule, 0) + 1
    rows = re.findall(
        r'<tr data-kind="authority_request" data-rule="([^"]+)">(.*?)</tr>', html, re.S
    )
    assert {rule: int(re.search(r'class="num open">(\d+)<', body).group(1))  # type: ignore[union-attr]
            for rule, body in rows} == by_rule  # fmt: skip
    assert sum(by_rule.values()) == 9


def test_overview_speaks_vietnamese(reader: TestClient) -> None:
    reader.cookies.set("onshore_lang", "vi")
    html = reader.get("/console/overview").text
    assert "Tổng quan" in html and "Số liệu minh bạch" in html
