"""The CLI's Rich console: wraps at the terminal's width on a terminal; when the output is
piped or redirected, plain lines are never wrapped and tables get up to ``PIPED_WIDTH``
columns, so paths and ids reach a program or a file whole (``COLUMNS`` still wins).

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> CliConsole(file=out).print("stored " + "x" * 100 + " in vn-hcm")
    >>> len(out.getvalue().splitlines())
    1
"""

from __future__ import annotations

from typing import Any

from rich.align import AlignMethod
from rich.console import Console, ConsoleDimensions
from rich.rule import Rule
from rich.style import Style
from rich.text import TextType

#: Width given to tables when the output is not a terminal.
PIPED_WIDTH = 400
#: Width of a horizontal rule when the output is not a terminal.
PIPED_RULE_WIDTH = 100


class CliConsole(Console):
    """A ``rich.console.Console`` that does not wrap at 80 columns when piped."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        super().__init__(**kwargs)
        if kwargs.get("width") is None:  # Rich froze ``COLUMNS`` as it was at import time;
            self._width = None  # read it when printing instead (the consoles are module-level)
        if kwargs.get("height") is None:
            self._height = None

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size; ``PIPED_WIDTH`` wide when not a terminal and no ``COLUMNS``."""
        dims = super().size
        if self._width is not None or self.is_terminal or "COLUMNS" in self._environ:
            return dims
        return ConsoleDimensions(PIPED_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        width, height = new_size
        self._width = width
        self._height = height

    def rule(
        self,
        title: TextType = "",
        *,
        characters: str = "─",
        style: str | Style = "rule.line",
        align: AlignMethod = "center",
    ) -> None:
        """A horizontal rule, ``PIPED_RULE_WIDTH`` wide at most when not a terminal."""
        rule = Rule(title=title, characters=characters, style=style, align=align)
        piped = not self.is_terminal and self._width is None
        self.print(rule, width=min(self.width, PIPED_RULE_WIDTH) if piped else self.width)
