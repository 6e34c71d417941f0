"""Import progress in neutral SQL: the ``import_progress`` table of a control database, over
SQLite or PostgreSQL (``adapters.sql.dialect``). Its schema is control-store migration 7
(``adapters.migrations.control``)."""

from __future__ import annotations

import json
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.ports.import_progress import ImportProgress

_COLUMNS = (
    "name, label, fingerprint, next_row, imported, bad, regions, status, started_at, updated_at"
)


class SqlImportProgressLog(SqlControlStore):
    """Import progress in one SQL control database, used by one connection under a lock."""

    def get(self, name: str) -> ImportProgress | None:
        """The progress of the import ``name``, or None."""
        rows, _ = self._execute(f"SELECT {_COLUMNS} FROM import_progress WHERE name = ?", (name,))
        return self._row(rows[0]) if rows else None

    def _row(self, row: tuple[Any, ...]) -> ImportProgress:
        at = self._d.from_time
        return ImportProgress(
            name=row[0],
            label=row[1],
            fingerprint=row[2],
            next_row=int(row[3]),
            imported=int(row[4]),
            bad=int(row[5]),
            regions={str(k): int(v) for k, v in json.loads(row[6]).items()},
            status=row[7],
            started_at=at(row[8]),
            updated_at=at(row[9]),
        )

    def save(self, progress: ImportProgress) -> None:
        """Insert or replace the progress of ``progress.name`` (one statement)."""
        p, t = progress, self._d.time
        self._execute(
            f"INSERT INTO import_progress ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET label = excluded.label, "
            "fingerprint = excluded.fingerprint, next_row = excluded.next_row, "
            "imported = excluded.imported, bad = excluded.bad, regions = excluded.regions, "
            "status = excluded.status, started_at = excluded.started_at, "
            "updated_at = excluded.updated_at",
            (
                p.name,
                p.label,
                p.fingerprint,
                p.next_row,
                p.imported,
                p.bad,
                json.dumps(dict(sorted(p.regions.items()))),
                p.status,
                t(p.started_at),
                t(p.updated_at),
            ),
            write=True,
        )

    def delete(self, name: str) -> None:
        """Forget the import ``name``."""
        self._execute("DELETE FROM import_progress WHERE name = ?", (name,), write=True)
