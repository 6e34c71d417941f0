"""Import an existing table into the vault (``onshore import``): resumable, in batches.

The source is read with the scan readers (``services.runtime.sources``: PostgreSQL, SQLite,
CSV, JSON Lines, Parquet), one batch at a time (bounded memory). Each row becomes a record
(``services.import_rows``, by an ``core.import_mapping.Mapping``) whose id derives from the
import's name and the row's id column, and each batch goes into the vault with
``Vault.put_many``: every record placed by its subject's residency like any put.

After every committed batch the import's :class:`ImportProgress` (control store) moves to the
next row. A run that stops anywhere (a crash, ``kill -9``, ``--max-errors``) continues from the
first row whose batch was not recorded; a batch that did commit before the crash is put again,
which the vault's idempotent record ids make a no-op (same id, same content: the original
receipt, nothing written). So every row lands exactly once.

Rows that cannot be imported (no subject, a refused record, a row the reader could not read)
are counted and written to the bad-rows report with their row number and reason; a batch the
vault refuses is split in halves until the refused rows are found, so the good rows of that
batch are still imported. More bad rows than ``max_errors`` stop the run (``TooManyBadRows``).

Example:
    >>> import tempfile; from pathlib import Path
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.core.import_mapping import Mapping
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> d = Path(cfg["base_dir"]); _ = (d / "u.csv").write_text("id,phone\\n1,+84912345678\\n")
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> log = memory_progress_log()
    >>> result = run_import(vault, str(d / "u.csv"), Mapping.from_options(["subject=id",
    ...     "phone_number=phone"]), host_administrator("root"), log, ImportOptions())
    >>> dict(result.progress.regions), result.progress.status
    ({'vn-hcm': 1}, 'done')
    >>> vault.close()
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pyarrow as pa

from onshore import failpoints
from onshore.core.errors import (
    ImportMappingChanged,
    ImportMappingError,
    InputError,
    PolicyError,
    RecordConflict,
    ResidencyError,
    TooManyBadRows,
)
from onshore.core.identity import Principal
from onshore.core.import_mapping import Mapping
from onshore.ports.import_progress import ImportProgress, ImportProgressLog
from onshore.ports.sources import Table
from onshore.services.import_rows import (
    BadRow,
    BadRowReport,
    RowRecord,
    rows_to_records,
)
from onshore.services.runtime.sources import open_tables
from onshore.services.vault import Receipt, Vault

failpoints.register(
    "import.after_batch", "an import batch is committed in the vault, its progress not yet saved"
)

#: Errors the vault raises for a record (not for a store): the row is bad, the batch goes on.
ROW_ERRORS = (InputError, RecordConflict, ResidencyError, PolicyError)


@dataclass(frozen=True)
class ImportOptions:
    """How to run one import.

    ``name`` names the import (its progress record and its record ids; the source's label
    when None), ``table`` picks a table of a database source, ``batch_size`` rows go into each
    ``put_many``, ``max_errors`` bad rows are tolerated (None: any number), ``bad_rows`` is
    the report file, ``restart`` forgets earlier progress (rows already imported are put
    again as no-ops).
    """

    name: str | None = None
    table: str | None = None
    batch_size: int = 1000
    max_errors: int | None = None
    bad_rows: Path | None = None
    restart: bool = False


@dataclass(frozen=True)
class ImportResult:
    """What a run did: the progress reached, where this run started, and its own counts."""

    progress: ImportProgress
    resumed_from: int
    rows: int
    bad: int
    seconds: float
    already_done: bool = False

    @property
    def rate(self) -> float:
        """Rows this run handled per second."""
        return (self.rows + self.bad) / self.seconds if self.seconds > 0 else 0.0


#: Called after each committed batch: the source table (its ``bytes_done``/``bytes_total``
#: tell how far it is read) and the progress so far.
OnBatch = Callable[[Table, ImportProgress], None]


def stable_spec(spec: str) -> str:
    """``spec`` with PostgreSQL's synchronised sequential scans turned off, so every read of
    an unchanged table returns its rows in the same order (what resuming by row number needs).

    Example:
        >>> stable_spec("postgresql://db/app")
        'postgresql://db/app?options=-c%20synchronize_seqscans%3Doff'
        >>> stable_spec("users.csv")
        'users.csv'
    """
    if not spec.startswith(("postgresql:", "postgres:")):
        return spec
    parts = urlsplit(spec)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", "-c synchronize_seqscans=off"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def open_source(spec: str, table: str | None) -> Table:
    """The one table of ``spec`` to import (``table`` names it in a database of several)."""
    tables = list(open_tables(stable_spec(spec)))
    failed = [p for t in tables for p in t.problems if p.fatal]
    if failed:
        raise InputError(
            f"cannot read the source: {failed[0].message}", details={"field": "source"}
        )
    if table is not None:
        tables = [t for t in tables if _table_name(t.label) == table]
    if len(tables) != 1:
        names = ", ".join(_table_name(t.label) for t in tables[:10])
        raise ImportMappingError(
            f"name one table with --table ({len(tables)} match: {names or 'none'})",
            details={"field": "table"},
        )
    return tables[0]


def _table_name(label: str) -> str:
    """The table name in a reader's label (``db/schema.users``, ``app.db:users``)."""
    return label.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def memory_progress_log() -> ImportProgressLog:
    """A progress log held in memory (tests and examples)."""
    from onshore.services.runtime.import_progress import open_import_progress_url

    return open_import_progress_url("memory://")


