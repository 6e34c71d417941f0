"""Who acts: the authenticated principal behind every case action and API call (pure).

A :class:`Principal` is a user (``usr_...``), a named service account (``svc_...``) or the
host administrator (``host:<os user>``, for local commands that open the stores directly).
It is built only by authentication (a bearer token, a browser session, an OIDC sign-in) or
by :func:`host_administrator`; no command or route takes the actor or the role as input.
Separation of duties compares :attr:`Principal.id`, never a display name.

Example:
    >>> p = Principal("user", "usr_1", "lan", frozenset({"legal_reviewer", "operator"}))
    >>> p.acting_role(frozenset({"legal_reviewer", "approver"}))
    'legal_reviewer'
    >>> p.acting_role(frozenset({"approver"})) is None
    True
    >>> host_administrator("root").id
    'host:root'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

#: Every role a user, service account or token can hold (what each may do over HTTP:
#: ``onshore.server.permissions``; which case steps: the case kinds' declarations).
ROLES: tuple[str, ...] = ("operator", "legal_reviewer", "approver", "auditor", "admin")

#: What kind of principal acts.
PrincipalKind = Literal["user", "service", "host"]

#: How the principal was authenticated.
Via = Literal["token", "session", "oidc", "host"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated identity: its kind, stable id, display name and effective roles.

    ``roles`` are the roles in force for this request: a token's roles that its owner still
    holds. ``token_id`` names the credential used (None for sessions and the host).
    """

    kind: PrincipalKind
    id: str
    name: str
    roles: frozenset[str]
    token_id: str | None = None
    via: Via = "token"
    session_id: str | None = field(default=None, repr=False)

    def has(self, role: str) -> bool:
        """True when ``role`` is among the principal's effective roles."""
        return role in self.roles

    def acting_role(self, allowed: Iterable[str]) -> str | None:
        """The role this principal acts in for a step ``allowed`` to some roles: the first
        of :data:`ROLES` order it holds, or None when it holds none of them."""
        wanted = set(allowed)
        for role in (*ROLES, *sorted(wanted - set(ROLES))):
            if role in wanted and role in self.roles:
                return role
        return None

    @property
    def role(self) -> str:
        """One role to show (the first held, in :data:`ROLES` order); '' when none."""
        return self.acting_role(self.roles) or ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (no secret: the token id names the credential, never holds it)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "roles": sorted(self.roles),
            "token_id": self.token_id,
            "via": self.via,
        }


def host_administrator(os_user: str) -> Principal:
    """The principal of a local command run on the host by ``os_user``: every role (whoever
    can open the stores directly can do anything), recorded as the host administrator.

    Example:
        >>> host_administrator("lan").name
        'host administrator (lan)'
    """
    return Principal(
        kind="host",
        id=f"host:{os_user}",
        name=f"host administrator ({os_user})",
        roles=frozenset(ROLES),
        via="host",
    )
