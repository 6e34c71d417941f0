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
    """Attach every command group (one module each)."""
    from onshore.cli import vault as vault_cli

    vault_cli.register(app)
    from onshore.cli import serve as serve_cli

    serve_cli.register(app)  # serve, run, token
    from onshore.cli import ledger as ledger_cli

    ledger_cli.register(app)  # noqa: E702, I001
    from onshore.cli import policy as policy_cli

    policy_cli.register(app)  # noqa: E702, I001
    from onshore.cli import requests as requests_cli

    requests_cli.register(app)  # noqa: E702, I001
    from onshore.cli import report as report_cli

    report_cli.register(app)  # noqa: E702, I001
    from onshore.cli import scan as scan_cli

    scan_cli.register(app)  # noqa: E702, I001
    from onshore.cli import takedowns as takedowns_cli

    takedowns_cli.register(app)  # noqa: E702, I001
    from onshore.cli import audience as audience_cli

    audience_cli.register(app)  # noqa: E702, I001
    # Further groups register themselves here: policy, ledger, scan, keys, serve...


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``onshore --help``)."""
    run_app(app, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover
    main()
