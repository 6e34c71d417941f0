"""How far a policy pack may reach in time: the longest duration and the dates it may state.

Deadlines are computed by adding a pack's durations to event times; bounding both at load
keeps that arithmetic inside the calendar (no ``OverflowError`` in ``policy check`` or
``explain``).

Example:
    >>> MAX_DURATION["year"], date_in_range(date(2025, 1, 1))
    (200, datetime.date(2025, 1, 1))
"""

from __future__ import annotations

from datetime import date

#: The longest duration a pack may state, per unit (200 years): longer ones are refused at
#: load instead of overflowing the calendar when a deadline is computed.
MAX_DURATION: dict[str, int] = {
    "hour": 200 * 8_766,
    "day": 200 * 366,
    "working_day": 200 * 262,
    "month": 200 * 12,
    "year": 200,
}
#: Dates a pack may state (instrument and rule windows).
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


def date_in_range(value: date | None) -> date | None:
    """``value`` when it lies within ``MIN_DATE .. MAX_DATE`` (or is None); else ValueError."""
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"date {value.isoformat()} is outside {MIN_DATE} .. {MAX_DATE}")
    return value


__all__ = ["MAX_DATE", "MAX_DURATION", "MIN_DATE", "date_in_range"]
