"""The console's sign-in and sign-out pages and the language switch.

``POST /console/sign-in`` checks the name, password and TOTP code with the same users
service as ``POST /v1/session`` (lockout and backoff included), starts the session the
same way (``server.sessions.sign_in``: any session the browser brought is destroyed) and
sends the browser on to ``next``. A refused sign-in is shown in the page, in the reader's
language (a locked account with the wait, HTTP 429 and ``Retry-After``). The sign-in form
itself carries a token that must match the ``onshore_signin`` cookie set with the form
(so no other site can sign a browser in to an account of its choosing). When ``[oidc]`` is
configured the page also offers single sign-on (``/v1/session/oidc/login``).

``POST /console/sign-out`` (with the session's CSRF token) ends the session server-side.
``GET /console/language/<lang>?next=`` keeps the reader's language in a cookie.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from onshore.core.errors import AccountLocked, AuthError, CsrfFailed, TotpRequired
from onshore.core.identity import Principal
from onshore.server import sessions
from onshore.server.console import i18n
from onshore.server.console.frame import (
    PREFIX,
    ConsoleRoute,
    ctx_of,
    form,
    reader,
    redirect,
    render,
    safe_next,
    translate,
)

log = logging.getLogger("onshore.server.sessions")

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

#: The cookie that pairs the sign-in form with this browser.
SIGN_IN_COOKIE = "onshore_signin"

#: Where ``/console`` and a sign-in without ``next`` lead.
HOME = f"{PREFIX}/overview"

#: A year: how long the language cookie lasts.
_YEAR = 365 * 24 * 3600


def _problem(request: Request, exc: AuthError) -> str:
    if isinstance(exc, AccountLocked):
        wait = exc.details.get("retry_after", 60)
        return translate(
            request, "Too many failed sign-ins. Try again in %(seconds)s seconds.", seconds=wait
        )
    if isinstance(exc, TotpRequired):
        return translate(request, "Enter the one-time code from your authenticator app.")
    if exc.code == "auth.user_disabled":
        return translate(request, "This account is disabled. Ask an administrator.")
    if exc.code == "auth.totp_invalid":
        return translate(request, "The one-time code is wrong or has expired.")
    return translate(request, "The name or the password is wrong.")


def _page(
    request: Request,
    *,
    next_url: str,
    name: str = "",
    problem: str | None = None,
    code: str | None = None,
    status: int = 200,
) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "sign_in.html",
        status_code=status,
        next=next_url,
        name=name,
        problem=problem,
        problem_code=code,
        sign_in_token=token,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        path=f"{PREFIX}/sign-in",
        httponly=True,
        samesite="strict",
        secure=sessions.secure(request, ctx_of(request)),
    )
    return response


@router.get("/sign-in", summary="The sign-in page")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (name, password, one-time code; single sign-on when configured)."""
    return _page(request, next_url=safe_next(next or HOME))


@router.post("/sign-in", summary="Sign in from the form")
async def sign_in(request: Request) -> Response:
    """Check the form's credentials and start a session (see module)."""
    ctx = ctx_of(request)
    fields = await form(request)
    next_url = safe_next(fields.get("next") or HOME)
    name = fields.get("name", "")[:128]
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    presented = fields.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected.encode(), presented.encode()):
        raise CsrfFailed(
            "the sign-in form is stale or came from another site: reload it",
            details={"reason": "missing" if not presented else "mismatch"},
        )
    if not name or not fields.get("password"):
        problem = translate(request, "Enter your name and your password.")
        return _page(request, next_url=next_url, name=name, problem=problem, status=422)
    password = fields.get("password", "")[:1024]
    totp = fields.get("totp", "").replace(" ", "")[:16] or None
    try:
        who: Principal = await run_in_threadpool(ctx.users.authenticate, name, password, totp)
    except AuthError as exc:
        ctx.metrics.auth_failures.labels(reason="sign_in").inc()
        log.warning("sign-in refused", extra={"user": name, "code": exc.code, "via": "console"})
        status = 429 if isinstance(exc, AccountLocked) else 401
        problem = _problem(request, exc)
        page = _page(
            request, next_url=next_url, name=name, problem=problem, code=exc.code, status=status
        )
        if isinstance(exc, AccountLocked):
            page.headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        return page
    started = await run_in_threadpool(sessions.sign_in, request, ctx, who.id, "password")
    response = RedirectResponse(next_url, status_code=303)
    sessions.set_cookie(response, request, ctx, started.secret)
    response.delete_cookie(SIGN_IN_COOKIE, path=f"{PREFIX}/sign-in")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-out", summary="Sign out")
async def sign_out(request: Request, _who: Principal = Depends(reader)) -> Response:  # noqa: B008
    """End the session (the form carries its CSRF token) and go back to the sign-in page."""
    ctx = ctx_of(request)
    secret = request.cookies.get(sessions.COOKIE, "")
    ended = await run_in_threadpool(sessions.sessions_of(ctx).end, secret)
    if ended is not None:
        log.info("signed out", extra={"session_id": ended.session_id, "via": "console"})
    response = redirect(f"{PREFIX}/sign-in", translate(request, "You are signed out."))
    sessions.clear_cookie(response, request, ctx)
    return response


@router.get("/language/{lang}", summary="Switch the console's language")
async def switch_language(request: Request, lang: str, next: str | None = None) -> Response:
    """Keep ``lang`` in the language cookie and go back to ``next``."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            lang,
            max_age=_YEAR,
            path="/",
            samesite="lax",
            secure=sessions.secure(request, ctx_of(request)),
        )
    return response
