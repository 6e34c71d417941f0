"""Context words around a match: presidio's idea of raising (or lowering) confidence.

Words are compared folded (no diacritics, lower case) and whole: ``sdt`` matches in ``SĐT:``
but ``tel`` does not match inside ``hotel``.

Example:
    >>> has_context("Liên hệ SĐT: ", ("sdt",)), has_context("the hotel ", ("tel",))
    (True, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from onshore.core.classify.recognizer import fold

_SPLIT = re.compile(r"[^a-z0-9.]+|(?<![a-z0-9])\.|\.(?![a-z0-9])")

#: Words next to a number that make it something else: order, tracking, invoice numbers,
#: prices, versions, serials (the issue's decoys).
DECOY_WORDS: tuple[str, ...] = (
    "order",
    "order no",
    "order id",
    "don hang",
    "ma don",
    "ma don hang",
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


def words(text: str) -> str:
    """``text`` folded into space-separated words, padded with spaces."""
    return " " + " ".join(w for w in _SPLIT.split(fold(text)) if w) + " "


def has_context(window: str, vocabulary: Sequence[str]) -> bool:
    """Whether any (multi-)word of ``vocabulary`` occurs whole in ``window``."""
    padded = words(window)
    return any(f" {w} " in padded for w in vocabulary)


def context_word(window: str, vocabulary: Sequence[str]) -> str | None:
    """The first word of ``vocabulary`` found whole in ``window``, or None."""
    padded = words(window)
    for w in vocabulary:
        if f" {w} " in padded:
            return w
    return None
