"""The transfer-assessment case kind, declared (issue 16, item 3).

The table is :data:`onshore.core.cases.transfer_assessments.TRANSFER_ASSESSMENTS`. Cases are
opened by onshore itself when a transfer owes a dossier (no intake route); this module adds
each action's note (the facts only the controller knows, a filing's channel and reference,
the reasons), the named effects :mod:`onshore.services.transfer_assessments` binds and the
clock (the packs' ``transfer_requires`` obligation of the ``transfer`` operation: 60 days
for the TIA dossier under Decree 13 and Decree 356).

Example:
    >>> TRANSFER_ASSESSMENT.intake is None
    True
    >>> TRANSFER_ASSESSMENT.effects_of("file")
    ('file_dossier',)
    >>> TRANSFER_ASSESSMENT.base_path
    '/v1/cases/transfer-assessments'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import Body, Reason
from onshore.core.cases.transfer_assessments import KIND, TRANSFER_ASSESSMENTS
from onshore.core.ledger.events import EventType

#: A free-text element of the dossier.
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class DossierFacts(Body):
    """What the dossier needs that onshore cannot know (each may be filled later)."""

    recipient: Text | None = Field(
        default=None,
        description="The recipient abroad: name, address, contact (an organisation).",
        examples=["Example Analytics Pte Ltd, 1 Raffles Place, Singapore; privacy@example.sg"],
    )
    recipient_role: str | None = Field(
        default=None,
        max_length=200,
        examples=["processor"],
        description="Controller, processor or third party.",
    )
    purposes: list[Text] = Field(
        default_factory=list, max_length=50, description="Purposes of processing abroad."
    )
    subject_categories: list[Text] = Field(default_factory=list, max_length=50)
    protection_measures: Text | None = Field(
        default=None, description="Technical and organisational measures at both ends."
    )
    risk_assessment: Text | None = Field(
        default=None, description="Likely consequences and harms, and how they are mitigated."
    )
    consent: Text | None = Field(
        default=None, description="How the data subjects consented or were informed."
    )
    contract: Text | None = Field(
        default=None,
        description="The binding document between sender and recipient (reference, date).",
    )
    third_country_law: Text | None = Field(
        default=None, description="EU: the destination's law and practice (public access)."
    )
    transfer_tool: Text | None = Field(
        default=None, description="EU: the art. 46 tool relied on (SCC 2021, BCR...)."
    )


class UpdateNote(Body):
    """New facts, merged over the known ones."""

    facts: DossierFacts | None = None
    comment: str | None = Field(default=None, max_length=5000)


class FileNote(Body):
    """The dossier went to the authority: how, and the authority's reference."""

    channel: str | None = Field(default=None, max_length=200, examples=["A05 portal"])
    reference: str | None = Field(default=None, max_length=200)
    comment: str | None = Field(default=None, max_length=5000)


class ReviewNote(Body):
    """A periodic review found nothing changed."""

    comment: str | None = Field(default=None, max_length=5000)


class ReasonNote(Body):
    """Why the dossier is not required, or why the case ends."""

    reason: Reason | None = None


TRANSFER_ASSESSMENT = CaseKindDeclaration(
    name=KIND,
    segment="transfer-assessments",
    title="Transfer impact assessments",
    lifecycle=TRANSFER_ASSESSMENTS,
    intake=None,
    notes={
        "update": UpdateNote,
        "file": FileNote,
        "review": ReviewNote,
        "dismiss": ReasonNote,
        "close": ReasonNote,
    },
    effects={
        "update": ("merge_facts",),
        "draft": ("draft_dossier",),
        "file": ("file_dossier",),
        "review": ("restart_update_clock",),
        "dismiss": ("stop_clock",),
        "close": ("stop_clock",),
    },
    actions={
        "update": "Record facts the dossier needs (recipient, measures, risks...), merged.",
        "draft": "Fill the dossier's form from the transfer register, the deployment's facts "
        "and the case; what is not known is marked to complete.",
        "file": "Record that the dossier was filed with the authority; its SHA-256 goes on "
        "the ledger and the 6-month update clock starts.",
        "review": "Record a periodic review on which nothing changed (the update clock "
        "starts again).",
        "dismiss": "Close an owed dossier as not required, with a reason.",
        "close": "Close a filed dossier (the transfers stopped), with a reason.",
    },
    clock=Clock(
        "transfer",
        "transfer_requires",
        timedelta(days=7),
        "the packs' deadline for the dossier after a transfer (60 days for the TIA dossier), "
        "then the update period after filing (6 months)",
        request="transfer",
        event="transfer",
    ),
    ledger_events=(EventType.CASE_TRANSITION, EventType.REPORT_PUBLISHED),
    columns=(("region", "Region"), ("destination", "Destination"), ("artifact", "Dossier")),
    description="Transfers abroad owe an impact-assessment dossier: drafted from the "
    "transfer register, filed on the packs' clock, updated every 6 months.",
)
