"""Migration commands: ``onshore migrate plan | run | status``.

Move records between regions in bulk when a pack's rule starts to deny where they are (see
``--at``) or a region is retired (``--retire``). ``plan`` writes nothing; ``run`` stores the
plan in the control store and moves it batch by batch, resumable; ``status`` shows each
plan's progress. docs/migrate.md walks through them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.errors import InputError, MigrationInProgress, MigrationPlanNotFound

if TYPE_CHECKING:
    from onshore.ports.region_moves import MigrationStore, MovePlan
    from onshore.services.migration_plan import MigrationOptions
    from onshore.services.vault import Vault

console = CliConsole()
_err = CliConsole(stderr=True, highlight=False)
migrate_app = typer.Typer(
    help="Move records between regions in bulk: plan, run (resumable), status.",
    no_args_is_help=True,
)

AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Re-decide placements as the packs stand on this date (YYYY-MM-DD or ISO 8601; "
        "default: now).",
    ),
]
RetireOpt = Annotated[
    list[str] | None,
    typer.Option("--retire", help="A region being retired: all its records move (repeatable)."),
]
FromOpt = Annotated[
    list[str] | None,
    typer.Option("--from", help="Only look at records in this region (repeatable)."),
]


def _at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"--at: cannot read {text!r} as a date (YYYY-MM-DD or ISO 8601)",
            details={"field": "at"},
        ) from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _options(
    at: str | None, retire: list[str] | None, sources: list[str] | None
) -> MigrationOptions:
    from onshore.services.migration_plan import MigrationOptions

    return MigrationOptions(
        _at(at), tuple(sorted(set(retire or ()))), tuple(sorted(set(sources or ())))
    )


def _vault(config: Path | None) -> Vault:
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    return Vault.open(load_settings(config))


def _store(vault: Vault) -> MigrationStore:
    from onshore.services.runtime.region_moves import open_migration_store

    return open_migration_store(vault.runtime.settings)


class _Rate(ProgressColumn):
    """Records per second of a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "- rows/s", style="progress.data.speed")


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeRemainingColumn(),
        console=_err,
        transient=True,
        disable=disable or not _err.is_terminal,
    )


