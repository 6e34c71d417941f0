"""``onshore retention status | run``: erasures retention deferred, and retention maximums.

``status`` lists every deferred erasure not yet carried out (its date, the rules that hold it
back and why) and every record a retention maximum will purge, with dates in the
deployment's time zone. ``run`` carries out what is due now (or at ``--at``), with a progress
bar; both act locally as the host administrator. ``services.retention_purge`` does the work;
the scheduler (``onshore worker``, ``onshore serve``) runs the same purge every interval.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.host import host_principal
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.core.local_time import parse_moment, stated

if TYPE_CHECKING:
    from onshore.services.retention_purge import Purge
    from onshore.services.runtime import Runtime

console = CliConsole()
retention_app = typer.Typer(
    help="Retention: erasures deferred by retention minimums, and retention maximums.",
    no_args_is_help=True,
)
AtOpt = Annotated[
    str | None,
    typer.Option("--at", help="As of this time (a bare date: midnight locally); default now."),
]


def _zone(runtime: Runtime) -> Any:
    return runtime.settings.calendar.zone(runtime.entity.incorporated_in)


def _when(runtime: Runtime, at: str | None) -> datetime:
    if at is None:
        return runtime.clock.now()
    return parse_moment(at, _zone(runtime), what="--at")


def _purge(runtime: Runtime) -> Purge:
    from onshore.services.retention_purge import open_purge

    return open_purge(runtime)


@retention_app.command("status")
def status(config: ConfigOpt = None, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """List deferred erasures and maximum-driven purges, each with its date.

    Example: ``onshore retention status``
    """
    with runtime_from(config) as runtime:
        runtime.checkpoint_on_close = False  # reads only
        purge = _purge(runtime)
        try:
            when = _when(runtime, at)
            found = purge.status(when)
        finally:
            purge.log.close()
        if as_json:
            typer.echo(json.dumps({"at": when.isoformat(), **found.to_dict()}, indent=2))
            return
        zone = _zone(runtime)
        console.print(f"as of {stated(when, zone)}")
        if not found.deferred and not found.maximums:
            console.print("nothing deferred, no retention maximum pending")
            return
        if found.deferred:
            table = Table("erasure", "erase on", "due", "rules", "reason", "case", "regions",
                          title="deferred erasures")  # fmt: skip
            for e in found.deferred:
                table.add_row(e.erasure_id, stated(e.until, zone), "yes" if e.due(when) else "no",
                              ", ".join(e.rules), escape(e.reason), e.case_id or "-",
                              ", ".join(sorted(e.refs)))  # fmt: skip
            console.print(table)
        if found.maximums:
            table = Table("record", "region", "purge on", "due", "rule", title="retention maximums")
            for m in found.maximums:
                due = "yes" if m.due <= when else "no"
                table.add_row(m.record_id, m.region, stated(m.due, zone), due, m.rule)
            console.print(table)


@retention_app.command("run")
def run(config: ConfigOpt = None, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Carry out the deferred erasures and retention maximums due now (or at ``--at``).

    Example: ``onshore retention run``
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with runtime_from(config) as runtime:
        purge = _purge(runtime)
        try:
            when = _when(runtime, at)
            erasures, maximums = purge.due(when)
            total = len(erasures) + len(maximums)
            with Progress(
                TextColumn("purging"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                disable=as_json,
            ) as bar:
                task = bar.add_task("purge", total=total)
                done = purge.run(when, host_principal(), lambda _: bar.advance(task))
        finally:
            purge.log.close()
        if as_json:
            typer.echo(json.dumps({"at": when.isoformat(), "done": [d.to_dict() for d in done]}))
            return
        if not done:
            console.print(f"nothing due as of {stated(when, _zone(runtime))}")
            return
        for d in done:
            console.print(f"{d.outcome:8} {d.what} {d.ref}: {escape(d.detail)}")
        erased = sum(d.erased for d in done)
        console.print(f"{erased} records erased")


def register(app: typer.Typer) -> None:
    """Attach ``onshore retention ...`` to the main app."""
    app.add_typer(retention_app, name="retention")
