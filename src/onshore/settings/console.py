"""``[console]``: the reviewer console at ``/console`` (docs/console.md).

The console shows every date in one time zone, the deployment's: ``time_zone`` when set,
otherwise ``Asia/Ho_Chi_Minh`` for a deployment whose entity is incorporated in Viet Nam
and UTC for any other (``zone_for``).

Example:
    >>> ConsoleSettings().time_zone is None
    True
    >>> ConsoleSettings(time_zone="Asia/Singapore").zone_for("VN")
    'Asia/Singapore'
    >>> ConsoleSettings().zone_for("VN"), ConsoleSettings().zone_for("SG")
    ('Asia/Ho_Chi_Minh', 'UTC')
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from onshore.settings.sections import Strict

#: The console's time zone by the deployment's country when ``time_zone`` is unset.
DEFAULT_ZONES: dict[str, str] = {"VN": "Asia/Ho_Chi_Minh"}


class ConsoleSettings(Strict):
    """``[console]``: the time zone of the reviewer console's dates and its queues' page size."""

    time_zone: str | None = Field(
        default=None,
        description="IANA time zone the console shows dates in (e.g. 'Asia/Ho_Chi_Minh'); "
        "unset: Asia/Ho_Chi_Minh when deployment.entity.incorporated_in is VN, else UTC.",
    )
    page_size: int = Field(
        default=50, ge=5, le=500, description="Cases per page in the console's queues."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    def zone_for(self, country: str) -> str:
        """The time zone's name for a deployment in ``country`` (ISO alpha-2)."""
        return self.time_zone or DEFAULT_ZONES.get(country.upper(), "UTC")
