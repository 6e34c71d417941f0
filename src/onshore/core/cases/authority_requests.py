"""Authority data requests: the lifecycle table, process types and reason codes (pure).

The table below is the single source of truth for the workflow (``docs/authority-requests.md``
embeds ``REQUESTS.markdown()``; a test checks they agree).

Normal path: received -> authenticating -> classified -> legal_review -> (rejected |
narrowing | preserved | approved) -> residency_check -> collecting -> redaction_qa ->
packaged -> release_approval -> produced -> user_notice_pending -> notified -> closed.
``withdraw`` leads from any pre-production state to ``withdrawn``. The emergency path
(process type ``emergency`` only) goes from ``received`` straight to ``residency_check``
on an approver's word; once produced, such a case must pass ``emergency_review`` (a legal
reviewer who did not declare the emergency) before the user-notice steps or closing.

Example:
    >>> REQUESTS.step("legal_review", "approve").target
    'approved'
    >>> sorted(REQUESTS.step("release_approval", "release").roles)
    ['approver']
"""

from __future__ import annotations

from onshore.core.cases.lifecycle import Lifecycle, Transition, rows

KIND = "authority_request"

#: Legal process types (issue 7): what the authority served.
PROCESS_TYPES: dict[str, str] = {
    "preservation": "preserve data pending further process (no production)",
    "production_order": "order to produce data",
    "court_order": "court order",
    "warrant": "search warrant",
    "emergency": "emergency disclosure request (imminent danger of death or serious harm)",
    "mutual_legal_assistance": "request through a mutual legal assistance treaty (MLAT)",
}

#: Why a request is rejected (a rejection must carry one).
REASON_CODES: dict[str, str] = {
    "authority_not_verified": "the request did not come through a verified channel",
    "invalid_legal_process": "the legal process is defective or does not compel disclosure",
    "no_jurisdiction": "the authority has no jurisdiction over this data or service",
    "overbroad": "the scope is too broad and the authority declined to narrow it",
    "no_data": "no data exists within the scope",
    "cross_border_blocked": "the policy engine did not allow the cross-border disclosure",
    "duplicate": "a duplicate of another request",
    "other": "another reason, explained in the note",
}

#: Who does what (the HTTP permission matrix maps the same roles).
OPERATOR, REVIEWER, APPROVER, ADMIN = "operator", "legal_reviewer", "approver", "admin"

PRE_PRODUCTION: tuple[str, ...] = (
    "received",
    "authenticating",
    "classified",
    "legal_review",
    "narrowing",
    "preserved",
    "approved",
    "residency_check",
    "collecting",
    "redaction_qa",
    "packaged",
    "release_approval",
)

_OPS = frozenset({OPERATOR, ADMIN})
_REV = frozenset({REVIEWER})
_APP = frozenset({APPROVER})
_OPS_REV = frozenset({OPERATOR, REVIEWER, ADMIN})


def _t(source: str, action: str, target: str, roles: frozenset[str], *guards: str) -> Transition:
    return Transition(source, action, target, roles, tuple(guards))


#: The transitions, one row each (a table: formatting would split the long rows).
_TRANSITIONS: tuple[Transition, ...] = (
    _t("received", "authenticate", "authenticating", _OPS_REV),
    _t("authenticating", "verify", "classified", _OPS_REV, "authority_verified"),
    _t("authenticating", "reject", "rejected", _REV, "requires:reason_code", "reason_known"),
    _t("classified", "submit", "legal_review", _OPS_REV),
    _t("legal_review", "approve", "approved", _REV, "produces_data"),
    _t("legal_review", "reject", "rejected", _REV, "requires:reason_code", "reason_known"),
    _t("legal_review", "narrow", "narrowing", _REV, "requires:reason"),
    _t("legal_review", "preserve", "preserved", _REV),
    _t("narrowing", "resubmit", "legal_review", _OPS_REV, "requires:scope"),
    _t("narrowing", "reject", "rejected", _REV, "requires:reason_code", "reason_known"),
    _t("preserved", "extend_hold", "preserved", _REV, "hold_extendable"),
    _t("preserved", "receive_order", "legal_review", _OPS_REV, "requires:process_type"),
    _t("preserved", "close", "closed", _OPS_REV),
    _t("approved", "check_residency", "residency_check", _OPS),
    _t("residency_check", "collect", "collecting", _OPS, "residency_allowed"),
    _t("residency_check", "block", "rejected", _OPS, "requires:reason_code", "reason_known"),
    _t("collecting", "submit_qa", "redaction_qa", _OPS, "collected"),
    _t("collecting", "reject", "rejected", _REV, "requires:reason_code", "reason_known"),
    _t("redaction_qa", "recollect", "collecting", _OPS_REV),
    _t("redaction_qa", "package", "packaged", _OPS),
    _t("packaged", "request_release", "release_approval", _OPS_REV),
    _t("release_approval", "send_back", "redaction_qa", _APP, "requires:reason"),
    _t("release_approval", "release", "produced", _APP,
       "distinct_from:approve|narrow|preserve", "package_intact"),
    _t("produced", "hold_notice", "user_notice_pending", _OPS_REV,
       "not_emergency_unreviewed", "has_ndo"),
    _t("produced", "notify_user", "notified", _OPS_REV, "not_emergency_unreviewed", "no_ndo"),
    _t("produced", "close", "closed", _OPS_REV, "not_emergency_unreviewed",
       "requires:notice_waived_reason"),
    _t("produced", "post_review", "emergency_review", _REV,
       "emergency_case", "distinct_from:declare_emergency|release"),
    _t("emergency_review", "hold_notice", "user_notice_pending", _OPS_REV, "has_ndo"),
    _t("emergency_review", "notify_user", "notified", _OPS_REV, "no_ndo"),
    _t("emergency_review", "close", "closed", _OPS_REV, "requires:notice_waived_reason"),
    _t("user_notice_pending", "notify_user", "notified", _OPS_REV, "no_ndo"),
    _t("user_notice_pending", "close", "closed", _OPS_REV, "requires:notice_waived_reason"),
    _t("notified", "close", "closed", _OPS_REV),
    _t("rejected", "close", "closed", _OPS_REV),
    _t("received", "declare_emergency", "residency_check", _APP,
       "emergency_process", "requires:justification"),
    *rows(PRE_PRODUCTION, "withdraw", "withdrawn", _OPS_REV),
)  # fmt: skip  # one transition per line: from, action, to, roles, guards

REQUESTS = Lifecycle(
    name=KIND,
    initial="received",
    terminal=frozenset({"closed", "withdrawn"}),
    transitions=_TRANSITIONS,
)
