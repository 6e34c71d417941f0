"""The ``onshore`` entry point: builds the Typer app from one module per command group.

Exit codes: 0 ok, 1 error, 2 usage, 3 policy denied (or no permitted region).
"""

from __future__ import annotations

import sys

import typer

from onshore.cli.errors import run_app

app = typer.Typer(
    name="onshore",
    help="Keep regulated user data where the law says it must live, and prove it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    """Attach every command group (one module each), in the order ``--help`` lists them."""
    from onshore.cli import (
        audience,
        authority_requests,
        backup,
        db,
        ledger,
        policy,
        report,
        scan,
        serve,
        takedowns,
    )
    from onshore.cli import vault as vault_cli

    for group in (
        vault_cli,
        serve,
        ledger,
        policy,
        authority_requests,
        report,
        scan,
        takedowns,
        audience,
    ):
        group.register(app)
    for group in (db, backup):
        group.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``onshore --help``)."""
    run_app(app, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover
    main()
