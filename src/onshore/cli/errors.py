"""How the CLI reports errors: a one-line message on stderr and a stable exit code."""

from __future__ import annotations

import sys

import typer
from rich.text import Text
from typer.exceptions import Abort, Exit, TyperException

from onshore.cli.console import CliConsole
from onshore.core.errors import (
    InputError,
    NoPermittedRegion,
    OnshoreError,
    PolicyDenied,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DENIED = 3

_stderr = CliConsole(stderr=True, highlight=False)


def exit_code_for(error: OnshoreError) -> int:
    """The exit code for an onshore error: 3 for denials, 2 for bad input, else 1.

    Example:
        >>> exit_code_for(PolicyDenied("no"))
        3
    """
    if isinstance(error, PolicyDenied | NoPermittedRegion):
        return EXIT_DENIED
    if isinstance(error, InputError):
        return EXIT_USAGE
    return EXIT_ERROR


def report(error: OnshoreError) -> None:
    """Print ``error`` as ``error[code]: message`` on stderr (no markup interpretation)."""
    _stderr.print(Text.assemble(("error", "bold red"), f"[{error.code}]: {error.message}"))


def fail(error: OnshoreError) -> None:
    """Print ``error`` as ``error[code]: message`` and exit with its code."""
    report(error)
    raise typer.Exit(exit_code_for(error))


def run_app(app: typer.Typer, argv: list[str]) -> None:
    """Run ``app`` turning onshore errors into messages and exit codes (never a traceback)."""
    command = typer.main.get_command(app)
    try:
        # With standalone_mode=False click returns a typer.Exit's code instead of raising.
        returned = command.main(args=argv, prog_name="onshore", standalone_mode=False)
    except OnshoreError as exc:
        report(exc)
        sys.exit(exit_code_for(exc))
    except Exit as exc:
        sys.exit(exc.exit_code)
    except TyperException as exc:  # click's usage and parameter errors (Typer vendors click)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _stderr.print(Text(f"error: {exc.format_message()}"))
        sys.exit(EXIT_USAGE)
    except Abort:
        _stderr.print("aborted")
        sys.exit(EXIT_ERROR)
    sys.exit(returned if isinstance(returned, int) and not isinstance(returned, bool) else EXIT_OK)
