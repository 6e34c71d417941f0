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
    """Compiled patterns with a multi-pattern pre-filter.

    ``max_lengths`` (one per pattern, or None) bounds how far a search for that pattern looks
    from each start: matches longer than that are of no use (the validator refuses them), and
    without the bound a pattern with an open repetition (an e-mail's local part) is tried
    over the whole rest of a long run at every start, which costs the square of the text.
    ``anchors`` (with a maximum length) names a string every match contains (``@``): the
    search then starts no more than the maximum length before the next one.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        *,
        use_re2: bool = True,
        max_lengths: Sequence[int | None] | None = None,
        anchors: Sequence[str | None] | None = None,
    ) -> None:
        self.patterns = tuple(patterns)
        self.max_lengths = tuple(max_lengths) if max_lengths else (None,) * len(self.patterns)
        self.anchors = tuple(anchors) if anchors else (None,) * len(self.patterns)
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
        """``(start, end)`` of pattern ``index``'s first match at or after ``pos``, or None.

        For a pattern with a maximum length ``L``, the text is searched in windows of ``2L``
        overlapping by ``L``: a match starting at least ``L`` before a window's end is the
        match the whole text gives (the patterns have no anchors or look-arounds, so a
        window only takes paths away), and starts nearer the end are tried again in the
        next window. Only matches longer than ``L`` can differ, and those are refused anyway.
        """
        rx = self.compiled[index]
        limit = self.max_lengths[index]
        if limit is None:
            m = rx.search(text, pos)
            return None if m is None else m.span()
        size = len(text)
        anchor = self.anchors[index]
        while True:
            if anchor is not None:  # a match holds the anchor within ``limit`` of its start
                at = text.find(anchor, pos)
                if at < 0:
                    return None
                pos = max(pos, at - limit)
            end = min(size, pos + 2 * limit)
            m = rx.search(text, pos, end)
            if end == size:
                return None if m is None else m.span()
            if m is not None and m.start() + limit <= end:
                return m.span()
            pos = end - limit
