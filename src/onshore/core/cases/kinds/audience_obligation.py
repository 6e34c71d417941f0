"""The audience-obligation case kind, declared (issue 8's threshold notifications).

The table is :data:`onshore.core.cases.audience.OBLIGATIONS`. Obligations are opened by the
system when metrics cross a pack's threshold (no intake route); the account holder's
details, the filing, the authority's acknowledgement and the closing are actions. Effects
are bound in :mod:`onshore.services.audience`.

Example:
    >>> AUDIENCE_OBLIGATION.intake is None
    True
    >>> AUDIENCE_OBLIGATION.base_path
    '/v1/audience/obligations'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field

from onshore.core.cases.audience import KIND, OBLIGATIONS
from onshore.core.cases.declaration import CaseKindDeclaration, Clock
from onshore.core.cases.fields import Body, Reason
from onshore.core.ledger.events import EventType


class DetailsNote(Body):
    """What the account holder supplies for the dossier."""

    contact: dict[str, Any] = Field(examples=[{"name": "Nguyễn An", "email": "an@example.vn"}])
    content_summary: str = Field(min_length=1, max_length=5000)


class AcknowledgeNote(Body):
    """The authority's reference for the filing."""

    reference: str | None = Field(default=None, max_length=200)


class CloseNote(Body):
    """Why the obligation is closed."""

    reason: Reason | None = None


AUDIENCE_OBLIGATION = CaseKindDeclaration(
    name=KIND,
    segment="obligations",
    title="Audience obligations",
    lifecycle=OBLIGATIONS,
    intake=None,
    notes={"prepare": DetailsNote, "acknowledge": AcknowledgeNote, "close": CloseNote},
    effects={
        "prepare": ("dossier_details",),
        "file": ("file_dossier",),
        "acknowledge": ("record_acknowledgement",),
        "close": ("record_closing",),
    },
    actions={
        "prepare": "Record the account holder's contact details and content summary.",
        "file": "File the dossier; its SHA-256 goes on the ledger.",
        "acknowledge": "Record the authority's acknowledgement of the filing.",
        "record_below": "Record that the metrics fell back below the threshold.",
        "record_above": "Record that the metrics crossed the threshold again.",
        "close": "Close the obligation with a reason.",
    },
    clock=Clock(
        "threshold",
        "notify_when_threshold",
        timedelta(days=7),
        "the threshold rule's notification period",
    ),
    ledger_events=(EventType.CASE_TRANSITION, EventType.REPORT_PUBLISHED),
    path="/v1/audience/obligations",
    columns=(("country", "Country"), ("rule.rule_id", "Rule"), ("crossed_on", "Crossed on")),
    description="An account crossed an audience threshold: the notification is owed.",
)
