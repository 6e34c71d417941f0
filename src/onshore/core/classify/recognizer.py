"""The recognizer model: one detector, its patterns, context words and validator.

Every recognizer module in ``onshore.core.classify.recognizers`` builds one ``Recognizer``
from its ``PATTERNS``, ``CONTEXT`` and ``COUNTRY_CODE`` and a validator (presidio's
``PatternRecognizer`` idea, with the checksum where the format has one).

Example:
    >>> from onshore.core.classify.recognizers import email
    >>> email.RECOGNIZER.check("info@example.com")
    0.9
    >>> email.RECOGNIZER.check("info@example") is None
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

#: A validator: the candidate text -> a confidence in [0, 1], or None to reject it.
Validator = Callable[[str], "float | None"]


@dataclass(frozen=True, slots=True, eq=False)
class Recognizer:
    """One detector.

    ``patterns`` find candidates in free text (RE2 syntax that Python's ``re`` also accepts);
    ``validate`` confirms a candidate (checksum, numbering plan, vocabulary) and scores it;
    ``context`` words near a match raise its confidence; when ``needs_context`` is set the
    recognizer only reports matches with a context word nearby (9-digit CMND, bank accounts);
    ``negative_context`` words right next to a match lower it (``order``, ``tracking``...).
    ``country`` gives the subject's country implied by a value (a +84 phone -> ``VN``).
    """

    name: str
    category: str
    patterns: tuple[str, ...]
    validate: Validator
    context: tuple[str, ...] = ()
    country_code: str | None = None
    needs_context: bool = False
    context_boost: float = 0.35
    country: Callable[[str], str | None] | None = None
    #: Whole-value check used on table cells and record fields (defaults to ``validate``).
    value_check: Validator | None = None
    #: Words just before or after a match that lower its confidence (decoys: order numbers...).
    negative_context: tuple[str, ...] = field(default=())
    #: Characters removed from a whole value before ``cell_patterns`` are tried.
    cell_strip: str = ""
    #: ``(regex, confidence)``: a whole value (after ``cell_strip``) that fully matches one
    #: is valid with that confidence. Scanners run these vectorised over whole columns.
    cell_patterns: tuple[tuple[str, float], ...] = ()
    #: When set, a value matching no ``cell_patterns`` is invalid (no fallback to ``validate``).
    cell_exact: bool = False
    #: Longest useful match of ``patterns`` in free text (None: unbounded); longer ones are
    #: never valid, so searches need not look further (keeps open repetitions linear).
    max_match: int | None = None
    #: A string every match of ``patterns`` contains within ``max_match`` of its start
    #: (``@`` for e-mail): searches skip ahead to it.
    anchor: str | None = None
    #: For a column whose name says nothing: the share of sampled values that make it a
    #: column of this recognizer (None: not such a column), for formats too common to be
    #: trusted one value at a time (9-digit CMND numbers).
    column_fit: Callable[[Sequence[str]], float | None] | None = None
    #: How far before a match (in characters, within its sentence) context words count.
    context_window: int = 48
    #: How far before a match ``negative_context`` words count (after it: 12 characters).
    negative_window: int = 16
    _compiled: tuple[tuple[re.Pattern[str], float], ...] = field(
        default=(), init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        compiled = tuple((re.compile(p, re.ASCII), c) for p, c in self.cell_patterns)
        object.__setattr__(self, "_compiled", compiled)

    def __hash__(self) -> int:
        return hash(self.name)

    def normalise(self, value: str) -> str:
        """``value`` stripped, without the ``cell_strip`` characters."""
        value = value.strip()
        if self.cell_strip:
            value = value.translate({ord(c): None for c in self.cell_strip})
        return value

    def check(self, value: str) -> float | None:
        """Score ``value`` taken as a whole (a cell or a field), or None when it is not one."""
        if self._compiled:
            norm = self.normalise(value)
            for rx, confidence in self._compiled:
                if rx.fullmatch(norm):
                    return confidence
            if self.cell_exact:
                return None
        fn = self.value_check or self.validate
        return fn(value.strip())

    def country_of(self, value: str) -> str | None:
        """The country this value points to (phone country, ID issuer), or None."""
        if self.country is not None:
            return self.country(value)
        return self.country_code


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in range(0xC0, 0x1EFF + 1):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii() and base.isalpha():
            table[code] = base.lower()
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (``Đ`` -> ``d``); same length for
    precomposed text.

    Example:
        >>> fold("Số Điện Thoại")
        'so dien thoai'
    """
    out = text.translate(_FOLD).lower()
    if out.isascii():
        return out
    text = out.replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits_of(text: str) -> str:
    """The ASCII digits of ``text``, in order.

    Example:
        >>> digits_of("(028) 3822-1234")
        '02838221234'
    """
    return "".join(c for c in text if "0" <= c <= "9")
