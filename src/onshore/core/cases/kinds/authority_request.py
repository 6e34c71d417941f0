"""The authority-request case kind, declared (issue 7's workflow on the declarative engine).

The table is :data:`onshore.core.cases.authority_requests.REQUESTS`; this module adds what
a caller sends (the intake and each action's note), the named effects the services layer
binds (:mod:`onshore.services.authority_requests`), the clock (the packs'
``respond_within`` for ``disclose``) and the dedupe key: the same reference from the same
authority opens one case.

Example:
    >>> AUTHORITY_REQUEST.dedupe_key({"authority": "VN-A05", "reference": "CV-12"})
    ('VN-A05', 'CV-12')
    >>> AUTHORITY_REQUEST.effects_of("release")
    ('produce',)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from onshore.core.cases.authority_guards import GUARDS
from onshore.core.cases.authority_requests import KIND, PROCESS_TYPES, REASON_CODES, REQUESTS
from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import AwareTime, Body, Reason
from onshore.core.ledger.events import EventType

#: The longest deadline a request may state, per unit (ten years): larger amounts are 422.
MAX_RESPOND_WITHIN: dict[str, int] = {
    "hour": 24 * 366 * 10,
    "day": 3660,
    "working_day": 2610,
    "month": 120,
    "year": 10,
}


class RespondWithinIn(Body):
    """The deadline a request states: ``amount`` of ``unit`` (at most ten years)."""

    amount: int = Field(ge=0, le=max(MAX_RESPOND_WITHIN.values()), examples=[2])
    unit: Literal["hour", "day", "working_day", "month", "year"] = Field(examples=["working_day"])

    @model_validator(mode="after")
    def _within_ten_years(self) -> RespondWithinIn:
        if self.amount > MAX_RESPOND_WITHIN[self.unit]:
            raise ValueError(f"at most {MAX_RESPOND_WITHIN[self.unit]} {self.unit}s")
        return self


class RequestIn(Body):
    """A request as received from an authority."""

    authority: str = Field(
        max_length=64, examples=["VN-A05"], description="Registry id of the authority."
    )
    process_type: str = Field(
        max_length=64, examples=["warrant"], json_schema_extra={"enum": list(PROCESS_TYPES)}
    )
    reference: str = Field(
        min_length=1, max_length=200, description="The authority's own reference (dedupe key)."
    )
    legal_basis: str = Field(min_length=1, max_length=500)
    scope: dict[str, Any] = Field(
        description="subjects / phone_number / email / national_id lists (at most "
        "``max_scope_items`` identifiers in all), from, to, categories",
        examples=[{"phone_number": ["0912345678"], "categories": ["phone_number"]}],
    )
    respond_within: RespondWithinIn | None = Field(
        default=None, examples=[{"amount": 2, "unit": "working_day"}]
    )
    ndo_until: AwareTime | None = Field(
        default=None, description="Non-disclosure order end (ISO 8601; naive means UTC)."
    )


class VerifyNote(Body):
    """Verifying the request: the channel it arrived through."""

    channel: str | None = Field(default=None, max_length=64, examples=["a05-portal"])
    comment: str | None = Field(default=None, max_length=5000)


class RejectNote(Body):
    """A rejection (or a residency block): the reason code and an explanation."""

    reason_code: str | None = Field(
        default=None, max_length=64, json_schema_extra={"enum": list(REASON_CODES)}
    )
    reason: Reason | None = None


class ReasonNote(Body):
    """A step that needs a reason (narrowing, sending back)."""

    reason: Reason | None = None


class ResubmitNote(Body):
    """The narrowed scope (same shape as the intake's ``scope``)."""

    scope: dict[str, Any] | None = None
    comment: str | None = Field(default=None, max_length=5000)


class OrderNote(Body):
    """The order that followed a preservation request: its process type."""

    process_type: str | None = Field(
        default=None, max_length=64, json_schema_extra={"enum": list(PROCESS_TYPES)}
    )
    comment: str | None = Field(default=None, max_length=5000)


class EmergencyNote(Body):
    """Why this is an emergency (imminent danger of death or serious harm)."""

    justification: Reason | None = None


class CloseNote(Body):
    """Closing: why the user was not notified (when not), or a remark."""

    notice_waived_reason: Reason | None = None
    reason: Reason | None = None


AUTHORITY_REQUEST = CaseKindDeclaration(
    name=KIND,
    segment="requests",
    title="Authority data requests",
    lifecycle=REQUESTS,
    intake=RequestIn,
    notes={
        "verify": VerifyNote,
        "reject": RejectNote,
        "block": RejectNote,
        "narrow": ReasonNote,
        "send_back": ReasonNote,
        "resubmit": ResubmitNote,
        "receive_order": OrderNote,
        "declare_emergency": EmergencyNote,
        "close": CloseNote,
    },
    effects={
        "resubmit": ("rescope",),
        "receive_order": ("set_process_type",),
        "reject": ("record_rejection",),
        "block": ("record_rejection",),
        "declare_emergency": ("emergency_path",),
        "preserve": ("place_holds",),
        "extend_hold": ("extend_holds",),
        "close": ("release_holds",),
        "withdraw": ("release_holds",),
        "collect": ("collect",),
        "package": ("package",),
        "release": ("produce",),
    },
    actions={
        "authenticate": "Start checking that the request really comes from the authority.",
        "verify": "Confirm the request came through a verified channel of the authority.",
        "reject": "Reject the request with a reason code.",
        "submit": "Send the classified request to legal review.",
        "approve": "Approve the request in legal review (production may follow).",
        "narrow": "Ask the authority to narrow the scope.",
        "preserve": "Preserve the data in scope under legal holds (no production).",
        "resubmit": "Send the narrowed scope back to legal review.",
        "extend_hold": "Extend the legal holds once.",
        "receive_order": "Record the order that followed a preservation request.",
        "close": "Close the request.",
        "check_residency": "Ask the policy engine whether each region may disclose abroad.",
        "collect": "Collect the in-scope records of the allowed regions.",
        "block": "Reject the request because the disclosure is not allowed.",
        "submit_qa": "Send the collection to redaction quality assurance.",
        "recollect": "Send the collection back to be collected again.",
        "package": "Write the production package.",
        "request_release": "Ask an approver to release the package.",
        "send_back": "Send the package back to redaction with a reason.",
        "release": "Release the package (an approver who did not approve it in review).",
        "hold_notice": "Hold the user notice while a non-disclosure order runs.",
        "notify_user": "Record that the user was notified.",
        "post_review": "Review an emergency disclosure after the fact.",
        "declare_emergency": "Take the emergency path straight to the residency check.",
        "withdraw": "Record that the authority withdrew the request.",
    },
    clock=Clock(
        "disclose",
        "respond_within",
        timedelta(hours=24),
        "the packs' respond_within for a disclosure, or the request's own, the earlier",
    ),
    ledger_events=(EventType.CASE_TRANSITION,),
    dedupe=("authority", "reference"),
    columns=(("authority", "Authority"), ("reference", "Reference"), ("process_type", "Process")),
    guards=GUARDS,
    description="A police or court data request: authenticated, reviewed, produced, released "
    "by a second person.",
)
