"""In-memory key fingerprints (``onshore.ports.KeyFingerprintStore``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any


class MemoryKeyFingerprintStore:
    """Fingerprints in a dict, rolled back with the database's transaction.

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> db = MemoryDatabase()
        >>> from datetime import datetime, timezone
        >>> db.key_fingerprints.add([("kek:1", b"f")], datetime.now(timezone.utc))
        >>> db.key_fingerprints.all()
        {'kek:1': b'f'}
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._prints: dict[str, bytes] = {}

    def snapshot(self) -> object:
        """A copy to restore on rollback."""
        return dict(self._prints)

    def restore(self, snap: object) -> None:
        """Put back what ``snapshot`` saw."""
        assert isinstance(snap, dict)
        self._prints = snap

    def all(self) -> dict[str, bytes]:
        """Every recorded ``key_id -> fingerprint``."""
        with self._db.reading():
            return dict(self._prints)

    def add(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Record pairs; an id already recorded keeps its fingerprint."""
        with self._db.transaction():
            for key_id, fp in items:
                self._prints.setdefault(key_id, bytes(fp))

    def replace(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Forget every fingerprint and record ``items``."""
        with self._db.transaction():
            self._prints = {k: bytes(f) for k, f in items}
