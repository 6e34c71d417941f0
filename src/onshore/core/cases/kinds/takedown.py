"""The takedown case kind, declared (issue 8's notice-and-action workflow).

The table is :data:`onshore.core.cases.takedowns.TAKEDOWNS`; this module adds the intake
(a notice and where it came from), each action's note, the named effects the services layer
binds (:mod:`onshore.services.takedowns`), the clock (the packs' ``remove_within``) and the
dedupe key: the same notice reference from the same sender and source opens one case.

Example:
    >>> TAKEDOWN.dedupe_key({"source": "trusted_flagger",
    ...     "notice": {"reference": "N-1", "sender": {"name": "Flagger"}}})
    ('trusted_flagger', 'Flagger', 'N-1')
    >>> TAKEDOWN.clock.requirement
    'remove_within'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field

from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import Body, Reason
from onshore.core.cases.takedown_guards import GUARDS
from onshore.core.cases.takedowns import ACTIONS, GROUNDS, KIND, SOURCES, TAKEDOWNS


class NoticeIn(Body):
    """A notice as received."""

    source: str = Field(
        examples=["authority_order"],
        description="authority_order, trusted_flagger or user_complaint",
        json_schema_extra={"enum": list(SOURCES)},
    )
    urgent: bool = Field(default=False, description="An urgent request (6 h under LCS 2025).")
    notice: dict[str, Any] = Field(
        description="reason, content [{url|puid, content_type}], sender {name, kind, email...}, "
        "recipient, jurisdictions, reference (dedupe key with the sender), legal_basis, category",
        examples=[
            {
                "reason": "unlicensed gambling ads",
                "jurisdictions": ["VN"],
                "content": [{"url": "https://example.vn/p/1"}],
                "sender": {"name": "MIC", "kind": "authority", "email": "x@mic.example"},
            }
        ],
    )
    region: str | None = Field(default=None, max_length=64, description="Region to hold the case.")


class SupplementNote(Body):
    """What the notifier sent to complete the notice (notice fields)."""

    supplement: dict[str, Any] | None = None


class ReasonNote(Body):
    """A step that needs a reason."""

    reason: Reason | None = None


class OpinionNote(Body):
    """The legal reviewer's opinion on an authority order."""

    legal_opinion: Reason | None = None


class DecisionNote(Body):
    """The decision: ``action`` (remove, restrict, no_action), ``ground`` (law, terms),
    ``territorial_scope``, ``legal_ground``/``terms_ground``, ``explanation``, ``category``."""

    decision: dict[str, Any] | None = Field(
        default=None,
        description=f"action: one of {', '.join(ACTIONS)}; ground: one of {', '.join(GROUNDS)}",
        examples=[{"action": "restrict", "ground": "law", "territorial_scope": ["VN"]}],
    )


class EnforceNote(Body):
    """Where the restriction was put in place (the platform's reference)."""

    restriction_ref: str | None = Field(default=None, max_length=200)


class AppealNote(Body):
    """The affected party's grounds of appeal."""

    appeal_grounds: Reason | None = None


TAKEDOWN = CaseKindDeclaration(
    name=KIND,
    segment="takedowns",
    title="Takedown notices",
    lifecycle=TAKEDOWNS,
    intake=NoticeIn,
    notes={
        "supplement": SupplementNote,
        "close_unanswered": ReasonNote,
        "clear": OpinionNote,
        "decide": DecisionNote,
        "enforce": EnforceNote,
        "appeal": AppealNote,
        "uphold": ReasonNote,
        "overturn": ReasonNote,
        "withdraw": ReasonNote,
    },
    effects={
        "validate": ("acknowledge",),
        "hold_incomplete": ("ask_notifier",),
        "supplement": ("merge_supplement",),
        "decide": ("record_decision",),
        "enforce": ("restrict",),
        "send_statement": ("statement_of_reasons",),
        "open_appeal_window": ("appeal_window",),
        "appeal": ("record_appeal",),
        "uphold": ("decide_appeal",),
        "overturn": ("decide_appeal", "restore"),
    },
    actions={
        "validate": "Acknowledge the notice and check its required elements.",
        "hold_incomplete": "Hold the notice and ask the notifier for what is missing.",
        "triage": "Set the notice's priority (it is complete).",
        "supplement": "Add what the notifier sent and validate again.",
        "close_unanswered": "Close a notice the notifier never completed.",
        "start_review": "Start reviewing the content.",
        "legal_review": "Send an authority order to legal review.",
        "clear": "Clear an authority order in legal review, with an opinion.",
        "decide": "Decide: action, ground and territorial scope.",
        "enforce": "Record the restriction (nothing is deleted; evidence is kept).",
        "send_statement": "Send the statement of reasons.",
        "open_appeal_window": "Open the appeal window.",
        "appeal": "Record an appeal with its grounds.",
        "close": "Close the notice after the appeal window.",
        "uphold": "Uphold the decision on appeal (someone other than who decided).",
        "overturn": "Overturn the decision on appeal and restore the content.",
        "withdraw": "Record that the notifier withdrew the notice.",
    },
    clock=Clock("remove", "remove_within", timedelta(hours=6), "the packs' remove_within"),
    dedupe=("source", "notice.sender.name", "notice.reference"),
    columns=(
        ("notice.source", "Source"),
        ("notice.reference", "Reference"),
        ("notice.urgent", "Urgent"),
    ),
    guards=GUARDS,
    history_notes=False,
    description="A notice asking for content to be removed or restricted: reviewed by a "
    "person, decided, explained, open to appeal.",
)
