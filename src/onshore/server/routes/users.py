"""``/v1/users``: users and their roles (``users.manage``, admins only). Every change is
written to the default region's ledger with the calling principal as the actor.

Passwords are set here only at creation; TOTP enrolment is a host administrator's command
(``onshore users totp``), so a secret never crosses the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field

from onshore.core.identity import ROLES, Principal
from onshore.ports import User
from onshore.server.auth import require
from onshore.server.context import ServerContext, context
from onshore.server.idempotency import idempotency_key
from onshore.server.inputs import LimitedRoute
from onshore.server.models import Responses, Strict, TokenRef
from onshore.server.permissions import Permission

router = APIRouter(prefix="/v1/users", tags=["users"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid, revoked or expired token"},
    403: {"description": "the roles lack users.manage"},
}
_ONE: Responses = {**_ERRORS, 404: {"description": "user.not_found"}}
_NAME = r"^(?!tok_|usr_|svc_)[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


class UserOut(Strict):
    """A user's public facts (never a password hash or TOTP secret)."""

    user_id: str
    name: str
    display_name: str | None
    email: str | None
    roles: list[str]
    disabled: bool
    totp: bool = Field(description="True when the user has a TOTP second factor.")
    locked_until: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        """From the store's user."""
        return cls.model_validate(user.to_dict())


class UserCreate(Strict):
    """A new user: name, roles, and optionally a password and contact facts."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")  # the name's look-ahead

    name: str = Field(min_length=1, max_length=64, pattern=_NAME, examples=["lan"])
    roles: list[str] = Field(
        min_length=1,
        max_length=len(ROLES),
        description="One or more of " + ", ".join(ROLES) + ".",
        json_schema_extra={"items": {"enum": list(ROLES)}},
    )
    password: str | None = Field(
        default=None, min_length=1, max_length=1024, description="Without one, no sign-in."
    )
    display_name: str | None = Field(default=None, min_length=1, max_length=128)
    email: str | None = Field(default=None, min_length=3, max_length=254)


class RolesChange(Strict):
    """Roles to add and to remove (removal wins when a role is in both)."""

    add: list[str] = Field(default_factory=list, max_length=len(ROLES))
    remove: list[str] = Field(default_factory=list, max_length=len(ROLES))


class UserPage(Strict):
    """Users ordered by name."""

    items: list[UserOut]
    next_cursor: str | None


@router.get("", response_model=UserPage, responses=_ERRORS)
def list_users(
    limit: int | None = Query(default=None, ge=1),
    cursor: str | None = Query(default=None, max_length=64),
    _: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserPage:
    """Every user, a page at a time."""
    size = min(limit or ctx.options.page_limit, ctx.options.max_page_limit)
    found = ctx.users.page(cursor, size + 1)
    page = found[:size]
    return UserPage(
        items=[UserOut.of(u) for u in page],
        next_cursor=page[-1].name if len(found) > size else None,
    )


@router.post(
    "",
    status_code=201,
    response_model=UserOut,
    responses={**_ERRORS, 409: {"description": "user.name_taken"}},
)
def create_user(
    body: UserCreate,
    principal: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    _: None = Depends(idempotency_key),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserOut:
    """Add a user holding ``roles``."""
    user = ctx.users.create(
        principal,
        body.name,
        body.roles,
        password=body.password,
        display_name=body.display_name,
        email=body.email,
    )
    return UserOut.of(user)


@router.get("/{name_or_id}", response_model=UserOut, responses=_ONE)
def get_user(
    name_or_id: TokenRef,
    _: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserOut:
    """One user, by name or id."""
    return UserOut.of(ctx.users.get(name_or_id))


@router.post("/{name_or_id}/disable", response_model=UserOut, responses=_ONE)
def disable_user(
    name_or_id: TokenRef,
    principal: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserOut:
    """Disable a user: no sign-in, and their tokens stop working at once."""
    return UserOut.of(ctx.users.disable(principal, name_or_id))


@router.post("/{name_or_id}/enable", response_model=UserOut, responses=_ONE)
def enable_user(
    name_or_id: TokenRef,
    principal: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserOut:
    """Enable a disabled user again."""
    return UserOut.of(ctx.users.enable(principal, name_or_id))


@router.post("/{name_or_id}/roles", response_model=UserOut, responses=_ONE)
def change_roles(
    name_or_id: TokenRef,
    body: RolesChange,
    principal: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> UserOut:
    """Add and remove roles; the user's tokens lose a removed role on their next request."""
    return UserOut.of(ctx.users.change_roles(principal, name_or_id, body.add, body.remove))
