"""Working days skip Viet Nam's public holidays (Tet included) and a deployment's declared
substitute days; bare dates mean midnight in the deployment's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from onshore.core.calendar import WEEKENDS_ONLY, WorkingCalendar
from onshore.core.errors import InputError
from onshore.core.local_time import bare_date, parse_moment, stated
from onshore.core.policy import EntityFacts, Facts
from onshore.services.policy import load_engine
from onshore.settings.calendar import CalendarSettings

ICT = timezone(timedelta(hours=7))
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
VN = WorkingCalendar("VN")


@pytest.mark.parametrize(
    ("start", "days", "vn", "weekends"),
    [
        ("2027-02-03", 1, "2027-02-11", "2027-02-04"),  # Tet 2027: 4-10 February off
        ("2027-02-03", 2, "2027-02-12", "2027-02-05"),
        ("2027-02-05", 1, "2027-02-11", "2027-02-08"),  # a start on a holiday
        ("2027-04-29", 1, "2027-05-04", "2027-04-30"),  # 30 April, 1 May (observed 3 May)
        ("2027-09-01", 1, "2027-09-06", "2027-09-02"),  # National Day 2 and 3 September
        ("2027-03-10", 3, "2027-03-15", "2027-03-15"),  # no holiday: weekends only
    ],
)
def test_working_days_table(start: str, days: int, vn: str, weekends: str) -> None:
    at = datetime.fromisoformat(start).replace(hour=10, tzinfo=ICT)
    assert VN.add_working_days(at, days) == datetime.fromisoformat(vn).replace(hour=10, tzinfo=ICT)
    assert WEEKENDS_ONLY.add_working_days(at, days).date().isoformat() == weekends


def test_tet_days_are_named_holidays() -> None:
    names = dict(VN.days_off(date(2027, 2, 1), date(2027, 2, 14)))
    assert date(2027, 2, 8) in names and "Lunar New Year" in names[date(2027, 2, 8)]
    assert not VN.is_working_day(date(2027, 2, 10)) and VN.is_working_day(date(2027, 2, 11))


def test_declared_substitutes_win() -> None:
    cal = WorkingCalendar.of("VN", holidays=[date(2027, 2, 11)], working_days=[date(2027, 2, 6)])
    at = datetime(2027, 2, 3, 10, tzinfo=ICT)
    # the Saturday of Tet is worked, the Thursday after is a bridge day off
    assert cal.add_working_days(at, 1).date() == date(2027, 2, 6)
    assert cal.add_working_days(at, 2).date() == date(2027, 2, 12)
    with pytest.raises(InputError):
        WorkingCalendar.of("VN", holidays=[date(2027, 2, 6)], working_days=[date(2027, 2, 6)])
    with pytest.raises(InputError):
        WorkingCalendar("XX")


def test_the_engine_counts_working_days_through_tet_with_deployment_substitutes() -> None:
    facts = Facts(EntityFacts("VN"), subject_country="VN", request="object",
                  events={"request": datetime(2027, 2, 3, 10, tzinfo=ICT)})  # fmt: skip
    at = datetime(2027, 2, 3, 10, tzinfo=ICT)
    ack = [o for o in load_engine(["vn"]).evaluate("request", facts, at).obligations]
    assert min(o.due for o in ack if o.due) == datetime(2027, 2, 12, 10, tzinfo=ICT)
    settings = CalendarSettings(holidays=[date(2027, 2, 11)])
    engine = load_engine(["vn"], calendars=settings.calendars("VN"))
    due = min(o.due for o in engine.evaluate("request", facts, at).obligations if o.due)
    assert due == datetime(2027, 2, 15, 10, tzinfo=ICT)


def test_bare_dates_mean_midnight_in_the_zone() -> None:
    assert parse_moment("2027-02-15", HCM) == datetime(2027, 2, 14, 17, 0, tzinfo=UTC)
    assert parse_moment("2027-02-15T09:00:00Z", HCM) == datetime(2027, 2, 15, 9, tzinfo=UTC)
    assert parse_moment("2027-02-15T09:00", HCM).utcoffset() == timedelta(hours=7)
    with pytest.raises(InputError, match="--at"):
        parse_moment("soon", HCM, what="--at")
    assert bare_date("2027-02-15") == datetime(2027, 2, 15, tzinfo=HCM)
    assert bare_date("2027-02-15T00:00:00") == "2027-02-15T00:00:00"  # not bare: unchanged
    assert stated(datetime(2027, 2, 14, 17, tzinfo=UTC), HCM) == (
        "2027-02-15 00:00 +07:00 (Asia/Ho_Chi_Minh)"
    )


def test_settings_zone_defaults_by_country() -> None:
    assert CalendarSettings().zone_name("VN") == "Asia/Ho_Chi_Minh"
    assert CalendarSettings(time_zone="UTC").zone_name("VN") == "UTC"
    with pytest.raises(ValueError, match="unknown time zone"):
        CalendarSettings(time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="both a holiday and a working day"):
        CalendarSettings(holidays=[date(2027, 1, 2)], working_days=[date(2027, 1, 2)])
