"""``onshore report transparency``: the authority-request transparency report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from onshore.cli.authority_requests import open_service
from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.errors import InputError

console = CliConsole()
app = typer.Typer(help="Reports published from onshore's records.", no_args_is_help=True)


def _when(text: str, flag: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag} is a date or ISO 8601 time, e.g. 2026-01-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command()
def transparency(
    start: Annotated[
        str, typer.Option("--from", help="Period start (inclusive), e.g. 2026-01-01.")
    ],
    end: Annotated[str, typer.Option("--to", help="Period end (exclusive), e.g. 2026-07-01.")],
    country: Annotated[str | None, typer.Option(help="Only one authority country.")] = None,
    k: Annotated[int, typer.Option("--k", help="Suppress counts below k.")] = 5,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("transparency"),
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the requests and preservation tables (CSV and JSON) and put the published
    file's hash on the ledger, published by the host administrator. Example: ``onshore
    report transparency --from 2026-01-01 --to 2026-07-01 --country VN``"""
    from onshore.services.transparency import publish

    svc = open_service(config)
    try:
        done = publish(
            svc,
            _when(start, "--from"),
            _when(end, "--to"),
            out,
            country=country,
            k=k,
            actor=host_actor(),
        )
    finally:
        svc.vault.close()
    if as_json:
        print(json.dumps(done.to_dict(), indent=2))
        return
    for name, digest in done.sha256.items():
        console.print(f"wrote {out / name}  sha256 {digest}")
    console.print(f"ledger: region {done.region}, leaf {done.ledger_index} ({done.record_ref})")


def register(root: typer.Typer) -> None:
    """Attach ``onshore report``."""
    root.add_typer(app, name="report")
