"""The interactive API docs work offline: ``/docs`` and everything it loads come from this
server (Swagger UI's files ship inside the package), and nothing names another origin."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from onshore.server.api_docs import ASSETS
from tests.server.conftest import TestClient

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'""", html)


def test_the_docs_page_loads_only_same_origin_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text  # no absolute URL: nothing from another origin
    urls = [a or b for a, b in _references(page.text)]
    assert len(urls) == 4, urls  # stylesheet, icon, script, the OpenAPI document
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        got = client.get(url)
        assert got.status_code == 200, url
        suffix = Path(url).suffix
        assert got.headers["content-type"].startswith(EXPECTED[suffix]), (url, got.headers)
        assert len(got.content) > 100, url
    assert '"validatorUrl": null' in page.text  # no document sent to an online validator


def test_the_bundle_is_swagger_ui_5_with_its_licence() -> None:
    bundle = (ASSETS / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert "SwaggerUIBundle" in bundle
    assert "Apache License" in (ASSETS / "LICENSE").read_text(encoding="utf-8")
    assert (ASSETS / "NOTICE").is_file()


def test_redoc_is_not_served_and_assets_refuse_writes(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    refused = client.post("/static/swagger-ui/swagger-ui.css")
    assert refused.status_code == 405
    assert refused.json()["error"]["code"] == "input.method_not_allowed"
    missing = client.get("/static/swagger-ui/nothing.js")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.slow
def test_the_wheel_ships_the_assets(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("onshore-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ASSETS.iterdir():
        assert f"onshore/server/static/swagger-ui/{asset.name}" in names, asset.name
