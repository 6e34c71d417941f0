"""The multi-pattern engine: which recognizer patterns occur in a text, and where.

With ``google-re2`` installed, one ``re2.Set`` holding every pattern tells in a single
linear pass which patterns occur at all; only those are then run with Python's ``re`` to get
positions (for short texts ``re`` is faster than the RE2 binding per call). Without RE2
every pattern runs through ``re`` (same results, slower on long texts).

Example:
    >>> engine = PatternEngine([r"\\d{3}", r"[a-z]+@"])
    >>> engine.candidates("call 123"), engine.search(0, "call 123", 0)
    ([0], (5, 8))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:  # pragma: no cover - depends on the environment
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None


class PatternEngine:
    """Compiled patterns with a multi-pattern pre-filter."""

    def __init__(self, patterns: Sequence[str], *, use_re2: bool = True) -> None:
        self.patterns = tuple(patterns)
        self.compiled = tuple(re.compile(p, re.ASCII) for p in self.patterns)
        self._set: Any = None
        if use_re2 and _re2 is not None and self.patterns:
            options = _re2.Options()
            options.max_mem = 64 << 20
            rset = _re2.Set.SearchSet(options)
            for p in self.patterns:
                rset.Add(p)
            rset.Compile()
            self._set = rset

    @property
    def backend(self) -> str:
        """``re2`` when the RE2 pre-filter is active, else ``re``."""
        return "re2" if self._set is not None else "re"

    def candidates(self, text: str) -> list[int]:
        """Indexes of the patterns that occur somewhere in ``text``."""
        if self._set is not None:
            return sorted(self._set.Match(text) or ())
        return [i for i, c in enumerate(self.compiled) if c.search(text)]

    def search(self, index: int, text: str, pos: int) -> tuple[int, int] | None:
        """``(start, end)`` of pattern ``index``'s first match at or after ``pos``, or None."""
        m = self.compiled[index].search(text, pos)
        return None if m is None else m.span()
