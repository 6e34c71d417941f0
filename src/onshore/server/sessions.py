"""The browser's side of sessions: the ``onshore_session`` cookie and who it signs in.

The cookie holds the session's secret and is sent ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's page makes the browser send it), ``Path=/`` and, when
the request came over TLS or ``[sessions] secure_cookie = "always"``, ``Secure``. It has no
``Max-Age``: it ends with the browser, and the server ends it sooner (idle and absolute
timeouts, ``services.sessions``). ``sign_in`` destroys whatever session the browser brought
and starts a new one (a fresh secret: session fixation gains nothing). ``principal`` turns a
cookie into the signed-in user's ``Principal`` (``via="session"``), checking the CSRF token
of state-changing requests (``server.csrf``); the user is read again on every request, so a
disabled user or a removed role takes effect at once.

Example:
    >>> COOKIE
    'onshore_session'
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie

from onshore.core.errors import Forbidden, Unauthenticated
from onshore.core.identity import Principal
from onshore.ports.sessions import SessionRecord
from onshore.server import csrf
from onshore.server.context import ServerContext
from onshore.services.sessions import Sessions, StartedSession

log = logging.getLogger("onshore.server.sessions")

#: The session cookie's name.
COOKIE = "onshore_session"

#: The OpenAPI security scheme of the cookie (an alternative to the bearer token).
cookie_scheme = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="SessionCookie",
    description="A browser session (`POST /v1/session`); state-changing requests also carry "
    "the session's CSRF token in `X-CSRF-Token`.",
)


def sessions_of(ctx: ServerContext) -> Sessions:
    """The app's session service."""
    assert ctx.sessions is not None, "create_app opens the session service"
    return ctx.sessions


def secure(request: Request, ctx: ServerContext) -> bool:
    """True when the cookie must be ``Secure``: the request came over TLS, or the settings
    say always."""
    always = ctx.vault.runtime.settings.sessions.secure_cookie == "always"
    return always or request.url.scheme == "https"


def set_cookie(response: Response, request: Request, ctx: ServerContext, secret: str) -> None:
    """Put the session cookie on ``response``."""
    response.set_cookie(
        COOKIE,
        secret,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure(request, ctx),
    )


def clear_cookie(response: Response, request: Request, ctx: ServerContext) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request, ctx)
    )


def sign_in(request: Request, ctx: ServerContext, user_id: str, method: str) -> StartedSession:
    """Destroy the session the browser brought (if any) and start a new one for ``user_id``
    (call from a worker thread; the caller sets the cookie)."""
    sessions = sessions_of(ctx)
    brought = request.cookies.get(COOKIE)
    if brought:
        sessions.end(brought)
    started = sessions.start(user_id, method)
    log.info(
        "signed in",
        extra={"user_id": user_id, "session_id": started.record.session_id, "method": method},
    )
    return started


def _resolve(ctx: ServerContext, secret: str) -> tuple[Principal, SessionRecord]:
    record = sessions_of(ctx).resume(secret)
    try:
        found = ctx.users.current(record.user_id, via="session", session_id=record.session_id)
    except (Unauthenticated, Forbidden):  # gone, disabled or holding no role: signed out
        sessions_of(ctx).end(secret)
        raise
    return found, record


async def signed_in(
    request: Request, ctx: ServerContext, secret: str
) -> tuple[Principal, SessionRecord]:
    """The principal a session cookie signs in, and its session; 401 when the session is
    unknown, expired or its user disabled; 403 ``auth.csrf_failed`` for a state-changing
    request without the session's CSRF token."""
    try:
        found, record = await run_in_threadpool(_resolve, ctx, secret)
    except Unauthenticated as exc:
        ctx.metrics.auth_failures.labels(reason=str(exc.details.get("reason", "session"))).inc()
        raise
    await csrf.check(request, secret, record.session_id)
    return found, record


async def principal(request: Request, ctx: ServerContext, secret: str) -> Principal:
    """The principal of ``signed_in`` (what ``server.auth.require`` uses for the cookie)."""
    return (await signed_in(request, ctx, secret))[0]
