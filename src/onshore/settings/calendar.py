"""``[calendar]``: the deployment's time zone and working-day calendar.

Working-day clocks (``unit: working_day`` in the packs) skip weekends and the public holidays
of each pack's jurisdiction (the ``holidays`` package: Viet Nam's include the Tet days).
The government announces substitute arrangements each year; declare them here:
``holidays`` are extra days off (a bridge day), ``working_days`` are days worked although
they fall on a weekend or holiday (the Saturday that makes up for it). A bare date given on
the CLI or the API (``2027-02-15``) means midnight in ``time_zone``.

Example:
    >>> s = CalendarSettings.model_validate({"holidays": ["2027-02-11"],
    ...                                      "working_days": ["2027-02-20"]})
    >>> s.zone_name("VN"), s.holidays[0].isoformat()
    ('Asia/Ho_Chi_Minh', '2027-02-11')
    >>> CalendarSettings().zone_name("SG")
    'Asia/Singapore'
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from onshore.core.calendar import WorkingCalendar, has_public_holidays
from onshore.settings.sections import Strict

#: The time zone a deployment of each country uses when ``[calendar] time_zone`` is unset.
COUNTRY_ZONES = {
    "VN": "Asia/Ho_Chi_Minh",
    "SG": "Asia/Singapore",
    "CN": "Asia/Shanghai",
    "ID": "Asia/Jakarta",
    "IN": "Asia/Kolkata",
    "NG": "Africa/Lagos",
    "RU": "Europe/Moscow",
    "SA": "Asia/Riyadh",
}


class CalendarSettings(Strict):
    """``[calendar]``: time zone, and substitute holidays and working days."""

    time_zone: str | None = Field(
        default=None,
        description="IANA time zone of the deployment (bare dates mean midnight there); "
        "default: the zone of [deployment] entity.incorporated_in (Asia/Ho_Chi_Minh for VN), "
        "UTC for a country not listed.",
        examples=["Asia/Ho_Chi_Minh"],
    )
    holidays: list[date] = Field(
        default_factory=list,
        description="Extra days off the government announced (substitute holidays), "
        "YYYY-MM-DD; they stop working-day clocks like public holidays.",
    )
    working_days: list[date] = Field(
        default_factory=list,
        description="Days worked although a weekend or holiday (the government's substitute "
        "working days), YYYY-MM-DD.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (an IANA name)") from None
        return value

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarSettings:
        both = sorted(set(self.holidays) & set(self.working_days))
        if both:
            raise ValueError(f"{both[0]} is both a holiday and a working day")
        return self

    def zone_name(self, country: str) -> str:
        """The zone's IANA name: ``time_zone``, or the default of ``country``."""
        return self.time_zone or COUNTRY_ZONES.get(country.upper(), "UTC")

    def zone(self, country: str) -> ZoneInfo:
        """The deployment's time zone (see ``zone_name``)."""
        return ZoneInfo(self.zone_name(country))

    def working_calendar(self, country: str) -> WorkingCalendar:
        """``country``'s working days with the declared substitutes (public holidays from
        the ``holidays`` package when it knows the country)."""
        known = country if has_public_holidays(country) else None
        return WorkingCalendar.of(known, self.holidays, self.working_days)

    def calendars(self, country: str) -> dict[str, WorkingCalendar]:
        """Jurisdiction -> calendar for the policy engine: the deployment's own country gets
        the declared substitutes (they are its government's); other packs keep their
        jurisdiction's public holidays."""
        return {country.upper(): self.working_calendar(country.upper())}
