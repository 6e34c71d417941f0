"""The root command group of ``onshore``: a command's module is imported when it runs.

``onshore put`` imports ``onshore.cli.vault`` and no other command module; ``onshore --help``
imports none and lists every command with its summary from ``onshore.cli.commands``. Each
module's ``register(app)`` runs once per process, into a Typer app of its own; every group
built from it gets fresh click commands, as an eagerly built app would.
"""

from __future__ import annotations

import sys
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import TyperException

from onshore.cli.commands import COMMANDS

#: Each command module's own Typer app, filled by its ``register`` on first use.
_REGISTERED: dict[str, typer.Typer] = {}


def registered(module: str) -> typer.Typer:
    """The Typer app holding the commands ``onshore.cli.MODULE`` registers (imported once)."""
    if module not in _REGISTERED:
        app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
        name = f"onshore.cli.{module}"
        __import__(name)  # as an import statement does: ``python -X importtime`` lists it
        sys.modules[name].register(app)
        _REGISTERED[module] = app
    return _REGISTERED[module]


class LazyGroup(TyperGroup):
    """A Typer group whose commands, listed in ``COMMANDS``, load on first use."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command name, in ``COMMANDS`` order (loaded or not)."""
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name``, its module loaded first; while the help is being
        written, a stand-in carrying the command's summary instead."""
        entry = COMMANDS.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            if self._listing:
                return TyperCommand(name=cmd_name, help=entry.summary)
            self.load(entry.module)
        elif entry is None and cmd_name not in self.commands and not self._listing:
            self.load_declared(cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, the "Did you mean" of an unknown command drawn from every command."""
        suggest, self.suggest_commands = self.suggest_commands, False
        try:
            return super().resolve_command(ctx, args)
        except TyperException as exc:  # click's "No such command" (Typer vendors click)
            close = get_close_matches(args[0], self.list_commands(ctx)) if suggest and args else []
            if close:
                names = ", ".join(repr(name) for name in close)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise
        finally:
            self.suggest_commands = suggest

    def load(self, module: str) -> None:
        """Add the commands ``onshore.cli.MODULE`` registers."""
        for name, command in typer.main.get_group(registered(module)).commands.items():
            self.commands.setdefault(name, command)

    def load_declared(self, name: str | None = None) -> None:
        """Add the generated group of the declared case kind whose segment is ``name``
        (every such kind when None): :mod:`onshore.cli.declared`."""
        from onshore.cli.declared import declared_groups, group_for

        for segment, declaration in declared_groups(frozenset(COMMANDS)).items():
            if name in (None, segment) and segment not in self.commands:
                group = typer.main.get_group(group_for(declaration))
                group.name = segment
                self.commands[segment] = group

    def load_all(self) -> None:
        """Load every command (for the reference docs and the help checks)."""
        for module in dict.fromkeys(entry.module for entry in COMMANDS.values()):
            self.load(module)
        self.load_declared()

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help text; commands not loaded are listed by their summaries."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
