"""``onshore scan``: find personal data in files and databases, and where it should not be.

Example:
    onshore scan users.csv posts.jsonl sqlite:///app.db --out findings.jsonl \\
        --report report.html --located-in SG
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from onshore.cli.console import CliConsole
from onshore.cli.defaults import SCAN_MAX_COLUMNS, SCAN_MAX_DEPTH, SCAN_MAX_LINE_BYTES
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from onshore.ports.sources import Problem, Table
    from onshore.services.scan import ScanSummary

_out = CliConsole(highlight=False)
_err = CliConsole(stderr=True, highlight=False)

#: Exit code when some input could not be read (skipped rows, unreadable sources).
EXIT_INCOMPLETE = 1


def _country(code: str | None, option: str) -> str | None:
    if code is None:
        return None
    import pycountry

    value = code.strip().upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise InputError(f"{option}: {code!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def _violations(
    located_in: str, config: Path | None, entity_country: str | None
) -> dict[str, bool]:
    from onshore.core.policy import EntityFacts
    from onshore.services.runtime import entity_facts
    from onshore.services.scan.residency import residency_violations
    from onshore.settings import load_settings

    settings = load_settings(config)
    entity = entity_facts(settings)
    if entity_country is not None:
        entity = EntityFacts(
            incorporated_in=entity_country,
            sectors=entity.sectors,
            storage_decisions=entity.storage_decisions,
            size=entity.size,
            roles=entity.roles,
            data_subjects=entity.data_subjects,
        )
    result = residency_violations(
        located_in,
        entity,
        settings.deployment.packs,
        datetime.now(UTC),
        pack_paths=settings.deployment.pack_paths,
        enforce_unconfirmed=settings.deployment.enforce_unconfirmed,
    )
    return result.denied


def summary_dict(summary: ScanSummary) -> dict[str, Any]:
    """The summary as JSON (what ``--json`` prints)."""
    return {
        "complete": summary.complete,
        "findings": summary.findings,
        "rows": summary.rows,
        "rows_with_findings": summary.rows_with_findings,
        "vn_subject_rows": summary.vn_subject_rows,
        "categories": dict(sorted(summary.categories.items())),
        "subject_countries": dict(sorted(summary.subject_countries.items())),
        "located_in": summary.located_in,
        "violations": summary.violations,
        "violation_rows": summary.violation_rows,
        "violations_by_category": dict(sorted(summary.violations_by_category.items())),
        "seconds": round(summary.seconds, 3),
        "bad_input": summary.bad_input,
        "tables": [
            {
                "label": t.label,
                "rows": t.rows,
                "skipped": t.skipped,
                "findings": t.findings,
                "columns": t.columns,
                "problems": [
                    {
                        "kind": p.kind,
                        "message": p.message,
                        "count": p.count,
                        "rows": [{"row": row, "reason": why} for row, why in p.examples],
                    }
                    for p in t.problems
                ],
            }
            for t in summary.tables
        ],
    }


def _limits(
    ctx: typer.Context, max_line_bytes: int, max_columns: int, max_depth: int, config: Path | None
) -> Any:
    """The scan limits: the options given on the command line, else ``[scan_limits]`` of the
    configuration (whose defaults are the options' defaults)."""
    from onshore.ports.sources import Limits
    from onshore.settings import load_settings

    given = {"max_line_bytes": max_line_bytes, "max_columns": max_columns, "max_depth": max_depth}
    defaulted = [
        name
        for name in given
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") == "DEFAULT"
    ]
    if defaulted:
        conf = load_settings(config).scan_limits
        given |= {name: getattr(conf, name) for name in defaulted}
    return Limits(given["max_line_bytes"], given["max_columns"], given["max_depth"])


def problem_line(problem: Problem) -> str:
    """One warning line: kind, source, message, then the first rows skipped and why."""
    line = f"warning[{problem.kind}]: {problem.source}: {problem.message}"
    if problem.examples:
        shown = "; ".join(f"row {row}: {why}" for row, why in problem.examples)
        more = problem.count - len(problem.examples)
        line += f" ({shown}{f'; {more:,} more' if more > 0 else ''})"
    return line


def _print_summary(summary: ScanSummary, console: Console) -> None:
    table = RichTable(title="Personal data found", title_justify="left")
    table.add_column("category")
    table.add_column("findings", justify="right")
    if summary.located_in:
        table.add_column(f"violations (in {summary.located_in})", justify="right")
    for category, count in summary.categories.most_common():
        row = [category, f"{count:,}"]
        if summary.located_in:
            row.append(f"{summary.violations_by_category.get(category, 0):,}")
        table.add_row(*row)
    console.print(table)
    console.print(
        f"{summary.findings:,} findings in {summary.rows_with_findings:,} of {summary.rows:,} rows;"
        f" {summary.vn_subject_rows:,} rows of Vietnamese subjects"
        + (f"; {summary.violations:,} residency violations" if summary.located_in else "")
        + f" ({summary.seconds:.1f} s)"
    )
    if summary.bad_input:
        shown = ", ".join(f"{n:,} {kind}" for kind, n in summary.bad_input.items())
        console.print(f"[yellow]bad input skipped: {shown}[/]")


def scan_command(
    ctx: typer.Context,
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories, sqlite:/// or postgresql:// URLs.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Findings file (JSON Lines); '-' for stdout.")
    ] = Path("findings.jsonl"),
    preview: Annotated[
        bool, typer.Option("--preview", help="Add a masked preview of each value.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report with charts.")
    ] = None,
    located_in: Annotated[
        str | None,
        typer.Option(
            "--located-in", help="Country (ISO alpha-2) where the scanned store is located."
        ),
    ] = None,
    entity_country: Annotated[
        str | None,
        typer.Option(
            "--entity-country",
            help="Country of incorporation of the entity (overrides the configuration).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="onshore.toml with the packs and entity facts.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Worker processes (0: every core).")
    ] = 0,
    max_line_bytes: Annotated[
        int,
        typer.Option(
            "--max-line-bytes", min=1, help="Skip (and count) lines longer than this many bytes."
        ),
    ] = SCAN_MAX_LINE_BYTES,
    max_columns: Annotated[
        int,
        typer.Option(
            "--max-columns", min=1, help="Do not read tables (JSON lines) with more columns."
        ),
    ] = SCAN_MAX_COLUMNS,
    max_depth: Annotated[
        int,
        typer.Option("--max-depth", min=1, help="Skip (and count) JSON nested deeper than this."),
    ] = SCAN_MAX_DEPTH,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this machine) or spark (Apache Spark).")
    ] = "local",
    master: Annotated[
        str | None, typer.Option("--master", help="Spark master URL (default local[*]).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Spark findings partitions: parquet or jsonl.")
    ] = "parquet",
) -> None:
    """Scan files and databases for personal data and write findings as JSON Lines.

    With ``--out -`` the findings go to stdout and the summary to stderr.

    Reads CSV, JSON Lines, Parquet, SQLite and PostgreSQL tables, streaming. Findings never
    hold raw values (``--preview`` adds a masked one). With ``--located-in``, findings of
    Vietnamese subjects whose category the loaded packs deny storing in that country are
    marked as residency violations. Exit code 0 when everything was read, 1 when some input
    was skipped (counted in the summary), 2 for bad options.

    ``s3://bucket/prefix`` reads objects (buckets declared with their country in
    ``[[scan.buckets]]`` set ``--located-in``). ``--engine spark`` runs the same classifier on
    Apache Spark (``--master``), writing findings partitions to the ``--out`` directory.

    Example: ``onshore scan users.csv --out findings.jsonl --located-in SG --report r.html``
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from onshore.cli.scan_lake import check_engine, prepare_storage, run_spark
    from onshore.services.scan import ScanOptions, default_workers, scan
    from onshore.services.scan.report import render_html

    check_engine(engine, sources, out)
    declared = prepare_storage(sources, config)  # [scan.s3] and [[scan.buckets]]
    located = _country(located_in, "--located-in") or declared
    entity = _country(entity_country, "--entity-country")
    violations = _violations(located, config, entity) if located else {}
    options = ScanOptions(
        preview=preview,
        located_in=located,
        violations=violations,
        workers=workers or default_workers(),
        limits=_limits(ctx, max_line_bytes, max_columns, max_depth, config),
    )
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
        disable=as_json or not _err.is_terminal,
    )
    current: dict[str, Any] = {}

    def on_table(table: Table) -> None:
        current["table"] = table
        current["task"] = progress.add_task(table.label, total=None, rows=0)

    def on_batch(_: Table | None, rows: int) -> None:
        table: Table | None = current.get("table")
        if table is None:
            return
        task = current["task"]
        progress.update(
            task, total=table.bytes_total, completed=table.bytes_done, rows=table.rows_read
        )

    handle: BinaryIO
    with progress:
        if engine == "spark":
            progress.add_task("Spark", total=None, rows=0)
            summary = run_spark(sources, out, options, master, fmt)
            (out / "summary.json").write_text(json.dumps(summary_dict(summary)), "utf-8")
        elif str(out) == "-":
            handle = sys.stdout.buffer
            summary = scan(sources, handle, options, on_table=on_table, on_batch=on_batch)
        else:
            try:
                fh = out.open("wb")
            except OSError as exc:
                raise InputError(f"--out: cannot write {out}: {exc.strerror}") from exc
            with fh:
                summary = scan(sources, fh, options, on_table=on_table, on_batch=on_batch)
    if report is not None:
        report.write_text(render_html(summary), encoding="utf-8")
    for problem in summary.problems:
        if problem.kind != "empty" or not as_json:
            _err.print(f"[yellow]{escape(problem_line(problem))}[/]")
    if as_json:
        (_err if str(out) == "-" else _out).print_json(json.dumps(summary_dict(summary)))
    else:
        _print_summary(summary, _err if str(out) == "-" else _out)
    if not summary.complete:
        raise typer.Exit(EXIT_INCOMPLETE)


def register(app: typer.Typer) -> None:
    """Attach ``onshore scan`` to the main app."""
    app.command("scan")(scan_command)
