"""The data-subject request case kind, declared (issue 16, item 1).

The table is :data:`onshore.core.cases.dsr.REQUESTS`; this module adds the intake (the
request as received: its type, who the subject is, through which channel), each action's
note, the named effects the services layer binds (:mod:`onshore.services.dsr`), the
pure guards, the clock (the packs' ``respond_within`` for the type's request) and the
dedupe key: the same reference through the same channel opens one case.

Example:
    >>> DSR.dedupe_key({"channel": "web_form", "reference": "DSR-7"})
    ('web_form', 'DSR-7')
    >>> DSR.effects_of("deliver")
    ('sign_package',)
    >>> DsrIn(request_type="access", channel="web_form", subject="u-1").request_type
    'access'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, model_validator

from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.dsr import ACTIONS_OF, KIND, REQUESTS
from onshore.core.cases.fields import AwareTime, Body, Reason
from onshore.core.cases.guards import Guard, GuardContext

RequestType = Literal[
    "access", "copy", "correction", "erasure", "restriction", "objection", "withdrawal"
]
Method = Literal[
    "account_session",
    "otp_phone",
    "otp_email",
    "electronic_id",
    "document_seen",
    "in_person",
    "representative",
]
Ground = Literal[
    "identity_not_verified",
    "no_data_held",
    "manifestly_unfounded",
    "excessive_or_repetitive",
    "legal_obligation",
    "legal_claims",
    "national_security_or_defence",
    "public_interest",
    "rights_of_others",
    "contract_performance",
]


class DsrIn(Body):
    """A data-subject request as received. Name the subject by account id (``subject``)
    or by identifiers the blind index knows (``email``, ``phone_number``, ``national_id``);
    the case keeps only their masked forms and keyed terms."""

    request_type: RequestType = Field(examples=["access"])
    channel: str = Field(min_length=1, max_length=64, examples=["web_form"])
    reference: str | None = Field(
        default=None, max_length=200, description="The channel's own reference (dedupe key)."
    )
    subject: str | None = Field(default=None, max_length=200, description="The account id.")
    email: list[str] = Field(default_factory=list, max_length=10)
    phone_number: list[str] = Field(default_factory=list, max_length=10)
    national_id: list[str] = Field(default_factory=list, max_length=10)
    country: str | None = Field(
        default=None,
        pattern="^[A-Z]{2}$",
        description="The subject's country (whose law sets the clock); default: the region's.",
    )
    received_at: AwareTime | None = Field(
        default=None, description="When the request arrived (not after entry; default: now)."
    )
    via_processor: bool = Field(
        default=False, description="A processor or third party must also stop (VN: 20 days)."
    )
    details: str | None = Field(
        default=None,
        max_length=5000,
        description="What to correct, restrict or object to (kept in the case, never on the "
        "ledger).",
    )
    region: str | None = Field(default=None, max_length=64, description="Region to hold the case.")

    @model_validator(mode="after")
    def _names_someone(self) -> DsrIn:
        if not (self.subject or self.email or self.phone_number or self.national_id):
            raise ValueError("name the subject (subject, email, phone_number or national_id)")
        return self


class VerifyNote(Body):
    """How the identity was verified (who: the principal taking the step). No document."""

    method: Method | None = Field(default=None, examples=["otp_email"])
    evidence_ref: str | None = Field(
        default=None,
        max_length=200,
        description="Where the check is recorded elsewhere (a ticket id), not the document.",
    )
    comment: str | None = Field(default=None, max_length=5000)


class RefuseNote(Body):
    """Why the request is refused: one or more typed grounds and an explanation."""

    grounds: list[Ground] | None = Field(default=None, examples=[["manifestly_unfounded"]])
    explanation: Reason | None = None


class ExtendNote(Body):
    """Why the deadline is extended (once, by the packs' ``extend_once``)."""

    reason: Reason | None = None


class ComplyNote(Body):
    """The outcome of a correction, restriction, objection or withdrawal."""

    outcome: Reason | None = Field(default=None, examples=["address corrected in all regions"])
    restriction_ref: str | None = Field(
        default=None, max_length=200, description="The platform's reference of the restriction."
    )


class EraseNote(Body):
    """A remark on the erasure (the retention decision is asked, not given)."""

    comment: str | None = Field(default=None, max_length=5000)


def _type_allows(ctx: GuardContext) -> str | None:
    kind = ctx.case.data.get("request_type")
    if ctx.action in ACTIONS_OF.get(str(kind), frozenset()):
        return None
    return f"a {kind} request cannot be answered by {ctx.action}"


def _once(ctx: GuardContext) -> str | None:
    if any(e.action == "extend" for e in ctx.history):
        return "the deadline was already extended once"
    if not (ctx.case.data.get("deadline") or {}).get("extend_once"):
        return "no rule allows extending this deadline"
    return None


#: The kind's pure guards (``package_intact`` is bound by the service).
GUARDS: dict[str, Guard] = {"type_allows": _type_allows, "once": _once}

DSR = CaseKindDeclaration(
    name=KIND,
    segment="dsr",
    title="Data-subject requests",
    lifecycle=REQUESTS,
    intake=DsrIn,
    notes={
        "verify_identity": VerifyNote,
        "refuse": RefuseNote,
        "extend": ExtendNote,
        "comply": ComplyNote,
        "erase": EraseNote,
        "defer_erasure": EraseNote,
    },
    effects={
        "acknowledge": ("acknowledge",),
        "verify_identity": ("record_verification",),
        "extend": ("extend_deadline",),
        "assemble": ("assemble_package",),
        "deliver": ("sign_package",),
        "erase": ("erase",),
        "defer_erasure": ("defer_erasure",),
        "comply": ("record_outcome",),
        "refuse": ("record_refusal",),
    },
    actions={
        "acknowledge": "Tell the subject the request arrived (VN: within 2 working days).",
        "verify_identity": "Record who verified the subject's identity and how (no document).",
        "refuse": "Refuse the request on one or more typed grounds.",
        "extend": "Extend the deadline once, as the packs allow, with a reason.",
        "assemble": "Write the access/copy package from every region holding the subject.",
        "deliver": "Sign the package and hand it over (someone other than who assembled it).",
        "erase": "Erase the subject in every region (retention may defer it instead).",
        "defer_erasure": "Record that retention defers the erasure, with its date and rules.",
        "comply": "Record the outcome of a correction, restriction, objection or withdrawal.",
        "withdraw": "Record that the subject withdrew the request.",
    },
    clock=Clock(
        "dsr",
        "respond_within",
        timedelta(hours=24),
        "the packs' respond_within for the request type, in the subject's country",
    ),
    dedupe=("channel", "reference"),
    guards=GUARDS,
    description="A data subject's request to see, copy, correct, erase, restrict, object "
    "or withdraw consent: identity first, deadlines from the packs.",
)
