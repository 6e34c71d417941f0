"""``CaseService.open_many``: many cases, their first history events and ledger leaves in one
region transaction, each exactly as ``open`` writes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from onshore.core.errors import CaseConflict, InputError, RoleNotPermitted
from onshore.core.ledger import EventType
from onshore.services.cases import Opening
from onshore.services.runtime import Runtime
from tests.cases.conftest import who

from .conftest import T0
from .test_case_service import service


def test_open_many_writes_what_open_writes(runtime: Runtime) -> None:
    svc = service(runtime)
    single = svc.open_step("memo", "vn-hcm", principal=who("op", "operator"), data={"n": 0},
                           due_at=T0 + timedelta(days=3), note={"why": "one"})  # fmt: skip
    openings = [Opening("memo", {"n": i}, due_at=T0 + timedelta(days=3), note={"why": "one"})
                for i in range(1, 6)]  # fmt: skip
    openings.append(Opening("memo", {"n": 6}, case_id="memo-given"))
    steps = svc.open_many("vn-hcm", openings, principal=who("op", "operator"))
    assert [s.case.data for s in steps] == [{"n": i} for i in range(1, 7)]
    assert steps[-1].case.case_id == "memo-given" and steps[-1].case.due_at is None
    for step in [single, *steps[:-1]]:
        assert step.case.state == "draft" and step.case.version == 1
        assert step.case.region == "vn-hcm" and step.case.due_at == T0 + timedelta(days=3)
        assert replace(step.case, case_id="", data={}) == replace(single.case, case_id="", data={})
        [event] = svc.history(step.case.case_id)
        assert event == step.event
        assert (event.seq, event.action, event.from_state, event.to_state, event.note) == (
            1, "open", "", "draft", {"why": "one"},
        )  # fmt: skip
        [entry] = svc.ledger("vn-hcm").history(step.case.case_id)
        assert entry.leaf.type == EventType.CASE_TRANSITION and entry.index == step.ledger_index
        assert svc.get(step.case.case_id) == step.case
    indexes = [s.ledger_index for s in steps]
    assert indexes == list(range(single.ledger_index + 1, single.ledger_index + 7))
    assert svc.ledger("sg-1").history(steps[0].case.case_id) == []


def test_open_many_is_all_or_nothing(runtime: Runtime) -> None:
    svc = service(runtime)
    svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={}, case_id="memo-taken")
    ledger = runtime.regions["vn-hcm"].db.ledger
    size = ledger.size()
    openings = [Opening("memo", {"n": 1}, case_id="memo-new"),
                Opening("memo", {"n": 2}, case_id="memo-taken")]  # fmt: skip
    with pytest.raises(CaseConflict):
        svc.open_many("vn-hcm", openings, principal=who("op", "operator"))
    assert ledger.size() == size
    assert not [c for c in svc.iter_cases(kind="memo") if c.case_id == "memo-new"]
    with pytest.raises(InputError):
        svc.open_many("vn-hcm", [Opening("nope", {})], principal=who("op", "operator"))
    with pytest.raises(RoleNotPermitted):  # an auditor holds no role that opens a case
        svc.open_many("vn-hcm", [Opening("memo", {})], principal=who("a", "auditor"))
    assert svc.open_many("vn-hcm", [], principal=who("op", "operator")) == []
    assert ledger.size() == size
