"""Who may take a step: a named actor, in a role the transition allows (pure).

Example:
    >>> from onshore.core.cases.lifecycle import Transition
    >>> t = Transition("review", "approve", "approved", frozenset({"legal_reviewer"}))
    >>> check_role(t, "legal_reviewer", "request")  # holds: nothing raised
    >>> check_role(t, "operator", "request")
    Traceback (most recent call last):
    ...
    onshore.core.errors.RoleNotPermitted: role 'operator' may not approve a request case
"""

from __future__ import annotations

from onshore.core.cases.lifecycle import Transition
from onshore.core.errors import InputError, RoleNotPermitted


def check_actor(actor: str, role: str) -> None:
    """``InputError`` unless the actor and the role are both named (non-blank strings)."""
    if not isinstance(actor, str) or not actor.strip():
        raise InputError("a case action needs an actor", details={"field": "actor"})
    if not isinstance(role, str) or not role.strip():
        raise InputError("a case action needs a role", details={"field": "role"})


def check_role(transition: Transition, role: str, kind: str) -> None:
    """``RoleNotPermitted`` unless ``role`` may take ``transition`` on a case of ``kind``."""
    if role not in transition.roles:
        raise RoleNotPermitted(
            f"role {role!r} may not {transition.action} a {kind} case",
            details={"action": transition.action, "roles": sorted(transition.roles)},
        )
