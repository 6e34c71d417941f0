"""The console in a real browser: headless Chromium (Debian's, via Playwright) against a
real ``onshore serve`` with four people signed in through the console's own form.

One server and one browser for the module; each person keeps one browser context (their
own cookies) across the tests. Select these tests with ``-m browser``; ``make test`` runs
them with the rest.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from onshore.core.cases.package import verify_package
from onshore.server.console.i18n import catalog
from onshore.services.production import read_package
from tests.support.browser import (
    VIEWPORT,
    axe,
    failing,
    impacts,
    launch,
    new_context,
    screenshot,
    sign_in,
)
from tests.support.console_server import ConsoleServer, start_console_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """A real ``onshore serve`` with the seeded people and cases."""
    running = start_console_server(tmp_path_factory.mktemp("console"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def people(browser: Browser, server: ConsoleServer) -> Iterator[dict[str, Page]]:
    """One signed-in page per seeded person (reviewer, approver, releaser, auditor), each in
    its own browser context."""
    contexts: list[BrowserContext] = []
    pages = {}
    for role, user in server.users.items():
        context = new_context(browser, server)
        contexts.append(context)
        pages[role] = sign_in(context, user)
    yield pages
    for context in contexts:
        context.close()


def test_sign_in_page_then_signed_in(browser: Browser, server: ConsoleServer) -> None:
    context = new_context(browser, server)
    try:
        page = context.new_page()
        page.goto("/console/overview")
        assert "/console/sign-in" in page.url  # not signed in: sent to the sign-in page
        screenshot(page, "sign-in")
        report(page, "sign-in")
        page.fill("#name", server.users["auditor"].name)
        page.fill("#password", "not the password at all")
        page.locator("form[action='/console/sign-in'] button[type=submit]").click()
        assert page.get_by_role("alert").inner_text().strip()  # refused, said so
        assert "/console/sign-in" in page.url
        landed = sign_in(context, server.users["auditor"], next_url="/console/overview")
        assert landed.url.endswith("/console/overview")
        assert server.users["auditor"].name in landed.inner_text("header")
    finally:
        context.close()


REQUEST = {
    "authority": "VN-A05",
    "process_type": "court_order",
    "reference": "TA-2026-7",
    "legal_basis": "Criminal Procedure Code art. 196",
    "scope": {"phone_number": ["0912345678"], "categories": ["email"]},
    "respond_within": {"amount": 2, "unit": "working_day"},
}


def receive(page: Page) -> str:
    """Log a request as it arrives, in the console's "New case" form (plain fields as text,
    the scope and the deadline as JSON); its case id."""
    page.goto("/console/queues/authority_request")
    with page.expect_navigation():
        page.get_by_role("link", name="New case").click()
    form = page.locator("form[action='/console/new/requests']")
    for name, value in REQUEST.items():
        field = form.locator(f"[name={name}]")
        if isinstance(value, dict):
            field.fill(json.dumps(value))
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/console/cases/authority_request/" in page.url, page.inner_text("main")
    return page.url.rsplit("/", 1)[1]


def act(page: Page, action: str, **fields: str) -> None:
    """Fill the action's form on the case page and send it; the step must be taken."""
    form = page.locator(f"#action-{action} form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#action-error").count() == 0, page.inner_text("#action-error")
    assert page.get_by_role("status").first.inner_text(), action  # "Done: ..."


def test_request_from_receipt_to_two_person_release(
    people: dict[str, Page], tmp_path: Path
) -> None:
    lan, minh, ada = people["reviewer"], people["approver"], people["releaser"]
    case_id = receive(lan)
    url = f"/console/cases/authority_request/{case_id}"
    lan.goto(url)
    act(lan, "authenticate")
    act(lan, "verify", channel="a05-portal")
    act(lan, "submit")
    minh.goto(url)
    act(minh, "approve")
    for action in ("check_residency", "collect", "submit_qa", "package", "request_release"):
        lan.goto(url)
        act(lan, action)
    minh.goto(url)  # approved in review: the page says why they may not release
    release = minh.locator("#action-release")
    assert release.locator(".blocked").is_visible() and release.locator("form").count() == 0
    assert "case.separation_of_duties" in release.inner_text()
    refused = minh.request.post(
        f"{url}/actions/release", form={"csrf_token": csrf_of(minh)}
    )  # sent anyway (a hand-made form post): the server refuses it too
    assert refused.status == 403 and "case.separation_of_duties" in refused.text()
    ada.goto(url)
    act(ada, "release")
    assert "Produced" in ada.inner_text("dl.summary")
    two = ada.locator("section[aria-labelledby=two-h]").inner_text()
    assert "minh" in two and "ada" in two and "a second person" in two
    screenshot(ada, "case")
    report(ada, "case page (produced)")
    check_package(lan, url, case_id, tmp_path)
    check_ledger(lan)


def csrf_of(page: Page) -> str:
    """The CSRF token of the page's session."""
    token: str = page.request.get("/v1/session").json()["csrf_token"]
    return token


