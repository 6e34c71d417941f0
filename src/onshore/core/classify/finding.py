"""A classification result: category, detector, confidence, where, and why.

Example:
    >>> f = Finding("phone_number", "vn_phone", 0.95, 10, 22, "VN", "valid; context 'sdt'")
    >>> f.category, f.span
    ('phone_number', (10, 22))
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected piece of personal data in a value.

    ``start``/``end`` are character offsets into the value (None when the finding is about
    the whole value or the column). ``country`` is the country the value points to (a +84
    phone, a CCCD), used to infer the subject's country; ``reason`` is a one-line
    explanation. A finding never holds the value itself.
    """

    category: str
    detector: str
    confidence: float
    start: int | None = None
    end: int | None = None
    country: str | None = None
    reason: str = ""

    @property
    def span(self) -> tuple[int, int] | None:
        """``(start, end)`` or None for whole-value findings."""
        if self.start is None or self.end is None:
            return None
        return (self.start, self.end)
