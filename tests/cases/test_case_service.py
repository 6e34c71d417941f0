"""The generic case service: transitions, roles, guards, atomic ledger leaves, deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.cases.lifecycle import Lifecycle, Transition, rows
from onshore.core.errors import (
    CaseConflict,
    CaseNotFound,
    GuardFailed,
    IllegalTransition,
    InputError,
    PayloadRejected,
    RoleNotPermitted,
    SeparationOfDuties,
)
from onshore.core.ledger import EventType
from onshore.services.cases import CaseKind, CaseService
from onshore.services.runtime import Runtime
from tests.cases.conftest import who

from .conftest import T0

LIFE = Lifecycle(
    "memo",
    "draft",
    frozenset({"sent", "dropped"}),
    (
        Transition("draft", "review", "reviewed", frozenset({"legal_reviewer"})),
        Transition("reviewed", "send", "sent", frozenset({"approver"}), ("distinct_from:review",)),
        Transition("reviewed", "hold", "held", frozenset({"operator"}), ("ready",)),
        Transition("held", "resume", "reviewed", frozenset({"operator"})),
        *rows(
            ["draft", "reviewed", "held"],
            "drop",
            "dropped",
            ["operator"],
            ("requires:reason_code",),
        ),
    ),
)


def service(runtime: Runtime, ready: bool = True) -> CaseService:
    kind = CaseKind(LIFE, {"ready": lambda ctx: None if ready else "not ready"})
    return CaseService(runtime, [kind], registry=CollectorRegistry())


def test_open_and_walk_writes_history_and_ledger(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={"n": 1})
    assert case.state == "draft" and case.version == 1 and case.region == "vn-hcm"
    step = svc.apply(case.case_id, "review", principal=who("rev", "legal_reviewer"), merge={"m": 2})
    assert step.case.state == "reviewed" and step.case.data == {"n": 1, "m": 2}
    step = svc.apply(case.case_id, "send", principal=who("boss", "approver"))
    assert step.case.state == "sent" and step.case.version == 3
    history = svc.history(case.case_id)
    assert [(e.seq, e.action, e.from_state, e.to_state) for e in history] == [
        (1, "open", "", "draft"),
        (2, "review", "draft", "reviewed"),
        (3, "send", "reviewed", "sent"),
    ]
    entries = svc.ledger("vn-hcm").history(case.case_id)
    assert [e.leaf.type for e in entries] == [EventType.CASE_TRANSITION] * 3
    assert entries[-1].index == step.ledger_index
    # sg-1's ledger knows nothing of this case
    assert svc.ledger("sg-1").history(case.case_id) == []


def test_ledger_payload_holds_no_case_data(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open(
        "memo", "vn-hcm", principal=who("op", "operator"), data={"phone": "+84912345678"}
    )
    step = svc.apply(case.case_id, "review", principal=who("rev", "legal_reviewer"))
    log = svc.ledger("vn-hcm")
    leaf = log.history(case.case_id)[-1].leaf
    body = log.store.payload(leaf.payload_commitment)
    assert body is not None
    assert b"84912345678" not in body and case.case_id.encode() not in body
    assert b'"to_state":"reviewed"' in body and b'"roles":["legal_reviewer"]' in body
    assert step.ledger_index == leaf_index(svc, case.case_id)


def leaf_index(svc: CaseService, case_id: str) -> int:
    return svc.ledger("vn-hcm").history(case_id)[-1].index


def test_illegal_transition_changes_nothing(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={})
    size = runtime.regions["vn-hcm"].db.ledger.size()
    with pytest.raises(IllegalTransition):
        svc.apply(case.case_id, "send", principal=who("boss", "approver"))
    assert svc.get(case.case_id).version == 1
    assert runtime.regions["vn-hcm"].db.ledger.size() == size


def test_role_must_be_listed(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={})
    with pytest.raises(RoleNotPermitted) as err:
        svc.apply(case.case_id, "review", principal=who("op", "operator"))
    assert err.value.details["roles"] == ["legal_reviewer"]


def test_two_person_rule(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={})
    svc.apply(case.case_id, "review", principal=who("kim", "legal_reviewer"))
    with pytest.raises(SeparationOfDuties):
        svc.apply(case.case_id, "send", principal=who("kim", "approver"))
    assert svc.get(case.case_id).state == "reviewed"
    assert svc.apply(case.case_id, "send", principal=who("other", "approver")).case.state == "sent"


def test_required_note_and_custom_guard(runtime: Runtime) -> None:
    svc = service(runtime, ready=False)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={})
    with pytest.raises(GuardFailed) as err:
        svc.apply(case.case_id, "drop", principal=who("op", "operator"), note={"reason_code": ""})
    assert err.value.details["field"] == "reason_code"
    svc.apply(case.case_id, "review", principal=who("rev", "legal_reviewer"))
    with pytest.raises(GuardFailed, match="not ready"):
        svc.apply(case.case_id, "hold", principal=who("op", "operator"))
    done = svc.apply(
        case.case_id, "drop", principal=who("op", "operator"), note={"reason_code": "dup"}
    )
    assert done.case.state == "dropped" and done.event.note == {"reason_code": "dup"}


def test_stale_version_conflicts(runtime: Runtime) -> None:
    svc = service(runtime)
    case = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={})
    svc.apply(case.case_id, "review", principal=who("rev", "legal_reviewer"))
    with pytest.raises(CaseConflict):
        svc.apply(case.case_id, "send", principal=who("boss", "approver"), expected_version=1)
    # a writer holding an old copy loses the compare-and-set
    store = runtime.regions["vn-hcm"].db.cases
    with pytest.raises(CaseConflict):
        store.update(replace(case, state="sent"))


def test_ledger_failure_rolls_back_the_transition(runtime: Runtime) -> None:
    bad = Lifecycle(
        "bad", "a", frozenset({"b"}),
        (Transition("a", "go", "b", frozenset({"has space"})),),
    )  # fmt: skip
    svc = CaseService(runtime, [CaseKind(bad)], registry=CollectorRegistry())
    case = svc.open("bad", "vn-hcm", principal=who("op", "operator"), data={})
    size = runtime.regions["vn-hcm"].db.ledger.size()
    with pytest.raises(PayloadRejected):
        svc.apply(case.case_id, "go", principal=who("op", "has space"))
    assert svc.get(case.case_id).state == "a"
    assert len(svc.history(case.case_id)) == 1
    assert runtime.regions["vn-hcm"].db.ledger.size() == size


def test_unknown_things(runtime: Runtime) -> None:
    svc = service(runtime)
    with pytest.raises(CaseNotFound):
        svc.apply("nope", "review", principal=who("a", "legal_reviewer"))
    with pytest.raises(InputError):
        svc.open("nokind", "vn-hcm", principal=who("a", "operator"), data={})
    with pytest.raises(RoleNotPermitted):  # an auditor holds no role that opens a case
        svc.open("memo", "vn-hcm", principal=who("a", "auditor"), data={})


def test_due_listing_gauges_and_terminal_clears_deadline(
    runtime: Runtime, clock: FixedClock
) -> None:
    registry = CollectorRegistry()
    svc = CaseService(runtime, [CaseKind(LIFE, {"ready": lambda c: None})], registry=registry)
    late = svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={},
                    due_at=T0 + timedelta(hours=1))  # fmt: skip
    soon = svc.open("memo", "sg-1", principal=who("op", "operator"), data={},
                    due_at=T0 + timedelta(hours=20))  # fmt: skip
    svc.open(
        "memo", "vn-hcm", principal=who("op", "operator"), data={}, due_at=T0 + timedelta(days=9)
    )
    clock.at = T0 + timedelta(hours=2)
    report = svc.due(within=timedelta(hours=24))
    assert [c.case_id for c in report.overdue] == [late.case_id]
    assert [c.case_id for c in report.due_soon] == [soon.case_id]
    svc.refresh_gauges(within=timedelta(hours=24))
    assert registry.get_sample_value("onshore_cases_overdue", {"kind": "memo"}) == 1
    assert registry.get_sample_value("onshore_cases_due_soon", {"kind": "memo"}) == 1
    assert registry.get_sample_value("onshore_cases_open", {"kind": "memo", "state": "draft"}) == 3
    step = svc.apply(
        late.case_id, "drop", principal=who("op", "operator"), note={"reason_code": "x"}
    )
    assert step.case.due_at is None
    assert svc.due(within=timedelta(hours=24)).overdue == []


def test_paging_merges_regions(runtime: Runtime) -> None:
    svc = service(runtime)
    ids = {
        svc.open("memo", region, principal=who("op", "operator"), data={}).case_id
        for region in ("vn-hcm", "sg-1", "vn-hcm", "sg-1", "vn-hcm")
    }
    seen: list[str] = []
    after = None
    while True:
        page = svc.page(kind="memo", after=after, limit=2)
        seen.extend(c.case_id for c in page.cases)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == sorted(ids)


def test_paging_continues_when_one_region_fills_the_page(runtime: Runtime) -> None:
    svc = service(runtime)
    ids = sorted(
        svc.open("memo", "vn-hcm", principal=who("op", "operator"), data={}).case_id
        for _ in range(3)
    )
    first = svc.page(kind="memo", limit=2)
    assert [c.case_id for c in first.cases] == ids[:2] and first.next_cursor is not None
    assert [
        c.case_id for c in svc.page(kind="memo", limit=2, after=first.next_cursor).cases
    ] == ids[2:]
