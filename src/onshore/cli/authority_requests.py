"""``onshore requests ...``: authority data requests from intake to production.

Every command but ``verify-package`` reads the configuration once (``--config``) and makes
one call to ``onshore.services.authority_requests.AuthorityRequestService``;
``verify-package`` needs only the package directory (and optionally the keys to pin).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ActorOpt, ConfigOpt, JsonOpt, RoleOpt, parse_json_option
from onshore.core.cases.authority_requests import KIND, REQUESTS
from onshore.core.errors import InputError
from onshore.core.identity import Principal

if TYPE_CHECKING:
    from onshore.ports import Case
    from onshore.services.authority_requests import AuthorityRequestService

console = CliConsole()
app = typer.Typer(
    help="Authority data requests: intake, review, production, deadlines.", no_args_is_help=True
)


def open_service(config: Path | None) -> AuthorityRequestService:
    """The requests service of the configured deployment."""
    from onshore.services.authority_requests import AuthorityRequestService
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    return AuthorityRequestService(Vault.open(load_settings(config)))


def _json_arg(text: str | None, what: str) -> Any:
    return parse_json_option(text, what)


def case_view(case: Case) -> dict[str, Any]:
    """A request case as JSON (``onshore.services.authority_requests.case_view``)."""
    from onshore.services.authority_requests import case_view as view

    return view(case)


def _show(case: Case, as_json: bool) -> None:
    if as_json:
        print(json.dumps(case_view(case), ensure_ascii=False, indent=2))
        return
    due = case.due_at.isoformat() if case.due_at else "-"
    console.print(f"[bold]{case.case_id}[/] {case.state} (region {case.region}, due {due})")
    console.print("next: " + ", ".join(t.action for t in REQUESTS.available(case.state)))


@app.command()
def receive(
    authority: Annotated[str, typer.Option(help="Registry id, e.g. VN-A05.")],
    process: Annotated[str, typer.Option(help="Process type, e.g. warrant.")],
    reference: Annotated[str, typer.Option(help="The authority's reference number.")],
    basis: Annotated[str, typer.Option(help="Legal basis citation.")],
    scope: Annotated[str, typer.Option(help="Scope JSON, or @file.json.")],
    actor: ActorOpt,
    role: RoleOpt = "operator",
    respond_within: Annotated[
        str | None, typer.Option(help="The request's own deadline: AMOUNT:UNIT (2:working_day).")
    ] = None,
    ndo_until: Annotated[
        str | None, typer.Option(help="Non-disclosure order end (ISO 8601).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a request. Example: ``onshore requests receive --authority VN-A05 --process
    warrant --reference CV-1 --basis "CPC art. 196" --scope '{"phone_number": ["0912345678"],
    "categories": ["phone_number"]}' --actor olga``"""
    within = None
    if respond_within:
        amount, _, unit = respond_within.partition(":")
        if not amount.isdigit():
            raise InputError("--respond-within is AMOUNT:UNIT, e.g. 2:working_day")
        within = {"amount": int(amount), "unit": unit}
    svc = open_service(config)
    try:
        case = svc.receive(
            authority=authority,
            process_type=process,
            reference=reference,
            legal_basis=basis,
            scope=_json_arg(scope, "--scope"),
            principal=_typed(actor, role),
            respond_within=within,
            ndo_until=ndo_until,
        )
        _show(case, as_json)
    finally:
        svc.vault.close()


