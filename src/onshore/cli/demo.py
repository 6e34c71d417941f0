"""``onshore demo``: synthetic users of several countries written through the SDK, where
they landed, and the residency checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt
from onshore.cli.vault import init

console = CliConsole()


def demo(
    users: Annotated[int, typer.Option(help="How many synthetic users to write.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 7,
    again: Annotated[
        bool, typer.Option("--again", help="Write the demo records even if the stores hold data.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Write synthetic users of several countries through the SDK, show where each
    country's users landed, and check that no VN user's data sits outside VN.

    Creates ``onshore.toml`` and keys first when there is no configuration. Exits 1 when a
    check fails. Example: ``onshore demo --users 500``
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from onshore.services.demo import demo_records, generate_users, residency_audit
    from onshore.services.vault import Vault
    from onshore.settings import CONFIG_FILE, load_settings

    path = config or Path(CONFIG_FILE)
    if not path.exists():
        init(directory=path.parent, force=False)
    people = generate_users(users, seed=seed)
    records = demo_records(people)
    with Vault.open(load_settings(path), create_keys=True) as vault:
        held = sum(r.db.records.count() for r in vault.runtime.regions.values())
        if held and not again:
            console.print(
                f"the stores already hold {held} records; checking them "
                "(--again writes the demo records once more)"
            )
        else:
            with Progress(
                TextColumn("writing demo records"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("write", total=len(records))
                for start in range(0, len(records), 200):
                    chunk = records[start : start + 200]
                    vault.put_many(chunk, actor=host_actor())
                    bar.advance(task, len(chunk))
        result = residency_audit(vault, people)
        regions = list(vault.runtime.regions)
        table = Table(title=f"Where {users} demo users' records landed")
        table.add_column("subject country")
        for name in regions:
            table.add_column(f"{name} ({vault.runtime.regions[name].country})", justify="right")
        for country in sorted({c for c, _ in result.placed}):
            table.add_row(country, *(str(result.placed[(country, n)]) for n in regions))
        console.print(table)
        for name in regions:
            console.print(f"ledger {name}: {vault.runtime.regions[name].db.ledger.size()} leaves")
    checks = [
        ("no VN subject's record outside VN", not result.misplaced, result.misplaced[:5]),
        (
            f"no VN identifier bytes in {result.files_scanned} store files",
            not result.byte_leaks,
            result.byte_leaks[:5],
        ),
    ]
    for text, ok, where in checks:
        mark = "[green]PASS[/]" if ok else "[red]FAIL[/]"
        console.print(f"{mark} {text}" + (f": {where}" if where else ""))
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach ``onshore demo`` to the main app."""
    app.command("demo")(demo)
