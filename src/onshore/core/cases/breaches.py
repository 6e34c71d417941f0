"""The breach-notification lifecycle and its guards (pure).

A personal-data breach is a case whose clock starts at its **discovery** (the time the
controller became aware of it, given at intake and kept apart from the entry time), not at
entry: the packs' ``notify_within`` obligations for the ``breach`` operation, from the
``breach_detected`` event (Decree 13 art. 23 and the PDP Law: 72 hours to A05; GDPR art. 33:
72 hours to the supervisory authority; NDPA s.40: 72 hours to the NDPC; DPDP Rules rule 7:
72 hours to the Board).

The steps: ``assess`` counts the affected subjects per country from the vault (without
decrypting), ``update`` records what is known (nature, categories, consequences, measures,
contact), ``draft`` fills each law's notification, ``notify_authority`` records that it was
sent (a late notification needs ``late_reason``: guard ``late_reason``), ``notify_subjects``
records the notice to the subjects where a law requires one, ``close`` closes the case (a
subject notice a law requires must have been sent, or ``no_subject_notice_reason`` given:
guard ``subject_notice_settled``); ``dismiss`` closes a breach found not notifiable, with a
reason.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.cases.case import Case
    >>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> case = Case("b1", "breach", "drafted", "vn-hcm", t0, t0, t0, {}, 3)
    >>> ctx = GuardContext(case, "lan", "legal_reviewer", {}, (), t0.replace(day=3))
    >>> GUARDS["late_reason"](ctx)[:28]
    'the deadline passed at 2026-'
    >>> BREACHES.initial, sorted(BREACHES.terminal)
    ('discovered', ['closed', 'not_notifiable'])
"""

from __future__ import annotations

from onshore.core.cases.guards import Guard, GuardContext
from onshore.core.cases.lifecycle import Lifecycle, Transition

KIND = "breach"

#: Who does what (the HTTP permission matrix maps the same roles).
OPERATOR, REVIEWER, ADMIN = "operator", "legal_reviewer", "admin"
_OPS_REV = frozenset({OPERATOR, REVIEWER, ADMIN})
_REV = frozenset({REVIEWER})

#: The states a breach is still being worked in (its clock runs).
OPEN_STATES: tuple[str, ...] = ("discovered", "assessing", "drafted")

BREACHES = Lifecycle(
    name=KIND,
    initial="discovered",
    terminal=frozenset({"closed", "not_notifiable"}),
    transitions=(
        Transition("discovered", "assess", "assessing", _OPS_REV),
        Transition("assessing", "recount", "assessing", _OPS_REV),
        Transition("discovered", "update", "discovered", _OPS_REV),
        Transition("assessing", "update", "assessing", _OPS_REV),
        Transition("drafted", "update", "assessing", _OPS_REV),
        Transition("assessing", "draft", "drafted", _OPS_REV),
        Transition("drafted", "notify_authority", "authority_notified", _REV, ("late_reason",)),
        Transition("authority_notified", "update", "authority_notified", _OPS_REV),
        Transition("authority_notified", "notify_subjects", "subjects_notified", _OPS_REV),
        Transition("authority_notified", "close", "closed", _REV, ("subject_notice_settled",)),
        Transition("subjects_notified", "close", "closed", _REV),
        Transition("assessing", "dismiss", "not_notifiable", _REV, ("requires:reason",)),
    ),
)


def _late_reason(ctx: GuardContext) -> str | None:
    due = ctx.case.due_at
    if due is None or ctx.now <= due:
        return None
    given = ctx.note.get("late_reason")
    if isinstance(given, str) and given.strip():
        return None
    return (
        f"the deadline passed at {due.isoformat()}: a late notification needs "
        "'late_reason' in the note"
    )


def _subject_notice_settled(ctx: GuardContext) -> str | None:
    owed = ctx.case.data.get("subject_notice_required") or []
    if not owed:
        return None
    given = ctx.note.get("no_subject_notice_reason")
    if isinstance(given, str) and given.strip():
        return None
    return (
        f"{', '.join(owed)} require(s) a notice to the data subjects: notify them first, or "
        "give 'no_subject_notice_reason' in the note"
    )


#: The lifecycle's custom guards (pure: they read the case, the note and the time).
GUARDS: dict[str, Guard] = {
    "late_reason": _late_reason,
    "subject_notice_settled": _subject_notice_settled,
}
