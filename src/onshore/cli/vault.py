"""Vault commands: ``init``, ``put``, ``get``, ``find``, ``demo`` and ``keys``.

Each command reads the configuration once (``--config``, else ``$ONSHORE_CONFIG``, else
``./onshore.toml``) and makes one service call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.core.errors import InputError, PartialResults

if TYPE_CHECKING:
    from onshore.services.vault import Record

console = CliConsole()


def _record_dict(r: Record) -> dict[str, Any]:
    return {
        "record_id": r.record_id,
        "subject": r.subject_id,
        "kind": r.kind,
        "data": r.data,
        "region": r.region,
        "categories": list(r.categories),
        "subject_country": r.subject_country,
        "created_at": r.created_at.isoformat(),
    }


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {exc.msg} at column {exc.colno}") from exc


def init(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write onshore.toml and data/.")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing onshore.toml.")
    ] = False,
) -> None:
    """Write a working default ``onshore.toml`` (regions vn-hcm and sg-1 on SQLite under
    ./data) and generate each new region's keys. A region that already holds data and
    lacks a key stops with ``keys.missing``: restore it with ``onshore keys import``.

    Example: ``onshore init --dir /srv/onshore``
    """
    from onshore.services.runtime import open_runtime
    from onshore.settings import CONFIG_FILE, DEFAULT_TOML, load_settings

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_FILE
    if path.exists() and not force:
        console.print(f"{path} exists; keeping it (use --force to overwrite)")
    else:
        path.write_text(DEFAULT_TOML, encoding="utf-8")
        console.print(f"wrote {path}")
    runtime = open_runtime(load_settings(path), create_keys=True)
    try:
        for name, region in runtime.regions.items():
            console.print(
                f"region [bold]{name}[/] ({region.country}): store {region.db.url}, "
                f"keys in {runtime.settings.keys_dir(name)}"
            )
    finally:
        runtime.close()


def put(
    subject: Annotated[str, typer.Option("--subject", "-s", help="The data subject's id.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="Record kind, e.g. profile.")],
    data: Annotated[str, typer.Option("--data", "-d", help="The record as a JSON object.")],
    signal: Annotated[
        list[str] | None,
        typer.Option(
            "--signal",
            help="Residency signal KEY=VALUE: declared_residence, phone_number, "
            "address_country or ip.",
        ),
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store one record in the region its subject's law requires; print the receipt.

    Example::

        onshore put -s u1 -k profile -d '{"phone": "+84912345678"}' \\
            --signal phone_number=+84912345678
    """
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    signals: dict[str, Any] = {}
    for item in signal or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--signal takes KEY=VALUE, got {item!r}")
        if key == "ip" and "ip" in signals:
            prev = signals["ip"]
            signals["ip"] = [*(prev if isinstance(prev, list) else [prev]), value]
        else:
            signals[key] = value
    body = _parse_json(data, "--data")
    with Vault.open(load_settings(config)) as vault:
        receipt = vault.put(subject, kind, body, signals or None)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "record_id": receipt.record_id,
                    "region": receipt.region,
                    "ledger_index": receipt.ledger_index,
                }
            )
        )
    else:
        console.print(
            f"stored [bold]{receipt.record_id}[/] in [bold]{receipt.region}[/] "
            f"(ledger index {receipt.ledger_index})"
        )


def get(
    record_id: Annotated[str, typer.Argument(help="The record's id.")],
    caller_region: Annotated[
        str | None, typer.Option(help="Region of the reader, for cross-region reads.")
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="Why a cross-region read is needed.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Print one decrypted record as JSON.

    Example: ``onshore get 3f2a... --caller-region sg-1 --purpose support``
    """
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    with Vault.open(load_settings(config)) as vault:
        record = vault.get(record_id, caller_region=caller_region, purpose=purpose)
    typer.echo(json.dumps(_record_dict(record), ensure_ascii=False))


def find(
    phone: Annotated[
        str | None, typer.Option("--phone", help="A phone number, any common writing.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="An e-mail address.")] = None,
    national_id: Annotated[
        str | None, typer.Option("--national-id", help="A national ID (CCCD/CMND...).")
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="CATEGORY=VALUE for any indexed identifier.")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find records by identifier through the blind indexes (no plaintext is searched).
    With a region down, prints what the other regions hold and exits 1 (``store.partial``).

    Example: ``onshore find --phone "0912 345 678"``
    """
    from onshore.services.vault import Vault
    from onshore.settings import load_settings

    query: dict[str, str] = {}
    for cat, value in (("phone_number", phone), ("email", email), ("national_id", national_id)):
        if value:
            query[cat] = value
    for item in by or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--by takes CATEGORY=VALUE, got {item!r}")
        query[key] = value
    partial: PartialResults | None = None
    with Vault.open(load_settings(config)) as vault:
        try:
            records = vault.find(by=query)
        except PartialResults as exc:  # print what the healthy regions found, then fail
            records, partial = exc.records, exc
    _print_found(records, as_json)
    if partial is not None:
        from onshore.cli.errors import fail

        fail(partial)


def _print_found(records: list[Record], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([_record_dict(r) for r in records], ensure_ascii=False))
        return
    table = Table("record", "region", "kind", "subject", "categories")
    for r in records:
        table.add_row(r.record_id, r.region, r.kind, r.subject_id, ", ".join(r.categories))
    console.print(table)


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
                    vault.put_many(chunk, actor="demo")
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
        new = rotate_key(runtime, region, key, actor="cli")
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
    """Attach the vault commands to the main app."""
    for fn in (init, put, get, find, demo):
        app.command(fn.__name__)(fn)
    from onshore.cli import keys_rotation

    keys_rotation.register(keys_app)
    app.add_typer(keys_app, name="keys")
