"""``onshore takedowns ...``: notices on the clock, from intake to appeal.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``) receive,
act, show and due call ``/v1/cases/takedowns`` as the logged-in principal; otherwise each
command reads the configuration once and makes one service call
(:class:`onshore.services.takedowns.TakedownService`) as the host administrator. The
reports and exports read the local stores.
"""

from __future__ import annotations

import csv
import io
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
from onshore.cli.options import ConfigOpt, JsonOpt, parse_json_option, runtime_from
from onshore.cli.receipt import local_receipt
from onshore.core.cases.registry import kind
from onshore.core.cases.takedowns import SOURCES
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.ports import Case
    from onshore.services.takedowns import TakedownService

console = CliConsole()
app = typer.Typer(
    help="Takedown notices: receive, act, clocks, statements of reasons, reports.",
    no_args_is_help=True,
)


@contextmanager
def _service(config: Path | None) -> Iterator[TakedownService]:
    from onshore.services.takedowns import TakedownService

    with runtime_from(config) as runtime:
        yield TakedownService(runtime)


def _json_arg(text: str | None, what: str) -> Any:
    return parse_json_option(text, what, default={})


def case_dict(case: Case) -> dict[str, Any]:
    """A case as JSON (``onshore.services.takedowns.case_view``)."""
    from onshore.services.takedowns import case_view

    return case_view(case)


#: Takedowns as the CLI reaches them: ``/v1/cases/takedowns`` or the local service.
KIND_CLI = CaseKindCli("takedowns", kind("takedown"), _service, case_dict)


def _show(case: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(case, ensure_ascii=False, default=str))
        return
    due = case.get("due_at") or "-"
    console.print(
        f"[bold]{case['case_id']}[/] {case['state']}  priority {case['data'].get('priority')}"
        f"  due {due}"
    )
    missing = case["data"].get("missing")
    if missing:
        console.print(f"missing: {', '.join(missing)}")


@app.command()
def receive(
    source: Annotated[str, typer.Option("--source", help=f"One of {', '.join(SOURCES)}.")],
    notice: Annotated[str, typer.Option("--notice", help="The notice as JSON, or @file.json.")],
    urgent: Annotated[bool, typer.Option("--urgent", help="An urgent request.")] = False,
    region: Annotated[str | None, typer.Option("--region", help="Region to hold the case.")] = None,
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
    """Log a notice; its deadline comes from the packs.

    Example:
    ``onshore takedowns receive --source authority_order --urgent --notice @n.json``
    """
    body = {
        "source": source,
        "notice": _json_arg(notice, "--notice"),
        "urgent": urgent,
        "region": region,
        "received_at": received_at,
    }
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            _show(session.remote.request("POST", KIND_CLI.prefix, body=body), as_json)
            return
        _show(case_dict(session.svc.receive(**local_receipt(body), **session.actor())), as_json)


@app.command()
def due(
    hours: Annotated[float, typer.Option("--within", help="Hours ahead counted as due soon.")] = 6,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Breached (overdue) notices and those due soon.

    Example: ``onshore takedowns due --within 2``
    """
    from datetime import timedelta

    with case_session(KIND_CLI, config) as session:
        if session.remote:
            path = f"{KIND_CLI.prefix}/due"
            out = session.remote.request("GET", path, params={"within_hours": hours})
        else:
            report = session.svc.due(within=timedelta(hours=hours))
            out = {
                "breached": [case_dict(c) for c in report.overdue],
                "due_soon": [case_dict(c) for c in report.due_soon],
            }
    out.setdefault("breached", out.pop("overdue", []))  # the server's generic name
    rows = [(s, c) for s in ("breached", "due_soon") for c in out[s]]
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "status": s,
                        "case_id": c["case_id"],
                        "state": c["state"],
                        "due_at": c.get("due_at"),
                        "priority": c["data"].get("priority"),
                    }
                    for s, c in rows
                ]
            )
        )
        return
    table = Table("status", "case", "state", "priority", "due")
    for s, c in rows:
        table.add_row(
            s, c["case_id"], c["state"], str(c["data"].get("priority")), c.get("due_at") or "-"
        )
    console.print(table)


@app.command()
def report(
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    config: ConfigOpt = None,
) -> None:
    """Removal requests by requester type, reason and action, with median times.

    Example: ``onshore takedowns report --format csv > takedowns.csv``
    """
    with _service(config) as svc:
        out = svc.report()
    if fmt == "csv":
        buf = io.StringIO()
        rows = out["rows"]
        fields = list(rows[0]) if rows else ["case_id"]
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(out, default=str))
    else:
        raise InputError("--format is json or csv")


@app.command("export-dsa")
def export_dsa(config: ConfigOpt = None) -> None:
    """Sent statements of reasons as DSA Transparency Database batch bodies (validated).

    Example: ``onshore takedowns export-dsa > statements.json``
    """
    with _service(config) as svc:
        typer.echo(json.dumps(svc.dsa_export(), ensure_ascii=False))


@app.command("export-lumen")
def export_lumen(case_id: str, config: ConfigOpt = None) -> None:
    """A notice in Lumen's submission shape.

    Example: ``onshore takedowns export-lumen takedown-1a2b``
    """
    with _service(config) as svc:
        typer.echo(json.dumps(svc.lumen_export(case_id), ensure_ascii=False))


add_case_commands(app, KIND_CLI, lambda case: _show(case, False))


def register(root: typer.Typer) -> None:
    """Attach ``onshore takedowns ...`` to the main app."""
    root.add_typer(app, name="takedowns")
