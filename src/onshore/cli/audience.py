"""``onshore audience ingest|followers|status|obligations|prepare|dossier|file``:
audience thresholds.

With a server configured (``ONSHORE_URL``/``ONSHORE_TOKEN`` or ``onshore login``)
obligations, prepare and file call ``/v1/audience/obligations`` as the logged-in principal;
otherwise each command reads the configuration once and makes one service call
(:class:`onshore.services.audience.AudienceService`) as the host administrator.
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
from onshore.cli.host import host_principal
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.cli.takedowns import case_dict
from onshore.core.cases.registry import kind
from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.services.audience import AudienceService

console = CliConsole()
app = typer.Typer(
    help="Audience metrics and threshold obligations (10,000 VN subscribers...).",
    no_args_is_help=True,
)


@contextmanager
def _service(config: Path | None) -> Iterator[AudienceService]:
    from onshore.services.audience import AudienceService

    with runtime_from(config) as runtime:
        yield AudienceService(runtime)


#: Obligations as the CLI reaches them: ``/v1/audience/obligations`` or the local service.
KIND_CLI = CaseKindCli(
    "audience",
    kind("audience_obligation"),
    _service,
    case_dict,
    columns=(("subject", "subject_id"), ("crossed", "crossed_on")),
)


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, default=str))


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="CSV (with a header) or JSON Lines file.")],
    strict: Annotated[bool, typer.Option("--strict", help="Any bad row rejects the file.")] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: by extension).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest metrics; good rows are applied in one transaction, bad rows reported (line,
    reason); ``--strict`` applies nothing when any row is bad. Sending a file again changes
    nothing. Exit code 2 when bad rows were found.

    Example: ``onshore audience ingest metrics-2026-11-20.csv``
    """
    with _service(config) as svc:
        report = svc.ingest_file(path, fmt=fmt, strict=strict, principal=host_principal())
    if as_json:
        _echo(report.to_dict())
    else:
        state = "already applied" if report.already_applied else "applied"
        console.print(
            f"{report.batch_id[:19]}…  {state}: {report.good} good, {report.bad} bad; "
            f"inserted {report.inserted}, updated {report.updated}, unchanged "
            f"{report.unchanged}; obligations opened {len(report.opened)}, below "
            f"{len(report.below)} ({report.seconds} s)"
        )
        for bad in report.bad_rows[:20]:
            console.print(f"  line {bad['line']}: {bad['reason']}")
    if report.bad:
        raise typer.Exit(2)


@app.command()
def followers(
    path: Annotated[
        Path, typer.Argument(help="CSV (header) or JSON Lines: follower_id + signals.")
    ],
    subject: Annotated[str, typer.Option("--subject", help="The account's id.")],
    day: Annotated[str, typer.Option("--date", help="The day of the list, YYYY-MM-DD.")],
    subject_type: Annotated[str, typer.Option("--type", help="account or service.")] = "account",
    strict: Annotated[bool, typer.Option("--strict", help="Any bad row rejects the list.")] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: by extension).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attribute an account's followers to countries with the residency resolver (signals:
    declared_residence, phone_number, address_country, ip) and ingest the counts as the
    day's subscribers with their confidence. No follower id is stored. Exit code 2 when bad
    rows were found.

    Example: ``onshore audience followers followers.csv --subject acct-42 --date 2026-11-20``
    """
    from onshore.services.audience_followers import read_followers

    with _service(config) as svc:
        report = svc.attribute_followers(
            subject,
            day,
            read_followers(path, fmt),
            subject_type=subject_type,
            strict=strict,
            principal=host_principal(),
        )
    att = report.attribution or {}
    if as_json:
        _echo(report.to_dict())
    else:
        state = "already applied" if report.already_applied else "applied"
        console.print(
            f"{report.batch_id[:19]}…  {state}: {att.get('followers')} followers, "
            f"{att.get('bad')} bad; obligations opened {len(report.opened)}"
        )
        for country, c in (att.get("countries") or {}).items():
            by = ", ".join(f"{k} {v}" for k, v in c["decided_by"].items())
            console.print(
                f"  {country}: {c['followers']} (confidence {c['confidence']:.2f}, "
                f"lowest {c['min_confidence']:.2f}; {by})"
            )
        for bad in (att.get("bad_rows") or [])[:20]:
            console.print(f"  line {bad['line']}: {bad['reason']}")
    if att.get("bad"):
        raise typer.Exit(2)


@app.command()
def status(
    subject: Annotated[str, typer.Argument(help="Account or service id.")],
    country: Annotated[str, typer.Option("--country", help="Audience country.")] = "VN",
    on: Annotated[
        str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default latest.")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How a subject's counters stood on a day, and how they got there.

    Example: ``onshore audience status acct-42 --on 2026-11-20``
    """
    with _service(config) as svc:
        out = svc.status(subject, country, on)
    if as_json:
        _echo(out)
        return
    sub = out["subscribers"] or {}
    console.print(
        f"[bold]{subject}[/] {country} on {out['on']}: {sub.get('subscribers')} "
        f"subscribers (as of {sub.get('day')}, batch {str(sub.get('batch_id'))[:19]}…"
        f" line {sub.get('line')})"
    )
    table = Table("day", "subscribers", "change", "monthly visits", "batch", "line")
    for h in out["history"][-30:]:
        table.add_row(
            h["day"],
            str(h["subscribers"]),
            str(h["change"]),
            str(h["monthly_visits"]),
            str(h["batch_id"])[:19],
            str(h["line"]),
        )
    console.print(table)
    for o in out["obligations"]:
        console.print(
            f"obligation {o['case_id']} {o['rule_id']} {o['state']} "
            f"{'above' if o['above'] else 'below'} due {o['due'] or '-'}"
        )


