"""CSRF protection for requests authenticated by the session cookie.

A browser sends the ``onshore_session`` cookie with every request to this server, including
one a hostile page makes it send; the cookie being ``SameSite=Strict`` stops most of those,
and this check stops the rest. Every state-changing request (``POST``, ``PUT``, ``PATCH``,
``DELETE``) that a session cookie authenticates must carry the session's CSRF token
(``GET /v1/session`` and sign-in answer it) in the ``X-CSRF-Token`` header or, for an HTML
form, in a ``csrf_token`` field; otherwise it is refused with 403 ``auth.csrf_failed``.
Requests with a bearer token carry no ambient credential and need no CSRF token.

Example:
    >>> needs_token("GET"), needs_token("POST")
    (False, True)
"""

from __future__ import annotations

import logging

from fastapi import Request

from onshore.core.errors import CsrfFailed
from onshore.services.sessions import csrf_matches

log = logging.getLogger("onshore.server.csrf")

#: The header that carries the CSRF token.
HEADER = "X-CSRF-Token"

#: The form field that carries it in an HTML form post.
FIELD = "csrf_token"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def needs_token(method: str) -> bool:
    """True for a method that changes state (everything but GET, HEAD, OPTIONS, TRACE)."""
    return method.upper() not in SAFE_METHODS


async def presented_token(request: Request) -> str | None:
    """The CSRF token the request carries: the header, else a form body's field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type in _FORMS:
        form = await request.form()  # parsed once; the route reads the same parsed form
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def check(request: Request, secret: str, session_id: str) -> None:
    """Refuse (``CsrfFailed``) a state-changing request whose CSRF token does not match the
    session of ``secret``; let every other request through."""
    if not needs_token(request.method):
        return
    token = await presented_token(request)
    if csrf_matches(secret, token):
        return
    reason = "missing" if not token else "mismatch"
    log.warning(
        "csrf refused",
        extra={"session_id": session_id, "method": request.method, "reason": reason},
    )
    raise CsrfFailed(
        f"a state-changing request signed in by session cookie needs the session's CSRF "
        f"token in {HEADER} (or a {FIELD} form field)",
        details={"reason": reason},
    )
