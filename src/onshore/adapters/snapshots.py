"""Snapshot stores for region backups: SQLite files and PostgreSQL dumps (``SnapshotStore``).

``SqliteSnapshots`` copies the live file with SQLite's online backup API into a temporary
directory beside it and streams that copy; a snapshot being verified or restored is written
to a temporary file beside the region's database (the same file system, so installing it is
a rename). ``PostgresSnapshots`` streams a dump taken in one REPEATABLE READ transaction and
loads one back in a single transaction. The work itself is in ``backup_sqlite`` and
``backup_postgres``; psycopg is imported only when a PostgreSQL store is backed up.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> snaps = SqliteSnapshots(f"sqlite:///{d}/vn.db", d)
    >>> snaps.read([b""])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    onshore.core.errors.BackupInvalid: the backup does not hold a readable region database: ...
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from onshore.adapters import backup_sqlite
from onshore.adapters.store_url import sqlite_path
from onshore.core.backup_contents import Contents

#: Bytes read at a time from a snapshot file.
_READ = 1 << 20


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(_READ):
            yield chunk


def _decrypt_to(chunks: Iterable[bytes], path: Path) -> None:
    with open(path, "xb") as out:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


class SqliteSnapshots:
    """Snapshots of the SQLite region database at ``url`` (None: the region has none)."""

    def __init__(self, url: str | None, base: Path) -> None:
        self.url = url
        self.base = base

    def _path(self) -> Path:
        return sqlite_path(self.url or "", self.base)

    @contextmanager
    def take(self) -> Iterator[tuple[Contents, Iterator[bytes]]]:
        """Copy the live database into a temporary file beside it; stream that copy."""
        source = self._path()
        with tempfile.TemporaryDirectory(dir=source.parent, prefix=".backup-") as tmp:
            snap = Path(tmp) / "snapshot.db"
            backup_sqlite.snapshot(source, snap)
            yield backup_sqlite.contents(snap), _file_chunks(snap)

    def _scratch(self) -> Path | None:
        if self.url is not None and self.url.startswith("sqlite:///"):
            directory = self._path().parent
            directory.mkdir(parents=True, exist_ok=True)
            return directory
        return None

    def read(self, chunks: Iterable[bytes]) -> Contents:
        """Write the snapshot to a temporary file and read its contents."""
        with tempfile.TemporaryDirectory(dir=self._scratch(), prefix=".verify-") as tmp:
            snap = Path(tmp) / "snapshot.db"
            _decrypt_to(chunks, snap)
            return backup_sqlite.contents(snap)

    def restore(
        self,
        chunks: Iterable[bytes],
        check: Callable[[Contents], None],
        *,
        version: int,
        replace: bool,
    ) -> None:
        """Write the snapshot beside the database, check it, then move it into place."""
        target = self._path()
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as tmp:
            restored = Path(tmp) / "restored.db"
            _decrypt_to(chunks, restored)
            check(backup_sqlite.contents(restored))
            backup_sqlite.require_empty(target, replace=replace)
            backup_sqlite.install(restored, target)


class PostgresSnapshots:
    """Dumps of the PostgreSQL region database at ``url`` (None: the region has none)."""

    def __init__(self, url: str | None) -> None:
        self.url = url

    @contextmanager
    def take(self) -> Iterator[tuple[Contents, Iterator[bytes]]]:
        """The region's contents and its dump's frames, from one consistent snapshot."""
        from onshore.adapters import backup_postgres

        with backup_postgres.dump(self.url or "") as (found, chunks):
            yield found, chunks

    def read(self, chunks: Iterable[bytes]) -> Contents:
        """What a dump holds, read from its frames without a database."""
        from onshore.adapters import backup_postgres

        return backup_postgres.stream_contents(chunks)

    def restore(
        self,
        chunks: Iterable[bytes],
        check: Callable[[Contents], None],
        *,
        version: int,
        replace: bool,
    ) -> None:
        """Load the dump into the region database in one transaction."""
        from onshore.adapters import backup_postgres

        backup_postgres.load(self.url or "", chunks, check=check, version=version, replace=replace)
