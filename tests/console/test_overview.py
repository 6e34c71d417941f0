"""The console's overview page over real SQLite stores: counts per region as the stores hold
them, checkpoints, open obligations, and the transparency charts with the report's
small-count suppression.

One deployment per module is seeded once (:func:`seeded`): records of four subjects, nine
authority requests (six from Viet Nam in November, two of them rejected; three from
Singapore in December) and seven takedown notices in October (one decided ``remove``); the
clock then stands at :data:`START` (December 2026).
"""

from __future__ import annotations

import re
import socket
import time
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
from onshore.server.console import overview
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.runtime import open_runtime
from onshore.services.takedowns import TakedownService
from onshore.services.transparency import collect_facts
from onshore.services.vault import Vault
from tests.authority_requests.conftest import REGISTRY_YAML
from tests.authority_requests.test_flow import receive
from tests.cases.conftest import who
from tests.console.support import (
    START,
    TestClient,
    add_user,
    app,
    client,
    clock,
    console_tables,
    fresh_name,
    make_settings,
    server,
    sign_in,
    vault,
)
from tests.takedowns.conftest import DECISION_TERMS, NOTICE, drive

__all__ = ["app", "client", "clock", "console_tables", "server", "vault"]  # fixtures used here

SVG = "{http://www.w3.org/2000/svg}"
CELL = r"<t[hd][^>]*>(.*?)</t[hd]>"
PEOPLE = {"u-an": "VN", "u-binh": "VN", "u-chi": "VN", "u-tan": "SG"}


@pytest.fixture(scope="module")
def seeded(vault: Vault, clock: FixedClock) -> AuthorityRequestService:
    """The module's deployment with its records, requests and notices (see module)."""
    for subject, country in PEOPLE.items():
        for n in range(2 if country == "VN" else 3):
            vault.put(subject, "post", {"post": f"bài {n}", "phone": "+84912345678"},
                      {"declared_residence": country})  # fmt: skip
    vault.ledger("vn-hcm").checkpoint(START)
    (Path(vault.runtime.settings.base_dir) / "authorities.yaml").write_text(REGISTRY_YAML)
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
    notices = TakedownService(vault.runtime, registry=CollectorRegistry())
    clock.at = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
    cases = [
        notices.receive(source="user_complaint", notice={**NOTICE, "reference": f"N-{i}"},
                        principal=who("olga", "operator"))
        for i in range(7)
    ]  # fmt: skip
    drive(notices, cases[0], [
        ("validate", "olga", "operator", {}), ("triage", "olga", "operator", {}),
        ("start_review", "olga", "operator", {}),
        ("decide", "rita", "legal_reviewer", {"decision": DECISION_TERMS}),
    ])  # fmt: skip
    clock.at = START
    return svc


@pytest.fixture(scope="module")
def page(seeded: AuthorityRequestService, app: FastAPI, server: TestClient) -> str:
    """The overview as an auditor sees it (English)."""
    name = fresh_name("auditor")
    add_user(app, name, ["auditor"])
    server.cookies.clear()
    sign_in(server, name)
    answer = server.get("/console/overview")
    assert answer.status_code == 200, answer.text
    return answer.text


def figure(html: str, ident: str) -> tuple[ET.Element, list[list[str]]]:
    """The chart (parsed SVG) and the table rows (cell texts) of figure ``ident``."""
    block = re.search(rf'<figure class="panel figure" id="{ident}">(.*?)</figure>', html, re.S)
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


def region_row(html: str, name: str) -> str:
    found = re.search(rf'<tr data-region="{name}">(.*?)</tr>', html, re.S)
    assert found, name
    return found.group(1)


def test_signed_out_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/overview")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=")
    assert client.get("/console").headers["location"] == "/console/overview"


def test_counts_per_region_match_the_stores(vault: Vault, page: str) -> None:
    for name, region in vault.runtime.regions.items():
        row = region_row(page, name)
        cells = dict(re.findall(r'<td class="num (\w+)">(\d+)</td>', row))
        assert int(cells["records"]) == region.db.records.count()
        assert int(cells["subjects"]) == region.db.records.count_subjects()
        assert int(cells["leaves"]) == vault.ledger(name).store.size()
        assert "Reachable" in row
    vn, sg = region_row(page, "vn-hcm"), region_row(page, "sg-1")
    assert '<td class="num records">6</td>' in vn and '<td class="num subjects">3</td>' in vn
    assert '<td class="num records">3</td>' in sg and '<td class="num subjects">1</td>' in sg
    # no personal data on the page: no subject id, no phone number
    assert "u-an" not in page and "84912345678" not in page


def test_latest_checkpoint_is_shown(vault: Vault, page: str) -> None:
    row = region_row(page, "vn-hcm")
    latest = vault.ledger("vn-hcm").store.latest_checkpoint()
    assert latest is not None
    size, root, _note, key_id, _at = latest
    assert root.hex() in row and key_id in row and f"Size {size}," in row
    assert 'datetime="2026-12-07T02:00:00+00:00"' in row and "9:00" in row  # in Ha Noi time
    assert "None yet" in region_row(page, "sg-1")


