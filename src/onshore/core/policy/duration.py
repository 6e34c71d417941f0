"""Duration arithmetic for deadlines: hours, days, working days (Mon-Fri), months, years.

Example:
    >>> from datetime import datetime, timezone
    >>> fri = datetime(2025, 6, 6, 10, 0, tzinfo=timezone.utc)   # a Friday
    >>> add_duration(fri, 2, "working_day").strftime("%a %d")
    'Tue 10'
    >>> add_duration(datetime(2024, 1, 31, tzinfo=timezone.utc), 1, "month").date()
    datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from onshore.core.calendar import WorkingCalendar
from onshore.core.errors import InputError

UNITS: tuple[str, ...] = ("hour", "day", "working_day", "month", "year")


def add_months(start: datetime, months: int) -> datetime:
    """``start`` plus calendar months, clamping the day to the month's length."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def add_working_days(
    start: datetime, days: int, calendar: WorkingCalendar | None = None
) -> datetime:
    """``start`` plus ``days`` working days, at the same time of day: Monday to Friday less
    the public holidays ``calendar`` knows (``core.calendar``; weekends only without one).
    A start on a day off counts from the next working day.
    """
    if calendar is not None:
        return calendar.add_working_days(start, days)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def add_duration(
    start: datetime, amount: int, unit: str, calendar: WorkingCalendar | None = None
) -> datetime:
    """``start`` plus ``amount`` ``unit``s (one of ``UNITS``); working days per ``calendar``."""
    if unit == "hour":
        return start + timedelta(hours=amount)
    if unit == "day":
        return start + timedelta(days=amount)
    if unit == "working_day":
        return add_working_days(start, amount, calendar)
    if unit == "month":
        return add_months(start, amount)
    if unit == "year":
        return add_months(start, 12 * amount)
    raise InputError(
        f"unknown duration unit {unit!r}", details={"unit": unit, "known": list(UNITS)}
    )


def describe(amount: int, unit: str) -> str:
    """Readable duration, e.g. ``72 hours``, ``2 working days``, ``1 month``."""
    word = unit.replace("_", " ")
    return f"{amount} {word}{'' if amount == 1 else 's'}"
