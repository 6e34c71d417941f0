"""``verify-package``, shared by the case groups that release signed packages (authority
requests' production packages, data-subject access packages): every check printed, or the
report as JSON, and exit 1 when any check fails."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from onshore.cli.console import CliConsole

console = CliConsole()


def verify_and_print(
    directory: Path, key: str | None, ledger_key: str | None, as_json: bool
) -> None:
    """Verify the package in ``directory`` offline and print the outcome (``typer.Exit(1)``
    when a check fails)."""
    from onshore.core.cases.package import verify_package
    from onshore.services.production import read_package

    report = verify_package(read_package(directory), public_key=key, ledger_key=ledger_key)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for check in report.checks:
            console.print(f"[green]ok[/] {check}")
        for failure in report.failures:
            console.print(f"[red]FAIL[/] {failure}")
        if report.ok:
            console.print(
                f"package of {report.case_id}: {report.records} records, verified; "
                f"signed by {report.public_key}"
            )
    if not report.ok:
        raise typer.Exit(1)
