"""A case kind as the case service runs it: a lifecycle table, the custom guards the table
names and the roles that may open a case (pure).

Example:
    >>> from onshore.core.cases.kinds.takedown import TAKEDOWN
    >>> CaseKind.of(TAKEDOWN).name
    'takedown'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.guards import Guard
from onshore.core.cases.lifecycle import Lifecycle
from onshore.core.cases.roles import OPENERS


@dataclass(frozen=True)
class CaseKind:
    """A case kind: its lifecycle table, the custom guards its table names, who may open one."""

    lifecycle: Lifecycle
    guards: Mapping[str, Guard] = field(default_factory=dict)
    openers: frozenset[str] = OPENERS

    @property
    def name(self) -> str:
        """The kind's name (the lifecycle's)."""
        return self.lifecycle.name

    @classmethod
    def of(
        cls, declaration: CaseKindDeclaration, guards: Mapping[str, Guard] | None = None
    ) -> CaseKind:
        """The kind a declaration describes, its pure guards joined by ``guards`` (the ones
        the services layer binds, e.g. those reading a registry)."""
        return cls(
            declaration.lifecycle,
            {**declaration.guards, **(guards or {})},
            declaration.openers,
        )