def _put(vault: Vault, rows: Sequence[RowRecord], actor: str) -> tuple[list[Receipt], list[BadRow]]:
    """Put ``rows``; a refused batch is split in halves until the refused rows are alone."""
    try:
        return vault.put_many([r.item for r in rows], actor=actor), []
    except ROW_ERRORS as exc:
        if len(rows) == 1:
            field = exc.details.get("field") if isinstance(exc.details, dict) else None
            reason = str(exc)[:200]
            return [], [
                BadRow(rows[0].row, field if isinstance(field, str) else None, exc.code, reason)
            ]
        half = len(rows) // 2
        done_a, bad_a = _put(vault, rows[:half], actor)
        done_b, bad_b = _put(vault, rows[half:], actor)
        return done_a + done_b, bad_a + bad_b


class _Skipped:
    """The rows ``table``'s reader skipped, with its reasons: the readers call
    ``note(kind, row, reason)`` for each row they cannot read (a malformed CSV line, invalid
    UTF-8, a line over the limit, a JSON line that is no object); blank lines are not rows."""

    def __init__(self, table: Table) -> None:
        self._rows: list[BadRow] = []
        original = getattr(table, "note", None)
        if callable(original):

            def note(kind: str, row: int, reason: str) -> None:
                self._rows.append(BadRow(row, None, "import.unreadable_row", reason))
                original(kind, row, reason)

            setattr(table, "note", note)  # noqa: B010 - wraps the reader's own hook

    def take(self, start: int, before: int | None = None) -> list[BadRow]:
        """The skipped rows from ``start`` up to ``before`` (all when None), forgotten here."""
        taken = [b for b in self._rows if before is None or b.row < before]
        self._rows = [b for b in self._rows if before is not None and b.row >= before]
        return [b for b in taken if b.row >= start]


