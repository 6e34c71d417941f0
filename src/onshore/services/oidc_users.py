"""Which user an OpenID Connect sign-in is: the link by (issuer, subject), or a new user.

A subject is matched only through its link (``SessionStore.link``), never by an e-mail
address or a display name a provider may let anyone choose. A subject with no link is
refused (``auth.oidc_user_unknown``) unless ``[oidc] auto_provision`` is on; then a user is
created, named after the ``username_claim`` (else the subject), holding the roles that
``role_map`` gives the values of the ``roles_claim`` claim, and linked. A subject whose claim
maps to no role is refused all the same: nobody gets in with no role by accident. The new
user is created by the OIDC provisioning principal (recorded on the ledger like any change).

Example:
    >>> roles_from_claims({"groups": ["legal", "x"]}, "groups", {"legal": ["legal_reviewer"]})
    frozenset({'legal_reviewer'})
    >>> username_from_claims({"sub": "a b", "preferred_username": "lan@example.vn"},
    ...                      "preferred_username")
    'lan_example.vn'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from onshore.core.errors import (
    InputError,
    NotFound,
    OidcLinkTaken,
    OidcUserUnknown,
    UserNameTaken,
    UserNotFound,
)
from onshore.core.identity import ROLES, Principal
from onshore.services.sessions import Sessions
from onshore.services.users import Users
from onshore.settings.oidc import OidcSettings

log = logging.getLogger("onshore.server.oidc")

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


def roles_from_claims(
    claims: Mapping[str, Any], claim: str, role_map: Mapping[str, list[str]]
) -> frozenset[str]:
    """The onshore roles ``role_map`` gives the values of ``claims[claim]`` (a string or a
    list of strings; anything else gives none)."""
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(
        r for v in values if isinstance(v, str) for r in role_map.get(v, ()) if r in ROLES
    )


def username_from_claims(claims: Mapping[str, Any], claim: str) -> str:
    """A user name from ``claims[claim]`` (else ``sub``): characters a name may not hold
    become ``_``, at most 64, starting with a letter or digit."""
    raw = claims.get(claim)
    raw = raw if isinstance(raw, str) and raw.strip() else str(claims.get("sub", ""))
    name = _NOT_NAME.sub("_", raw.strip()).lstrip("_.-")[:64]
    return name or "oidc-user"


def provisioner(issuer: str) -> Principal:
    """The principal that creates auto-provisioned users (it holds only ``admin``)."""
    return Principal("service", f"oidc:{issuer}", "OIDC auto-provisioning", frozenset({"admin"}))


def _unknown(reason: str) -> OidcUserUnknown:
    return OidcUserUnknown(
        "no onshore user is linked to this sign-in; ask an administrator",
        details={"reason": reason},
    )


def user_for_claims(
    users: Users,
    sessions: Sessions,
    settings: OidcSettings,
    issuer: str,
    claims: Mapping[str, Any],
) -> Principal:
    """The user a verified ID token's ``claims`` sign in (see module); the principal carries
    the user's current roles."""
    subject = str(claims["sub"])
    user_id = sessions.store.linked_user(issuer, subject)
    if user_id is not None:
        try:
            user = users.get(user_id)
        except UserNotFound:
            raise _unknown("user_gone") from None
        if user.disabled:
            raise _unknown("user_disabled")
        return Principal("user", user.user_id, user.name, user.roles, None, "session")
    if not settings.auto_provision:
        log.info("oidc subject not linked", extra={"issuer": issuer, "subject": subject[:128]})
        raise _unknown("not_linked")
    roles = roles_from_claims(claims, settings.roles_claim, settings.role_map)
    if not roles:
        raise _unknown("no_role")
    name = username_from_claims(claims, settings.username_claim)
    email = claims.get("email")
    email = email if isinstance(email, str) and email.count("@") == 1 and " " not in email else None
    try:
        user = users.create(provisioner(issuer), name, roles, email=email)
    except UserNameTaken:
        raise _unknown("name_taken") from None
    except InputError:
        raise _unknown("name_invalid") from None
    if not sessions.store.link(issuer, subject, user.user_id, sessions.clock.now()):
        raise _unknown("link_conflict")  # another sign-in of the same subject won the race
    log.info("oidc user provisioned", extra={"user_id": user.user_id, "roles": sorted(roles)})
    return Principal("user", user.user_id, user.name, user.roles, None, "session")


def canonical_issuer(issuer: str) -> str:
    """An issuer as links are keyed: without a trailing ``/``.

    Example:
        >>> canonical_issuer("https://id.example/realms/x/")
        'https://id.example/realms/x'
    """
    return issuer.rstrip("/")


def link_user(
    users: Users, sessions: Sessions, issuer: str, subject: str, name_or_id: str
) -> tuple[str, str, str]:
    """Link the provider's ``subject`` to the user ``name_or_id`` (``UserNotFound``;
    ``OidcLinkTaken`` when the subject is linked already); (issuer, subject, user id)."""
    user = users.get(name_or_id)
    issuer = canonical_issuer(issuer)
    if not sessions.store.link(issuer, subject, user.user_id, sessions.clock.now()):
        raise OidcLinkTaken(
            "that subject is linked to a user already; unlink it first",
            details={"issuer": issuer},
        )
    log.info("oidc subject linked", extra={"user_id": user.user_id, "issuer": issuer})
    return issuer, subject, user.user_id


def unlink_subject(sessions: Sessions, issuer: str, subject: str) -> None:
    """Remove the link of the provider's ``subject`` (``NotFound`` when there is none); the
    user's sessions already started stay until they end or the user is disabled."""
    issuer = canonical_issuer(issuer)
    if not sessions.store.unlink(issuer, subject):
        raise NotFound("no user is linked to that subject", details={"issuer": issuer})
    log.info("oidc subject unlinked", extra={"issuer": issuer})
