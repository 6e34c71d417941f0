"""Ledger commands: ``onshore ledger audit | checkpoint | prove | verify | key``.

``verify --bundle FILE --key PUBKEY`` works offline: it reads no configuration and opens
no database, only the bundle and the region's verifier key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt
from onshore.core.errors import AuditError, BundleError, InputError, LeafNotFound, OnshoreError

if TYPE_CHECKING:
    from onshore.services.ledger import Ledger
    from onshore.services.runtime import Runtime

console = CliConsole()
ledger_app = typer.Typer(
    help="The verifiable ledger: signed checkpoints, proofs, verification.",
    no_args_is_help=True,
)


def _runtime(config: Path | None, *, read_only: bool = False) -> Runtime:
    from onshore.services.runtime import open_runtime
    from onshore.settings import load_settings

    runtime = open_runtime(load_settings(config))
    if read_only:
        runtime.checkpoint_on_close = False  # no automatic checkpoint when it closes
    return runtime


def _log(runtime: Runtime, region: str) -> Ledger:
    from onshore.services.ledger import Ledger

    r = runtime.region(region)
    return Ledger(r.name, r.db, r.keys)


@ledger_app.command("checkpoint")
def checkpoint(
    region: Annotated[str, typer.Argument(help="Region whose log to checkpoint, e.g. vn-hcm.")],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Audit the region (every check of ``ledger audit``), then sign a new checkpoint.

    Refuses to sign (exit 1, ``ledger.audit_failed``) when the audit finds anything. Prints
    the C2SP signed note. Example: ``onshore ledger checkpoint vn-hcm``
    """
    runtime = _runtime(config, read_only=True)  # signs here, after the full audit, or not at all
    try:
        log = _log(runtime, region)
        note = log.checkpoint(runtime.clock.now(), full=True)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "region": region,
                        "checkpoint": note.decode(),
                        "public_key": log.verifier_key(),
                    }
                )
            )
        else:
            typer.echo(note.decode(), nl=False)
    finally:
        runtime.close()


