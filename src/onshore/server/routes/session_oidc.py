"""``/v1/session/oidc``: single sign-on through the ``[oidc]`` provider.

``GET /v1/session/oidc/login`` sends the browser to the provider (303) with a fresh state,
nonce and PKCE challenge, kept in the signed ``onshore_oidc`` cookie for ten minutes
(``SameSite=Lax``: the provider's redirect back is a cross-site navigation).
``GET /v1/session/oidc/callback`` checks the state, exchanges the code, verifies the ID
token (``server.oidc``), finds the user linked to the (issuer, subject) or provisions one
(``services.oidc_users``), and starts a session exactly as a password sign-in does. Every
failure is a typed 4xx (``auth.oidc_*``) and logged without any token.

The callback takes whatever query parameters the provider adds (``iss``,
``session_state``...), so its router does not refuse unknown ones.
"""

from __future__ import annotations

import dataclasses
import logging

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from onshore.core.errors import OidcDisabled, OidcError
from onshore.core.identity import Principal
from onshore.server import sessions
from onshore.server.context import ServerContext, context
from onshore.server.models import Responses
from onshore.server.oidc import PENDING_SECONDS, OidcClient, open_pending, seal_pending
from onshore.server.routes.session import SessionOut, session_out
from onshore.services.oidc_users import canonical_issuer, user_for_claims
from onshore.services.sessions import StartedSession

log = logging.getLogger("onshore.server.oidc")

router = APIRouter(prefix="/v1/session/oidc", tags=["session"])

#: The cookie that carries a sign-in under way (state, nonce, PKCE verifier; signed).
PENDING_COOKIE = "onshore_oidc"

_PATH = "/v1/session/oidc"


def _client(ctx: ServerContext) -> OidcClient:
    if ctx.oidc is None:
        raise OidcDisabled("single sign-on is not configured on this server ([oidc] issuer)")
    return ctx.oidc


@router.get(
    "/login",
    status_code=303,
    summary="Start single sign-on: redirect to the OIDC provider",
    responses={
        303: {"description": "to the provider's authorization endpoint"},
        404: {"description": "OIDC sign-in is not configured"},
        503: {"description": "the provider cannot be reached"},
    },
    response_class=RedirectResponse,
)
async def login(request: Request, ctx: ServerContext = Depends(context)) -> Response:  # noqa: B008
    """Redirect to the provider with a new state, nonce and PKCE ``S256`` challenge."""
    client = _client(ctx)
    url, pending = await run_in_threadpool(client.begin)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        seal_pending(client.cookie_key, pending),
        max_age=PENDING_SECONDS,
        path=_PATH,
        httponly=True,
        samesite="lax",
        secure=sessions.secure(request, ctx),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _finish(
    request: Request, ctx: ServerContext, client: OidcClient
) -> tuple[Principal, StartedSession]:
    now = int(ctx.vault.runtime.clock.now().timestamp())
    pending = open_pending(client.cookie_key, request.cookies.get(PENDING_COOKIE), now=now)
    claims = client.finish(pending, dict(request.query_params))
    settings = ctx.vault.runtime.settings.oidc
    issuer = canonical_issuer(str(claims["iss"]))
    who = user_for_claims(ctx.users, sessions.sessions_of(ctx), settings, issuer, claims)
    started = sessions.sign_in(request, ctx, who.id, "oidc")
    return dataclasses.replace(who, session_id=started.record.session_id), started


_CALLBACK_ERRORS: Responses = {
    303: {"description": "signed in; to [oidc] after_login_url"},
    400: {"description": "auth.oidc_state: no matching sign-in was started in this browser"},
    401: {"description": "auth.oidc_token_invalid: the code or the ID token was refused"},
    403: {"description": "auth.oidc_user_unknown: the subject is linked to no user"},
    404: {"description": "OIDC sign-in is not configured"},
    503: {"description": "the provider cannot be reached"},
}


@router.get(
    "/callback",
    response_model=SessionOut,
    summary="Finish single sign-on: verify the provider's answer and start a session",
    responses=_CALLBACK_ERRORS,
)
async def callback(
    request: Request,
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> Response:
    """Check the state, exchange the code, verify the ID token, map the subject to a user
    and start a session (the cookie is set; the CSRF token is in the answer)."""
    client = _client(ctx)
    try:
        who, started = await run_in_threadpool(_finish, request, ctx, client)
    except OidcError as exc:
        ctx.metrics.auth_failures.labels(reason="oidc").inc()
        log.warning("oidc sign-in refused", extra={"code": exc.code, **exc.details})
        raise
    after = ctx.vault.runtime.settings.oidc.after_login_url
    response: Response
    if after:
        response = RedirectResponse(after, status_code=303)
    else:
        body = session_out(ctx, who, started)
        response = Response(body.model_dump_json(), media_type="application/json")
    sessions.set_cookie(response, request, ctx, started.secret)
    response.delete_cookie(
        PENDING_COOKIE,
        path=_PATH,
        httponly=True,
        samesite="lax",
        secure=sessions.secure(request, ctx),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
