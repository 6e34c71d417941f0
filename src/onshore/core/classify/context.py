"""Context words around a match: presidio's idea of raising (or lowering) confidence.

Words are compared folded (no diacritics, lower case) and whole: ``sdt`` matches in ``SĐT:``
but ``tel`` does not match inside ``hotel``.

Example:
    >>> has_context("Liên hệ SĐT: ", ("sdt",)), has_context("the hotel ", ("tel",))
    (True, False)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

from onshore.core.classify.recognizer import fold

_SPLIT = re.compile(r"[^a-z0-9.]+|(?<![a-z0-9])\.|\.(?![a-z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")

#: Words next to a number that make it something else: order, tracking, invoice numbers,
#: prices, versions, serials (the issue's decoys).
DECOY_WORDS: tuple[str, ...] = (
    "order",
    "order no",
    "order id",
    "don hang",
    "ma don",
    "ma don hang",
    "don",
    "tracking",
    "tracking no",
    "van don",
    "ma van don",
    "invoice",
    "hoa don",
    "sku",
    "version",
    "phien ban",
    "ver",
    "ref",
    "reference",
    "ma giao dich",
    "transaction",
    "txn",
    "serial",
    "so seri",
    "ma san pham",
    "product code",
    "price",
    "gia",
    "vnd",
    "usd",
    "ticket",
    "booking",
    "ma dat cho",
    "awb",
    "model",
    "build",
    "uuid",
    "hash",
    "sha",
    "md5",
    "commit",
    "tong",
    "total",
    "amount",
    "so tien",
    "phi",
    "ma khuyen mai",
    "coupon",
    "voucher",
    "pin",
    "otp",
    "ma xac thuc",
    "mat khau",
    "password",
    "lot",
    "batch",
    "part",
    "ma hang",
)


def words(text: str, *, folded: bool = False) -> str:
    """``text`` folded into space-separated words, padded with spaces."""
    return " " + " ".join(w for w in _SPLIT.split(text if folded else fold(text)) if w) + " "


def has_context(window: str, vocabulary: Sequence[str], *, folded: bool = False) -> bool:
    """Whether any (multi-)word of ``vocabulary`` occurs whole in ``window``."""
    return context_word(window, vocabulary, folded=folded) is not None


def context_word(window: str, vocabulary: Sequence[str], *, folded: bool = False) -> str | None:
    """The first word of ``vocabulary`` found whole in ``window`` (already folded if said so)."""
    if not window:
        return None
    padded = words(window, folded=folded)
    for w in vocabulary:
        if f" {w} " in padded:
            return w
    return None


class WordIndex:
    """The words of one (folded) text with their offsets, to test context windows cheaply.

    Example:
        >>> idx = WordIndex("lien he sdt: 0912 345 678")
        >>> idx.window_word(0, 12, ("sdt",)), idx.window_word(0, 7, ("sdt",))
        ('sdt', None)
    """

    def __init__(self, folded: str) -> None:
        spans = [m.span() for m in _WORD.finditer(folded)]
        self._starts: list[int] = [s for s, _ in spans]
        self._ends: list[int] = [e for _, e in spans]
        # offset of each word in ``padded``: 1 + the lengths of the words before, plus spaces
        self._pos: list[int] = list(accumulate((e - s + 1 for s, e in spans), initial=1))[:-1]
        self.padded = " " + " ".join([folded[s:e] for s, e in spans]) + " "

    def window_word(self, start: int, end: int, vocabulary: Sequence[str]) -> str | None:
        """The first vocabulary word found whole among the words inside ``[start, end)``."""
        if start >= end or not vocabulary:
            return None
        lo = bisect_left(self._starts, start)
        hi = bisect_right(self._ends, end)
        if lo >= hi:
            return None
        last = hi - 1
        stop = self._pos[last] + self._ends[last] - self._starts[last] + 1
        window = self.padded[self._pos[lo] - 1 : stop]
        for w in vocabulary:
            if f" {w} " in window:
                return w
        return None
