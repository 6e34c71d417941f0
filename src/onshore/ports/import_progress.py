"""The import progress port: how far each ``onshore import`` got (control store).

One :class:`ImportProgress` per import, keyed by the import's name: the next source row to
read, the rows imported and refused so far, the records placed per region, and the mapping's
fingerprint. It is saved after every committed batch, so a run that stops (a crash, a kill,
``--max-errors``) continues from the first row not yet committed. It holds counts only,
never a row's content.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 12, 8, tzinfo=timezone.utc)
    >>> p = ImportProgress("users", "db/users", "f" * 32, at, at)
    >>> p.advanced(100, {"vn-hcm": 60, "sg-1": 40}, 0, at).regions
    {'sg-1': 40, 'vn-hcm': 60}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

#: Where an import stands: under way (or stopped part-way), or every row read.
ImportStatus = Literal["running", "done"]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far the import ``name`` (of the source ``label``) got."""

    name: str
    label: str
    fingerprint: str
    started_at: datetime
    updated_at: datetime
    next_row: int = 0
    imported: int = 0
    bad: int = 0
    regions: Mapping[str, int] = field(default_factory=dict)
    status: ImportStatus = "running"

    def advanced(
        self, next_row: int, placed: Mapping[str, int], bad: int, at: datetime
    ) -> ImportProgress:
        """This progress after a committed batch: rows before ``next_row`` are done,
        ``placed`` records were placed per region and ``bad`` rows refused."""
        regions = dict(self.regions)
        for region, n in placed.items():
            regions[region] = regions.get(region, 0) + n
        return dataclasses.replace(
            self,
            next_row=next_row,
            imported=self.imported + sum(placed.values()),
            bad=self.bad + bad,
            regions=dict(sorted(regions.items())),
            updated_at=at,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (counts only)."""
        return {
            "name": self.name,
            "source": self.label,
            "status": self.status,
            "next_row": self.next_row,
            "imported": self.imported,
            "bad_rows": self.bad,
            "regions": dict(self.regions),
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class ImportProgressLog(Protocol):
    """Where import progress is kept (the control database): memory, SQLite, PostgreSQL."""

    def get(self, name: str) -> ImportProgress | None:
        """The progress of the import ``name``, or None when it never ran."""

    def save(self, progress: ImportProgress) -> None:
        """Insert or replace the progress of ``progress.name``."""

    def delete(self, name: str) -> None:
        """Forget the import ``name`` (``--restart``)."""

    def close(self) -> None:
        """Release the connection."""