def check_package(page: Page, url: str, case_id: str, tmp_path: Path) -> None:
    """The page says the package verifies; the downloaded zip verifies with the package
    verification code the CLI and the API use."""
    page.goto(url)
    assert "The released package verifies" in page.inner_text("section[aria-labelledby=files-h]")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the production package (zip)").click()
    archive = tmp_path / "package.zip"
    got.value.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path / "package")
    files = dict(read_package(tmp_path / "package" / case_id))
    assert "manifest.json" in files and verify_package(files).ok
    name = next(n for n in files if n != "manifest.json" and n.endswith(".json"))
    files[name] = files[name].replace(b"{", b"{ ", 1)  # one byte more: no longer verifies
    assert not verify_package(files).ok


def check_ledger(page: Page) -> None:
    """Every step wrote a leaf; the first and the last verify against the signed checkpoint."""
    steps = page.locator("ol.timeline > li").count()
    buttons = page.locator("section[aria-labelledby=ledger-h] button[type=submit]")
    assert buttons.count() >= steps
    for which in (buttons.first, buttons.last):
        with page.expect_navigation():
            which.click()
        verdict = page.locator("#verification").inner_text()
        assert verdict.startswith("✔ Verified"), verdict


def test_breached_takedown_flagged_in_its_queue_and_on_its_page(
    people: dict[str, Page], server: ConsoleServer
) -> None:
    page = people["reviewer"]
    page.goto("/console/queues/takedown")
    late = page.locator("tr", has=page.get_by_role("link", name=server.late_takedown))
    on_time = page.locator("tr", has=page.get_by_role("link", name=server.on_time_takedown))
    assert late.locator("[data-badge=breached]").is_visible()
    assert on_time.count() == 1 and on_time.locator("[data-badge=breached]").count() == 0
    screenshot(page, "queue")
    page.select_option("#due", "breached")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    listed = page.locator("td.id a").all_inner_texts()
    assert server.late_takedown in listed and server.on_time_takedown not in listed
    page.get_by_role("link", name=server.late_takedown).click()  # and on its page
    page.wait_for_load_state()
    clocks = page.locator("section[aria-labelledby=clocks-h]")
    assert clocks.locator(".badge.breached").is_visible(), clocks.inner_text()
    assert "VN-LCS25-takedown" in clocks.inner_text()  # the rule that set the deadline
    page.goto(f"/console/cases/takedown/{server.on_time_takedown}")
    assert page.locator("section[aria-labelledby=clocks-h] .badge.breached").count() == 0


def test_vietnamese_with_the_deployment_time_zone(people: dict[str, Page]) -> None:
    vi = catalog("vi")
    page = people["auditor"]
    page.goto("/console/queues/takedown")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("nav.languages a[lang=vi]").click()
    page.wait_for_load_state()
    try:
        assert page.url.endswith("/console/queues/takedown")  # the switch comes back here
        assert page.locator("html").get_attribute("lang") == "vi"
        text = page.inner_text("body")
        for msgid in ("Deadline", "Breached", "Overview"):
            assert vi.gettext(msgid) != msgid and vi.gettext(msgid) in text, msgid
        assert "Asia/Ho_Chi_Minh (UTC+07:00)" in page.inner_text("footer")
        stamp = page.locator("td time").first
        at = datetime.fromisoformat(stamp.get_attribute("datetime") or "")
        local = at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        assert local.strftime("%H:%M") in stamp.inner_text()  # shown in Ho Chi Minh time
        screenshot(page, "queue-vi")
        report(page, "queue (vi)")
        page.goto("/console/overview")
        assert vi.gettext("Overview") in page.inner_text("h1")
        screenshot(page, "overview-vi")
    finally:
        page.locator("nav.languages a[lang=en]").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_axe_on_every_page_and_the_tablet_layout(
    people: dict[str, Page], server: ConsoleServer
) -> None:
    page = people["reviewer"]
    page.goto("/console/overview")
    nav = page.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.pathname)")
    cases = [f"/console/cases/takedown/{server.late_takedown}", "/console/new/requests"]
    pages = [*nav, *cases]
    assert "/console/policy" in pages and "/console/queues/takedown" in pages
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.ok, path
        report(page, path)
    page.goto("/console/overview")
    screenshot(page, "overview")
    page.goto("/console/policy")
    screenshot(page, "policy")
    page.set_viewport_size(TABLET)  # a tablet held upright: nothing wider than the screen
    try:
        for path in pages:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= TABLET["width"], (path, width)
    finally:
        page.set_viewport_size(VIEWPORT)


def report(page: Page, name: str) -> None:
    """Run axe on ``page``, print its counts, fail on any serious or critical violation."""
    results = axe(page)
    counts = impacts(results)
    print(f"axe {name}: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in AXE_LEVELS))
    assert not failing(results), "\n".join(failing(results))


AXE_LEVELS = ("critical", "serious", "moderate", "minor")
TABLET = {"width": 768, "height": 1024}
