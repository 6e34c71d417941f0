"""Generates the CLI and error-code references in ``docs/`` (run through cog).

``docs/cli.md`` and ``docs/errors.md`` hold cog blocks that call these functions; the test
suite runs ``cog --check`` so the docs cannot drift from the code. Regenerate with
``.venv/bin/cog -r docs/cli.md docs/errors.md``.
"""

from __future__ import annotations

from typing import Any

import typer.main

from onshore.cli.errors import exit_code_for
from onshore.core.errors import OnshoreError, error_classes


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, cmd)]
    if hasattr(cmd, "list_commands"):  # a group (Typer vendors its own click); loads lazily
        ctx = cmd.context_class(cmd, info_name=" ".join(path))
        for name in sorted(cmd.list_commands(ctx)):
            out.extend(_walk(cmd.get_command(ctx, name), [*path, name]))
    return out


def cli_reference() -> str:
    """Markdown: every command's ``--help`` text, in command order."""
    from onshore.cli.main import app

    root = typer.main.get_command(app)
    parts = []
    for path, cmd in _walk(root, ["onshore"]):
        ctx = cmd.context_class(cmd, info_name=" ".join(path), terminal_width=100)
        # Typer's Rich help prints panels straight to the terminal; ask for click's plain text.
        if hasattr(cmd, "rich_markup_mode"):
            cmd.rich_markup_mode = None
        text = cmd.get_help(ctx)
        parts.append(f"## `{' '.join(path)}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def errors_reference() -> str:
    """Markdown table: every error code with its HTTP status, CLI exit code and meaning."""
    from onshore.server.errors import STATUS

    rows = ["| code | HTTP | exit | class | meaning |", "|---|---|---|---|---|"]
    for cls in sorted(error_classes(), key=lambda c: c.code):
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        err: OnshoreError = cls.__new__(cls)
        rows.append(
            f"| `{cls.code}` | {STATUS.get(cls.code, 500)} | {exit_code_for(err)} "
            f"| `{cls.__name__}` | {doc} |"
        )
    return "\n".join(rows)
