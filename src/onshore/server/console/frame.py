"""The console's frame: templates, the signed-in reader, forms with CSRF, messages, errors.

Every console page is a route of a router built with ``route_class=ConsoleRoute`` and
answered with ``render(request, "page.html", **values)``. Templates come from this
package's ``templates/`` (one Jinja2 environment per language, autoescaped, with the i18n
extension: ``_()``/``ngettext``/``{% trans %}`` speak the reader's language, ``i18n``).
Every template sees ``viewer`` (the signed-in ``Principal`` or None), ``csrf_token`` (put
it in every form as ``{{ csrf_field() }}``), ``lang``, ``kinds`` (the declared case kinds,
for the nav), ``label`` (an identifier as words, ``console.labels``), ``messages``
(flash messages), ``when(dt)`` (a date in the deployment's time zone) and ``zone_label``.

A page that needs a signed-in reader depends on ``reader`` (any signed-in user) or
``reader_may(Permission.X)`` (authorised and written to the ledger like the JSON API's
``require``). Without a session the browser is sent (303) to ``/console/sign-in?next=``
the page it asked for. State-changing console routes are plain HTML form posts; the session
check refuses one without the session's ``csrf_token`` field (403 ``auth.csrf_failed``,
``server.csrf``). A typed error raised by a console route is shown as a page in the
reader's language with its code, never as a JSON body; ``redirect(url, message)`` answers
a form post with 303 and a message shown on the next page.

Example:
    >>> safe_next("/console/queues/takedown?state=received")
    '/console/queues/takedown?state=received'
    >>> safe_next("//evil.example/x"), safe_next("https://evil.example"), safe_next(None)
    ('/console', '/console', '/console')
    >>> safe_next("/console/../v1/records"), safe_next("/consolation")
    ('/console', '/console')
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from onshore.core.cases.registry import KINDS
from onshore.core.errors import InputError, OnshoreError, Unauthenticated
from onshore.core.identity import Principal
from onshore.server import auth, csrf, errors, sessions
from onshore.server.console import i18n, labels
from onshore.server.context import ServerContext, context
from onshore.server.permissions import Permission
from onshore.services.sessions import csrf_token

#: Where the console lives.
PREFIX = "/console"

#: The cookie that carries a message to the next page (after a form post's redirect).
FLASH_COOKIE = "onshore_flash"


class SignInRequired(Exception):
    """Raised by ``reader`` when no valid session signs the browser in."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the page and the CSRF token their forms carry."""

    principal: Principal
    csrf_token: str


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this server under ``/console``, else ``/console``
    (no open redirect through ``?next=``)."""
    if not target or "\\" in target or "//" in target or ".." in target:
        return PREFIX
    if target == PREFIX or target.startswith((f"{PREFIX}/", f"{PREFIX}?")):
        return target
    return PREFIX


def ctx_of(request: Request) -> ServerContext:
    """The server's context."""
    found: ServerContext = request.app.state.onshore
    return found


def language(request: Request) -> str:
    """The reader's language (``i18n.choose`` over the cookie and ``Accept-Language``)."""
    return i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def zone_name(ctx: ServerContext) -> str:
    """The deployment's time zone's name (``[console] time_zone``)."""
    settings = ctx.vault.runtime.settings
    return settings.console.zone_for(settings.deployment.entity.incorporated_in)


