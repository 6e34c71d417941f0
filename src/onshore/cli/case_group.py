"""The commands every declared case kind gets, made from its declaration
(:class:`onshore.core.cases.declaration.CaseKindDeclaration`): ``act`` (its help lists the
kind's actions with what each does), ``show``, ``list`` (with deadlines) and ``lifecycle``.

A kind's module adds what is its own (intake with typed options, reports, exports) and then
calls :func:`add_case_commands`, which adds each generated command it has not defined
itself. Every command works against the configured server or locally as the host
administrator (:mod:`onshore.cli.case_session`); none takes who acts as an option.

Example:
    >>> from onshore.core.cases.registry import kind
    >>> help_text = actions_help(CaseKindCli("takedowns", kind("takedown")))
    >>> [line for line in help_text.splitlines() if line.startswith("uphold")]
    ['uphold (legal_reviewer): Uphold the decision on appeal (someone other than who decided).']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, parse_json_option
from onshore.core.errors import InputError

console = CliConsole()

#: The action argument of ``act`` (the generated help lists the kind's actions).
ActionArg = Annotated[str, typer.Argument(help="The action (see the group's `lifecycle`).")]

#: Prints a case's one-line summary (the kind's own ``_show``); None prints a default one.
Header = Callable[[dict[str, Any]], None]


def _default_header(case: dict[str, Any]) -> None:
    due = case.get("due_at") or "-"
    console.print(f"[bold]{case['case_id']}[/] {case['state']} (due {due})")


def actions_help(kind: CaseKindCli) -> str:
    """The ``act`` command's help: what it does, then each action of the kind, the roles
    that may take it and its summary, from the declaration."""
    declaration = kind.declaration
    items = [
        f"{action} ({', '.join(sorted(declaration.roles_of(action)))}): "
        f"{declaration.summary(action)}"
        for action in declaration.action_names
    ]
    return "\n\n".join(
        [
            "Take one step on a case (every step is a ledger leaf), as the logged-in user "
            "or, locally, the host administrator; the lifecycle decides who may take it.",
            f"Example: ``onshore {kind.command} act CASE_ID ACTION --note '{{...}}'``",
            "Actions:",
            *items,
        ]
    )


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def add_case_commands(app: typer.Typer, kind: CaseKindCli, header: Header | None = None) -> None:
    """Add to ``app`` the generated commands of ``kind`` it does not define yet."""
    have = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    show_header = header or _default_header
    lifecycle = kind.declaration.lifecycle

    def act(
        case_id: Annotated[str, typer.Argument(help="The case id.")],
        action: ActionArg,
        note: Annotated[
            str | None, typer.Option("--note", help="Note JSON, or @file.json.")
        ] = None,
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        with case_session(kind, config) as session:
            case = session.act(case_id, action, parse_json_option(note, "--note", default={}))
        _print(case) if as_json else show_header(case)

    def show(
        case_id: Annotated[str, typer.Argument(help="The case id.")],
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        with case_session(kind, config) as session:
            out = session.show(case_id)
        if as_json:
            _print(out)
            return
        show_header(out)
        table = Table("seq", "at", "actor", "role", "action", "from", "to")
        for e in out["history"]:
            table.add_row(
                str(e["seq"]),
                e["at"],
                e["actor"],
                e["role"],
                e["action"],
                e["from"] or "-",
                e["to"],
            )
        console.print(table)

    def list_cases(
        state: Annotated[
            list[str] | None, typer.Option("--state", help="Only these states.")
        ] = None,
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        with case_session(kind, config) as session:
            cases = session.list(state)
        if as_json:
            _print(cases)
            return
        table = Table("case", "state", *(label for label, _ in kind.columns), "due")
        for c in cases:
            extra = [str(c["data"].get(key, "")) for _, key in kind.columns]
            table.add_row(c["case_id"], c["state"], *extra, c.get("due_at") or "-")
        console.print(table)

    def lifecycle_cmd(
        fmt: Annotated[
            str, typer.Option("--format", help="markdown | mermaid | json.")
        ] = "markdown",
        as_json: JsonOpt = False,
    ) -> None:
        if as_json or fmt == "json":
            typer.echo(json.dumps(lifecycle.to_dict(), indent=2))
        elif fmt == "mermaid":
            typer.echo(lifecycle.mermaid())
        elif fmt == "markdown":
            typer.echo(lifecycle.markdown())
        else:
            raise InputError("--format is markdown, mermaid or json")

    title = kind.declaration.title.lower()
    act.__doc__ = actions_help(kind)
    show.__doc__ = (
        f"Show one of the {title} with its history (who took each step, in which role).\n\n"
        f"Example: ``onshore {kind.command} show CASE_ID --json``"
    )
    list_cases.__doc__ = (
        f"Every one of the {title} (optionally only in some states), by id, with its "
        f"deadline.\n\nExample: ``onshore {kind.command} list --state received``"
    )
    lifecycle_cmd.__doc__ = (
        f"Print the transition table of the {title} (states, actions, roles, guards).\n\n"
        f"Example: ``onshore {kind.command} lifecycle --format mermaid``"
    )
    for name, callback in (
        ("act", act),
        ("show", show),
        ("list", list_cases),
        ("lifecycle", lifecycle_cmd),
    ):
        if name not in have:
            app.command(name)(callback)
