"""The ``onshore`` entry point: the Typer app whose commands load lazily, one module per
command group (:mod:`onshore.cli.lazy_group`), so a command imports only its own module.

Exit codes: 0 ok, 1 error, 2 usage, 3 policy denied (or no permitted region).
"""

from __future__ import annotations

import sys

import typer

from onshore.cli.errors import run_app
from onshore.cli.lazy_group import LazyGroup

app = typer.Typer(
    name="onshore",
    help="Keep regulated user data where the law says it must live, and prove it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    # The commands live in onshore.cli.commands.COMMANDS; LazyGroup loads each on use.
    pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``onshore --help``)."""
    run_app(app, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover
    main()
