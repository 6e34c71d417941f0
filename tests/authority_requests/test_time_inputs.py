"""Times and durations a caller hands over are checked with the error tree, never ValueError:
a scope's time range, ``ndo_until``, a stated ``respond_within`` unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onshore.core.cases.authority_guards import parse_time
from onshore.core.cases.scope import Scope
from onshore.core.errors import InputError
from onshore.core.policy.duration import add_duration
from onshore.services.authority_requests import AuthorityRequestService

from .test_flow import SCOPE, receive


@pytest.mark.parametrize("value", ["2026-08-01T09:00:00", "not a time", "2026-13-01T00:00+07:00"])
def test_a_scope_time_without_offset_or_unparseable_is_an_input_error(value: str) -> None:
    with pytest.raises(InputError) as err:
        Scope.from_dict({"categories": ["email"], "from": value})
    assert err.value.code == "input.invalid"
    assert err.value.message.startswith("scope time range: ")
    assert err.value.details == {"field": "scope"}


def test_a_scope_time_with_offset_parses() -> None:
    scope = Scope.from_dict({"categories": ["email"], "to": "2026-08-01T09:00:00+07:00"})
    assert scope.end is not None and scope.end.utcoffset() is not None
    assert scope.start is None


@pytest.mark.parametrize("value", ["2026-08-01T09:00:00", "tomorrow"])
def test_parse_time_names_the_field(value: str) -> None:
    with pytest.raises(InputError) as err:
        parse_time(value, "ndo_until")
    assert err.value.message == "ndo_until must be an ISO 8601 time with an offset"
    assert err.value.details == {"field": "ndo_until"}


def test_parse_time_empty_is_none_and_offset_times_parse() -> None:
    assert parse_time(None) is None
    assert parse_time("") is None
    assert parse_time("2026-08-01T09:00:00+00:00") == datetime(2026, 8, 1, 9, tzinfo=UTC)


def test_an_unknown_duration_unit_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        add_duration(datetime(2026, 8, 1, tzinfo=UTC), 2, "fortnight")
    assert err.value.details["unit"] == "fortnight"
    assert "working_day" in err.value.details["known"]


def test_receive_refuses_an_ndo_until_without_offset(svc: AuthorityRequestService) -> None:
    with pytest.raises(InputError) as err:
        receive(svc, ndo_until="2026-09-01T00:00:00")
    assert err.value.details == {"field": "ndo_until"}
    assert not list(svc.cases.iter_cases())


def test_receive_refuses_a_scope_time_without_offset(svc: AuthorityRequestService) -> None:
    with pytest.raises(InputError, match="scope time range"):
        receive(svc, scope={**SCOPE, "from": "2026-01-01T00:00:00"})
