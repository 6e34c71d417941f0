"""The transparency report's data-subject request and breach figures, read from the cases.

Each is read from its case kind by name when the kind is declared
(:data:`onshore.core.cases.registry.KINDS`): ``dsr`` cases by request type and outcome,
``breach`` cases by affected country. Only counts leave the cases (no personal data).

Example:
    >>> breach_facts(_demo_case()).subjects
    {'VN': 3}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.core.cases.registry import KINDS
from onshore.core.cases.transparency_cases import BreachFacts, DsrFacts
from onshore.ports import Case, CaseEvent
from onshore.services.cases import CaseService

DSR, BREACH = "dsr", "breach"
_OUTCOMES = ("answered", "refused", "withdrawn", "erasure_deferred")


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600.0, 3)


def dsr_facts(case: Case, history: list[CaseEvent]) -> DsrFacts:
    """The report's view of one data-subject request."""
    outcome = case.state if case.state in _OUTCOMES else "open"
    done = next((e.at for e in history if e.to_state in ("answered", "refused")), None)
    late = bool(done and case.due_at and done > case.due_at)
    if done is not None and case.due_at is None:  # the deadline is cleared when it ends
        due = (case.data.get("deadline") or {}).get("due")
        late = bool(due) and done > datetime.fromisoformat(str(due))
    return DsrFacts(
        request_type=str(case.data.get("request_type") or "other"),
        outcome=outcome,
        late=late,
        completion_hours=_hours(case.created_at, done),
    )


def breach_facts(case: Case) -> BreachFacts:
    """The report's view of one breach."""
    d = case.data
    by_country = (d.get("affected") or {}).get("by_country") or {}
    subjects = {c: int(v.get("subjects", 0)) for c, v in by_country.items()}
    for c in d.get("countries") or ():
        subjects.setdefault(c, 0)
    sent = d.get("notified") or {}
    return BreachFacts(
        subjects=subjects,
        notified=bool(sent),
        late=bool(sent.get("late")),
        subjects_notified=bool(d.get("subject_notice")),
        dismissed=case.state == "not_notifiable",
        hours_to_notify=sent.get("hours_after_discovery"),
    )


def _country_of(case: Case) -> set[str]:
    d = case.data
    found = {str(d[k]).upper() for k in ("country", "subject_country") if d.get(k)}
    found |= set((d.get("affected") or {}).get("by_country") or {})
    found |= set(d.get("countries") or ())
    return found


def collect(
    cases: CaseService, start: datetime, end: datetime, country: str | None = None
) -> tuple[list[DsrFacts], list[BreachFacts]]:
    """Facts of every data-subject request and breach entered in ``[start, end)`` (one
    country or all), each kind read only when it is declared."""
    wanted = country.upper() if country else None
    dsr: list[DsrFacts] = []
    breaches: list[BreachFacts] = []
    for kind in (DSR, BREACH):
        if kind not in KINDS:
            continue
        for case in cases.iter_cases(kind=kind, created_from=start, created_before=end):
            if wanted and wanted not in _country_of(case):
                continue
            if kind == DSR:
                dsr.append(dsr_facts(case, list(cases.history(case.case_id))))
            else:
                breaches.append(breach_facts(case))
    return dsr, breaches


def _demo_case() -> Case:
    t0 = datetime.fromisoformat("2026-03-02T08:00:00+07:00")
    data: dict[str, Any] = {"affected": {"by_country": {"VN": {"subjects": 3}}}}
    return Case("b1", BREACH, "drafted", "vn-hcm", t0, t0, None, data, 1)
