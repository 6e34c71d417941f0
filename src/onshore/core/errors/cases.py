"""Errors of the case workflows: transitions, roles, separation of duties, guards (``case.*``)."""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError


class CaseError(OnshoreError):
    """A case workflow refused an action (see ``onshore.core.cases``)."""

    code = "case.error"


class IllegalTransition(CaseError):
    """The lifecycle has no such action from the case's current state.

    ``details`` holds ``lifecycle``, ``state``, ``action`` and the ``allowed`` actions.
    """

    code = "case.illegal_transition"


class RoleNotPermitted(CaseError):
    """The caller's role may not take this action (``details['roles']`` lists who may)."""

    code = "case.role_not_permitted"


class SeparationOfDuties(CaseError):
    """The same person may not take both actions (e.g. legal review and release approval)."""

    code = "case.separation_of_duties"


class GuardFailed(CaseError):
    """A transition's guard does not hold (a missing reason code, an unmet precondition)."""

    code = "case.guard_failed"


class CaseConflict(CaseError):
    """The case changed since it was read (optimistic concurrency), or the id is taken."""

    code = "case.conflict"


class DisclosureBlocked(CaseError):
    """The policy engine did not allow disclosing this region's data to that authority."""

    code = "case.disclosure_blocked"
