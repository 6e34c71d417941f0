"""Apply migrations: check a database's version at open, report it, upgrade it.

Example:
    >>> import sqlite3
    >>> from onshore.adapters.migrations.targets import SqliteTarget
    >>> target = SqliteTarget(sqlite3.connect(":memory:", isolation_level=None))
    >>> ensure_current(target, "control", "control store") == latest("control")
    True
    >>> status(target, "control").pending
    ()
"""

from __future__ import annotations

from dataclasses import dataclass

from onshore import failpoints
from onshore.adapters.migrations import MIGRATIONS, Migration, latest
from onshore.adapters.migrations.targets import SchemaTarget
from onshore.core.errors import MigrationFailed, OnshoreError, SchemaOutdated, SchemaTooNew

failpoints.register("migrations.before_commit", "a migration ran but its transaction is open")


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands: its version, the code's, and what an upgrade would apply."""

    kind: str
    version: int | None
    latest: int
    pending: tuple[Migration, ...]

    @property
    def state(self) -> str:
        """``new``, ``current``, ``outdated`` or ``too_new``."""
        if self.version is None:
            return "new"
        if self.version > self.latest:
            return "too_new"
        return "outdated" if self.version < self.latest else "current"


def status(target: SchemaTarget, kind: str) -> SchemaStatus:
    """The database's schema status for store ``kind``."""
    version = target.version(kind)
    have = version or 0
    pending = tuple(m for m in MIGRATIONS[kind] if m.version > have)
    return SchemaStatus(kind, version, latest(kind), pending)


def _too_new(where: str, version: int, kind: str) -> SchemaTooNew:
    return SchemaTooNew(
        f"{where} has schema version {version}, newer than this onshore's {latest(kind)}: "
        "upgrade onshore (never downgrade it over a migrated database)",
        details={"store": kind, "version": version, "latest": latest(kind)},
    )


def _apply(target: SchemaTarget, kind: str, migrations: tuple[Migration, ...], where: str) -> None:
    """Apply ``migrations`` in one transaction, re-reading the version under its lock."""
    with target.transaction():
        have = target.version(kind) or 0
        for m in migrations:
            if m.version <= have:
                continue
            try:
                target.run(m.sqlite if target.backend == "sqlite" else m.postgres)
                target.record(kind, m)
            except OnshoreError:
                raise
            except Exception as exc:
                raise MigrationFailed(
                    f"{where}: migration {m.version} ({m.description}) failed: "
                    f"{type(exc).__name__}: {exc}; the database stays at version {have}",
                    details={"store": kind, "version": m.version, "at": have},
                ) from exc
            failpoints.hit("migrations.before_commit")


def upgrade(target: SchemaTarget, kind: str, where: str, *, dry_run: bool = False) -> SchemaStatus:
    """Apply every pending migration in order, each in its own transaction (an empty database
    gets them all in one). Returns the status before; ``dry_run`` applies nothing."""
    before = status(target, kind)
    if before.state == "too_new":
        raise _too_new(where, before.version or 0, kind)
    if dry_run or not before.pending:
        return before
    if before.version is None:
        _apply(target, kind, before.pending, where)
    else:
        for m in before.pending:
            _apply(target, kind, (m,), where)
    return before


def ensure_current(target: SchemaTarget, kind: str, where: str) -> int:
    """Check a database at open: create an empty one at the latest version, accept a current
    one, refuse a newer (``SchemaTooNew``) or older one (``SchemaOutdated``)."""
    st = status(target, kind)
    if st.state == "new":
        upgrade(target, kind, where)
        return st.latest
    if st.state == "too_new":
        raise _too_new(where, st.version or 0, kind)
    if st.state == "outdated":
        raise SchemaOutdated(
            f"{where} has schema version {st.version}, this onshore needs {st.latest}: "
            "run `onshore db upgrade` (back it up first: `onshore backup create`)",
            details={"store": kind, "version": st.version, "latest": st.latest},
        )
    return st.latest
