"""The breach-notification case kind, declared (issue 16, item 2).

The table is :data:`onshore.core.cases.breaches.BREACHES`; this module adds what a caller
sends (the intake: the discovery time, what is known, the scope whose subjects are counted;
each action's note), the named effects :mod:`onshore.services.breaches` binds, the clock
(the packs' ``notify_within`` for the ``breach`` operation from ``breach_detected``, the
discovery) and the dedupe key: the same incident reference opens one case.

Example:
    >>> BREACH.dedupe_key({"reference": "INC-7"})
    ('INC-7',)
    >>> BREACH.effects_of("assess")
    ('count_subjects',)
    >>> BREACH.base_path
    '/v1/cases/breaches'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from onshore.core.cases.breaches import BREACHES, GUARDS, KIND
from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import AwareTime, Body, Reason
from onshore.core.cases.scope import SCOPE_IDENTIFIERS
from onshore.core.ledger.events import EventType

#: The most record ids or subject ids one scope may name.
MAX_SCOPE_ITEMS = 10_000

#: A free-text element of the breach's description.
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class BreachDetails(Body):
    """What is known of the breach (each field may be filled later with ``update``)."""

    nature: str | None = Field(
        default=None, min_length=1, max_length=5000, examples=["a misconfigured bucket"]
    )
    occurred: str | None = Field(
        default=None, min_length=1, max_length=2000, description="When and where it happened."
    )
    data_categories: list[str] = Field(
        default_factory=list, max_length=100, examples=[["email", "phone_number"]]
    )
    subject_categories: list[str] = Field(
        default_factory=list, max_length=100, examples=[["customers"]]
    )
    contact: str | None = Field(
        default=None, min_length=1, max_length=500, examples=["DPO, dpo@example.vn"]
    )
    consequences: Text | None = None
    measures_taken: Text | None = None
    measures_proposed: Text | None = None
    cause: Text | None = None
    person_responsible: Text | None = None
    remedial_measures: Text | None = None
    subject_notice: Text | None = None
    subject_advice: Text | None = None


class BreachScope(Body):
    """Whose records the breach reached: record ids, subject ids, identifiers (phone
    numbers, e-mail addresses, national ids), or regions with a time window (records
    created in ``[from, to)``); any mix. Subject ids and identifiers are turned into keyed
    hashes at once and never stored."""

    record_ids: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_ITEMS)
    subjects: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_ITEMS)
    identifiers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="phone_number / email / national_id values found in the leaked data, "
        "matched through the blind indexes (hashed at once, never stored)",
        examples=[{"phone_number": ["0912345678"]}],
    )
    regions: list[str] = Field(default_factory=list, max_length=64)
    start: AwareTime | None = Field(default=None, alias="from")
    end: AwareTime | None = Field(default=None, alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _window(self) -> BreachScope:
        unknown = sorted(set(self.identifiers) - set(SCOPE_IDENTIFIERS))
        if unknown:
            raise ValueError(f"identifiers are {', '.join(SCOPE_IDENTIFIERS)}, not {unknown[0]}")
        if sum(len(v) for v in self.identifiers.values()) > MAX_SCOPE_ITEMS:
            raise ValueError(f"at most {MAX_SCOPE_ITEMS} identifiers")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("the scope's window must end after it starts")
        if (self.start or self.end) and not self.regions:
            raise ValueError("a time window needs the regions it applies to")
        return self


class BreachIn(Body):
    """A breach as recorded: when it was discovered (the clock's start), what is known."""

    discovered_at: AwareTime = Field(
        description="When the breach was discovered (not after entry; naive means UTC)."
    )
    occurred_at: AwareTime | None = Field(
        default=None, description="When it happened, when known (not after discovery)."
    )
    reference: str | None = Field(
        default=None, min_length=1, max_length=200, description="Incident reference (dedupe)."
    )
    high_risk: bool = Field(
        default=False, description="Likely a high risk to the subjects (subject notices owed)."
    )
    countries: list[Annotated[str, Field(pattern="^[A-Z]{2}$")]] = Field(
        default_factory=list,
        max_length=50,
        description="Countries whose subjects may be affected beyond what the vault counts.",
    )
    details: BreachDetails = Field(default_factory=BreachDetails)
    scope: BreachScope = Field(default_factory=BreachScope)

    @model_validator(mode="after")
    def _ordered(self) -> BreachIn:
        if self.occurred_at and self.occurred_at > self.discovered_at:
            raise ValueError("occurred_at is after discovered_at")
        return self


class UpdateNote(Body):
    """New facts: details merged over the known ones; the risk level."""

    details: BreachDetails | None = None
    high_risk: bool | None = None
    comment: str | None = Field(default=None, max_length=5000)


class RecountNote(Body):
    """A new scope (replaces the old one), or none to count the same scope again."""

    scope: BreachScope | None = None
    comment: str | None = Field(default=None, max_length=5000)


class NotifyAuthorityNote(Body):
    """The notification went out: its channel, the authority's reference, why late."""

    late_reason: Reason | None = Field(
        default=None, description="Required when the deadline has passed."
    )
    channel: str | None = Field(default=None, max_length=200, examples=["A05 portal"])
    reference: str | None = Field(default=None, max_length=200)


class SubjectNoticeNote(Body):
    """The notice to the subjects went out: how, and to how many."""

    channel: str | None = Field(default=None, max_length=200, examples=["e-mail"])
    sent_to: int | None = Field(default=None, ge=0)
    comment: str | None = Field(default=None, max_length=5000)


class CloseNote(Body):
    """Closing: why the subjects were not told (when a law asked for it), or a remark."""

    no_subject_notice_reason: Reason | None = None
    reason: Reason | None = None


class DismissNote(Body):
    """Why the breach is not notifiable."""

    reason: Reason | None = None


BREACH = CaseKindDeclaration(
    name=KIND,
    segment="breaches",
    title="Personal data breaches",
    lifecycle=BREACHES,
    intake=BreachIn,
    notes={
        "update": UpdateNote,
        "recount": RecountNote,
        "notify_authority": NotifyAuthorityNote,
        "notify_subjects": SubjectNoticeNote,
        "close": CloseNote,
        "dismiss": DismissNote,
    },
    effects={
        "assess": ("count_subjects",),
        "recount": ("count_subjects",),
        "update": ("merge_details",),
        "draft": ("draft_notifications",),
        "notify_authority": ("record_authority_notice",),
        "notify_subjects": ("record_subject_notice",),
        "close": ("stop_clock",),
        "dismiss": ("stop_clock",),
    },
    actions={
        "assess": "Count the affected subjects per country from the vault (nothing decrypted).",
        "recount": "Count the affected subjects again (optionally over a new scope).",
        "update": "Record what is now known (details merged, risk level).",
        "draft": "Fill each law's notification from the case; what is not known is marked.",
        "notify_authority": "Record that the notifications went to the authorities "
        "(late: a reason is required); their SHA-256 goes on the ledger.",
        "notify_subjects": "Record that the notice went to the data subjects.",
        "close": "Close the breach (a required subject notice sent, or a reason given).",
        "dismiss": "Close the breach as not notifiable, with a reason.",
    },
    clock=Clock(
        "breach",
        "notify_within",
        timedelta(hours=24),
        "the packs' notify_within for a breach, counted from its discovery",
        request="breach",
        event="breach_detected",
    ),
    ledger_events=(EventType.CASE_TRANSITION, EventType.REPORT_PUBLISHED),
    dedupe=("reference",),
    guards=GUARDS,
    description="A personal-data breach: counted, notified to each authority on the packs' "
    "clock from discovery, and to the subjects where a law asks.",
)
