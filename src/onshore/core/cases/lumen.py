"""Notices in the shape the Lumen database takes (pure).

Lumen (lumendatabase.org) receives notices as ``{"notice": {...}}`` with ``title``,
``type``, ``date_sent``, ``date_received``, ``jurisdiction_list``, ``action_taken``,
``works_attributes`` (each with ``infringing_urls_attributes``) and
``entity_notice_roles_attributes`` (``sender``, ``recipient``, ``principal``,
``submitter``, each with ``entity_attributes``). A notice keeps the sender, recipient,
content references and jurisdictions in that shape; contact details of an individual
sender are left out (Lumen publishes notices).

Example:
    >>> n = lumen_notice({"notice": {"source": "authority_order",
    ...     "sender": {"name": "MIC", "kind": "authority", "country": "VN"},
    ...     "recipient": {"name": "Example Co", "country": "SG"},
    ...     "content": [{"url": "https://e.vn/p/1"}], "jurisdictions": ["VN"],
    ...     "received_at": "2026-08-03T09:00:00+00:00", "reason": "x"}}, "takedown-1")
    >>> n["notice"]["type"], n["notice"]["jurisdiction_list"]
    ('GovernmentRequest', 'VN')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Notice source -> Lumen notice type.
LUMEN_TYPES = {
    "authority_order": "GovernmentRequest",
    "trusted_flagger": "Other",
    "user_complaint": "Other",
}
#: Decision action -> Lumen ``action_taken``.
ACTION_TAKEN = {"remove": "Yes", "restrict": "Partial", "no_action": "No"}


def lumen_notice(data: Mapping[str, Any], case_id: str) -> dict[str, Any]:
    """The case's notice as a Lumen submission body."""
    notice: Mapping[str, Any] = data.get("notice") or {}
    decision: Mapping[str, Any] = data.get("decision") or {}
    urls = [
        {"url": r["url"]}
        for r in notice.get("content") or []
        if isinstance(r, Mapping) and r.get("url")
    ]
    roles = [
        {"name": "sender", "entity_attributes": _entity(notice.get("sender") or {})},
        {"name": "recipient", "entity_attributes": _entity(notice.get("recipient") or {})},
    ]
    body: dict[str, Any] = {
        "title": f"{LUMEN_TYPES.get(str(notice.get('source')), 'Other')} notice {case_id}",
        "type": LUMEN_TYPES.get(str(notice.get("source")), "Other"),
        "date_sent": str(notice.get("sent_at") or notice.get("received_at") or "")[:10],
        "date_received": str(notice.get("received_at") or "")[:10],
        "subject": str(notice.get("reference") or ""),
        "source": "Online form" if notice.get("source") != "authority_order" else "Letter",
        "jurisdiction_list": ", ".join(notice.get("jurisdictions") or []),
        "action_taken": ACTION_TAKEN.get(str(decision.get("action")), "Unspecified"),
        "works_attributes": [
            {"description": str(notice.get("reason") or ""), "infringing_urls_attributes": urls}
        ],
        "entity_notice_roles_attributes": roles,
    }
    return {"notice": body}


def _entity(party: Mapping[str, Any]) -> dict[str, Any]:
    kind = "individual" if party.get("kind") == "individual" else "organization"
    out: dict[str, Any] = {"name": str(party.get("name") or "(not given)"), "kind": kind}
    if party.get("country"):
        out["country_code"] = str(party["country"])
    if kind == "organization":
        for key in ("address_line_1", "city", "state", "zip", "email", "phone"):
            if party.get(key):
                out[key] = str(party[key])
    return out
