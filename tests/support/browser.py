"""Playwright helpers for the console's browser tests: launch Debian's Chromium, sign a
person in through the console's own form, run axe-core in a page, save screenshots.

The tests drive a real ``onshore serve`` (:mod:`tests.support.console_server`) from a real
headless Chromium (:mod:`tests.support.chromium`); nothing is mocked.

Screenshots for the docs are written only when ``CONSOLE_SCREENSHOTS=1`` (not an
``ONSHORE_*`` name: those are settings, and an unknown one is refused), to
``docs/img/console-<name>.png``::

    CONSOLE_SCREENSHOTS=1 .venv/bin/pytest -m browser tests/console
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from tests.support.chromium import chromium_path, launch_args
from tests.support.console_server import ConsoleServer, ConsoleUser

ROOT = Path(__file__).resolve().parents[2]

#: The vendored axe-core (see vendor/axe-core/README.md for its version and licence).
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

#: Where the pages load axe-core from: answered by the browser context itself from the
#: vendored file (never sent to the server), so Chromium caches the compiled script.
AXE_URL = "/__tests__/axe.min.js"

#: Where the docs' screenshots go, and the switch that writes them.
IMG = ROOT / "docs" / "img"
SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS") == "1"

#: The impacts that fail a page (axe's four levels: minor, moderate, serious, critical).
FAILING = ("serious", "critical")

#: A laptop-sized window (the console's layout target is 1280 px).
VIEWPORT = {"width": 1280, "height": 900}


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium through ``executable_path`` (fails when it is missing:
    ``make install`` installs it)."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium not found: run `make install` (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(path), args=launch_args())


def new_context(browser: Browser, server: ConsoleServer, locale: str = "en-GB") -> BrowserContext:
    """A fresh browser profile (its own cookies) pointed at ``server``."""
    context = browser.new_context(
        base_url=server.base, viewport=VIEWPORT, locale=locale, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    body = AXE.read_bytes()
    context.route(
        AXE_URL,
        lambda route: route.fulfill(
            body=body, content_type="text/javascript", headers={"cache-control": "max-age=600"}
        ),
    )
    return context


def sign_in(context: BrowserContext, user: ConsoleUser, next_url: str = "") -> Page:
    """Sign ``user`` in through ``/console/sign-in``; the page they land on."""
    page = context.new_page()
    target = "/console/sign-in" + (f"?next={next_url}" if next_url else "")
    page.goto(target)
    page.fill("#name", user.name)
    page.fill("#password", user.password)
    page.locator("form[action='/console/sign-in'] button[type=submit]").click()
    page.wait_for_load_state()
    if "/console/sign-in" in page.url:
        raise AssertionError(f"sign-in as {user.name} refused: {page.inner_text('main')}")
    return page


def axe(page: Page) -> dict[str, Any]:
    """axe-core's results for ``page`` as loaded now (the script injected into it)."""
    page.add_script_tag(url=AXE_URL)
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return results


def impacts(results: dict[str, Any]) -> Counter[str]:
    """How many elements fail, per impact (minor, moderate, serious, critical)."""
    counts: Counter[str] = Counter()
    for violation in results["violations"]:
        counts[violation.get("impact") or "unknown"] += len(violation["nodes"])
    return counts


def failing(results: dict[str, Any]) -> list[str]:
    """The serious and critical violations, one readable line per failing element."""
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {node['target']}"
        for v in results["violations"]
        if v.get("impact") in FAILING
        for node in v["nodes"]
    ]


def screenshot(page: Page, name: str) -> Path | None:
    """Save ``docs/img/console-<name>.png`` when ``CONSOLE_SCREENSHOTS=1`` (else nothing)."""
    if not SCREENSHOTS:
        return None
    IMG.mkdir(parents=True, exist_ok=True)
    path = IMG / f"console-{name}.png"
    page.screenshot(path=str(path))  # the window (1280 x 900), not the whole page
    return path
