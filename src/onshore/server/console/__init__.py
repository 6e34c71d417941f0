"""The reviewer console: server-rendered pages at ``/console`` (docs/console.md).

``router`` holds every console page; each page module has its own router (built with
``frame.ConsoleRoute``) and adds one line to ``PAGES``. ``install(app)`` includes the
router and serves the package's ``static/`` (CSS; no CDN) at ``/console/static``. The
frame (templates, sign-in dependency, CSRF, messages, errors as pages) is
``console.frame``; languages and dates are ``console.i18n``.

Example:
    >>> app = FastAPI()
    >>> install(app)
    >>> app.url_path_for("sign_in_page"), app.url_path_for("console-static", path="console.css")
    ('/console/sign-in', '/console/static/console.css')
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from onshore.server.console import case_page, intake, overview, policy, queues, sign_in

#: The page routers, one line each (a new page adds its module's router here).
PAGES: tuple[APIRouter, ...] = (
    sign_in.router,
    queues.router,
    overview.router,
    policy.router,
    case_page.router,
    intake.router,
)

#: Every console page, under ``/console``.
router = APIRouter(prefix="/console", include_in_schema=False)
for _page in PAGES:
    router.include_router(_page)


@router.get("", summary="The console")
async def home() -> Response:
    """``/console`` leads to the overview (``sign_in.HOME``)."""
    return RedirectResponse(sign_in.HOME, status_code=303)


#: The stylesheet and other files the pages load (shipped in the package).
STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve the console from ``app``: its pages and its static files."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
