"""Import progress in memory (tests, ``memory://`` control stores: one process only).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.import_progress import ImportProgress
    >>> log, at = MemoryImportProgressLog(), datetime(2026, 12, 8, tzinfo=timezone.utc)
    >>> log.save(ImportProgress("users", "users.csv", "f" * 32, at, at))
    >>> log.get("users").status
    'running'
"""

from __future__ import annotations

import threading

from onshore.ports.import_progress import ImportProgress


class MemoryImportProgressLog:
    """Import progress in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, ImportProgress] = {}

    def get(self, name: str) -> ImportProgress | None:
        """The progress of the import ``name``, or None."""
        return self._rows.get(name)

    def save(self, progress: ImportProgress) -> None:
        """Insert or replace the progress of ``progress.name``."""
        with self._lock:
            self._rows[progress.name] = progress

    def delete(self, name: str) -> None:
        """Forget the import ``name``."""
        with self._lock:
            self._rows.pop(name, None)

    def close(self) -> None:
        """Nothing to release."""
