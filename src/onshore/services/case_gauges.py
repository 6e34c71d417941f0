"""Case gauges: open, overdue and due-soon cases as Prometheus gauges, one set per registry.

:meth:`onshore.services.cases.CaseService.refresh_gauges` counts the cases and sets them.

Example:
    >>> from prometheus_client import CollectorRegistry
    >>> registry = CollectorRegistry()
    >>> gauges_for(registry) is gauges_for(registry)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from prometheus_client import REGISTRY, CollectorRegistry, Gauge

from onshore.core.cases.lifecycle import Lifecycle
from onshore.ports import Case


class CaseGauges:
    """``onshore_cases_open``, ``onshore_cases_overdue`` and ``onshore_cases_due_soon``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.open = Gauge(
            "onshore_cases_open",
            "Open cases by kind and state.",
            ["kind", "state"],
            registry=registry,
        )
        self.overdue = Gauge(
            "onshore_cases_overdue", "Open cases past their deadline.", ["kind"], registry=registry
        )
        self.due_soon = Gauge(
            "onshore_cases_due_soon",
            "Open cases due within the window.",
            ["kind"],
            registry=registry,
        )

    def set_open(
        self, lifecycles: Mapping[str, Lifecycle], totals: Mapping[tuple[str, str], int]
    ) -> None:
        """Set the open count of every kind's every non-terminal state (``totals`` is keyed
        by ``(kind, state)``; a state missing from it counts 0)."""
        for name, life in lifecycles.items():
            for state in life.states:
                if not life.is_terminal(state):
                    self.open.labels(kind=name, state=state).set(totals.get((name, state), 0))

    def set_due(
        self, kinds: Iterable[str], overdue: Sequence[Case], due_soon: Sequence[Case]
    ) -> None:
        """Set the overdue and due-soon counts of each kind."""
        for name in kinds:
            self.overdue.labels(kind=name).set(sum(1 for c in overdue if c.kind == name))
            self.due_soon.labels(kind=name).set(sum(1 for c in due_soon if c.kind == name))


_GAUGES: dict[int, CaseGauges] = {}


def gauges_for(registry: CollectorRegistry = REGISTRY) -> CaseGauges:
    """The case gauges registered in ``registry`` (created once per registry)."""
    found = _GAUGES.get(id(registry))
    if found is None:
        found = _GAUGES[id(registry)] = CaseGauges(registry)
    return found
