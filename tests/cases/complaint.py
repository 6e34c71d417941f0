"""A worked example: a "complaint" case kind declared in one module (docs/cases.md shows it).

Nothing else is written for it: its service is :class:`onshore.services.case_kinds.
DeclaredCases`, its routes come from :func:`onshore.server.routes.cases.add_case_routes`.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import Body, Reason
from onshore.core.cases.lifecycle import Lifecycle, Transition

OPS = frozenset({"operator", "admin"})
REVIEWER = frozenset({"legal_reviewer"})


class ComplaintIn(Body):
    """A user's complaint about a decision, as received."""

    channel: str = Field(max_length=32, examples=["web_form"])
    reference: str = Field(min_length=1, max_length=100, description="The complainant's id.")
    summary: str = Field(min_length=1, max_length=2000)


class DismissNote(Body):
    """Why the complaint is dismissed."""

    reason: Reason | None = None


class AnswerNote(Body):
    """The answer sent to the complainant."""

    answer: Reason | None = None


COMPLAINTS = Lifecycle(
    name="complaint",
    initial="received",
    terminal=frozenset({"answered", "dismissed"}),
    transitions=(
        Transition("received", "assess", "assessing", OPS),
        Transition("assessing", "answer", "answered", REVIEWER, ("requires:answer",)),
        Transition("assessing", "dismiss", "dismissed", REVIEWER, ("requires:reason",)),
    ),
)

COMPLAINT = CaseKindDeclaration(
    name="complaint",
    segment="complaints",
    title="Complaints",
    lifecycle=COMPLAINTS,
    intake=ComplaintIn,
    notes={"answer": AnswerNote, "dismiss": DismissNote},
    actions={
        "assess": "Start assessing the complaint.",
        "answer": "Answer the complainant.",
        "dismiss": "Dismiss the complaint with a reason.",
    },
    clock=Clock(
        "remove",
        "remove_within",
        timedelta(hours=6),
        request="authority_takedown",
        event="authority_request",
    ),
    dedupe=("channel", "reference"),
)
