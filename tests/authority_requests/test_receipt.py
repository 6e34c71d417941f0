"""An authority request's receipt time (bounded by entry) starts its clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from onshore.core.errors import InputError
from onshore.services.authority_requests import AuthorityRequestService

from .conftest import T0
from .test_flow import receive

ICT = timezone(timedelta(hours=7))


WITHIN = {"amount": 2, "unit": "day"}


def test_the_clock_starts_at_receipt(svc: AuthorityRequestService) -> None:
    received = T0 - timedelta(hours=10)
    case = svc.cases.get(receive(svc, received_at=received, respond_within=WITHIN))
    assert case.data["received_at"] == received.isoformat()
    assert case.data["entered_at"] == T0.isoformat()
    assert case.due_at == received + timedelta(days=2)
    entered_now = svc.cases.get(receive(svc, respond_within=WITHIN))
    assert entered_now.due_at == T0 + timedelta(days=2)


def test_working_days_from_receipt_skip_tet(svc: AuthorityRequestService) -> None:
    """Received Friday 13 February 2026; Tet 2026 is 16-20 February: 2 working days later
    is Tuesday 24 February, not Tuesday 17."""
    received = datetime(2026, 2, 13, 10, tzinfo=ICT)
    within = {"amount": 2, "unit": "working_day"}
    case = svc.cases.get(receive(svc, received_at=received, respond_within=within))
    assert case.due_at == datetime(2026, 2, 24, 10, tzinfo=ICT)


def test_receipt_cannot_be_after_entry(svc: AuthorityRequestService) -> None:
    with pytest.raises(InputError, match="later than the time it is entered"):
        receive(svc, received_at=T0 + timedelta(seconds=1))
