"""Statements of reasons in the DSA Transparency Database's own field names (pure).

``statement_of_reasons(case_data, case_id)`` builds the statement for a restrictive takedown
decision with the Transparency Database (TDB) API field names and enumeration keys
(``decision_visibility``, ``decision_ground``, ``category``, ``territorial_scope``,
``content_type``, ``source_type``, ``automated_detection``, ``automated_decision``,
``puid``...); :func:`onshore.core.cases.dsa_schema.dsa_problems` checks one against the
rules of the TDB's ``StatementStoreRequest``. ``export_batch`` wraps statements as the TDB
multi-statement body ``{"statements": [...]}`` (at most 100 per call), refusing to export
any that does not validate.

The TDB only knows EEA territories: a restriction scoped to Viet Nam alone carries an empty
``territorial_scope`` there; the case keeps the full scope.

Example:
    >>> from onshore.core.cases.dsa_schema import dsa_problems
    >>> data = {"notice": {"source": "trusted_flagger", "sender": {"name": "Flagger Org"},
    ...          "content": [{"url": "https://e.vn/p/1", "content_type": "CONTENT_TYPE_TEXT"}],
    ...          "received_at": "2026-08-03T09:00:00+00:00"},
    ...         "decision": {"action": "remove", "ground": "terms", "terms_ground": "ToS 4.2",
    ...          "explanation": "spam links", "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"},
    ...         "enforcement": {"at": "2026-08-03T12:00:00+00:00"}}
    >>> s = statement_of_reasons(data, "takedown-1")
    >>> s["decision_visibility"], s["source_type"], dsa_problems(s)
    (['DECISION_VISIBILITY_CONTENT_REMOVED'], 'SOURCE_TRUSTED_FLAGGER', [])"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from onshore.core.cases.dsa_schema import EEA, validate
from onshore.core.cases.takedowns import SOURCES
from onshore.core.errors import InputError


def statement_of_reasons(data: Mapping[str, Any], case_id: str) -> dict[str, Any]:
    """The TDB statement for a case's restrictive decision (``remove`` or ``restrict``)."""
    notice: Mapping[str, Any] = data.get("notice") or {}
    decision: Mapping[str, Any] = data.get("decision") or {}
    action = decision.get("action")
    if action not in ("remove", "restrict"):
        raise InputError(
            "only a remove or restrict decision has a DSA statement of reasons",
            details={"action": action},
        )
    refs = [r for r in notice.get("content") or [] if isinstance(r, Mapping)]
    types = sorted({str(r.get("content_type")) for r in refs if r.get("content_type")})
    out: dict[str, Any] = {
        "decision_visibility": [
            "DECISION_VISIBILITY_CONTENT_REMOVED"
            if action == "remove"
            else "DECISION_VISIBILITY_CONTENT_DISABLED"
        ],
        "content_type": types or ["CONTENT_TYPE_OTHER"],
        "category": decision.get("category") or "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        "territorial_scope": _eea_scope(action, decision.get("territorial_scope")),
        "content_date": _day(_first(r.get("posted_at") for r in refs) or notice.get("received_at")),
        "application_date": _day(
            (data.get("enforcement") or {}).get("at")
            or decision.get("at")
            or notice.get("received_at")
        ),
        "decision_facts": str(decision.get("explanation") or ""),
        "source_type": SOURCES.get(str(notice.get("source")), "SOURCE_ARTICLE_16"),
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": _puid(case_id),
    }
    if "CONTENT_TYPE_OTHER" in out["content_type"]:
        out["content_type_other"] = "not specified in the notice"
    if decision.get("ground") == "law":
        out["decision_ground"] = "DECISION_GROUND_ILLEGAL_CONTENT"
        out["illegal_content_legal_ground"] = str(decision.get("legal_ground") or "")
        out["illegal_content_explanation"] = str(decision.get("explanation") or "")
    else:
        out["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        out["incompatible_content_ground"] = str(decision.get("terms_ground") or "")
        out["incompatible_content_explanation"] = str(decision.get("explanation") or "")
        out["incompatible_content_illegal"] = "Yes" if decision.get("also_illegal") else "No"
    if out["source_type"] in ("SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION"):
        name = (notice.get("sender") or {}).get("name")
        if name:
            out["source_identity"] = str(name)[:500]
    if decision.get("reference_url"):
        out["decision_ground_reference_url"] = str(decision["reference_url"])
    return out


def _first(values: Any) -> Any:
    return next((v for v in values if v), None)


def _day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value or "")[:10]


def _puid(case_id: str) -> str:
    return re.sub(r"[^a-zA-Z0-9\-_]", "-", case_id)[:500]


def _eea_scope(action: Any, scope: Any) -> list[str]:
    if action == "remove" and not scope:
        return list(EEA)
    return sorted(c for c in (scope or []) if c in EEA)


def export_batch(statements: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """TDB multi-statement bodies, ``{"statements": [...]}`` of at most 100 each; every
    statement is validated first (``InputError`` on the first invalid one)."""
    for s in statements:
        validate(s)
    chunks = [list(statements[i : i + 100]) for i in range(0, len(statements), 100)]
    return [{"statements": [dict(s) for s in chunk]} for chunk in chunks]
