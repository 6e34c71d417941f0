"""A data-subject request's clocks, from the policy packs.

The packs' ``respond_within`` rules for the request (``provide``, ``delete``, ``restrict``...)
in the subject's country, evaluated at receipt, give up to two dates: an acknowledgement
(``ack``: 2 working days under Decree 356) and the answer (15 days; 20 through a processor;
72 hours for an erasure under Decree 165; one month under GDPR art. 12(3)). A case is due
first at the acknowledgement, then, once acknowledged or verified, at the answer. A rule's
``extend_once`` allows one extension, counted from the answer's due date.

Working days are counted by :func:`onshore.core.policy.duration.add_duration` (Monday to
Friday); the holiday calendar of ``core/calendar*`` plugs in there, and these clocks follow.

Example:
    >>> DsrDeadlines(None, None).first_due is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.cases.deadline import Deadline
from onshore.core.policy import Facts
from onshore.core.policy.duration import add_duration
from onshore.ports import Case
from onshore.services.runtime import Runtime

#: The policy operation a data-subject request is evaluated as.
OP = "request"


@dataclass(frozen=True, slots=True)
class DsrDeadlines:
    """The acknowledgement and answer deadlines, and the extension the answer's rule allows
    (``{"amount", "unit"}``)."""

    ack: Deadline | None
    answer: Deadline | None
    extend_once: dict[str, Any] | None = None

    @property
    def first_due(self) -> datetime | None:
        """The case's first due date: the acknowledgement's, else the answer's."""
        first = self.ack or self.answer
        return first.due if first else None

    def to_data(self) -> dict[str, Any]:
        """The case data: ``deadline`` (the answer's, with ``extend_once``) and
        ``ack_deadline``."""
        answer = {**self.answer.to_dict(), "extend_once": self.extend_once} if self.answer else None
        return {"deadline": answer, "ack_deadline": self.ack.to_dict() if self.ack else None}


class DsrClock:
    """Deadlines of data-subject requests (see the module docstring)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def deadlines(
        self, request: str, country: str, at: datetime, via_processor: bool = False
    ) -> DsrDeadlines:
        """The deadlines of a ``request`` from a subject in ``country`` received ``at``."""
        facts = Facts(
            self.runtime.entity,
            subject_country=country,
            request=request,
            flags=frozenset({"via_processor"}) if via_processor else frozenset(),
            events={"request": at},
        )
        decision = self.runtime.engine.evaluate(OP, facts, at)
        ack: Deadline | None = None
        answer: Deadline | None = None
        for o in decision.obligations:
            if o.kind != "respond_within" or o.due is None:
                continue
            found = Deadline(o.due, o.rule_id, o.description)
            if o.key.startswith("ack:"):
                ack = found if ack is None or found.due < ack.due else ack
            elif answer is None or found.due < answer.due:
                answer = found
        return DsrDeadlines(ack, answer, self._extension(answer, request))

    def _extension(self, answer: Deadline | None, request: str) -> dict[str, Any] | None:
        if answer is None:
            return None
        try:
            rule = self.runtime.engine.rule(answer.source)
        except KeyError:  # a deadline named after no rule: no extension
            return None
        for req in rule.require:
            answers = not req.requests or request in req.requests
            if req.type == "respond_within" and req.extend_once is not None and answers:
                return {"amount": req.extend_once.amount, "unit": req.extend_once.unit}
        return None

    @staticmethod
    def answer_due(case: Case) -> datetime | None:
        """The answer's due date of ``case`` (None when no rule sets one)."""
        deadline = case.data.get("deadline") or {}
        return datetime.fromisoformat(deadline["due"]) if deadline.get("due") else None

    def extended(self, case: Case) -> dict[str, Any] | None:
        """The case's answer deadline extended once by its rule's ``extend_once``."""
        deadline = dict(case.data.get("deadline") or {})
        ext = deadline.get("extend_once")
        due = self.answer_due(case)
        if not ext or due is None:
            return None
        new = add_duration(due, int(ext["amount"]), str(ext["unit"]))
        return {**deadline, "due": new.isoformat(), "extended_from": deadline["due"]}
