"""``/v1/session/oidc/links``: which user each OpenID Connect subject signs in as (admin).

A provider's subject signs in as a user only through a link by (issuer, subject); these
routes make and remove links for existing users (``[oidc] auto_provision`` makes them for new
users). The issuer defaults to the configured ``[oidc] issuer``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from onshore.core.errors import OidcDisabled
from onshore.core.identity import Principal
from onshore.server.auth import require
from onshore.server.context import ServerContext, context
from onshore.server.idempotency import idempotency_key
from onshore.server.inputs import LimitedRoute
from onshore.server.models import Responses, Strict
from onshore.server.permissions import Permission
from onshore.server.sessions import sessions_of
from onshore.services.oidc_users import link_user, unlink_subject

router = APIRouter(prefix="/v1/session/oidc/links", tags=["session"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid or revoked credentials"},
    403: {"description": "the role lacks the permission (users.manage)"},
    404: {"description": "no such user (or link), or OIDC sign-in is not configured"},
}


class LinkIn(Strict):
    """A subject at the provider and the user it signs in as."""

    user: str = Field(min_length=1, max_length=128, description="The user's name or id.")
    subject: str = Field(min_length=1, max_length=255, description="The ID token's ``sub``.")
    issuer: str | None = Field(
        default=None, max_length=512, description="The provider; default: [oidc] issuer."
    )


class LinkOut(Strict):
    """A link: (issuer, subject) signs in as ``user_id``."""

    issuer: str
    subject: str
    user_id: str


def _issuer(ctx: ServerContext, given: str | None) -> str:
    configured = ctx.vault.runtime.settings.oidc.issuer
    if given:
        return given
    if not configured:
        raise OidcDisabled("single sign-on is not configured on this server ([oidc] issuer)")
    return configured


@router.post(
    "",
    status_code=201,
    response_model=LinkOut,
    summary="Link an OIDC subject to an existing user",
    responses={**_ERRORS, 409: {"description": "auth.oidc_link_taken: the subject is linked"}},
)
def create_link(
    body: LinkIn,
    _: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    __: None = Depends(idempotency_key),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> LinkOut:
    """From now on, this subject's OIDC sign-ins are this user's."""
    issuer, subject, user_id = link_user(
        ctx.users, sessions_of(ctx), _issuer(ctx, body.issuer), body.subject, body.user
    )
    return LinkOut(issuer=issuer, subject=subject, user_id=user_id)


@router.delete(
    "",
    status_code=204,
    summary="Remove the link of an OIDC subject",
    responses=_ERRORS,
)
def delete_link(
    subject: str = Query(min_length=1, max_length=255),
    issuer: str | None = Query(default=None, max_length=512),
    _: Principal = Depends(require(Permission.USERS_MANAGE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> Response:
    """The subject signs in as nobody until linked again."""
    unlink_subject(sessions_of(ctx), _issuer(ctx, issuer), subject)
    return Response(status_code=204)
