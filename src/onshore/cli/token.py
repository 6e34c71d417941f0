"""``onshore token``: create, list and revoke API tokens (stored hashed in the control store).

The secret is printed once, by ``create``; nothing keeps it but the caller.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.defaults import ROLES
from onshore.cli.options import ConfigOpt

if TYPE_CHECKING:
    from onshore.services.tokens import Tokens

console = CliConsole()
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


def _open(config: Path | None) -> Tokens:
    from onshore.services.runtime import open_tokens, system_clock
    from onshore.settings import load_settings

    return open_tokens(load_settings(config), system_clock())


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(ROLES) + ".")],
    name: Annotated[str, typer.Option("--name", help="A unique name, e.g. ci-bot.")],
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"token": ...} for programs.')
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Create a token carrying ROLE for the service account NAME and print it once (it is
    stored only as a SHA-256 digest). The account is made, or given ROLE, when needed.

    Example: ``onshore token create --role operator --name ci-bot --json``
    """
    from onshore.cli.users import actor, open_users

    with open_users(config) as users:
        issued = users.service_token(actor(), name, role)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "token": issued.secret,
                    "token_id": issued.info.token_id,
                    "name": issued.info.name,
                    "role": issued.info.role,
                    "owner_id": issued.info.owner_id,
                }
            )
        )
    else:
        typer.echo(issued.secret)
        console.print(
            f"[dim]token {issued.info.token_id} ({issued.info.name}, {role}, owned by "
            f"{issued.info.owner_id}); "
            "this is the only time it is shown[/]",
            highlight=False,
        )


@token_app.command("revoke")
def revoke(
    name_or_id: Annotated[str, typer.Argument(help="The token's name or id (tok_...).")],
    config: ConfigOpt = None,
) -> None:
    """Revoke a token: it stops working at once, on every server sharing the control store.

    Example: ``onshore token revoke ci-bot``
    """
    tokens = _open(config)
    try:
        info = tokens.revoke(name_or_id)
    finally:
        tokens.close()
    console.print(f"revoked {info.token_id} ({info.name})", highlight=False)


@token_app.command("list")
def list_tokens(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
    config: ConfigOpt = None,
) -> None:
    """List tokens (never their secrets).

    Example: ``onshore token list --json``
    """
    tokens = _open(config)
    try:
        found, after = [], None
        while page := tokens.page(after, 500):
            found.extend(page)
            after = page[-1].name
    finally:
        tokens.close()
    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in found]))
        return
    table = Table("id", "name", "owner", "roles", "created", "expires", "revoked")
    for t in found:
        table.add_row(
            t.token_id,
            t.name,
            t.owner_id,
            " ".join(sorted(t.roles)),
            t.created_at.isoformat(timespec="seconds"),
            t.expires_at.isoformat(timespec="seconds") if t.expires_at else "",
            t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach ``onshore token`` to the main app."""
    app.add_typer(token_app, name="token")
