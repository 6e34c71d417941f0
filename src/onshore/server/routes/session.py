"""``/v1/session``: browser sign-in with a password (and TOTP) or through OIDC, who is signed
in, and sign-out. The session rides in the ``onshore_session`` cookie (``server.sessions``);
answers that hold the CSRF token are ``Cache-Control: no-store``.

Lockout and backoff after wrong passwords are the users service's; a refused sign-in is
logged with the name tried and the error code, never the password.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, ValidationError

from onshore.core.errors import AuthError, InputError, Unauthenticated
from onshore.core.identity import Principal
from onshore.server import csrf, sessions
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import Responses, Strict
from onshore.services.sessions import StartedSession, csrf_token

log = logging.getLogger("onshore.server.sessions")

router = APIRouter(prefix="/v1/session", tags=["session"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "no session, or one that expired or whose user is disabled"},
    403: {"description": "a state-changing request without the session's CSRF token"},
}


class SignIn(Strict):
    """A user's name, password and, when the user has a second factor, the TOTP code."""

    name: str = Field(min_length=1, max_length=128, examples=["lan"])
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(default=None, max_length=16, examples=["123456"])


class SessionOut(Strict):
    """Who is signed in, the session's CSRF token, and when the session ends."""

    principal: dict[str, Any] = Field(description="The signed-in principal (no secret).")
    session_id: str = Field(description="The session's public id (not a credential).")
    method: str = Field(description="How the user signed in: password or oidc.")
    csrf_token: str = Field(
        description="Send it in X-CSRF-Token (or a csrf_token form field) with every "
        "POST, PUT, PATCH and DELETE signed in by the session cookie."
    )
    created_at: str
    expires_at: str = Field(description="The absolute timeout; idle ones end sooner.")


def session_out(ctx: ServerContext, who: Principal, started: StartedSession) -> SessionOut:
    """The answer to a sign-in."""
    assert ctx.sessions is not None
    record = started.record
    return SessionOut(
        principal=who.to_dict(),
        session_id=record.session_id,
        method=record.method,
        csrf_token=started.csrf_token,
        created_at=record.created_at.isoformat(),
        expires_at=(record.created_at + ctx.sessions.absolute).isoformat(),
    )


async def _sign_in_body(request: Request) -> SignIn:
    data: Any
    try:
        form = await csrf.form_fields(request)
    except ValueError:
        raise InputError("the form has too many fields") from None
    if form is not None:
        data = {k: v for k, v in form.items() if k != csrf.FIELD}
        if not data.get("totp"):
            data.pop("totp", None)
    else:
        data = await request.json()
    try:
        return SignIn.model_validate(data)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        raise InputError(
            "sign-in needs a name and a password (and totp when enrolled)",
            details={"fields": fields},
        ) from None


def _sign_in_schema() -> dict[str, Any]:
    schema = SignIn.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
            },
        }
    }


@router.post(
    "",
    response_model=SessionOut,
    summary="Sign in with a name and password (and TOTP); sets the session cookie",
    responses={
        401: {"description": "wrong name, password or TOTP code, or a disabled user"},
        429: {"description": "auth.locked: too many failed sign-ins (see Retry-After)"},
    },
    openapi_extra=_sign_in_schema(),
)
async def sign_in(
    request: Request,
    response: Response,
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> SessionOut:
    """Check the password (and TOTP), destroy any session the browser brought, start a new
    one and set its cookie. The answer carries the CSRF token."""
    body = await _sign_in_body(request)
    try:
        who: Principal = await run_in_threadpool(
            ctx.users.authenticate, body.name, body.password, body.totp
        )
    except AuthError as exc:
        ctx.metrics.auth_failures.labels(reason="sign_in").inc()
        log.warning("sign-in refused", extra={"user": body.name[:128], "code": exc.code})
        raise
    started = await run_in_threadpool(sessions.sign_in, request, ctx, who.id, "password")
    sessions.set_cookie(response, request, ctx, started.secret)
    response.headers["Cache-Control"] = "no-store"
    who = dataclasses.replace(
        who, token_id=None, via="session", session_id=started.record.session_id
    )
    return session_out(ctx, who, started)


def _cookie(secret: str | None) -> str:
    if not secret:
        raise Unauthenticated(
            f"no session: sign in first (POST /v1/session sets the {sessions.COOKIE} cookie)",
            details={"reason": "missing"},
        )
    return secret


@router.get(
    "",
    response_model=SessionOut,
    summary="Who is signed in by this session, and its CSRF token",
    responses=_ERRORS,
)
async def whoami(
    request: Request,
    response: Response,
    secret: str | None = Depends(sessions.cookie_scheme),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> SessionOut:
    """The session's principal (its roles as they are now) and CSRF token."""
    cookie = _cookie(secret)
    who, record = await sessions.signed_in(request, ctx, cookie)
    response.headers["Cache-Control"] = "no-store"
    return session_out(ctx, who, StartedSession(record, "", csrf_token(cookie)))


@router.delete(
    "",
    status_code=204,
    summary="Sign out: destroy the session and drop its cookie",
    responses=_ERRORS,
)
async def sign_out(
    request: Request,
    secret: str | None = Depends(sessions.cookie_scheme),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> Response:
    """Destroy the session server-side (its cookie stops working everywhere at once). Needs
    the CSRF token; a session already gone just drops the cookie."""
    cookie = _cookie(secret)
    response = Response(status_code=204)
    try:
        await sessions.principal(request, ctx, cookie)
    except Unauthenticated:
        pass  # already gone (expired, unknown, user disabled): only the cookie is left
    else:
        ended = await run_in_threadpool(sessions.sessions_of(ctx).end, cookie)
        if ended is not None:
            log.info("signed out", extra={"session_id": ended.session_id})
    sessions.clear_cookie(response, request, ctx)
    return response
