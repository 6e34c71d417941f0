"""Database commands: ``onshore db status | upgrade``.

They read the configuration only (no keys, no policy packs) and open each store's database
directly, so they work on the databases ``serve`` and the other commands refuse to open.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.errors import SchemaTooNew

if TYPE_CHECKING:  # the migration modules load when a db command runs, not at CLI start
    from onshore.services.runtime.schema import SchemaStatus
    from onshore.settings import Settings

console = CliConsole()


def _load_settings(config: Path | None) -> Settings:
    """The configuration, imported when a command runs (keeps the CLI's start light)."""
    from onshore.settings import load_settings

    return load_settings(config)


db_app = typer.Typer(help="Database schema versions and upgrades.", no_args_is_help=True)

RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Only this region (default: all regions and the control store)."),
]


@dataclass(frozen=True)
class _Store:
    name: str
    kind: str
    url: str


def _stores(settings: Settings, region: str | None) -> Iterator[_Store]:
    if region is not None:
        if region not in settings.regions:
            _unknown(settings, region)
        yield _Store(region, "region", settings.regions[region].store)
        return
    for name, cfg in settings.regions.items():
        yield _Store(name, "region", cfg.store)
    yield _Store("control", "control", settings.deployment.control_store)


def _unknown(settings: Settings, region: str) -> None:
    from onshore.core.errors import UnknownRegion

    raise UnknownRegion(
        f"unknown region {region!r}", details={"configured": sorted(settings.regions)}
    )


def _row(store: _Store, st: SchemaStatus | None, action: str) -> dict[str, Any]:
    from onshore.services.runtime.schema import latest

    return {
        "store": store.name,
        "kind": store.kind,
        "backend": store.url.split(":", 1)[0],
        "version": None if st is None else st.version,
        "latest": latest(store.kind),
        "state": "absent" if st is None else st.state,
        "pending": [] if st is None else [m.version for m in st.pending],
        "action": action,
    }


def _print(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("store", "backend", "version", "latest", "state", "pending", "action")
    for r in rows:
        version = "-" if r["version"] is None else str(r["version"])
        pending = ", ".join(str(v) for v in r["pending"]) or "-"
        table.add_row(
            r["store"], r["backend"], version, str(r["latest"]), r["state"], pending, r["action"]
        )
    console.print(table)


@db_app.command("status")
def db_status(region: RegionOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Show each store's schema version, the version this onshore needs, and what is pending.

    ``absent``: a SQLite file not created yet (made at the latest version on first open).
    Example: ``onshore db status``
    """
    from onshore.services.runtime.schema import open_target, status

    settings = _load_settings(config)
    rows = []
    for store in _stores(settings, region):
        target = open_target(store.url, base=settings.base_dir)
        if target is None:
            rows.append(_row(store, None, "-"))
            continue
        try:
            rows.append(_row(store, status(target, store.kind), "-"))
        finally:
            target.close()
    _print(rows, as_json)


@db_app.command("upgrade")
def db_upgrade(
    region: RegionOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be applied; change nothing.")
    ] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply pending schema migrations to every store (or one region), oldest first.

    Each migration runs in its own transaction with its version row, so a failed one leaves
    the database at the version before it. Back up first (``onshore backup create``).
    Example: ``onshore db upgrade --dry-run`` then ``onshore db upgrade``
    """
    from onshore.services.runtime.schema import open_target, status, upgrade

    settings = _load_settings(config)
    rows = []
    too_new: SchemaTooNew | None = None
    for store in _stores(settings, region):
        target = open_target(store.url, base=settings.base_dir)
        if target is None:
            rows.append(_row(store, None, "-"))
            continue
        try:
            where = f"{store.kind} store {store.name!r}"
            before = upgrade(target, store.kind, where, dry_run=dry_run)
            done = "none" if not before.pending else ("would apply" if dry_run else "applied")
            rows.append(_row(store, before, done))
        except SchemaTooNew as exc:
            too_new = too_new or exc
            rows.append(_row(store, status(target, store.kind), "refused"))
        finally:
            target.close()
    _print(rows, as_json)
    if too_new is not None:
        raise too_new


def register(app: typer.Typer) -> None:
    """Attach ``onshore db ...`` to the main app."""
    app.add_typer(db_app, name="db")
