"""``/v1/tokens``: API tokens (admin only). The secret is returned once, at creation.

A token created here belongs to the service account of its name (made, or given the role,
when needed); users get theirs from ``POST /v1/auth/token``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field

from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.idempotency import idempotency_key
from onshore.server.inputs import LimitedRoute
from onshore.server.models import Responses, Strict, TokenRef
from onshore.server.permissions import Permission
from onshore.services.tokens import ROLES, TokenInfo

router = APIRouter(prefix="/v1/tokens", tags=["tokens"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid or revoked token"},
    403: {"description": "the role lacks the permission"},
}


class TokenOut(Strict):
    """A token's public facts (never its secret)."""

    token_id: str
    name: str
    owner_id: str = Field(description="The user (usr_...) or service account (svc_...).")
    role: str = Field(description="The first of ``roles`` (kept for older clients).")
    roles: list[str]
    created_at: str
    expires_at: str | None
    revoked_at: str | None

    @classmethod
    def of(cls, info: TokenInfo) -> TokenOut:
        """From the token service's info."""
        return cls.model_validate(info.to_dict())


class TokenCreate(Strict):
    """A new token's name and role."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")  # the name's look-ahead

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^(?!tok_|usr_|svc_)(?!onsh_[A-Za-z0-9_\-]{43}$)[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$",
        description="1-64 letters, digits, _ . -, starting with a letter or digit; not "
        "shaped like a token or an id. Also the name of the service account owning it.",
        examples=["ci-bot"],
    )
    role: str = Field(
        description="One of " + ", ".join(ROLES) + ".",
        examples=["operator"],
        json_schema_extra={"enum": list(ROLES)},
    )


class TokenCreated(Strict):
    """The new token: ``token`` is shown this once."""

    token: str
    info: TokenOut


class TokenPage(Strict):
    """Tokens ordered by name."""

    items: list[TokenOut]
    next_cursor: str | None


@router.get(
    "",
    response_model=TokenPage,
    responses=_ERRORS,
    summary="List API tokens, active and revoked, a page at a time",
)
def list_tokens(
    limit: int | None = Query(default=None, ge=1),
    cursor: str | None = Query(default=None, max_length=64),
    _: Principal = Depends(require(Permission.TOKENS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> TokenPage:
    """Every token (active and revoked), a page at a time."""
    size = min(limit or ctx.options.page_limit, ctx.options.max_page_limit)
    found = ctx.tokens.page(cursor, size + 1)
    page = found[:size]
    return TokenPage(
        items=[TokenOut.of(t) for t in page],
        next_cursor=page[-1].name if len(found) > size else None,
    )


@router.post("", status_code=201, response_model=TokenCreated, responses=_ERRORS)
def create_token(
    body: TokenCreate,
    principal: Principal = Depends(require(Permission.TOKENS_MANAGE)),  # noqa: B008
    __: None = Depends(idempotency_key),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> TokenCreated:
    """Issue a token for the service account ``name``; its secret is in this response and
    nowhere else."""
    issued = ctx.users.service_token(principal, body.name, body.role)
    return TokenCreated(token=issued.secret, info=TokenOut.of(issued.info))


@router.delete(
    "/{name_or_id}",
    response_model=TokenOut,
    responses={**_ERRORS, 404: {"description": "no such token"}},
)
def revoke_token(
    name_or_id: TokenRef,
    _: Principal = Depends(require(Permission.TOKENS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> TokenOut:
    """Revoke a token by name or id (idempotent); it stops working at once."""
    return TokenOut.of(ctx.tokens.revoke(name_or_id))
