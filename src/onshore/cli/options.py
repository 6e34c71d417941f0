"""Options and small pieces every command group shares (one definition each).

Example:
    >>> parse_json_option('{"a": 1}', "--note")
    {'a': 1}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.services.runtime import Runtime

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Configuration file (default: $ONSHORE_CONFIG or ./onshore.toml)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]


def parse_json_option(text: str | None, what: str, *, default: Any = None) -> Any:
    """JSON from an option's text, or from a file with ``@path``; ``default`` when absent.

    Raises ``InputError`` naming the option when the text is not JSON.
    """
    if text is None:
        return default
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{what}: cannot read {text[1:]!r} ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {exc.msg} at column {exc.colno}") from None


@contextmanager
def runtime_from(config: Path | None) -> Iterator[Runtime]:
    """The deployment's runtime for one command, closed afterwards."""
    from onshore.services.runtime import open_runtime
    from onshore.settings import load_settings

    runtime = open_runtime(load_settings(config))
    try:
        yield runtime
    finally:
        runtime.close()
