"""``onshore keys rotate | rewrap | export | import``: a region's keys (the rotation
follow-ups ``reindex``, ``retire``, ``chain`` and ``move-to-hsm`` are in
:mod:`onshore.cli.keys_rotation`).

Each command reads the configuration once (``--config``) and makes one service call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt, runtime_from
from onshore.core.errors import InputError

console = CliConsole()

keys_app = typer.Typer(
    help="Region keys: rotation, re-wrapping, re-indexing, backup and restore.",
    no_args_is_help=True,
)


@keys_app.command("rotate")
def keys_rotate(
    region: Annotated[str, typer.Argument(help="Region whose key rotates.")],
    rewrap: Annotated[bool, typer.Option("--rewrap", help="Re-wrap every record now.")] = False,
    key: Annotated[
        str,
        typer.Option(
            "--key", help="kek, index, ledger-hmac or ledger-signing (docs/operations.md)."
        ),
    ] = "kek",
    config: ConfigOpt = None,
) -> None:
    """Add a new key version for REGION (old records stay readable); optionally re-wrap now.

    ``--key index`` is finished by ``keys reindex`` then ``keys retire``; ``--key
    ledger-signing`` stores a handoff checkpoint signed by the old key announcing the new.

    Example: ``onshore keys rotate vn-hcm --rewrap``
    """
    from onshore.services.key_rotation import rotate_key

    if rewrap and key != "kek":
        raise InputError("--rewrap goes with --key kek")
    with runtime_from(config) as runtime:
        new = rotate_key(runtime, region, key, actor=host_actor())
        console.print(f"{region}: new key {new.key_id}")
        if rewrap:
            _rewrap(runtime, region)


@keys_app.command("rewrap")
def keys_rewrap(
    region: Annotated[str, typer.Argument(help="Region whose records are re-wrapped.")],
    config: ConfigOpt = None,
) -> None:
    """Re-wrap every record of REGION under its newest key (resumable).

    Example: ``onshore keys rewrap vn-hcm``
    """
    with runtime_from(config) as runtime:
        _rewrap(runtime, region)


def _rewrap(runtime: Any, region: str) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from onshore.services import keys as key_service

    with Progress(
        TextColumn(f"re-wrapping {region}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("rewrap", total=None)
        changed = key_service.rewrap(
            runtime,
            region,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"{region}: {changed} records re-wrapped")


PassphraseEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--passphrase-env",
        help="Name of an environment variable holding the passphrase (else it is prompted).",
    ),
]


def _passphrase(env: str | None, *, confirm: bool) -> str:
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise InputError(f"environment variable {env} is not set or empty")
        return value
    return str(typer.prompt("passphrase", hide_input=True, confirmation_prompt=confirm))


def _region_keys(config: Path | None, region: str) -> tuple[Any, Any]:
    from onshore.settings import load_settings

    settings = load_settings(config)
    if region not in settings.regions:
        raise InputError(
            f"unknown region {region!r}", details={"configured": sorted(settings.regions)}
        )
    from onshore.services.runtime.key_stores import file_key_store

    return settings, file_key_store(settings.keys_dir(region))


@keys_app.command("export")
def keys_export(
    region: Annotated[str, typer.Argument(help="Region whose keys are backed up.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Backup file to write (mode 0600).")],
    passphrase_env: PassphraseEnvOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Back up every version of REGION's keys to a file wrapped under a passphrase
    (scrypt + AES-256-GCM). Keep the file and the passphrase apart.

    Example: ``onshore keys export vn-hcm --out vn-hcm.keys``
    """
    from onshore.services.key_backups import export_keys

    _settings, keys = _region_keys(config, region)
    blob = export_keys(region, keys, _passphrase(passphrase_env, confirm=True))
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)
    console.print(f"{region}: keys backed up to {out}")


@keys_app.command("import")
def keys_import(
    region: Annotated[str, typer.Argument(help="Region whose keys are restored.")],
    file: Annotated[Path, typer.Option("--file", "-f", help="Backup file to restore from.")],
    passphrase_env: PassphraseEnvOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Restore REGION's keys from a backup made by ``keys export``; existing keys are never
    replaced. Then checks the region opens with them.

    Example: ``onshore keys import vn-hcm --file vn-hcm.keys``
    """
    from onshore.services.key_backups import import_keys
    from onshore.services.runtime import open_runtime

    settings, keys = _region_keys(config, region)
    try:
        blob = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {str(file)!r} ({exc.strerror})") from None
    outcome = import_keys(region, keys, blob, _passphrase(passphrase_env, confirm=False))
    console.print(
        f"{region}: restored {len(outcome.restored)} key version(s), "
        f"{len(outcome.present)} already present"
    )
    open_runtime(settings).close()
    console.print(f"{region}: keys match the region's data")


def register(app: typer.Typer) -> None:
    """Attach ``onshore keys ...`` to the main app."""
    from onshore.cli import keys_rotation

    keys_rotation.register(keys_app)
    app.add_typer(keys_app, name="keys")