@app.command()
def obligations(
    state: Annotated[list[str] | None, typer.Option("--state", help="Filter by state.")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open obligations (or those in ``--state``).

    Example: ``onshore audience obligations --json``
    """
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            open_states = list(KIND_CLI.declaration.open_states)
            cases = session.list(state or open_states)
        else:
            cases = [case_dict(c) for c in session.svc.obligations(states=state)]
    if as_json:
        _echo(cases)
        return
    table = Table("case", "state", "subject", "rule", "crossed", "due", "below")
    for c in cases:
        d = c["data"]
        table.add_row(
            c["case_id"],
            c["state"],
            d["subject_id"],
            d["rule"]["rule_id"],
            d["crossed_on"],
            str(d.get("due") or "-"),
            "yes" if d.get("below") else "",
        )
    console.print(table)


@app.command()
def prepare(
    case_id: str,
    details: Annotated[
        str, typer.Option("--details", help="JSON {contact, content_summary} or @file.json.")
    ],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the account holder's contact details and content summary, as the logged-in
    user (or the host administrator).

    Example: ``onshore audience prepare audience-1a2b --details @holder.json``
    """
    text = Path(details[1:]).read_text(encoding="utf-8") if details.startswith("@") else details
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--details is not valid JSON: {exc.msg}") from None
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            path = f"{KIND_CLI.prefix}/{case_id}/details"
            case = session.remote.request("POST", path, body=parsed)
        else:
            done = session.svc.prepare(case_id, parsed, **session.actor())
            case = case_dict(done)
    _echo(case) if as_json else console.print(f"{case['case_id']} {case['state']}")


@app.command()
def dossier(
    case_id: str,
    html: Annotated[bool, typer.Option("--html", help="Printable HTML instead of JSON.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Print the notification dossier (JSON, or HTML with ``--html``).

    Example: ``onshore audience dossier audience-1a2b --html > dossier.html``
    """
    with _service(config) as svc:
        typer.echo(
            svc.dossier_html(case_id)
            if html
            else json.dumps(svc.dossier(case_id), ensure_ascii=False)
        )


@app.command("file")
def file_(
    case_id: str,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File the dossier, as the logged-in user (or the host administrator): its SHA-256
    goes on the ledger.

    Example: ``onshore audience file audience-1a2b``
    """
    with case_session(KIND_CLI, config) as session:
        if session.remote:
            case = session.remote.request("POST", f"{KIND_CLI.prefix}/{case_id}/file")
        else:
            case = case_dict(session.svc.file(case_id, **session.actor()))
    filed = case["data"]["filed"]
    if as_json:
        _echo(case)
    else:
        console.print(
            f"{case['case_id']} filed: sha256 {filed['sha256']} "
            f"ledger index {filed['ledger_index']}"
        )


add_case_commands(app, KIND_CLI)


def register(root: typer.Typer) -> None:
    """Attach ``onshore audience ...`` to the main app."""
    root.add_typer(app, name="audience")
