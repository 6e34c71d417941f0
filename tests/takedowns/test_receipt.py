"""A notice's receipt time (bounded by its entry time) starts its clock, under the law of
the day it arrived."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from onshore.core.errors import InputError
from onshore.services.takedowns import TakedownService
from tests.cases.conftest import who

from .conftest import NOTICE, T0

ICT = timezone(timedelta(hours=7))


def test_the_clock_starts_at_receipt(svc: TakedownService) -> None:
    received = T0 - timedelta(hours=20)  # arrived yesterday, entered now
    case = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"),
                       received_at=received)  # fmt: skip
    assert case.due_at == received + timedelta(hours=24)
    assert case.data["timing"] == {"received_at": received.isoformat(),
                                   "entered_at": T0.isoformat()}  # fmt: skip


def test_a_notice_received_before_decree_147_gets_the_2018_law(svc: TakedownService) -> None:
    received = datetime(2023, 6, 1, 9, 0, tzinfo=ICT)
    case = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"),
                       received_at=received)  # fmt: skip
    assert case.data["deadline"]["source"] == "VN-LCS18-26.2b"
    assert case.due_at == datetime(2023, 6, 2, 9, 0, tzinfo=ICT)


def test_receipt_cannot_be_after_entry(svc: TakedownService) -> None:
    with pytest.raises(InputError, match="later than the time it is entered"):
        svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"),
                    received_at=T0 + timedelta(minutes=1))  # fmt: skip
