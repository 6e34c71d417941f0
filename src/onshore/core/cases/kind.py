"""A case kind: a lifecycle table and the custom guards the table names (pure).

Example:
    >>> from onshore.core.cases.takedowns import TAKEDOWNS
    >>> CaseKind(TAKEDOWNS).name
    'takedown'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from onshore.core.cases.guards import Guard
from onshore.core.cases.lifecycle import Lifecycle


@dataclass(frozen=True)
class CaseKind:
    """A case kind: its lifecycle table and the custom guards its table names."""

    lifecycle: Lifecycle
    guards: Mapping[str, Guard] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The kind's name (the lifecycle's)."""
        return self.lifecycle.name