@functools.cache
def environment(lang: str) -> Environment:
    """The templates' environment for ``lang`` (one per language, made once)."""
    env = Environment(
        loader=PackageLoader("onshore.server.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.catalog(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def translate(request: Request, message: str, **values: Any) -> str:
    """``message`` in the reader's language, with ``%(name)s`` ``values`` filled in."""
    text = i18n.catalog(language(request)).gettext(message)
    return text % values if values else text


def _flash(request: Request) -> list[str]:
    carried = request.cookies.get(FLASH_COOKIE)
    return [unquote(carried)[:500]] if carried else []


def base_values(request: Request) -> dict[str, Any]:
    """What every template sees (see module)."""
    ctx = ctx_of(request)
    lang = language(request)
    viewer: Viewer | None = getattr(request.state, "console_viewer", None)
    tz = zone_name(ctx)
    now = ctx.vault.runtime.clock.now()
    token = viewer.csrf_token if viewer else ""

    def when(at: datetime | None, form: i18n.Form = "medium") -> Markup:
        if at is None:
            return Markup("")
        text = i18n.format_when(at, lang, tz, form)
        return Markup('<time datetime="{}">{}</time>').format(at.isoformat(), text)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token)

    return {
        "request": request,
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "viewer": viewer.principal if viewer else None,
        "csrf_token": token,
        "csrf_field": csrf_field,
        "lang": lang,
        "languages": [(code, i18n.NAMES[code]) for code in i18n.LANGUAGES],
        "kinds": list(KINDS.values()),
        "label": labels.label,
        "messages": _flash(request),
        "when": when,
        "now": now,
        "zone_label": i18n.zone_label(tz, now),
        "oidc": ctx.oidc is not None,
        "deployment": ctx.vault.runtime.settings.deployment.name,
    }


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """The page ``template`` rendered for the reader with ``values`` (see module)."""
    page = environment(language(request)).get_template(template)
    html = page.render({**base_values(request), **values})
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path=PREFIX)
    return response


def redirect(url: str, message: str | None = None) -> RedirectResponse:
    """A 303 to ``url`` (the answer to a form post), carrying ``message`` to the next page."""
    response = RedirectResponse(url, status_code=303)
    if message:
        response.set_cookie(
            FLASH_COOKIE, quote(message[:500]), path=PREFIX, httponly=True, samesite="strict"
        )
    return response


def sign_in_url(request: Request) -> str:
    """The sign-in page, with ``next`` the page the reader asked for (the console's start
    for a form post: its answer is no page to come back to)."""
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in ("GET", "HEAD"):
        asked = PREFIX
    return f"{PREFIX}/sign-in?next={quote(safe_next(asked), safe='')}"


async def form(request: Request) -> dict[str, str]:
    """The fields of the HTML form posted (``InputError`` when the body is not one)."""
    try:
        fields = await csrf.form_fields(request)
    except ValueError:
        raise InputError("the form has too many fields") from None
    if fields is None:
        raise InputError("expected an HTML form (application/x-www-form-urlencoded)")
    return fields


def _remember(request: Request, principal: Principal) -> Principal:
    secret = request.cookies.get(sessions.COOKIE, "")
    request.state.console_viewer = Viewer(principal, csrf_token(secret))
    return principal


async def reader(
    request: Request,
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> Principal:
    """The signed-in user (any role); ``SignInRequired`` without a valid session. A form
    post without the session's CSRF token is refused (403 ``auth.csrf_failed``)."""
    secret = request.cookies.get(sessions.COOKIE)
    if not secret:
        raise SignInRequired
    try:
        found = await sessions.principal(request, ctx, secret)
    except Unauthenticated:
        raise SignInRequired from None
    return _remember(request, found)


def reader_may(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the signed-in user, authorised for ``permission`` and the decision
    written to the ledger as ``server.auth.require`` does (403 page otherwise)."""

    async def dependency(
        request: Request,
        ctx: ServerContext = Depends(context),  # noqa: B008
    ) -> Principal:
        if not request.cookies.get(sessions.COOKIE):
            raise SignInRequired
        try:
            found = await auth.authorize(request, None, ctx, permission)
        except Unauthenticated:
            raise SignInRequired from None
        return _remember(request, found)

    dependency.__name__ = f"reader_may_{permission.name.lower()}"
    return dependency


def error_page(request: Request, exc: OnshoreError) -> HTMLResponse:
    """A typed error as a page: its status, its code and its (personal-data-free) message."""
    status = errors.status_for(exc)
    response = render(request, "error.html", status_code=status, error=exc, status=status)
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response


class ConsoleRoute(APIRoute):
    """An ``APIRoute`` for pages: no session sends the browser to sign in (303); a typed
    error or a malformed query becomes an error page (see module)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, its errors turned into pages."""
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return RedirectResponse(sign_in_url(request), status_code=303)
            except OnshoreError as exc:
                return error_page(request, exc)
            except RequestValidationError:
                return error_page(request, InputError("the address has a value out of range"))

        return page
