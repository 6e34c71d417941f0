"""Moments as people write them: a bare date means midnight in the deployment's time zone.

``parse_moment("2027-02-15", zone)`` is midnight of that day in ``zone`` (not UTC); a date-time
with an offset is kept; a date-time without one is read in ``zone`` too. ``bare_date`` is the
same rule for a value already split by a parser (the API's models call it before pydantic
reads a string as a date-time, so ``"2027-02-15"`` is told apart from ``"2027-02-15T00:00"``).

The zone is passed in. Where a parser cannot be given it (the API's pydantic models), it asks
:func:`deployment_zone`, which the runtime sets once when it opens (``services.runtime``);
until then it is Asia/Ho_Chi_Minh, the default of a VN deployment.

Example:
    >>> from zoneinfo import ZoneInfo
    >>> parse_moment("2027-02-15", ZoneInfo("Asia/Ho_Chi_Minh")).isoformat()
    '2027-02-15T00:00:00+07:00'
    >>> parse_moment("2027-02-15T09:30:00+00:00", ZoneInfo("Asia/Ho_Chi_Minh")).isoformat()
    '2027-02-15T09:30:00+00:00'
    >>> stated(parse_moment("2027-02-15", ZoneInfo("Asia/Ho_Chi_Minh")))
    '2027-02-15 00:00 +07:00 (Asia/Ho_Chi_Minh)'
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from onshore.core.errors import InputError

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The zone the API's models read bare dates in (``set_deployment_zone``).
_ZONE: list[tzinfo] = [ZoneInfo("Asia/Ho_Chi_Minh")]


def set_deployment_zone(zone: tzinfo) -> None:
    """Set the zone bare dates are read in where no zone can be passed (the runtime does)."""
    _ZONE[0] = zone


def deployment_zone() -> tzinfo:
    """The zone set by ``set_deployment_zone`` (Asia/Ho_Chi_Minh until then)."""
    return _ZONE[0]


def midnight(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``."""
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def parse_moment(text: str, zone: tzinfo, *, what: str = "time") -> datetime:
    """A date or ISO 8601 date-time as an aware moment (see the module docstring);
    ``InputError`` naming ``what`` when it is neither."""
    value = text.strip()
    try:
        if _BARE_DATE.match(value):
            return midnight(date.fromisoformat(value), zone)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time",
            details={"field": what},
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def bare_date(value: Any) -> Any:
    """``value`` as midnight in the deployment's zone when it is a bare date string (or a
    ``date``); anything else unchanged (a pydantic ``BeforeValidator``)."""
    if isinstance(value, str) and _BARE_DATE.match(value.strip()):
        try:
            return midnight(date.fromisoformat(value.strip()), deployment_zone())
        except ValueError:
            return value  # the model's own validation names the bad day
    if isinstance(value, date) and not isinstance(value, datetime):
        return midnight(value, deployment_zone())
    return value


def zone_label(zone: tzinfo) -> str:
    """A zone's name for display (its IANA key when it has one)."""
    return str(getattr(zone, "key", None) or zone)


def stated(moment: datetime, zone: tzinfo | None = None) -> str:
    """``moment`` for people: in ``zone`` (default: its own), with the offset and the zone."""
    local = moment.astimezone(zone) if zone is not None else moment
    label = zone_label(local.tzinfo) if local.tzinfo else "UTC"
    offset = local.strftime("%z")
    return f"{local.strftime('%Y-%m-%d %H:%M')} {offset[:3]}:{offset[3:]} ({label})"


def receipt_time(received: datetime | None, entered: datetime) -> datetime:
    """When a notice or request was actually received: ``received`` (the clock starts there),
    bounded by ``entered``, the time it is entered (None: received when entered).

    Example:
        >>> from datetime import UTC
        >>> entered = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
        >>> receipt_time(datetime(2026, 3, 5, 22, 0, tzinfo=UTC), entered).day
        5
        >>> receipt_time(None, entered) == entered
        True
    """
    if received is None:
        return entered
    if received.tzinfo is None:
        raise InputError("received_at needs a timezone offset", details={"field": "received_at"})
    if received > entered:
        raise InputError(
            "received_at is later than the time it is entered (receipt cannot be in the future)",
            details={"field": "received_at", "entered_at": entered.isoformat()},
        )
    return received