class _Run:
    """One run of one import (the loop of ``run_import``)."""

    def __init__(
        self,
        vault: Vault,
        log: ImportProgressLog,
        progress: ImportProgress,
        options: ImportOptions,
        actor: str,
        report: BadRowReport,
        on_batch: OnBatch | None,
    ) -> None:
        self.vault, self.log, self.progress, self.options = vault, log, progress, options
        self.actor, self.report, self.on_batch = actor, report, on_batch
        self.rows = self.bad = 0

    def commit(self, table: Table, rows: list[RowRecord], bad: list[BadRow], end: int) -> None:
        """Put ``rows``, report ``bad``, and move the progress to ``end``."""
        receipts, refused = _put(self.vault, rows, self.actor) if rows else ([], [])
        failpoints.hit("import.after_batch")
        bad = sorted(bad + refused, key=lambda b: b.row)
        self.report.write(bad)
        placed = Counter(r.region for r in receipts)
        now = self.vault.runtime.clock.now()
        self.progress = self.progress.advanced(end, placed, len(bad), now)
        self.log.save(self.progress)
        self.rows += len(receipts)
        self.bad += len(bad)
        if self.on_batch is not None:
            self.on_batch(table, self.progress)
        limit = self.options.max_errors
        if limit is not None and self.progress.bad > limit:
            raise TooManyBadRows(
                f"{self.progress.bad} bad rows, over --max-errors {limit}; "
                f"stopped before row {end} (rerun to continue)",
                details={"bad_rows": self.progress.bad, "max_errors": limit, "next_row": end},
            )

    def slices(self, table: Table, mapping: Mapping) -> Mapping:
        """Read ``table`` and commit it batch by batch; the mapping as checked."""
        size, name, start = self.options.batch_size, self.progress.name, self.progress.next_row
        checked: Mapping | None = None
        expected = start
        skipped = _Skipped(table)
        for numbers, batch in table.batches(rows=size):
            if checked is None:
                checked = self._check(mapping, batch.schema.names)
            keep = numbers >= start
            if not keep.any():
                continue
            if not keep.all():
                numbers, batch = numbers[keep], batch.filter(pa.array(keep))
            for at in range(0, len(numbers), size):
                part_numbers = numbers[at : at + size]
                good, bad = rows_to_records(name, checked, part_numbers, batch.slice(at, size))
                expected = int(part_numbers[-1]) + 1
                self.commit(table, good, skipped.take(start, expected) + bad, expected)
        rest = skipped.take(start)
        if rest:
            self.commit(table, [], rest, max(expected, rest[-1].row + 1))
        return checked or mapping

    def _check(self, mapping: Mapping, columns: list[str]) -> Mapping:
        checked = mapping.checked(columns)
        if self.progress.next_row > 0 and checked.fingerprint() != self.progress.fingerprint:
            raise ImportMappingChanged(
                "this import was started with another mapping: use the same mapping, "
                "or --restart to import again with this one",
                details={"name": self.progress.name},
            )
        if self.progress.next_row == 0:
            self.progress = dataclasses.replace(self.progress, fingerprint=checked.fingerprint())
        return checked


def run_import(
    vault: Vault,
    spec: str,
    mapping: Mapping,
    principal: Principal,
    log: ImportProgressLog,
    options: ImportOptions,
    *,
    on_batch: OnBatch | None = None,
    on_table: Callable[[Table, ImportProgress], None] | None = None,
) -> ImportResult:
    """Import the table ``spec`` names into ``vault`` as ``principal``, resuming the import's
    earlier progress in ``log``; see the module docstring."""
    table = open_source(spec, options.table)
    name = options.name or table.label
    if options.restart:
        log.delete(name)
    now = vault.runtime.clock.now()
    progress = log.get(name) or ImportProgress(name, table.label, "", now, now)
    started = time.perf_counter()
    if progress.status == "done":
        return ImportResult(progress, progress.next_row, 0, 0, 0.0, already_done=True)
    resumed_from = progress.next_row
    bad_path = options.bad_rows or bad_rows_path(name)
    report = BadRowReport(bad_path, progress.next_row)
    run = _Run(vault, log, progress, options, principal.id, report, on_batch)
    if on_table is not None:
        on_table(table, progress)
    try:
        run.slices(table, mapping)
        fatal = [p for p in table.problems if p.fatal]
        if fatal:
            raise InputError(
                f"cannot read the source: {fatal[0].message}", details={"source": table.label}
            )
        run.progress = dataclasses.replace(run.progress, status="done")
        log.save(run.progress)
    finally:
        report.close()
    seconds = time.perf_counter() - started
    return ImportResult(run.progress, resumed_from, run.rows, run.bad, seconds)


def bad_rows_path(name: str) -> Path:
    """The default bad-rows report of the import ``name``: ``NAME.bad-rows.jsonl`` in the
    working directory (``name`` made safe as a file name).

    Example:
        >>> bad_rows_path("postgresql://app@db/prod/users")
        PosixPath('users.bad-rows.jsonl')
    """
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.rsplit("/", 1)[-1])
    return Path(f"{cleaned.strip('._') or 'import'}.bad-rows.jsonl")
