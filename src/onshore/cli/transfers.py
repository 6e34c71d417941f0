"""``onshore transfers ...``: the transfer register and the impact-assessment dossiers.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``) every
command calls ``/v1/transfers`` and ``/v1/cases/transfer-assessments`` as the logged-in
principal; otherwise it opens the local stores and acts as the host administrator
(:class:`onshore.services.transfer_assessments.TransferAssessments`). ``register`` prints
the register built from the ledgers, ``dossier`` a case's dossier (JSON, Markdown or HTML),
``move`` transfers one record on this host, ``sync`` opens the assessments the register
owes and lacks; ``act``, ``show``, ``list`` and ``lifecycle`` are generated from the
declaration.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.case_group import add_case_commands
from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.core.cases.registry import kind
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.ports import Case
    from onshore.services.transfer_assessments import TransferAssessments

console = CliConsole()
app = typer.Typer(
    help="Cross-border transfers: the register, impact-assessment dossiers and their clocks.",
    no_args_is_help=True,
)


@contextmanager
def _service(config: Path | None) -> Iterator[TransferAssessments]:
    from onshore.services.transfer_assessments import TransferAssessments

    with runtime_from(config) as runtime:
        yield TransferAssessments(runtime)


def case_dict(case: Case) -> dict[str, Any]:
    """An assessment as JSON (what the API shows)."""
    from onshore.services.transfer_assessments import TransferAssessments

    return TransferAssessments.view_of(case)


#: Assessments as the CLI reaches them: ``/v1/cases/transfer-assessments`` or the service.
KIND_CLI = CaseKindCli(
    "transfers",
    kind("transfer_assessment"),
    _service,
    case_dict,
    columns=(("destination", "destination"), ("artifact", "artifact")),
)


def _show(case: dict[str, Any]) -> None:
    data = case["data"]
    console.print(
        f"[bold]{case['case_id']}[/] {case['state']}  due {case.get('due_at') or '-'}"
        f"  {data.get('region')} -> {data.get('destination')}  {data.get('artifact')}"
        f" ({', '.join(data.get('rules') or [])})"
    )


def _cell(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _local(moment: str) -> str:
    from datetime import datetime

    from onshore.core.local_time import deployment_zone, stated

    return stated(datetime.fromisoformat(moment).replace(microsecond=0), deployment_zone())


@app.command("register")
def register_command(
    country: Annotated[
        str | None, typer.Option("--country", help="Only transfers to this country (alpha-2).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only transfers at or after (a bare date: midnight locally)."),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only out of this region.")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The transfer register, built from the region ledgers: per exporting region,
    destination country and purpose, the data categories, records, subjects (keyed hashes,
    nothing decrypted), legal basis and first and last transfer.

    Example: ``onshore transfers register --country SG``
    """
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InputError("--country is an alpha-2 country code", details={"country": country})
    country = country.upper() if country else None
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            params = {
                k: v
                for k, v in (("country", country), ("since", since), ("region", region))
                if v is not None
            }
            rows = session.remote.request("GET", "/v1/transfers", params=params)["rows"]
        else:
            from onshore.core.local_time import parse_moment
            from onshore.services.transfer_register import register

            runtime = session.svc.runtime
            runtime.checkpoint_on_close = False  # reads only
            zone = runtime.settings.calendar.zone(runtime.entity.incorporated_in)
            when = parse_moment(since, zone, what="--since") if since else None
            found = register(runtime, country=country, since=when, region=region)
            rows = [r.to_dict() for r in found]
    if as_json:
        typer.echo(json.dumps({"rows": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("no transfers recorded")
        return
    table = Table(
        "from",
        "to",
        "purpose",
        "categories",
        "records",
        "subjects",
        "legal basis",
        "first",
        "last",
        title="transfer register",
    )
    for r in rows:
        table.add_row(
            r["from_region"],
            r["destination"],
            r["purpose"],
            _cell(r["categories"]),
            str(r["records"]),
            str(r["subjects"]),
            _cell(r["legal_basis"]),
            _local(r["first_transfer_at"]),
            _local(r["last_transfer_at"]),
        )
    console.print(table)


@app.command()
def dossier(
    case_id: str,
    fmt: Annotated[str, typer.Option("--format", help="json, md or html.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    config: ConfigOpt = None,
) -> None:
    """A case's dossier in its form's sections: as filed, or as drafted now; what is not
    known reads TO COMPLETE with what the law requires there.

    Example: ``onshore transfers dossier transfer-1a2b --format html --out tia.html``
    """
    formats = {"json": "json", "md": "markdown", "markdown": "markdown", "html": "html"}
    if fmt not in formats:
        raise InputError("--format is json, md or html", details={"format": fmt})
    wanted = formats[fmt]
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            path = f"/v1/transfers/dossiers/{case_id}"
            got: Any = session.remote.request("GET", path, params={"format": wanted})
        else:
            got = session.svc.dossier(case_id, wanted)
    text = json.dumps(got, ensure_ascii=False, indent=2) + "\n" if wanted == "json" else str(got)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


@app.command()
def move(
    record_id: Annotated[str, typer.Argument(help="The record's id.")],
    to: Annotated[str, typer.Option("--to", help="The region to move it to.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why (a short token: analytics).")],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move one record to another region, on this host, if the policy packs allow its new
    country; the transfer goes on both ledgers and, when it owes a dossier, opens the
    route's assessment (over HTTP: ``POST /v1/records/{id}/transfer``).

    Example: ``onshore transfers move vn-hcm~3f2a... --to sg-1 --purpose analytics``
    """
    from onshore.cli.host import host_principal
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    with Vault.open(load_settings(config)) as vault:
        receipt = vault.transfer(record_id, to, purpose=purpose, actor=host_principal().id)
    got = {
        "record_id": receipt.record_id,
        "region": receipt.region,
        "ledger_index": receipt.ledger_index,
    }
    if as_json:
        typer.echo(json.dumps(got))
        return
    console.print(f"{receipt.record_id} -> {receipt.region} (leaf {receipt.ledger_index})")


@app.command()
def sync(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Open the assessments the register's routes owe and lack (transfers open them
    themselves; this catches up after a failure). Idempotent.

    Example: ``onshore transfers sync``
    """
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            got = session.remote.request("POST", "/v1/transfers/sync", body={})
        else:
            done = session.svc.sync()
            got = {
                "opened": [o.case.case_id for o in done if o.created],
                "already_open": sum(1 for o in done if not o.created),
            }
    if as_json:
        typer.echo(json.dumps(got, indent=2))
        return
    console.print(f"opened {len(got['opened'])}, already open {got['already_open']}")
    for cid in got["opened"]:
        console.print(f"  {cid}")


add_case_commands(app, KIND_CLI, lambda case: _show(case))


def register(root: typer.Typer) -> None:
    """Attach ``onshore transfers ...`` to the main app."""
    root.add_typer(app, name="transfers")