@migrate_app.command("plan")
def plan(
    at: AtOpt = None,
    retire: RetireOpt = None,
    sources: FromOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show which records would move, by rule, source and destination, with counts; nothing
    is written.

    Each record's placement is decided again as the policy packs stand ``--at`` a date, with
    ``--retire`` regions excluded; a record moves when the packs deny its region (the rule is
    the denying rules) or its region is retired. Records no region may hold are listed as
    stuck. The subject's country is decrypted inside the source region only, never printed.

    Example: ``onshore migrate plan --at 2027-02-01 --from sg-1``
    """
    from onshore.services.migration_plan import plan_migration

    options = _options(at, retire, sources)
    with _vault(config) as vault:
        total = sum(r.db.records.count() for r in vault.runtime.regions.values())
        with _progress(as_json) as progress:
            task = progress.add_task("planning", total=total)
            result = plan_migration(
                vault.region_set, options, progress=lambda n: progress.advance(task, n)
            )
    doc = result.to_dict()
    if as_json:
        console.print_json(json.dumps(doc))
        return
    if result.moves:
        table = Table(title=f"Migration plan at {options.at.date().isoformat()}")
        for col in ("rule", "from", "to", "records"):
            table.add_column(col, justify="right" if col == "records" else "left")
        for rule, src, dst, n in result.groups():
            table.add_row(rule, src, dst, f"{n:,}")
        console.print(table)
    console.print(
        f"{len(result.moves):,} record(s) would move; read {sum(result.scanned.values()):,}."
    )
    for (region, rule), n in sorted(result.stuck.items()):
        console.print(
            f"[yellow]{n:,} record(s) in {region} must move ({rule}) but no region may hold them"
        )


def _choose(
    store: MigrationStore, plan_id: str | None, options: MigrationOptions | None
) -> MovePlan | None:
    """The plan to run: the one named, else the unfinished one, else None (make one)."""
    from onshore.services.migration_plan import MigrationOptions

    if plan_id is not None:
        found = store.plan(plan_id)
        if found is None:
            raise MigrationPlanNotFound(f"no migration plan {plan_id!r}", details={"plan": plan_id})
        return found
    unfinished = [p for p in store.plans() if not p.finished]
    if not unfinished:
        return None
    current = unfinished[0]
    if options is not None and MigrationOptions.from_json(current.options) != options:
        raise MigrationInProgress(
            f"migration plan {current.plan_id} is unfinished: resume it first "
            f"(onshore migrate run {current.plan_id})",
            details={"plan": current.plan_id},
        )
    return current


@migrate_app.command("run")
def run(
    plan_id: Annotated[
        str | None, typer.Argument(help="A stored plan to resume (default: the unfinished one).")
    ] = None,
    at: AtOpt = None,
    retire: RetireOpt = None,
    sources: FromOpt = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=10_000, help="Records per batch.")
    ] = 200,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move records as planned: re-sealed under the destination's keys, verified readable
    there, then erased at the source, a ``record_transferred`` leaf on both ledgers.

    With no PLAN an unfinished plan is resumed (``migration.in_progress`` if options given
    differ from it); otherwise a new plan is made from the options (as ``migrate plan``) and
    stored. Safe to run again after a crash at any point: it carries on where it stopped.

    Example: ``onshore migrate run --at 2027-02-01 --from sg-1 --batch 500``
    """
    from onshore.cli.host import host_actor
    from onshore.services.migration_plan import plan_migration
    from onshore.services.migration_run import MigrationRunner, store_plan

    given = at is not None or bool(retire) or bool(sources)
    options = _options(at, retire, sources) if given else None
    with _vault(config) as vault:
        store = _store(vault)
        try:
            chosen = _choose(store, plan_id, options)
            if chosen is None:
                made = plan_migration(vault.region_set, options or _options(None, None, None))
                chosen = store_plan(store, made, vault.runtime.clock.now())
            elif not as_json:
                _err.print(f"resuming migration plan {chosen.plan_id}")
            remaining = sum(c.count for c in store.counts(chosen.plan_id) if c.state == "planned")
            runner = MigrationRunner(vault.region_set, store, host_actor())
            with _progress(as_json) as progress:
                task = progress.add_task(f"moving ({chosen.plan_id})", total=remaining)
                runner.run(
                    chosen,
                    batch=batch,
                    progress=lambda o: progress.advance(task, len(o.moved) + len(o.gone)),
                )
            _report(store, [chosen.plan_id], as_json)
        finally:
            store.close()


def _report(store: MigrationStore, plan_ids: list[str], as_json: bool) -> None:
    from onshore.services.migration_status import plan_status

    docs = [plan_status(store, pid) for pid in plan_ids]
    if as_json:
        console.print_json(json.dumps(docs if len(docs) != 1 else docs[0]))
        return
    for doc in docs:
        table = Table(title=f"{doc['plan']} ({doc['status']}, at {doc['at'][:10]})")
        for col in ("rule", "from", "to", "planned", "moved", "gone", "remaining"):
            table.add_column(col, justify="left" if col in ("rule", "from", "to") else "right")
        for row in doc["rows"]:
            table.add_row(
                row["rule"],
                row["from_region"],
                row["to_region"],
                *(f"{row[k]:,}" for k in ("planned", "moved", "gone", "remaining")),
            )
        console.print(table)


@migrate_app.command("status")
def status(
    plan_id: Annotated[str | None, typer.Argument(help="One plan (default: every plan).")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show each migration plan's records planned, moved and remaining, per rule and region.

    Example: ``onshore migrate status``
    """
    from onshore.services.runtime.region_moves import open_migration_store
    from onshore.settings import load_settings

    store = open_migration_store(load_settings(config))
    try:
        if plan_id is not None:
            if store.plan(plan_id) is None:
                raise MigrationPlanNotFound(
                    f"no migration plan {plan_id!r}", details={"plan": plan_id}
                )
            ids = [plan_id]
        else:
            ids = [p.plan_id for p in store.plans()]
        if not ids and not as_json:
            console.print("no migration plans")
            return
        _report(store, ids, as_json)
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Attach ``onshore migrate ...`` to the main app."""
    app.add_typer(migrate_app, name="migrate")
