"""``onshore dsr ...``: data-subject requests, from receipt to the answer.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``) ``open``,
``act``, ``show``, ``list`` and ``due`` call ``/v1/cases/dsr`` as the logged-in user;
otherwise each command opens the configured stores and acts as the host administrator
(:class:`onshore.services.dsr.DsrService`). ``verify-package`` needs only the package
directory (and optionally the keys to pin).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.case_group import add_case_commands
from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.cases.dsr import REQUEST_TYPES
from onshore.core.cases.registry import kind
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.ports import Case
    from onshore.services.dsr import DsrService

console = CliConsole()
app = typer.Typer(
    help="Data-subject requests: access, copy, correction, erasure, restriction,\n"
    "objection, withdrawal of consent.",
    no_args_is_help=True,
)


@contextmanager
def _service(config: Path | None) -> Iterator[DsrService]:
    from onshore.services.dsr import DsrService
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    vault = Vault.open(load_settings(config))
    try:
        yield DsrService(vault)
    finally:
        vault.close()


def case_dict(case: Case) -> dict[str, Any]:
    """A request as JSON (``onshore.services.dsr.view``)."""
    from onshore.services.dsr import view

    return view(case)


#: Requests as the CLI reaches them: ``/v1/cases/dsr`` or the local service.
KIND_CLI = CaseKindCli("dsr", kind("dsr"), _service, case_dict, columns=(("type", "request_type"),))


def _show(case: dict[str, Any]) -> None:
    data = case["data"]
    console.print(
        f"[bold]{case['case_id']}[/] {data.get('request_type')} {case['state']}  "
        f"due {case.get('due_at') or '-'}"
    )
    ack = data.get("ack_deadline") or {}
    if ack and not data.get("acknowledged_at"):
        console.print(f"acknowledge by {ack.get('due')} ({ack.get('source')})")
    deadline = data.get("deadline") or {}
    if deadline:
        console.print(f"answer due {deadline.get('due')} ({deadline.get('source')})")
    else:
        console.print("answer due: no rule of the loaded packs sets a deadline")
    answer = data.get("answer") or {}
    if answer.get("text"):
        console.print(f"answer: {answer['text']}")


@app.command("open")
def open_request(
    request_type: Annotated[
        str, typer.Option("--type", help=f"One of {', '.join(REQUEST_TYPES)}.")
    ],
    channel: Annotated[str, typer.Option("--channel", help="How it arrived (web_form...).")],
    subject: Annotated[str | None, typer.Option("--subject", help="The account id.")] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="An e-mail address.")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="A phone number.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="The subject's country (ISO 3166-1).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="The channel's reference.")
    ] = None,
    received_at: Annotated[
        datetime | None, typer.Option("--received-at", help="When it arrived (ISO 8601).")
    ] = None,
    via_processor: Annotated[
        bool, typer.Option("--via-processor", help="A processor or third party must stop too.")
    ] = False,
    details: Annotated[
        str | None, typer.Option("--details", help="What to correct, restrict or object to.")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a data-subject request; its deadlines come from the packs.

    Example: ``onshore dsr open --type access --channel web_form --email lan@example.vn``
    """
    body: dict[str, Any] = {
        "request_type": request_type,
        "channel": channel,
        "subject": subject,
        "email": email or [],
        "phone_number": phone or [],
        "country": country,
        "reference": reference,
        "received_at": received_at.isoformat() if received_at else None,
        "via_processor": via_processor,
        "details": details,
    }
    body = {k: v for k, v in body.items() if v not in (None, [])}
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            case = session.remote.request("POST", KIND_CLI.prefix, body=body)
        else:
            case = case_dict(session.svc.intake(body, **session.actor()).case)
    typer.echo(json.dumps(case, ensure_ascii=False, indent=2)) if as_json else _show(case)


@app.command()
def due(
    hours: Annotated[float, typer.Option("--within", help="Hours ahead counted as due soon.")] = 24,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Overdue requests and those due soon.

    Example: ``onshore dsr due --within 48``
    """
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            path = f"{KIND_CLI.prefix}/due"
            out = session.remote.request("GET", path, params={"within_hours": hours})
        else:
            report = session.svc.cases.due(kind="dsr", within=timedelta(hours=hours))
            out = {
                "overdue": [case_dict(c) for c in report.overdue],
                "due_soon": [case_dict(c) for c in report.due_soon],
            }
    rows = [(s, c) for s in ("overdue", "due_soon") for c in out[s]]
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    table = Table("status", "case", "type", "state", "due")
    for s, c in rows:
        table.add_row(s, c["case_id"], c["data"].get("request_type"), c["state"], c["due_at"])
    console.print(table)


@app.command()
def report(
    start: Annotated[datetime, typer.Option("--from", help="First instant (ISO 8601).")],
    end: Annotated[datetime, typer.Option("--to", help="End instant, excluded (ISO 8601).")],
    k: Annotated[int, typer.Option("--k", min=1, help="Counts below k are suppressed.")] = 10,
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    config: ConfigOpt = None,
) -> None:
    """Requests per subject country: types, outcomes, late answers, median hours.

    Example: ``onshore dsr report --from 2026-01-01T00:00+07:00 --to 2026-07-01T00:00+07:00``
    """
    from datetime import UTC

    if fmt not in ("json", "csv"):
        raise InputError("--format is json or csv", details={"field": "format"})
    start, end = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (start, end))
    with _service(config) as svc:
        table = svc.report(start, end, k)
    if fmt == "csv":
        typer.echo(table.csv(k), nl=False)
    else:
        typer.echo(json.dumps(table.to_dict(), ensure_ascii=False))


@app.command("verify-package")
def verify_package_cmd(
    directory: Annotated[Path, typer.Argument(help="The package directory.")],
    key: Annotated[str | None, typer.Option(help="Expected signing key (base64).")] = None,
    ledger_key: Annotated[str | None, typer.Option(help="Expected ledger verifier key.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a data-subject package offline (exit 1 when any check fails).

    Example: ``onshore dsr verify-package data/packages/dsr-1a2b``
    """
    from onshore.cli.package_check import verify_and_print

    verify_and_print(directory, key, ledger_key, as_json)


add_case_commands(app, KIND_CLI, _show)


def register(root: typer.Typer) -> None:
    """Attach ``onshore dsr ...``."""
    root.add_typer(app, name="dsr")