def test_request_figures_suppress_small_counts_like_the_report(
    seeded: AuthorityRequestService, page: str
) -> None:
    # per authority country: VN 6 shown, SG 3 suppressed (drawn as "< 5" only)
    svg, rows = figure(page, "requests-by-authority")
    assert rows == [["SG", "< 5"], ["VN", "6"]]
    assert len(bars(svg)) == 1
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "< 5" in labels and "3" not in labels
    assert ": 3<" not in ET.tostring(svg, encoding="unicode")
    # the same figures as the report's own table over the same year
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    table = requests_table(collect_facts(seeded, start, end), 5)
    assert {r["country"]: r["requests"] for r in table.rows} == {"VN": 6, "SG": None, "ALL": 9}
    # per outcome: 2 rejected, suppressed
    svg, rows = figure(page, "requests-by-outcome")
    assert rows == [["Some data produced", "0"], ["No data", "0"], ["Rejected", "< 5"]]
    assert bars(svg) == []
    # per month: November 6, December 3 (suppressed); twelve months, one bar
    svg, rows = figure(page, "requests-by-month")
    assert [r[0] for r in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert ["2026-11", "6"] in rows and ["2026-12", "< 5"] in rows
    assert len(bars(svg)) == 1


def test_removal_figures_stack_outcomes_per_month(page: str) -> None:
    svg, rows = figure(page, "removals-by-month")
    october = next(r for r in rows if r[0] == "2026-10")
    assert october == ["2026-10", "< 5", "0", "0", "6"]  # 1 removed: suppressed
    assert len(bars(svg)) == 1  # only October's 6 pending are drawn
    assert [g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend"]
    svg, rows = figure(page, "removals-by-requester")
    assert rows == [["User complaint", "7"]] and len(bars(svg)) == 1
    svg, rows = figure(page, "removals-by-outcome")
    assert rows == [["Removed", "< 5"], ["Restricted", "0"], ["No action", "0"], ["Pending", "6"]]
    assert len(bars(svg)) == 1


def test_open_obligations_by_rule_and_country(
    seeded: AuthorityRequestService, vault: Vault, page: str
) -> None:
    engine = vault.runtime.engine
    expected: dict[tuple[str, str], int] = {}
    for kind in ("authority_request", "takedown"):
        for case in seeded.cases.iter_cases(kind=kind):
            if case.state in ("closed", "withdrawn"):
                continue
            rule = (case.data.get("deadline") or {}).get("source") or "-"
            expected[(kind, rule)] = expected.get((kind, rule), 0) + 1
    shown = {}
    for kind, rule, body in re.findall(
        r'<tr data-kind="(\w+)" data-rule="([^"]+)">(.*?)</tr>', page, re.S
    ):
        shown[(kind, rule)] = int(re.search(r'class="num open">(\d+)<', body).group(1))  # type: ignore[union-attr]
        if rule not in ("-", "request"):
            pack = next(p for p in engine.packs if p.id == engine.pack_of(rule))
            assert f"<td>{pack.pack.jurisdiction}</td>" in body
    assert shown == expected
    assert sum(v for (k, _r), v in shown.items() if k == "authority_request") == 9
    assert sum(v for (k, _r), v in shown.items() if k == "takedown") == 7


def test_overview_speaks_vietnamese(seeded: AuthorityRequestService, app: FastAPI,
                                    client: TestClient) -> None:  # fmt: skip
    name = fresh_name("auditor")
    add_user(app, name, ["auditor"])
    sign_in(client, name)
    client.cookies.set("onshore_lang", "vi")
    html = client.get("/console/overview").text
    assert "Tổng quan" in html and "Số liệu minh bạch" in html
    assert "Yêu cầu của cơ quan chức năng theo quốc gia" in html  # a chart's title


def _figures(html: str) -> str:
    return html[html.index('<section aria-labelledby="figures-heading">') :]


def test_figures_are_kept_a_while_then_read_again(
    seeded: AuthorityRequestService, page: str, app: FastAPI, client: TestClient
) -> None:
    # (last in the module: it adds requests to the module's deployment)
    name = fresh_name("auditor")
    add_user(app, name, ["auditor"])
    sign_in(client, name)
    for _ in range(3):
        receive(seeded, authority="SG-SPF")
    again = client.get("/console/overview").text
    assert _figures(again) == _figures(page)  # kept: still three from Singapore
    assert 'Figures as of <time datetime="2026-12-07T02:00:00+00:00">' in again
    kept = app.state.console_figures
    assert kept and all(
        0 < u - time.monotonic() <= overview.FIGURES_TTL for u, _a, _f in kept.values()
    )
    for key, (_until, at, figures) in list(kept.items()):  # as FIGURES_TTL seconds later
        kept[key] = (time.monotonic() - 1, at, figures)
    fresh = client.get("/console/overview").text
    assert figure(fresh, "requests-by-authority")[1] == [["SG", "6"], ["VN", "6"]]


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
            sign_in(client, "an")
            page = client.get("/console/overview")
    finally:
        vault.close()
    assert page.status_code == 200
    row = region_row(page.text, "vn-hcm")
    assert "Unavailable" in row and '<code class="error-code">store.unavailable</code>' in row
    assert "postgres@" not in page.text  # no connection string on the page
    assert "Reachable" in region_row(page.text, "sg-1")
    # the sections that need every region say so, with the code, instead of failing
    assert page.text.count('<code class="error-code">store.unavailable</code>') == 3