@ledger_app.command("audit")
def audit(
    region: Annotated[
        str | None, typer.Option("--region", help="Only audit this region (default: all).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reconcile each region's record store with its ledger and recheck the ledger from its
    leaf bytes: every record row has its placement leaf, every placement leaf a row or a
    later erasure or transfer leaf; leaf hashes, tiles, every checkpoint's signature and the
    consistency of each checkpoint with the one before.

    Prints one finding per problem (``--json``: a report per region with typed findings) and
    exits 1 when there is any. Signs nothing. Example: ``onshore ledger audit --region sg-1``
    """
    runtime = _runtime(config, read_only=True)
    try:
        names = [region] if region else list(runtime.regions)
        reports = [_log(runtime, name).audit() for name in names]
    finally:
        runtime.close()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports]))
    else:
        table = Table("region", "records", "leaves", "checkpoints", "findings")
        for r in reports:
            status = "[green]0[/]" if r.ok else f"[red]{len(r.findings)}[/]"
            table.add_row(r.region, str(r.records), str(r.size), str(r.checkpoints), status)
        console.print(table)
        for r in reports:
            for f in r.findings:
                where = f" (record {f.record_id})" if f.record_id is not None else ""
                console.print(f"[red]{r.region}[/] {f.kind}: {escape(f.message + where)}")
    for r in reports:
        r.raise_if_bad("ledger audit failed")


@ledger_app.command("key")
def key(
    region: Annotated[str, typer.Argument(help="Region whose verifier key to print.")],
    config: ConfigOpt = None,
) -> None:
    """Print the region's checkpoint verifier key (publish it; auditors pass it to ``--key``).

    Example: ``onshore ledger key vn-hcm > vn-hcm.pub``
    """
    runtime = _runtime(config)
    try:
        typer.echo(_log(runtime, region).verifier_key())
    finally:
        runtime.close()


@ledger_app.command("prove")
def prove(
    record_id: Annotated[str, typer.Argument(help="The record whose placement to prove.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the bundle here (default: stdout).")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only search this region.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Write a proof bundle (leaf, inclusion proof, signed checkpoint) for a record's placement.

    Every region's ledger is searched. Example: ``onshore ledger prove 3f2a... --out p.json``
    """
    runtime = _runtime(config)
    try:
        names = [region] if region else list(runtime.regions)
        for name in names:
            try:
                bundle = _log(runtime, name).prove(record_id, at=runtime.clock.now())
            except LeafNotFound:
                continue
            data = bundle.to_json()
            if out is None:
                typer.echo(data.decode(), nl=False)
            else:
                out.write_bytes(data)
                console.print(f"wrote proof of leaf {bundle.index} in {name} to {out}")
            return
        raise LeafNotFound(
            "no region's ledger records a placement of that record",
            details={"regions": names},
        )
    finally:
        runtime.close()


def _verify_bundle(bundle_path: Path, key_arg: str, as_json: bool) -> None:
    from onshore.core.ledger import ProofBundle, read_verifier_key, verify_bundle

    try:
        raw = bundle_path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read bundle {str(bundle_path)!r}: {exc.strerror}") from None
    key_path = Path(key_arg)
    try:
        key_text = key_path.read_text() if "+" not in key_arg and key_path.is_file() else key_arg
    except (OSError, UnicodeDecodeError):
        raise InputError(f"cannot read key file {key_arg!r}") from None
    report = verify_bundle(ProofBundle.from_json(raw), read_verifier_key(key_text))
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
    else:
        console.print(
            f"[green]ok[/]: leaf {report.index} ({report.event.type.label}, region "
            f"{report.event.region}, {report.event.at.isoformat()}) is in {report.origin} "
            f"at tree size {report.tree_size}"
        )


@ledger_app.command("verify")
def verify(
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Verify this proof bundle offline.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Verifier key (or a file holding it) for --bundle.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only verify this region.")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute every region's tree from its stored leaves and check every checkpoint;
    or, with ``--bundle FILE --key PUBKEY``, verify one proof bundle offline.

    Exits 1 naming the first bad index when anything is wrong.
    Example: ``onshore ledger verify --bundle p.json --key vn-hcm.pub``
    """
    if bundle is not None or key is not None:
        if bundle is None or key is None:
            raise InputError("--bundle and --key go together")
        try:
            _verify_bundle(bundle, key, as_json)
        except OnshoreError:
            raise
        except Exception as exc:  # a bundle must never crash the verifier
            raise BundleError(f"bundle could not be verified: {type(exc).__name__}") from None
        return
    runtime = _runtime(config, read_only=True)
    try:
        names = [region] if region else list(runtime.regions)
        reports = [_log(runtime, name).verify() for name in names]
    finally:
        runtime.close()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports]))
    else:
        table = Table("region", "leaves", "integrated", "checkpoints", "status")
        for r in reports:
            status = "[green]ok[/]" if r.ok else f"[red]first bad index {r.first_bad_index}[/]"
            table.add_row(r.region, str(r.size), str(r.integrated_size), str(r.checkpoints), status)
        console.print(table)
        for r in reports:
            for problem in r.problems:
                console.print(f"[red]{r.region}[/]: {problem}")
    bad = [r for r in reports if not r.ok]
    if bad:
        first = bad[0]
        raise AuditError(
            f"ledger of {first.region} does not verify"
            + (
                f": first bad index {first.first_bad_index}"
                if first.first_bad_index is not None
                else ""
            )
            + f" ({first.problems[0]})",
            details={"region": first.region, "first_bad_index": first.first_bad_index},
        )


def register(app: typer.Typer) -> None:
    """Attach ``onshore ledger ...`` to the main app."""
    app.add_typer(ledger_app, name="ledger")
