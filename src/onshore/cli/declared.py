"""Command groups for declared case kinds that have no CLI module of their own: adding a kind
is one declaration (:mod:`onshore.core.cases.registry`), and ``onshore <segment> ...`` follows.

Such a kind is served locally by :class:`onshore.services.case_kinds.DeclaredCases` (a kind
declared without effects needs no code) and remotely by its generated routes. Its group has
``open`` (the intake body as JSON, checked against the kind's intake model) and the generated
``act``, ``show``, ``list`` and ``lifecycle`` (:mod:`onshore.cli.case_group`).

Example:
    >>> sorted(declared_groups(frozenset({"requests", "takedowns"})))  # every kind has a group
    []
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onshore.cli.case_group import add_case_commands
from onshore.cli.case_session import CaseKindCli, case_session
from onshore.cli.options import ConfigOpt, JsonOpt, parse_json_option, runtime_from
from onshore.core.cases import registry
from onshore.core.cases.declaration import CaseKindDeclaration

if TYPE_CHECKING:
    from onshore.services.case_kinds import DeclaredCases

#: The kinds whose groups are written by hand (intake options, reports, exports).
OWN_MODULES: frozenset[str] = frozenset(
    {"authority_request", "takedown", "audience_obligation", "dsr", "breach", "transfer_assessment"}
)


def declared_groups(taken: frozenset[str]) -> dict[str, CaseKindDeclaration]:
    """The declared kinds that get a generated root group, by group name (their URL
    segment): those without a module of their own whose segment no command uses."""
    return {
        k.segment: k
        for k in registry.KINDS.values()
        if k.name not in OWN_MODULES and k.segment not in taken
    }


def group_for(declaration: CaseKindDeclaration) -> typer.Typer:
    """The ``onshore <segment>`` group of a declared kind."""

    @contextmanager
    def local(config: Path | None) -> Iterator[DeclaredCases]:
        from onshore.services.case_kinds import DeclaredCases

        with runtime_from(config) as runtime:
            yield DeclaredCases(runtime, declaration)

    def view(case: Any) -> dict[str, Any]:
        from onshore.services.case_kinds import case_view

        return case_view(case, declaration)

    kind = CaseKindCli(declaration.segment, declaration, local, view)
    app = typer.Typer(
        help=declaration.description or f"{declaration.title}: open, act, show, list.",
        no_args_is_help=True,
    )

    def open_case(
        body: Annotated[str, typer.Option("--body", help="The intake as JSON, or @file.json.")],
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        parsed = parse_json_option(body, "--body", default={})
        with case_session(kind, config) as session:
            if session.remote:
                case = session.remote.request("POST", kind.prefix, body=parsed)
            else:
                case = view(session.svc.intake(parsed, **session.actor()).case)
        if as_json:
            typer.echo(json.dumps(case, ensure_ascii=False, indent=2))
        else:
            typer.echo(f"{case['case_id']} {case['state']} (due {case.get('due_at') or '-'})")

    open_case.__doc__ = (
        f"Open one of the {declaration.title.lower()} from its intake (checked against "
        f"{declaration.intake.__name__ if declaration.intake else 'no model'}), as the "
        f"logged-in user or, locally, the host administrator.\n\nExample: ``onshore "
        f"{declaration.segment} open --body @intake.json``"
    )
    if declaration.intake is not None:
        app.command("open")(open_case)
    add_case_commands(app, kind)
    return app
