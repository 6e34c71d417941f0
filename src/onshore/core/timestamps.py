"""Timestamps as stored: aware UTC datetimes, and their fixed-width ISO 8601 text.

Text stores (SQLite) keep ``stamp(t)``: UTC with microseconds, so every value has the same
width and text order is time order. Listing cursors carry the same text.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> stamp(datetime(2026, 1, 5, 16, 0, tzinfo=timezone(timedelta(hours=7))))
    '2026-01-05T09:00:00.000000+00:00'
    >>> utc("2026-01-05T09:00:00")
    datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from datetime import UTC, datetime

from onshore.core.errors import InputError


def utc(value: datetime | str) -> datetime:
    """An aware UTC datetime from a datetime or ISO text (naive values are read as UTC)."""
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # e.g. year 9999 shifted past the calendar
        raise InputError(
            "a date is out of the supported range", details={"reason": str(exc)}
        ) from exc


def stamp(value: datetime) -> str:
    """Fixed-width ISO 8601 text in UTC with microseconds (sorts as text)."""
    return utc(value).isoformat(timespec="microseconds")
