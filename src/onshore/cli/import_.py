"""``onshore import``: put an existing table's rows into the vault, resumably.

Example:
    onshore import --suggest postgresql://app@db/prod --table users > users.yaml
    onshore import postgresql://app@db/prod --table users --mapping users.yaml
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from onshore.cli.console import CliConsole
from onshore.cli.host import host_principal
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.errors import ImportMappingError

if TYPE_CHECKING:
    from onshore.core.import_mapping import Mapping
    from onshore.ports.import_progress import ImportProgress
    from onshore.ports.sources import Table
    from onshore.services.table_import import ImportResult

_out = CliConsole(highlight=False)
_err = CliConsole(stderr=True, highlight=False)

#: Exit code when some rows were bad (reported) and no ``--max-errors`` allowed them.
EXIT_BAD_ROWS = 1


def _mapping(options: list[str], path: Path | None) -> Mapping:
    import yaml

    from onshore.core.import_mapping import Mapping, merged, options_dict

    if path is None and not options:
        raise ImportMappingError(
            "give a mapping: --map subject=COLUMN ... or --mapping FILE "
            "(--suggest writes one to start from)",
            details={"field": "mapping"},
        )
    document: Any = {}
    if path is not None:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ImportMappingError(
                f"--mapping: cannot read {path}: {exc.strerror}", details={"field": "mapping"}
            ) from exc
        except yaml.YAMLError as exc:
            raise ImportMappingError(
                f"--mapping: {path} is not YAML ({type(exc).__name__})",
                details={"field": "mapping"},
            ) from exc
        if not isinstance(document, dict):
            raise ImportMappingError(
                f"--mapping: {path} is not a YAML object", details={"field": "mapping"}
            )
    return Mapping.from_dict(merged(document, options_dict(options)))


def _summary(result: ImportResult, bad_rows: Path, as_json: bool) -> None:
    p = result.progress
    if as_json:
        _out.print_json(
            json.dumps(
                {
                    **p.to_dict(),
                    "resumed_from": result.resumed_from,
                    "this_run": {"imported": result.rows, "bad_rows": result.bad},
                    "seconds": round(result.seconds, 3),
                    "rows_per_second": round(result.rate, 1),
                    "bad_rows_report": str(bad_rows),
                    "already_done": result.already_done,
                }
            )
        )
        return
    if result.already_done:
        _out.print(f"import {escape(p.name)} was already complete (--restart to run it again)")
    elif result.resumed_from:
        _out.print(f"resumed at row {result.resumed_from:,}")
    table = RichTable(title=f"import {escape(p.name)}")
    table.add_column("region")
    table.add_column("records", justify="right")
    for region, count in sorted(p.regions.items()):
        table.add_row(region, f"{count:,}")
    table.add_row("[bold]total[/]", f"[bold]{p.imported:,}[/]")
    _out.print(table)
    _out.print(
        f"this run: {result.rows:,} rows imported, {result.bad:,} bad, "
        f"{result.rate:,.0f} rows/s in {result.seconds:,.1f} s"
    )
    if p.bad:
        _err.print(
            f"[yellow]{p.bad:,} bad rows (row number, column and reason in "
            f"{escape(str(bad_rows))})[/]"
        )


def import_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A CSV, JSON Lines or Parquet file, or a sqlite:/// or postgresql:// URL."
        ),
    ],
    table: Annotated[
        str | None, typer.Option("--table", help="The table of a database source.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="KEY=COLUMN: subject, id, kind (a kind, not a column), kind_column, "
            "declared_residence, phone_number, address_country, ip; data/exclude=A,B.",
        ),
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="A YAML mapping (see --suggest).")
    ] = None,
    suggest: Annotated[
        bool,
        typer.Option("--suggest", help="Print a mapping suggested from the column findings."),
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The import's name (progress, record ids); the source's."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=100_000, help="Rows per vault batch.")
    ] = 1000,
    max_errors: Annotated[
        int | None,
        typer.Option("--max-errors", min=0, help="Stop (exit 1) after more bad rows than this."),
    ] = None,
    bad_rows: Annotated[
        Path | None,
        typer.Option("--bad-rows", help="Bad-rows report, JSON Lines (NAME.bad-rows.jsonl)."),
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Forget earlier progress and read from row 0.")
    ] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import an existing table into the vault, each row placed by its subject's residency.

    Reads PostgreSQL, SQLite, CSV, JSON Lines and Parquet tables in batches (bounded
    memory). Resumable: rerun the same command after a crash and it continues where it
    stopped, with no row imported twice. Bad rows go to the bad-rows report (row number,
    column, reason; no values). Exit code 0 when every row was imported (or the bad rows
    are within ``--max-errors``), 1 when rows were bad or ``--max-errors`` was exceeded,
    2 for a bad mapping or options.

    Example: ``onshore import users.csv --map subject=id --map phone_number=phone``
    """
    from onshore.services.import_suggest import suggest as suggest_mapping

    if suggest:
        _out.print(suggest_mapping(source, table).to_yaml(), end="", markup=False)
        return
    mapping = _mapping(map_ or [], mapping_file)
    result, report = _run(
        source, table, mapping, name, batch_size, max_errors, bad_rows, restart, config, as_json
    )
    _summary(result, report, as_json)
    if result.progress.bad and max_errors is None:
        raise typer.Exit(EXIT_BAD_ROWS)


def _run(
    source: str,
    table: str | None,
    mapping: Mapping,
    name: str | None,
    batch_size: int,
    max_errors: int | None,
    bad_rows: Path | None,
    restart: bool,
    config: Path | None,
    as_json: bool,
) -> tuple[ImportResult, Path]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from onshore.services.runtime.import_progress import open_import_progress
    from onshore.services.table_import import ImportOptions, bad_rows_path, run_import
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    settings = load_settings(config)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
        TimeRemainingColumn(),
        console=_err,
        transient=True,
        disable=as_json or not _err.is_terminal,
    )
    state: dict[str, Any] = {"t0": time.perf_counter(), "rows0": 0}

    def on_table(source_table: Table, p: ImportProgress) -> None:
        state["task"] = progress.add_task(source_table.label, total=None, rows=p.next_row, rate=0)
        state["rows0"] = p.next_row

    def on_batch(source_table: Table, p: ImportProgress) -> None:
        elapsed = max(time.perf_counter() - state["t0"], 1e-9)
        progress.update(
            state["task"],
            total=source_table.bytes_total,
            completed=source_table.bytes_done,
            rows=p.next_row,
            rate=(p.next_row - state["rows0"]) / elapsed,
        )

    log = open_import_progress(settings)
    try:
        with Vault.open(settings) as vault, progress:
            options = ImportOptions(name, table, batch_size, max_errors, bad_rows, restart)
            result = run_import(
                vault,
                source,
                mapping,
                host_principal(),
                log,
                options,
                on_batch=on_batch,
                on_table=on_table,
            )
    finally:
        log.close()
    report = bad_rows or bad_rows_path(result.progress.name)
    return result, report


def register(app: typer.Typer) -> None:
    """Attach ``onshore import`` to the main app."""
    app.command("import")(import_command)
