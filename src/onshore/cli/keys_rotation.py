"""Key rotation commands beyond ``kek``: ``onshore keys reindex | retire | chain``.

``keys rotate REGION --key NAME`` (in :mod:`onshore.cli.keys`) adds the new version; these
finish a blind-index rotation and let an auditor follow ledger signing-key handoffs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from
from onshore.core.errors import InputError

console = CliConsole()


def keys_reindex(
    region: Annotated[
        str, typer.Argument(help="Region whose records move to the newest index key.")
    ],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Move every record's blind index and subject ref of REGION to its newest ``index`` key
    (resumable; searches find records under every live index key meanwhile).

    Example: ``onshore keys rotate vn-hcm --key index && onshore keys reindex vn-hcm``
    """
    from onshore.services.reindex import reindex

    columns = (TextColumn(f"re-indexing {region}"), BarColumn(), MofNCompleteColumn())
    with (
        runtime_from(config) as runtime,
        Progress(*columns, console=console, disable=as_json) as bar,
    ):
        task = bar.add_task("reindex", total=None)
        report = reindex(
            runtime,
            region,
            actor=host_actor(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
        return
    console.print(
        f"{region}: {report.moved} of {report.records} records moved to {report.key_id}, "
        f"{len(report.stuck)} stuck, {report.holds} holds and {report.cases} cases updated"
    )


def keys_retire(
    region: Annotated[str, typer.Argument(help="Region of the key.")],
    key_id: Annotated[str, typer.Argument(help="Old index key version to retire, e.g. index:1.")],
    config: ConfigOpt = None,
) -> None:
    """Retire an old ``index`` key version of REGION after a final re-index pass finds every
    record moved (refused with ``keys.rotation_incomplete`` otherwise).

    Example: ``onshore keys retire vn-hcm index:1``
    """
    from onshore.services.reindex import retire_index

    with runtime_from(config) as runtime:
        retire_index(runtime, region, key_id, actor=host_actor())
    console.print(f"{region}: {key_id} retired")


def keys_chain(
    region: Annotated[str, typer.Argument(help="Region whose checkpoints to follow.")],
    trust: Annotated[
        str, typer.Option("--trust", help="The verifier key you trust (or a file holding it).")
    ],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Follow REGION's signing-key handoffs from a trusted verifier key to the current one:
    every checkpoint must be signed by the key trusted at its point. Prints the key to
    trust now.

    Example: ``onshore keys chain vn-hcm --trust vn-hcm-2025.pub``
    """
    from onshore.core.ledger import read_verifier_key
    from onshore.services.key_rotation import verify_signing_chain

    path = Path(trust)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else trust
    except OSError:
        raise InputError(f"cannot read key file {trust!r}") from None
    with runtime_from(config) as runtime:
        chain = verify_signing_chain(runtime, region, read_verifier_key(text))
    if as_json:
        out = {
            "region": region,
            "trusted": chain.trusted,
            "checkpoints": chain.checkpoints,
            "handoffs": chain.handoffs,
        }
        typer.echo(json.dumps(out))
        return
    console.print(f"{region}: {chain.checkpoints} checkpoints, {chain.handoffs} key handoffs")
    typer.echo(chain.trusted)


def keys_move_to_hsm(
    region: Annotated[str, typer.Argument(help="Region whose key files move into its HSM.")],
    config: ConfigOpt = None,
) -> None:
    """Move REGION's key files into the HSM named by its ``keys = "pkcs11:..."`` setting:
    every version is imported (kek) or sealed (other keys) and checked before the plain
    files are set aside as ``keys_dir.plain-STAMP`` (shred them afterwards).

    Example: ``onshore keys move-to-hsm vn-hcm``
    """
    from datetime import UTC, datetime

    from onshore.services.hsm_migration import move_keys_to_hsm
    from onshore.settings import load_settings

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = move_keys_to_hsm(load_settings(config), region, stamp=stamp)
    console.print(f"{region}: moved {', '.join(report.versions)} into the HSM")
    console.print(f"plain key files set aside in {report.plain_backup}: shred them")


def register(keys_app: typer.Typer) -> None:
    """Attach the rotation commands to the ``keys`` group."""
    keys_app.command("reindex")(keys_reindex)
    keys_app.command("retire")(keys_retire)
    keys_app.command("chain")(keys_chain)
    keys_app.command("move-to-hsm")(keys_move_to_hsm)
