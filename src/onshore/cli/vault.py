"""Vault commands: ``init``, ``put``, ``get`` and ``find`` (``demo`` and ``keys`` have
their own modules).

Each command reads the configuration once (``--config``, else ``$ONSHORE_CONFIG``, else
``./onshore.toml``) and makes one service call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt, JsonOpt
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
        receipt = vault.put(subject, kind, body, signals or None, actor=host_actor())
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


def register(app: typer.Typer) -> None:
    """Attach the vault commands to the main app."""
    for fn in (init, put, get, find):
        app.command(fn.__name__)(fn)
