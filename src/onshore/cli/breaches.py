"""``onshore breach ...``: personal-data breaches on the clock from their discovery.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``) every
command calls ``/v1/cases/breaches`` as the logged-in principal; otherwise it opens the local
stores and acts as the host administrator (:class:`onshore.services.breaches.BreachService`).
``record`` opens a case, ``notifications`` prints each law's notification (JSON, Markdown or
HTML); ``act``, ``show``, ``list`` and ``lifecycle`` are generated from the declaration.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onshore.cli.case_group import add_case_commands
from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, parse_json_option, runtime_from
from onshore.core.cases.registry import kind
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.ports import Case
    from onshore.services.breaches import BreachService

console = CliConsole()
app = typer.Typer(
    help="Personal-data breaches: record, count, notify the authorities and the subjects.",
    no_args_is_help=True,
)


@contextmanager
def _service(config: Path | None) -> Iterator[BreachService]:
    from onshore.services.breaches import BreachService

    with runtime_from(config) as runtime:
        yield BreachService(runtime)


def case_dict(case: Case) -> dict[str, Any]:
    """A breach as JSON (what the API shows)."""
    from onshore.services.breaches import breach_view

    return breach_view(case)


#: Breaches as the CLI reaches them: ``/v1/cases/breaches`` or the local service.
KIND_CLI = CaseKindCli("breach", kind("breach"), _service, case_dict)


def _show(case: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(case, ensure_ascii=False, indent=2, default=str))
        return
    data = case["data"]
    console.print(
        f"[bold]{case['case_id']}[/] {case['state']}  due {case.get('due_at') or '-'}"
        f"  ({(data.get('deadline') or {}).get('source') or 'no deadline'})"
    )
    for country, c in (data.get("affected") or {}).get("by_country", {}).items():
        console.print(f"  {country}: {c['subjects']} subjects, {c['records']} records")


@app.command()
def record(
    discovered_at: Annotated[
        str,
        typer.Option("--discovered-at", help="When the breach was discovered (ISO 8601)."),
    ],
    body: Annotated[
        str | None,
        typer.Option("--body", help="Other intake fields as JSON, or @file.json."),
    ] = None,
    reference: Annotated[str | None, typer.Option(help="Incident reference.")] = None,
    high_risk: Annotated[
        bool, typer.Option("--high-risk", help="Likely a high risk to the subjects.")
    ] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a breach; its clock starts at DISCOVERY, and its affected subjects are counted
    per country from the vault (nothing decrypted).

    Example: ``onshore breach record --discovered-at 2026-03-02T08:00+07:00 --body @b.json``
    """
    parsed = parse_json_option(body, "--body", default={})
    if not isinstance(parsed, dict):
        raise InputError("--body is a JSON object", details={"field": "body"})
    intake = {**parsed, "discovered_at": discovered_at}
    if reference is not None:
        intake["reference"] = reference
    if high_risk:
        intake["high_risk"] = True
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            out = session.remote.request("POST", KIND_CLI.prefix, body=intake)
        else:
            out = case_dict(session.svc.intake(intake, **session.actor()).case)
    _show(out, as_json)


@app.command()
def notifications(
    case_id: str,
    fmt: Annotated[str, typer.Option("--format", help="json, markdown or html.")] = "markdown",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Each law's notification for a breach: as sent, or as drafted now; what is not known
    yet reads NOT KNOWN YET (JSON: null, named under ``missing``).

    Example: ``onshore breach notifications breach-1a2b --format html --out n.html``
    """
    if fmt not in ("json", "markdown", "html"):
        raise InputError("--format is json, markdown or html", details={"format": fmt})
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            path = f"{KIND_CLI.prefix}/{case_id}/notifications"
            got: Any = session.remote.request("GET", path, params={"format": fmt})
        else:
            session.show(case_id)  # another kind's case is not found here
            got = session.svc.documents(case_id, fmt)
    text = json.dumps(got, ensure_ascii=False, indent=2) + "\n" if fmt == "json" else str(got)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


add_case_commands(app, KIND_CLI, lambda case: _show(case, False))


def register(root: typer.Typer) -> None:
    """Attach ``onshore breach ...`` to the main app."""
    root.add_typer(app, name="breach")
