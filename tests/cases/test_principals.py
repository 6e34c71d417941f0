"""Every case step is taken by a principal: the role recorded is the one it acts in, and
separation of duties compares principal ids (never names), on every path into the service."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from onshore.core.cases.kind import CaseKind
from onshore.core.cases.lifecycle import Lifecycle, Transition
from onshore.core.errors import RoleNotPermitted, SeparationOfDuties
from onshore.core.identity import Principal, host_administrator
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime

REVIEW = Lifecycle(
    "release_demo", "review", frozenset({"released"}),
    (
        Transition("review", "approve", "approved", frozenset({"legal_reviewer"})),
        Transition("approved", "release", "released", frozenset({"approver"}),
                   ("distinct_from:approve",)),
    ),
)  # fmt: skip


def user(uid: str, name: str, *roles: str) -> Principal:
    return Principal("user", uid, name, frozenset(roles))


@pytest.fixture
def svc(runtime: Runtime) -> CaseService:
    return CaseService(runtime, [CaseKind(REVIEW)], registry=CollectorRegistry())


def approved(svc: CaseService, by: Principal) -> str:
    case = svc.open("release_demo", "vn-hcm", principal=user("usr_op", "op", "operator"), data={})
    svc.apply(case.case_id, "approve", principal=by)
    return case.case_id


def test_one_user_with_both_roles_cannot_approve_and_release(svc: CaseService) -> None:
    both = user("usr_1", "lan", "legal_reviewer", "approver")
    cid = approved(svc, both)
    with pytest.raises(SeparationOfDuties):
        svc.apply(cid, "release", principal=both)
    assert svc.get(cid).state == "approved"


def test_the_rule_compares_ids_not_names(svc: CaseService) -> None:
    cid = approved(svc, user("usr_1", "lan", "legal_reviewer"))
    with pytest.raises(SeparationOfDuties):  # same person under another display name
        svc.apply(cid, "release", principal=user("usr_1", "Lan N.", "approver"))
    other = svc.apply(cid, "release", principal=user("usr_2", "lan", "approver"))  # a namesake
    assert other.case.state == "released" and other.event.actor == "usr_2"


def test_the_host_administrator_is_one_person_too(svc: CaseService) -> None:
    root = host_administrator("root")
    cid = approved(svc, root)
    with pytest.raises(SeparationOfDuties):
        svc.apply(cid, "release", principal=root)
    svc.apply(cid, "release", principal=host_administrator("ada"))


def test_the_recorded_role_is_the_one_the_step_allows(svc: CaseService) -> None:
    both = user("usr_1", "lan", "operator", "legal_reviewer", "approver")
    cid = approved(svc, both)
    [_, approve] = svc.history(cid)
    assert (approve.actor, approve.role) == ("usr_1", "legal_reviewer")
    with pytest.raises(RoleNotPermitted):
        svc.apply(cid, "release", principal=user("usr_3", "op", "operator", "auditor"))
    with pytest.raises(RoleNotPermitted):
        svc.apply(cid, "release", principal=user("usr_4", "nobody"))
