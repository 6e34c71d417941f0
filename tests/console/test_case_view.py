"""The case page's view model over real SQLite stores: fields, timeline, clocks, the actions
a principal may take (the two-person rule judged before the form), files and ledger proofs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.cases.kinds.authority_request import AUTHORITY_REQUEST
from onshore.core.cases.note_form import form_fields, read_note
from onshore.core.errors import CaseNotFound, InputError, LeafNotFound
from onshore.core.identity import Principal
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.case_page import case_page
from onshore.services.case_proofs import case_entries, verify_entry
from onshore.services.runtime import open_runtime
from onshore.services.takedowns import TakedownService
from onshore.services.vault import Vault
from tests.authority_requests.conftest import REGISTRY_YAML, T0, seed
from tests.cases.conftest import settings_for
from tests.takedowns.conftest import NOTICE

OLGA = Principal("user", "usr_olga", "Olga", frozenset({"operator"}))
RITA = Principal("user", "usr_rita", "Rita", frozenset({"legal_reviewer", "approver"}))
ADA = Principal("user", "usr_ada", "Ada", frozenset({"approver"}))
NAMES = {p.id: p.name for p in (OLGA, RITA, ADA)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def svc(tmp_path: Path, clock: FixedClock) -> Iterator[AuthorityRequestService]:
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    vault = Vault(open_runtime(settings_for(tmp_path), create_keys=True, clock=clock))
    seed(vault)
    yield AuthorityRequestService(vault, registry=CollectorRegistry())
    vault.close()


def _to_release(svc: AuthorityRequestService) -> str:
    cid = svc.receive(
        authority="VN-A05", process_type="warrant", reference="CV-1", legal_basis="CPC 196",
        scope={"phone_number": ["0912 345 678"], "categories": ["phone_number", "email"]},
        principal=OLGA,
    ).case_id  # fmt: skip
    svc.act(cid, "authenticate", principal=OLGA)
    svc.act(cid, "verify", principal=OLGA, note={"channel": "a05-portal"})
    svc.act(cid, "submit", principal=OLGA)
    svc.act(cid, "approve", principal=RITA)
    for action in ("check_residency", "collect", "submit_qa", "package", "request_release"):
        svc.act(cid, action, principal=OLGA)
    return cid


def _page(svc: AuthorityRequestService, cid: str, who: Principal, clock: FixedClock):  # type: ignore[no-untyped-def]
    return case_page(svc, cid, who, now=clock.now(), names=NAMES.get)


def test_page_fields_timeline_and_clock(svc: AuthorityRequestService, clock: FixedClock) -> None:
    cid = svc.receive(
        authority="VN-A05", process_type="warrant", reference="CV-9", legal_basis="CPC 196",
        scope={"subjects": ["u-lan"], "categories": ["email"]}, principal=OLGA,
        respond_within={"amount": 2, "unit": "day"},
    ).case_id  # fmt: skip
    page = _page(svc, cid, OLGA, clock)
    fields = {r.key: r.value for r in page.fields}
    assert fields["reference"] == "CV-9" and fields["authority"] == "VN-A05"
    assert "scope_terms" not in fields  # what the JSON view hides stays hidden
    [opened] = page.timeline
    assert (opened.actor_id, opened.actor_name, opened.action) == ("usr_olga", "Olga", "open")
    [clock_view] = page.clocks
    assert clock_view.due == page.case.due_at and clock_view.rule_id == "request"
    assert clock_view.status == "on_time"
    clock.at += timedelta(days=1, hours=12)
    assert _page(svc, cid, OLGA, clock).clocks[0].status == "due_soon"
    clock.at += timedelta(days=1)
    assert _page(svc, cid, OLGA, clock).clocks[0].status == "breached"
    assert [a.action for a in page.actions] == ["authenticate", "withdraw"]
    assert _page(svc, cid, ADA, clock).actions[0].action == "declare_emergency"


def test_takedown_clock_names_the_rule_and_its_citation(
    svc: AuthorityRequestService, clock: FixedClock
) -> None:
    takedowns = TakedownService(svc.runtime, registry=CollectorRegistry())
    case = takedowns.receive(source="authority_order", notice=NOTICE, principal=OLGA)
    [due] = case_page(takedowns, case.case_id, OLGA, now=clock.now()).clocks
    assert due.rule_id == "VN-D147-takedown" and due.due == case.due_at
    assert due.citation and due.pack and due.rule_status
    with pytest.raises(CaseNotFound):  # a takedown is not found as a request
        case_page(svc, case.case_id, OLGA, now=clock.now())


def test_two_person_rule_shown_before_the_form(
    svc: AuthorityRequestService, clock: FixedClock
) -> None:
    cid = _to_release(svc)
    mine = {a.action: a for a in _page(svc, cid, RITA, clock).actions}
    assert mine["release"].blocked is not None and "two-person" in mine["release"].blocked
    assert mine["release"].blocked_code == "case.separation_of_duties"
    theirs = {a.action: a for a in _page(svc, cid, ADA, clock).actions}
    assert theirs["release"].blocked is None
    assert [f.name for f in theirs["send_back"].fields] == ["reason"]
    assert theirs["send_back"].fields[0].required
    page = _page(svc, cid, ADA, clock)
    [approval] = [a for a in page.approvals if a.guarded == "release"]
    assert [s.actor_id for s in approval.by] == ["usr_rita"] and approval.done is None
    svc.act(cid, "release", principal=ADA)
    after = _page(svc, cid, ADA, clock).approvals
    assert [a.guarded for a in after] == ["release"]  # no emergency: no post_review rule
    done = after[0]
    assert done.done is not None and done.done.actor_id == "usr_ada"
    page = _page(svc, cid, OLGA, clock)
    assert "package" in page.downloads and page.package_ok is True
    assert any(a.path == "manifest.json" for a in page.attachments)


def test_ledger_entries_verify_and_tamper(svc: AuthorityRequestService, clock: FixedClock) -> None:
    cid = _to_release(svc)
    case = svc.cases.get(cid)
    rows = case_entries(svc.cases, case)
    assert len(rows) == len(svc.cases.history(cid)) and rows[0].event == "case_transition"
    ok = verify_entry(svc.cases, case, rows[2].index, at=clock.now())
    assert ok.ok and ok.size > rows[-1].index and ok.key.startswith("onshore/vn-hcm+")
    with pytest.raises(LeafNotFound):
        verify_entry(svc.cases, case, 10_000, at=clock.now())
    ledger = svc.cases.ledger("vn-hcm")
    raw = bytearray(ledger.store.leaves(rows[2].index, rows[2].index + 1)[0][1])
    raw[150] ^= 0x01  # a byte of the payload commitment: the leaf still decodes
    with ledger.db.transaction():
        ledger.db.execute(  # type: ignore[attr-defined]
            "UPDATE ledger_leaves SET entry = ? WHERE idx = ?", (bytes(raw), rows[2].index)
        )
    bad = verify_entry(svc.cases, case, rows[2].index, at=clock.now())
    assert not bad.ok and bad.code == "ledger.proof_invalid" and bad.message
    assert verify_entry(svc.cases, case, rows[3].index, at=clock.now()).ok


def test_note_form_round_trip() -> None:
    model = AUTHORITY_REQUEST.note_model("reject")
    fields = {f.name: f for f in form_fields(model, ("requires:reason_code",))}
    assert fields["reason_code"].widget == "select" and fields["reason_code"].required
    assert "overbroad" in fields["reason_code"].choices
    assert fields["reason"].widget == "textarea"
    scope = {f.name: f for f in form_fields(AUTHORITY_REQUEST.note_model("resubmit"))}
    assert scope["scope"].widget == "json"
    note = read_note(AUTHORITY_REQUEST.note_model("resubmit"), {"scope": '{"subjects": ["u"]}'})
    assert note == {"scope": {"subjects": ["u"]}}
    with pytest.raises(InputError):
        read_note(AUTHORITY_REQUEST.note_model("resubmit"), {"scope": "{not json"})
    with pytest.raises(InputError) as err:
        read_note(AUTHORITY_REQUEST.note_model("reject"), {"reason_code": "x" * 100})
    assert err.value.details["errors"][0]["field"] == "reason_code"
