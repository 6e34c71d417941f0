"""Takedown notices: the lifecycle table, sources, priorities and decisions (pure).

The table below is the single source of truth for the workflow (``docs/takedowns.md``
embeds ``TAKEDOWNS.markdown()``; a test checks they agree).

Normal path: received -> validating -> triaged -> review -> decided -> enforced ->
statement_sent -> appeal_window -> (closed | appealed -> upheld | overturned). A notice
missing a required element is held in ``incomplete`` (the notifier is asked for what is
missing) until ``supplement`` sends it back to validation. An authority order passes a
``legal_review`` step before review; a decision on one is refused without it. An appeal is
decided by someone other than whoever took the decision (``distinct_from:decide``).
``no_action`` decisions skip enforcement and go straight to the statement. Nothing here
deletes content: ``remove`` and ``restrict`` are visibility restrictions, and the evidence
is retained (see :mod:`onshore.services.takedowns`).

This is case management for human review: nothing in onshore scans or classifies content.

Example:
    >>> TAKEDOWNS.step("review", "decide").target
    'decided'
    >>> priority("authority_order", urgent=True)
    'P0'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onshore.core.cases.lifecycle import Lifecycle, Transition, rows

KIND = "takedown"

#: Where a notice comes from, and the DSA Transparency Database ``source_type`` it maps to.
SOURCES: dict[str, str] = {
    "authority_order": "SOURCE_TYPE_OTHER_NOTIFICATION",
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "user_complaint": "SOURCE_ARTICLE_16",
}

#: What the packs call each source's request (``Facts.request`` for ``remove_within``).
PACK_REQUESTS: dict[str, str] = {
    "authority_order": "authority_takedown",
    "trusted_flagger": "user_complaint",
    "user_complaint": "user_complaint",
}

#: What a decision may do. ``remove`` hides the content everywhere, ``restrict`` hides it
#: in the ``territorial_scope`` only; neither deletes anything.
ACTIONS: tuple[str, ...] = ("remove", "restrict", "no_action")
#: On what ground: the law (illegal content) or the service's terms.
GROUNDS: tuple[str, ...] = ("law", "terms")

OPERATOR, REVIEWER, APPROVER, ADMIN = "operator", "legal_reviewer", "approver", "admin"

#: States before a decision (a notice may be withdrawn from any of them).
PRE_DECISION: tuple[str, ...] = (
    "received",
    "validating",
    "incomplete",
    "triaged",
    "legal_review",
    "review",
)

_OPS = frozenset({OPERATOR, ADMIN})
_REV = frozenset({REVIEWER})
_OPS_REV = frozenset({OPERATOR, REVIEWER, ADMIN})


def _t(source: str, action: str, target: str, roles: frozenset[str], *guards: str) -> Transition:
    return Transition(source, action, target, roles, tuple(guards))


#: The transitions, one row each (a table: formatting would split the long rows).
_TRANSITIONS: tuple[Transition, ...] = (
    _t("received", "validate", "validating", _OPS_REV),
    _t("validating", "hold_incomplete", "incomplete", _OPS_REV, "notice_incomplete"),
    _t("validating", "triage", "triaged", _OPS_REV, "notice_complete"),
    _t("incomplete", "supplement", "validating", _OPS_REV, "requires:supplement"),
    _t("incomplete", "close_unanswered", "closed", _OPS_REV, "requires:reason"),
    _t("triaged", "start_review", "review", _OPS_REV, "not_authority_order"),
    _t("triaged", "legal_review", "legal_review", _REV, "authority_order"),
    _t("legal_review", "clear", "review", _REV, "requires:legal_opinion"),
    _t("review", "decide", "decided", _OPS_REV, "decision_valid", "legal_reviewed"),
    _t("decided", "enforce", "enforced", _OPS, "restricts", "requires:restriction_ref"),
    _t("decided", "send_statement", "statement_sent", _OPS_REV, "no_action_decision",
       "statement_valid"),
    _t("enforced", "send_statement", "statement_sent", _OPS_REV, "statement_valid"),
    _t("statement_sent", "open_appeal_window", "appeal_window", _OPS_REV),
    _t("appeal_window", "appeal", "appealed", _OPS_REV, "requires:appeal_grounds",
       "window_open"),
    _t("appeal_window", "close", "closed", _OPS_REV, "window_elapsed"),
    _t("appealed", "uphold", "upheld", _REV, "distinct_from:decide", "requires:reason"),
    _t("appealed", "overturn", "overturned", _REV, "distinct_from:decide",
       "requires:reason"),
    *rows(PRE_DECISION, "withdraw", "withdrawn", _OPS_REV),
)  # fmt: skip  # one transition per line: from, action, to, roles, guards

TAKEDOWNS = Lifecycle(
    name=KIND,
    initial="received",
    terminal=frozenset({"closed", "upheld", "overturned", "withdrawn"}),
    transitions=_TRANSITIONS,
    descriptions={
        "received": "the notice is logged; the clock runs",
        "validating": "checking the notice has its required elements",
        "incomplete": "held: the notifier was asked for what is missing",
        "triaged": "priority set by source and urgency",
        "legal_review": "an authority order's legal review",
        "review": "a person reviews the content against the law or the terms",
        "decided": "action, ground and territorial scope recorded",
        "enforced": "the restriction is in place (nothing deleted; evidence retained)",
        "statement_sent": "the statement of reasons went out",
        "appeal_window": "the affected party may appeal",
        "appealed": "an appeal awaits a different reviewer",
        "upheld": "the decision stands",
        "overturned": "the decision was reversed and the content restored",
        "closed": "closed",
        "withdrawn": "the notifier withdrew the notice",
    },
)

#: A notice's required elements and the message naming each when missing.
REQUIRED_ELEMENTS: dict[str, str] = {
    "reason": "the reason the content is said to be illegal or against the terms",
    "content": "an exact reference to the content (URL or platform id)",
    "sender_contact": "a contact for the sender (email, phone or postal address)",
}


def missing_elements(notice: Mapping[str, Any]) -> list[str]:
    """The required elements ``notice`` lacks, in ``REQUIRED_ELEMENTS`` order.

    Example:
        >>> missing_elements({"reason": "x", "content": [{"url": "https://e.vn/p/1"}],
        ...                   "sender": {"name": "A"}})
        ['sender_contact']
    """
    out: list[str] = []
    reason = notice.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        out.append("reason")
    content = notice.get("content")
    if not isinstance(content, list) or not content or not all(_exact(c) for c in content):
        out.append("content")
    sender = notice.get("sender")
    contact = sender if isinstance(sender, Mapping) else {}
    if not any(
        isinstance(contact.get(k), str) and contact.get(k, "").strip()
        for k in ("email", "phone", "address")
    ):
        out.append("sender_contact")
    return out


def _exact(ref: Any) -> bool:
    """An exact content reference: an absolute http(s) URL or a platform id (puid)."""
    if not isinstance(ref, Mapping):
        return False
    url, puid = ref.get("url"), ref.get("puid")
    if isinstance(url, str) and url.startswith(("https://", "http://")) and "." in url[8:]:
        return True
    return isinstance(puid, str) and bool(puid.strip())


def priority(source: str, *, urgent: bool = False) -> str:
    """Triage priority by source: an urgent authority order is P0, an authority order P1,
    a trusted flagger P2, a user complaint P3.

    Example:
        >>> priority("trusted_flagger"), priority("user_complaint", urgent=True)
        ('P2', 'P3')
    """
    if source == "authority_order":
        return "P0" if urgent else "P1"
    return "P2" if source == "trusted_flagger" else "P3"


def decision_problems(decision: Mapping[str, Any]) -> list[str]:
    """Why a decision note is not a complete decision (empty when it is).

    A decision names an ``action`` (``remove``, ``restrict``, ``no_action``), a ``ground``
    (``law`` with a ``legal_ground`` citation, or ``terms`` with a ``terms_ground``), an
    ``explanation``, and for ``restrict`` a non-empty ``territorial_scope`` of ISO codes.

    Example:
        >>> decision_problems({"action": "restrict", "ground": "law", "legal_ground": "D147",
        ...                    "explanation": "x", "territorial_scope": []})
        ['restrict needs a territorial_scope (ISO 3166-1 alpha-2 codes)']
    """
    out: list[str] = []
    action, ground = decision.get("action"), decision.get("ground")
    if action not in ACTIONS:
        out.append(f"action must be one of {', '.join(ACTIONS)}")
    if ground not in GROUNDS:
        out.append(f"ground must be one of {', '.join(GROUNDS)}")
    if ground == "law" and not _text(decision.get("legal_ground")):
        out.append("a decision on the law needs legal_ground (the provision relied on)")
    if ground == "terms" and not _text(decision.get("terms_ground")):
        out.append("a decision on the terms needs terms_ground (the clause relied on)")
    if not _text(decision.get("explanation")):
        out.append("a decision needs an explanation (facts and circumstances)")
    scope = decision.get("territorial_scope")
    if action == "restrict":
        if not isinstance(scope, list) or not scope or not all(_alpha2(c) for c in scope):
            out.append("restrict needs a territorial_scope (ISO 3166-1 alpha-2 codes)")
    elif scope is not None and (not isinstance(scope, list) or not all(_alpha2(c) for c in scope)):
        out.append("territorial_scope must be a list of ISO 3166-1 alpha-2 codes")
    return out


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _alpha2(code: Any) -> bool:
    return isinstance(code, str) and len(code) == 2 and code.isascii() and code.isupper()
