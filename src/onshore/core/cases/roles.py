"""Who may take a step: the principal, in the first role it holds that the step allows (pure).

The role recorded for a step is ``principal.acting_role(allowed)``; a principal holding none
of the allowed roles is refused with ``RoleNotPermitted``. Nobody names the actor or the
role: they come from the authenticated principal (:mod:`onshore.core.identity`).

Example:
    >>> from onshore.core.identity import Principal
    >>> rita = Principal("user", "usr_1", "rita", frozenset({"legal_reviewer"}))
    >>> acting_role(rita, frozenset({"legal_reviewer", "approver"}), "request", "approve")
    'legal_reviewer'
    >>> acting_role(rita, frozenset({"approver"}), "request", "release")
    Traceback (most recent call last):
    ...
    onshore.core.errors.RoleNotPermitted: role 'legal_reviewer' may not release a request case
"""

from __future__ import annotations

from collections.abc import Iterable

from onshore.core.errors import RoleNotPermitted
from onshore.core.identity import Principal

#: The roles that may open a case unless its kind says otherwise (``cases.write`` holders).
OPENERS: frozenset[str] = frozenset({"operator", "legal_reviewer", "admin"})


def acting_role(principal: Principal, allowed: Iterable[str], kind: str, action: str) -> str:
    """The role ``principal`` takes ``action`` in; ``RoleNotPermitted`` when it holds none of
    ``allowed``."""
    allowed = frozenset(allowed)
    role = principal.acting_role(allowed)
    if role is None:
        held = principal.role or "none"
        raise RoleNotPermitted(
            f"role {held!r} may not {action} a {kind} case",
            details={"action": action, "roles": sorted(allowed)},
        )
    return role


def system_actor(name: str, roles: Iterable[str] = ("operator",)) -> Principal:
    """The principal of a step onshore takes by itself (a residency block, an obligation a
    threshold opens): a service principal ``system:<name>``.

    Example:
        >>> system_actor("residency").id
        'system:residency'
    """
    return Principal(
        kind="service",
        id=f"system:{name}",
        name=f"onshore ({name})",
        roles=frozenset(roles),
        via="host",
    )
