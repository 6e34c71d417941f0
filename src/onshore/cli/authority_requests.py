"""``onshore requests ...``: authority data requests from intake to production.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``) the case
commands call ``/v1/cases/requests`` as the logged-in principal; otherwise they read the
configuration once (``--config``) and call
``onshore.services.authority_requests.AuthorityRequestService`` as the host administrator
(:mod:`onshore.cli.case_session`). ``verify-package`` needs only the package directory (and
optionally the keys to pin); ``authorities`` reads the local registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.case_group import add_case_commands
from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, parse_json_option
from onshore.cli.receipt import local_receipt
from onshore.core.cases.authority_requests import KIND, REQUESTS
from onshore.core.cases.registry import kind
from onshore.core.errors import InputError

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


@contextmanager
def _local(config: Path | None) -> Iterator[AuthorityRequestService]:
    svc = open_service(config)
    try:
        yield svc
    finally:
        svc.vault.close()


def case_view(case: Case) -> dict[str, Any]:
    """A request case as JSON (``onshore.services.authority_requests.case_view``)."""
    from onshore.services.authority_requests import case_view as view

    return view(case)


#: Requests as the CLI reaches them: ``/v1/cases/requests`` or the local service.
KIND_CLI = CaseKindCli(
    "requests",
    kind("authority_request"),
    _local,
    case_view,
    columns=(("authority", "authority"), ("process", "process_type")),
)


def _json_arg(text: str | None, what: str) -> Any:
    return parse_json_option(text, what)


def _show(case: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(case, ensure_ascii=False, indent=2))
        return
    due = case.get("due_at") or "-"
    console.print(
        f"[bold]{case['case_id']}[/] {case['state']} (region {case['region']}, due {due})"
    )
    console.print("next: " + ", ".join(t.action for t in REQUESTS.available(case["state"])))


@app.command()
def receive(
    authority: Annotated[str, typer.Option(help="Registry id, e.g. VN-A05.")],
    process: Annotated[str, typer.Option(help="Process type, e.g. warrant.")],
    reference: Annotated[str, typer.Option(help="The authority's reference number.")],
    basis: Annotated[str, typer.Option(help="Legal basis citation.")],
    scope: Annotated[str, typer.Option(help="Scope JSON, or @file.json.")],
    respond_within: Annotated[
        str | None, typer.Option(help="The request's own deadline: AMOUNT:UNIT (2:working_day).")
    ] = None,
    ndo_until: Annotated[
        str | None, typer.Option(help="Non-disclosure order end (ISO 8601).")
    ] = None,
    received_at: Annotated[
        str | None,
        typer.Option(
            "--received-at",
            help="When it actually arrived (ISO 8601; a bare date is local midnight); "
            "default now. The deadline counts from it.",
        ),
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a request. Example: ``onshore requests receive --authority VN-A05 --process
    warrant --reference CV-1 --basis "CPC art. 196" --scope '{"phone_number": ["0912345678"],
    "categories": ["phone_number"]}'``"""
    within = None
    if respond_within:
        amount, _, unit = respond_within.partition(":")
        if not amount.isdigit():
            raise InputError("--respond-within is AMOUNT:UNIT, e.g. 2:working_day")
        within = {"amount": int(amount), "unit": unit}
    body = {
        "authority": authority,
        "process_type": process,
        "reference": reference,
        "legal_basis": basis,
        "scope": _json_arg(scope, "--scope"),
        "respond_within": within,
        "ndo_until": ndo_until,
        "received_at": received_at,
    }
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            _show(session.remote.request("POST", KIND_CLI.prefix, body=body), as_json)
            return
        _show(case_view(session.svc.receive(**local_receipt(body), **session.actor())), as_json)


@app.command()
def due(
    within_hours: Annotated[float, typer.Option("--within", help="Due-soon window, hours.")] = 24,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Overdue and due-soon requests (and refresh the Prometheus gauges)."""
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            params = {"within_hours": within_hours}
            out = session.remote.request("GET", f"{KIND_CLI.prefix}/due", params=params)
        else:
            svc = session.svc
            report = svc.cases.due(kind=KIND, within=timedelta(hours=within_hours))
            svc.cases.refresh_gauges(within=timedelta(hours=within_hours))
            out = {
                "overdue": [case_view(c) for c in report.overdue],
                "due_soon": [case_view(c) for c in report.due_soon],
            }
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    table = Table("status", "case", "state", "due")
    for status in ("overdue", "due_soon"):
        for c in out[status]:
            table.add_row(status, c["case_id"], c["state"], c.get("due_at") or "-")
    console.print(table)


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
    from onshore.cli.package_check import verify_and_print

    verify_and_print(directory, key, ledger_key, as_json)


add_case_commands(app, KIND_CLI, lambda case: _show(case, False))


def register(root: typer.Typer) -> None:
    """Attach ``onshore requests``."""
    root.add_typer(app, name="requests")
