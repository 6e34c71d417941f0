"""``/v1/auth``: a user exchanges name + password (+ TOTP) for an expiring bearer token,
asks who a token belongs to, and revokes it (``onshore login`` / ``whoami`` / ``logout``).

``POST /v1/auth/token`` needs no token. Its failures are typed and say nothing about
whether a name exists (``auth.invalid_credentials`` for an unknown name and a wrong
password alike); repeated failures lock the user (``auth.locked``, 429 with
``Retry-After``). See docs/identities.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field

from onshore.core.errors import AuthError
from onshore.core.identity import Principal
from onshore.server.auth import require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import Responses, Strict
from onshore.server.permissions import Permission
from onshore.server.routes.tokens import TokenOut

router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=LimitedRoute)

_SIGN_IN_ERRORS: Responses = {
    401: {
        "description": "auth.invalid_credentials (unknown name or wrong password), "
        "auth.totp_required, auth.totp_invalid or auth.user_disabled"
    },
    403: {"description": "auth.role_revoked: the user holds no role"},
    422: {"description": "input.invalid: the body does not match the schema"},
    429: {"description": "auth.locked: too many failures; see the Retry-After header"},
}
_SELF_ERRORS: Responses = {
    401: {"description": "missing, invalid, revoked or expired token, or a disabled owner"},
    403: {"description": "auth.role_revoked: the owner no longer holds the token's roles"},
}


class SignIn(Strict):
    """A user's credentials (never logged or stored) and the token lifetime wanted."""

    name: str = Field(min_length=1, max_length=64, examples=["lan"])
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(
        default=None, max_length=16, description="The current TOTP code, when enrolled."
    )
    ttl: int | None = Field(
        default=None,
        ge=1,
        description="Token lifetime in seconds (default 12 hours); a longer one is cut to "
        "identities.login_token_max_ttl_seconds.",
    )


class PrincipalOut(Strict):
    """Who acts: kind, id, name, the roles in force, and the token used."""

    kind: str
    id: str
    name: str
    roles: list[str]
    token_id: str | None
    via: str

    @classmethod
    def of(cls, principal: Principal) -> PrincipalOut:
        """From a principal."""
        return cls.model_validate(principal.to_dict())


class SignedIn(Strict):
    """The new token (shown this once), its facts, and the principal it acts as."""

    token: str
    info: TokenOut
    principal: PrincipalOut


@router.post("/token", status_code=201, response_model=SignedIn, responses=_SIGN_IN_ERRORS)
def sign_in(body: SignIn, ctx: ServerContext = Depends(context)) -> SignedIn:  # noqa: B008
    """Sign in with name and password (and TOTP code): a new bearer token for the user,
    carrying every role they hold, expiring after ``ttl`` seconds."""
    try:
        issued = ctx.users.login(body.name, body.password, body.totp, body.ttl)
    except AuthError as exc:
        ctx.metrics.auth_failures.labels(reason=exc.code.removeprefix("auth.")).inc()
        raise
    principal = ctx.tokens.verify(issued.secret)
    return SignedIn(
        token=issued.secret, info=TokenOut.of(issued.info), principal=PrincipalOut.of(principal)
    )


@router.get("/whoami", response_model=PrincipalOut, responses=_SELF_ERRORS)
async def whoami(
    principal: Principal = Depends(require(Permission.AUTH_SELF)),  # noqa: B008
) -> PrincipalOut:
    """Who the bearer token acts as: its owner and the roles in force."""
    return PrincipalOut.of(principal)


@router.delete("/token", status_code=204, responses=_SELF_ERRORS)
def sign_out(
    principal: Principal = Depends(require(Permission.AUTH_SELF)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> None:
    """Revoke the bearer token of this request (log out); it stops working at once."""
    ctx.users.logout(principal)