@app.command()
def act(
    case_id: Annotated[str, typer.Argument(help="The case id.")],
    action: Annotated[str, typer.Argument(help="The action (see `onshore requests lifecycle`).")],
    actor: ActorOpt,
    role: RoleOpt = "operator",
    note: Annotated[str | None, typer.Option(help="Note JSON (or @file.json).")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take an action on a request. Example: ``onshore requests act REQ approve --actor rita
    --role legal_reviewer``"""
    svc = open_service(config)
    try:
        case = svc.act(
            case_id, action, principal=_typed(actor, role), note=_json_arg(note, "--note")
        )
        _show(case, as_json)
    finally:
        svc.vault.close()


@app.command()
def show(
    case_id: Annotated[str, typer.Argument(help="The case id.")],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A request, its history and what may happen next."""
    svc = open_service(config)
    try:
        case = svc.cases.get(case_id)
        history = svc.cases.history(case_id)
        if as_json:
            out = case_view(case)
            out["history"] = [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "role": e.role,
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "note": e.note,
                }
                for e in history
            ]
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return
        _show(case, False)
        table = Table("seq", "at", "actor", "role", "action", "to")
        for e in history:
            table.add_row(str(e.seq), e.at.isoformat(), e.actor, e.role, e.action, e.to_state)
        console.print(table)
    finally:
        svc.vault.close()


@app.command("list")
def list_cases(
    state: Annotated[list[str] | None, typer.Option(help="Only these states.")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every request (optionally in some states), by id."""
    svc = open_service(config)
    try:
        cases = list(svc.cases.iter_cases(kind=KIND, states=state or None))
        if as_json:
            print(json.dumps([case_view(c) for c in cases], ensure_ascii=False, indent=2))
            return
        table = Table("case", "state", "authority", "process", "due")
        for c in cases:
            due = c.due_at.isoformat() if c.due_at else "-"
            table.add_row(
                c.case_id, c.state, c.data.get("authority", ""), c.data.get("process_type", ""), due
            )
        console.print(table)
    finally:
        svc.vault.close()


@app.command()
def due(
    within_hours: Annotated[float, typer.Option("--within", help="Due-soon window, hours.")] = 24,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Overdue and due-soon requests (and refresh the Prometheus gauges)."""
    svc = open_service(config)
    try:
        report = svc.cases.due(kind=KIND, within=timedelta(hours=within_hours))
        svc.cases.refresh_gauges(within=timedelta(hours=within_hours))
        rows = [("overdue", c) for c in report.overdue] + [("due_soon", c) for c in report.due_soon]
        if as_json:
            out = {
                "overdue": [case_view(c) for c in report.overdue],
                "due_soon": [case_view(c) for c in report.due_soon],
            }
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return
        table = Table("status", "case", "state", "due")
        for status, c in rows:
            table.add_row(status, c.case_id, c.state, c.due_at.isoformat() if c.due_at else "-")
        console.print(table)
    finally:
        svc.vault.close()


@app.command()
def lifecycle(
    fmt: Annotated[str, typer.Option("--format", help="markdown | mermaid | json.")] = "markdown",
) -> None:
    """Print the request lifecycle's transition table (the single source of truth)."""
    if fmt == "mermaid":
        print(REQUESTS.mermaid())
    elif fmt == "json":
        print(json.dumps(REQUESTS.to_dict(), indent=2))
    elif fmt == "markdown":
        print(REQUESTS.markdown())
    else:
        raise InputError("--format is markdown, mermaid or json")


@app.command()
def authorities(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """The registry of requesting authorities and their channels."""
    svc = open_service(config)
    try:
        found = svc.authorities.all()
        if as_json:
            print(json.dumps([a.to_dict() for a in found], ensure_ascii=False, indent=2))
            return
        table = Table("id", "country", "name", "verified channels")
        for a in found:
            verified = ", ".join(c.id for c in a.channels if c.verified) or "-"
            table.add_row(a.id, a.country, a.name, verified)
        console.print(table)
    finally:
        svc.vault.close()


@app.command("verify-package")
def verify_package_cmd(
    directory: Annotated[Path, typer.Argument(help="The package directory.")],
    key: Annotated[str | None, typer.Option(help="Expected signing key (base64).")] = None,
    ledger_key: Annotated[str | None, typer.Option(help="Expected ledger verifier key.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a production package offline (exit 1 when any check fails).

    Example: ``onshore requests verify-package packages/req-1a2b``
    """
    from onshore.core.cases.package import verify_package
    from onshore.services.production import read_package

    report = verify_package(read_package(directory), public_key=key, ledger_key=ledger_key)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
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


def register(root: typer.Typer) -> None:
    """Attach ``onshore requests``."""
    root.add_typer(app, name="requests")


def _typed(actor: str, role: str) -> Principal:
    """Interim (until the case CLI talks to the server as the signed-in user): the principal
    named by ``--actor``/``--role``."""
    return Principal("user", actor, actor, frozenset({role}), via="host")
