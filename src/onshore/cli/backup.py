"""Backup commands: ``onshore backup create | verify | restore``.

Destinations are declared in ``onshore.toml`` (``[backups.NAME] country = "VN", path = ...``);
``--to`` names one or points inside one, and the policy packs must allow the region's data in
that country (a refusal exits 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.core.errors import AuditError

if TYPE_CHECKING:
    from onshore.settings import Settings

console = CliConsole()


def _load_settings(config: Path | None) -> Settings:
    """The configuration, imported when a command runs (keeps the CLI's start light)."""
    from onshore.settings import load_settings

    return load_settings(config)


backup_app = typer.Typer(
    help="Encrypted, verifiable backups of a region, kept where its law allows.",
    no_args_is_help=True,
)
PathArg = Annotated[Path, typer.Argument(help="The backup file.")]


def _summary(manifest: dict[str, Any]) -> str:
    m = manifest
    return (
        f"region {m['region']} ({m['backend']}, schema {m['schema_version']}): "
        f"{m['records']} records, ledger size {m['ledger']['size']}, made {m['created_at']}"
    )


@backup_app.command("create")
def create(
    region: Annotated[str, typer.Option("--region", help="The region to back up, e.g. vn-hcm.")],
    to: Annotated[
        str, typer.Option("--to", help="A destination's name, or a path inside a declared one.")
    ],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Snapshot a region, encrypt it under the region's keys and write it with its manifest.

    A fresh checkpoint is signed first, so the manifest's checkpoint covers the snapshot.
    Example: ``onshore backup create --region vn-hcm --to vn-archive``
    """
    from onshore.services.backup import create_backup

    with runtime_from(config) as runtime:
        result = create_backup(runtime, region, to)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "path": str(result.path),
                    "destination": result.destination,
                    "manifest": result.manifest,
                    "policy": result.policy,
                }
            )
        )
    else:
        console.print(f"wrote {result.path}")
        console.print(_summary(result.manifest))


@backup_app.command("verify")
def verify(path: PathArg, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Decrypt and authenticate a backup and check its contents against its manifest.

    Needs the region's keys (the configuration's ``keys_dir``). Exits 1 with
    ``backup.invalid`` when anything was changed, cut short or does not match.
    Example: ``onshore backup verify /srv/backups/vn/vn-hcm-20260501T030405Z.onbak``
    """
    from onshore.services.backup import verify_backup

    manifest = verify_backup(_load_settings(config), path)
    if as_json:
        typer.echo(json.dumps({"ok": True, "manifest": manifest}))
    else:
        console.print(f"ok: {_summary(manifest)}")


@backup_app.command("restore")
def restore(
    path: PathArg,
    region: Annotated[
        str | None, typer.Option("--region", help="Check the backup is of this region.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a region database that holds data.")
    ] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore a region from a verified backup, then verify the region's ledger.

    Stop the server first. A region that holds data is only replaced with ``--replace``.
    Example: ``onshore backup restore vn-hcm-20260501T030405Z.onbak --region vn-hcm``
    """
    from onshore.services.backup import restore_backup

    result = restore_backup(_load_settings(config), path, region=region, replace=replace)
    ledger = result.ledger
    if as_json:
        verified = None if ledger is None else ledger.to_dict()
        typer.echo(
            json.dumps({"region": result.region, "manifest": result.manifest, "ledger": verified})
        )
    else:
        console.print(f"restored {_summary(result.manifest)}")
        if ledger is None:
            console.print("the backup's schema is older: run `onshore db upgrade`")
        elif ledger.ok:
            console.print(
                f"ledger of {result.region} verifies and audits clean: {ledger.size} leaves, "
                f"{ledger.records} records"
            )
    if ledger is not None and not ledger.ok:
        raise AuditError(
            f"the restored ledger of {result.region} does not audit clean: "
            f"{ledger.findings[0].message}",
            details={"region": result.region},
        )


def register(app: typer.Typer) -> None:
    """Attach ``onshore backup ...`` to the main app."""
    app.add_typer(backup_app, name="backup")
