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
from urllib.parse import parse_qsl

from fastapi import Request

from onshore.core.errors import CsrfFailed
from onshore.services.sessions import csrf_matches

log = logging.getLogger("onshore.server.csrf")

#: The header that carries the CSRF token.
HEADER = "X-CSRF-Token"

#: The form field that carries it in an HTML form post.
FIELD = "csrf_token"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_FORM = "application/x-www-form-urlencoded"

#: Most fields read from a form body.
MAX_FIELDS = 64


def needs_token(method: str) -> bool:
    """True for a method that changes state (everything but GET, HEAD, OPTIONS, TRACE)."""
    return method.upper() not in SAFE_METHODS


def sent_content_type(request: Request) -> str:
    """The media type the client sent (``server.limits`` relabels every body as JSON and
    keeps the original in the scope's state)."""
    sent = request.scope.get("state", {}).get("content_type")
    value = sent if isinstance(sent, str) else request.headers.get("content-type", "")
    return value.split(";", 1)[0].strip().lower()


async def form_fields(request: Request) -> dict[str, str] | None:
    """The fields of an HTML form body (``application/x-www-form-urlencoded``; the first of
    each name), or None when the body is not one."""
    if sent_content_type(request) != _FORM:
        return None
    text = (await request.body()).decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


async def presented_token(request: Request) -> str | None:
    """The CSRF token the request carries: the header, else a form body's field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    try:
        fields = await form_fields(request)
    except ValueError:  # more fields than MAX_FIELDS
        return None
    return None if fields is None else fields.get(FIELD)


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
