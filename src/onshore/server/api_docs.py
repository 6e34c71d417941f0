"""The interactive API docs (``/docs``, Swagger UI) served from the package: no CDN.

onshore runs where data must stay in-country, often without internet access, so the page and
its script, stylesheet and icon all come from this server: Swagger UI's dist files (5.36.0,
Apache-2.0, with their ``LICENSE`` and ``NOTICE``) are vendored under ``server/static`` and
mounted at ``/static``. Swagger UI's online validator is switched off (it would send the
document to a third party). ReDoc is not served.

Example:
    >>> sorted(p.name for p in ASSETS.iterdir())[:2]
    ['LICENSE', 'NOTICE']
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Where the Swagger UI files are (inside the installed package).
ASSETS = Path(__file__).parent / "static" / "swagger-ui"
#: Where they are served.
PREFIX = "/static/swagger-ui"
SWAGGER_UI_VERSION = "5.36.0"


def install(app: FastAPI) -> None:
    """Mount the assets and serve ``/docs`` over ``app.openapi_url`` (create the app with
    ``docs_url=None, redoc_url=None``)."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="swagger-ui")
    title = f"{app.title}: API docs"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        """The Swagger UI page."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
