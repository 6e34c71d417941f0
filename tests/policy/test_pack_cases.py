"""Every shipped pack's cases run, and every rule of every pack is covered by a case."""

from __future__ import annotations

from functools import cache

import pytest

from onshore.core.policy import PolicyEngine
from onshore.core.policy.cases import Case, check_case
from onshore.core.policy.model import Pack
from onshore.services.policy import available_packs, read_cases, read_pack

SHIPPED = ["vn", "ru", "cn", "in", "id", "eu", "sa", "ng"]


@cache
def _pack(pid: str) -> Pack:
    return read_pack(available_packs()[pid])


@cache
def _engine(ids: tuple[str, ...], enforce: bool) -> PolicyEngine:
    return PolicyEngine([_pack(p) for p in ids], enforce_unconfirmed=enforce)


def _cases() -> list[tuple[str, Case]]:
    out = []
    for pid in SHIPPED:
        path = available_packs().get(pid)
        if path is None:
            continue
        out += [(pid, case) for case in read_cases(path).cases]
    return out


def test_every_shipped_pack_is_present() -> None:
    assert set(SHIPPED) <= set(available_packs())


@pytest.mark.parametrize("pid", SHIPPED)
def test_every_rule_has_a_case(pid: str) -> None:
    path = available_packs()[pid]
    cases = read_cases(path)
    assert cases.pack == pid
    covered = {rid for case in cases.cases for rid in case.covers}
    rules = {r.id for r in _pack(pid).rules}
    assert not rules - covered, f"rules without a case: {sorted(rules - covered)}"
    assert not covered - rules, f"cases cover unknown rules: {sorted(covered - rules)}"


@pytest.mark.parametrize(("pid", "case"), _cases(), ids=lambda v: v if isinstance(v, str) else v.id)
def test_case(pid: str, case: Case) -> None:
    engine = _engine((pid, *case.packs), case.enforce_unconfirmed)
    decision = engine.evaluate(case.op, case.facts.build(), case.at)
    problems = check_case(case, decision)
    assert not problems, "\n".join(problems)
