"""The snapshot port: a region database's consistent copies, as the backup service needs them.

A ``SnapshotStore`` belongs to one backend (SQLite, PostgreSQL) and one configured region
store. It takes a snapshot (its ``Contents`` and its bytes, streamed), reads what a decrypted
snapshot holds, and puts one back. ``onshore.services.backup`` encrypts, checks and restores
through this port; ``onshore.services.runtime.backups`` opens the adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from onshore.core.backup_contents import Contents


@runtime_checkable
class SnapshotStore(Protocol):
    """Consistent snapshots of one region's database, and restoring from one."""

    def take(self) -> AbstractContextManager[tuple[Contents, Iterator[bytes]]]:
        """A snapshot of the live database: its contents and its bytes (valid in the block)."""

    def read(self, chunks: Iterable[bytes]) -> Contents:
        """What the snapshot streamed as ``chunks`` holds (``BackupInvalid`` when unreadable)."""

    def restore(
        self,
        chunks: Iterable[bytes],
        check: Callable[[Contents], None],
        *,
        version: int,
        replace: bool,
    ) -> None:
        """Put the snapshot streamed as ``chunks`` in place of the region's database, once
        ``check`` accepts its contents; ``BackupTargetNotEmpty`` unless empty or ``replace``."""
