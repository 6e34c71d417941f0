"""Working days: Monday to Friday, less a country's public holidays, with a deployment's
declared substitutes (pure; the ``holidays`` package knows the public holidays).

A :class:`WorkingCalendar` for ``VN`` knows Viet Nam's public holidays, the Tet days
included (``holidays.country_holidays("VN")``). The government also announces substitute
arrangements each year (a weekday off, worked back on a Saturday): a deployment declares
them in ``onshore.toml`` (``[calendar] holidays`` and ``working_days``), and they override
the package. A calendar with no country knows weekends only (as before).

Whether a day is a working day is judged on the local date of the instant given, so pass
instants in the jurisdiction's time zone (the policy engine does: each rule's pack offset).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> vn = WorkingCalendar("VN")
    >>> ict = timezone(timedelta(hours=7))
    >>> before_tet = datetime(2027, 2, 3, 10, 0, tzinfo=ict)   # Tet 2027: 4 to 10 February off
    >>> vn.add_working_days(before_tet, 2).date().isoformat()
    '2027-02-12'
    >>> WorkingCalendar().add_working_days(before_tet, 2).date().isoformat()
    '2027-02-05'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays

from onshore.core.errors import InputError

#: Most consecutive non-working days tolerated before a calendar is judged broken.
_MAX_GAP = 366


@lru_cache(maxsize=32)
def _public(country: str) -> Any:
    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        raise InputError(
            f"no public-holiday calendar for country {country!r}", details={"country": country}
        ) from None


def has_public_holidays(country: str) -> bool:
    """True when the ``holidays`` package knows ``country``'s public holidays."""
    try:
        _public(country)
    except InputError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Monday-Friday less ``country``'s public holidays and ``extra_holidays``, plus
    ``extra_working_days`` (substitute working days, which win over everything else)."""

    country: str | None = None
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.country is not None:
            _public(self.country)  # unknown country: InputError now, not at the first deadline
        both = self.extra_holidays & self.extra_working_days
        if both:
            day = min(both).isoformat()
            raise InputError(
                f"{day} is declared both a holiday and a working day", details={"date": day}
            )

    @classmethod
    def of(
        cls,
        country: str | None,
        holidays: Iterable[date] = (),
        working_days: Iterable[date] = (),
    ) -> WorkingCalendar:
        """A calendar from any iterables of dates."""
        return cls(country, frozenset(holidays), frozenset(working_days))

    def holiday(self, day: date) -> str | None:
        """The name of the public or declared holiday on ``day``, or None."""
        if day in self.extra_working_days:
            return None
        if day in self.extra_holidays:
            return "declared holiday"
        if self.country is None:
            return None
        name = _public(self.country).get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is a working day."""
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and self.holiday(day) is None

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``start`` plus ``days`` working days, at the same time of day; a start on a day off
        counts from the next working day."""
        current = start
        remaining = days
        gap = 0
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current.date()):
                remaining -= 1
                gap = 0
            else:
                gap += 1
                if gap > _MAX_GAP:
                    raise InputError("the calendar has no working day in a year")
        return current

    def days_off(self, start: date, end: date) -> list[tuple[date, str]]:
        """The days off between ``start`` and ``end`` (inclusive) that are not weekends
        (public and declared holidays), with their names."""
        out: list[tuple[date, str]] = []
        day = start
        while day <= end:
            name = self.holiday(day)
            if name is not None and day.weekday() < 5:
                out.append((day, name))
            day += timedelta(days=1)
        return out


#: Weekends only (no public holidays): what a calendar without a country gives.
WEEKENDS_ONLY = WorkingCalendar()


def pack_calendar(jurisdiction: str, calendars: Mapping[str, WorkingCalendar]) -> WorkingCalendar:
    """The calendar of a pack's ``jurisdiction``: the one ``calendars`` gives, else its public
    holidays when the ``holidays`` package knows them, else weekends only.

    Example:
        >>> pack_calendar("VN", {}).country, pack_calendar("EU", {}).country
        ('VN', None)
    """
    given = calendars.get(jurisdiction)
    if given is not None:
        return given
    return WorkingCalendar(jurisdiction) if has_public_holidays(jurisdiction) else WEEKENDS_ONLY
