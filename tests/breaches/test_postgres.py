"""A breach on PostgreSQL regions: counts per country across two regions, the late
reason, the notification leaf."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.errors import GuardFailed
from onshore.services.breaches import BreachService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault

from .conftest import OPERATOR, REVIEWER, T0, breach_settings, intake, place

pytestmark = pytest.mark.postgres


def test_breach_on_postgres(tmp_path: Path, pg_url_factory: Callable[[], str]) -> None:
    urls = {name: pg_url_factory() for name in ("vn-hcm", "sg-1", "eu-fra")}
    clock = FixedClock(T0)
    with Vault(open_runtime(breach_settings(tmp_path, urls), create_keys=True, clock=clock)) as v:
        ids = place(v)
        svc = BreachService(v.runtime, registry=CollectorRegistry())
        window = {"regions": ["eu-fra"], "from": (T0 - timedelta(hours=1)).isoformat()}
        scope = {**window, "subjects": ["vn-0", "vn-2"], "record_ids": ids["sg-0"]}
        case = svc.intake(intake(scope=scope), principal=OPERATOR).case
        by = case.data["affected"]["by_country"]
        assert {c: (x["subjects"], x["records"]) for c, x in by.items()} == {
            "FR": (2, 2),
            "SG": (1, 1),
            "VN": (2, 3),
        }
        for action in ("assess", "draft"):
            case = svc.act(case.case_id, action, principal=OPERATOR)
        clock.at = T0 + timedelta(days=4)
        with pytest.raises(GuardFailed):
            svc.act(case.case_id, "notify_authority", principal=REVIEWER)
        case = svc.act(
            case.case_id, "notify_authority", principal=REVIEWER, note={"late_reason": "x"}
        )
        assert case.data["notified"]["late"] is True
        assert set(case.data["notified"]["rules"]) == {"EU-GDPR-33", "VN-PDPL-breach"}
        leaves = svc.cases.ledger(case.region).history(case.case_id)
        assert leaves[-1].index == case.data["notified"]["ledger_index"]
