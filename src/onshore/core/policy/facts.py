"""The facts a policy decision is taken on: who the entity is and what is happening.

``EntityFacts`` describes the deployment's legal entity (an interface the vault relies on);
``Facts`` adds the operation's particulars for the general evaluation path.

Example:
    >>> entity = EntityFacts("VN", frozenset({"social_network"}))
    >>> facts = Facts(entity, subject_country="VN", categories=frozenset({"email"}),
    ...               region_country="SG")
    >>> facts.destination
    'SG'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, eq=True)
class EntityFacts:
    """The legal entity running the deployment (frozen and hashable: a cache key).

    ``incorporated_in`` is an ISO 3166-1 alpha-2 code; ``sectors`` and ``roles`` use the
    vocabularies the packs declare (the ``vn`` pack declares Decree 53's ten sectors,
    e.g. ``social_network``); ``storage_decisions`` holds the ids of rules whose
    authority-decision trigger has fired for this entity (e.g. ``VN-D53-26.3``); ``size``
    is ``micro | small | medium | large | household | startup``; ``data_subjects`` is the
    number of data subjects whose data the entity handles.

    Example:
        >>> EntityFacts("SG", storage_decisions=frozenset({"VN-D53-26.3"})).incorporated_in
        'SG'
    """

    incorporated_in: str
    sectors: frozenset[str] = frozenset()
    storage_decisions: frozenset[str] = frozenset()
    size: str | None = None
    roles: frozenset[str] = frozenset()
    data_subjects: int | None = None

    def __post_init__(self) -> None:
        # Accept any iterable for the set fields (sets, lists), stored as frozensets.
        for name in ("sectors", "storage_decisions", "roles"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        object.__setattr__(self, "incorporated_in", self.incorporated_in.upper())
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.incorporated_in,
                    self.sectors,
                    self.storage_decisions,
                    self.size,
                    self.roles,
                    self.data_subjects,
                )
            ),
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "incorporated_in": self.incorporated_in,
            "sectors": sorted(self.sectors),
            "storage_decisions": sorted(self.storage_decisions),
            "size": self.size,
            "roles": sorted(self.roles),
            "data_subjects": self.data_subjects,
        }


@dataclass(frozen=True)
class Facts:
    """Everything the general evaluation path (``PolicyEngine.evaluate``) looks at.

    - ``subject_country``: the data subject's jurisdiction (alpha-2).
    - ``categories``: data categories involved (``onshore.core.taxonomy.CATEGORIES``).
    - ``region_country``: where the data is or is being stored.
    - ``destination_country``: where it is going (transfer) or who reads it (read); when
      unset, the destination is ``region_country``.
    - ``request``: the kind of request being answered (``delete``, ``provide``, ``restrict``,
      ``object``, ``withdraw``, ``authority_info``, ``authority_takedown``, ``user_complaint``...).
    - ``flags``: situational facts (``urgent``, ``emergency``, ``via_processor``...).
    - ``labels``: data classes already known (``vn.data.core``...); packs may derive more.
    - ``metrics``: numbers for threshold triggers (``vn_monthly_visits``...).
    - ``events``: when start events happened (``breach_detected``, ``authority_request``...);
      a duration whose start event is missing starts at the evaluation time.
    - ``artifacts``: safeguards in place (``scc``, ``bcr``, ``tia_dossier``, ``cac_assessment``...).
    - ``decisions``: authority decisions that fired for this operation (added to the entity's).
    """

    entity: EntityFacts
    subject_country: str | None = None
    categories: frozenset[str] = frozenset()
    region_country: str | None = None
    destination_country: str | None = None
    request: str | None = None
    flags: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    metrics: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    events: Mapping[str, datetime] = field(default_factory=lambda: _EMPTY)
    artifacts: frozenset[str] = frozenset()
    decisions: frozenset[str] = frozenset()

    @property
    def destination(self) -> str | None:
        """Where the data goes: ``destination_country`` or else ``region_country``."""
        return self.destination_country or self.region_country

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "entity": self.entity.to_dict(),
            "subject_country": self.subject_country,
            "categories": sorted(self.categories),
            "region_country": self.region_country,
            "destination_country": self.destination_country,
            "request": self.request,
            "flags": sorted(self.flags),
            "labels": sorted(self.labels),
            "metrics": dict(self.metrics),
            "events": {k: v.isoformat() for k, v in self.events.items()},
            "artifacts": sorted(self.artifacts),
            "decisions": sorted(self.decisions),
        }
