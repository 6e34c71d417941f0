"""What each law's breach notification must contain, filled from a case (pure).

:data:`CONTENTS` lists, per rule and audience (``authority`` or ``subjects``), the elements
the law asks for, with the provision that asks; :func:`notification` fills them from what
the case knows (its details and its per-country counts) and marks every element not known
yet as missing (``value`` null, named under ``missing``); :func:`to_markdown` and
:func:`to_html` render a notification for a reader. A notification sent after its deadline
carries the reason for the delay (GDPR art. 33(1), Decree 13 art. 23).

Example:
    >>> doc = notification(Owed("EU-GDPR-33", "authority", "SA", "FR", None),
    ...     {"nature": "a laptop was stolen"}, {"subjects": 12, "records": 30})
    >>> doc["contents"]["approximate_subjects"], doc["missing"][:2]
    (12, ['data_categories', 'subject_categories'])
    >>> "NOT KNOWN YET" in to_markdown(doc)
    True
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Every element a notification may carry, with the label a reader sees.
ELEMENTS: dict[str, str] = {
    "nature": "Nature of the breach (what happened)",
    "occurred": "When and where it happened",
    "discovered_at": "When it was discovered",
    "data_categories": "Categories of personal data concerned",
    "subject_categories": "Categories of data subjects concerned",
    "approximate_subjects": "Approximate number of data subjects concerned",
    "approximate_records": "Approximate number of records concerned",
    "contact": "Contact point for more information",
    "consequences": "Likely consequences of the breach",
    "measures_taken": "Measures taken to address the breach",
    "measures_proposed": "Measures proposed, including to mitigate its effects",
    "cause": "Circumstances and reasons that led to the breach",
    "person_responsible": "Findings about the person who caused the breach",
    "remedial_measures": "Remedial measures to prevent a recurrence",
    "subject_notice": "Report of the notices given to the data subjects",
    "subject_advice": "What the data subjects can do to protect themselves",
    "late_reason": "Reasons for the delay",
}

_TO_AUTHORITY_GDPR = (
    "nature",
    "data_categories",
    "subject_categories",
    "approximate_subjects",
    "approximate_records",
    "contact",
    "consequences",
    "measures_taken",
    "measures_proposed",
)
_TO_SUBJECTS = ("nature", "contact", "consequences", "measures_taken", "measures_proposed")
_VN = (
    "nature",
    "occurred",
    "discovered_at",
    "data_categories",
    "approximate_subjects",
    "approximate_records",
    "contact",
    "consequences",
    "measures_taken",
)


@dataclass(frozen=True, slots=True)
class Content:
    """What one law asks a notification to contain, and where it says so."""

    elements: tuple[str, ...]
    cite: str


#: Per (rule id, audience): the elements the law asks for.
CONTENTS: dict[tuple[str, str], Content] = {
    ("VN-D13-23", "authority"): Content(_VN, "Decree 13/2023/ND-CP art. 23(3) (Form 03)"),
    ("VN-PDPL-breach", "authority"): Content(
        _VN, "Law 91/2025/QH15 (contents as Decree 13/2023/ND-CP art. 23(3))"
    ),
    ("EU-GDPR-33", "authority"): Content(_TO_AUTHORITY_GDPR, "GDPR art. 33(3)(a)-(d)"),
    ("EU-GDPR-34", "subjects"): Content(_TO_SUBJECTS, "GDPR art. 34(2), with art. 33(3)(b)-(d)"),
    ("NG-NDPA-40", "authority"): Content(_TO_AUTHORITY_GDPR, "NDPA 2023 s.40"),
    ("NG-NDPA-40", "subjects"): Content(_TO_SUBJECTS, "NDPA 2023 s.40"),
    ("IN-DPDP-breach", "authority"): Content(
        (
            "nature",
            "occurred",
            "approximate_subjects",
            "consequences",
            "cause",
            "measures_taken",
            "measures_proposed",
            "person_responsible",
            "remedial_measures",
            "subject_notice",
            "contact",
        ),
        "DPDP Rules 2025 rule 7(2)",
    ),
    ("IN-DPDP-breach", "subjects"): Content(
        ("nature", "occurred", "consequences", "measures_taken", "subject_advice", "contact"),
        "DPDP Rules 2025 rule 7(1)",
    ),
}

#: The elements for a rule the table does not know: the common core (GDPR-like).
DEFAULT_CONTENT = Content(_TO_AUTHORITY_GDPR, "the rule's own text (contents not tabulated)")


@dataclass(frozen=True, slots=True)
class Owed:
    """One notification a rule owes: to whom (``audience`` authority or subjects, ``to``
    the pack's authority id), for the subjects of ``country``, by ``due`` (None: without
    undue delay)."""

    rule: str
    audience: str
    to: str
    country: str
    due: datetime | None
    authority: str = ""
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "audience": self.audience,
            "to": self.to,
            "authority": self.authority,
            "country": self.country,
            "due": self.due.isoformat() if self.due else None,
            "title": self.title,
        }


def content_of(rule: str, audience: str) -> Content:
    """The elements ``rule`` asks a notification to ``audience`` to contain."""
    return CONTENTS.get((rule, audience), DEFAULT_CONTENT)


def _known(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return bool(value)
    return True


def notification(
    owed: Owed,
    details: Mapping[str, Any],
    counts: Mapping[str, Any],
    *,
    late_reason: str | None = None,
    late: bool = False,
) -> dict[str, Any]:
    """The notification ``owed`` asks for, filled from the case's ``details`` and the
    ``counts`` of its country's subjects (``subjects``, ``records``); an element nobody
    knows yet is None and named under ``missing``. ``late`` adds the reason for the delay."""
    content = content_of(owed.rule, owed.audience)
    elements = list(content.elements) + (["late_reason"] if late else [])
    known: dict[str, Any] = {
        **{k: v for k, v in details.items() if k in ELEMENTS},
        "approximate_subjects": counts.get("subjects"),
        "approximate_records": counts.get("records"),
        "late_reason": late_reason,
    }
    if not _known(known.get("data_categories")) and counts.get("categories"):
        known["data_categories"] = sorted(counts["categories"])
    filled = {e: known.get(e) if _known(known.get(e)) else None for e in elements}
    return {
        **owed.to_dict(),
        "cite": content.cite,
        "late": late,
        "contents": filled,
        "missing": [e for e in elements if filled[e] is None],
    }


def digest(documents: Any) -> str:
    """The SHA-256 of notifications as canonical JSON (what the ledger records)."""
    body = json.dumps(documents, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _text(value: Any) -> str:
    if value is None:
        return "NOT KNOWN YET"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _heading(doc: Mapping[str, Any]) -> str:
    whom = doc["authority"] or doc["to"] if doc["audience"] == "authority" else "data subjects"
    return f"Personal data breach notification to {whom} ({doc['rule']}, {doc['country']})"


def _due(doc: Mapping[str, Any]) -> str:
    return str(doc["due"]) if doc["due"] else "without undue delay"


def to_markdown(doc: Mapping[str, Any]) -> str:
    """One notification as Markdown (what is not known reads NOT KNOWN YET)."""
    lines = [
        f"# {_heading(doc)}",
        "",
        f"- Required by: {doc['cite']}",
        f"- Due: {_due(doc)}" + (" (sent late)" if doc.get("late") else ""),
        "",
        "| Element | Content |",
        "|---|---|",
    ]
    for element, value in doc["contents"].items():
        cell = _text(value).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {ELEMENTS[element]} | {cell} |")
    if doc["missing"]:
        lines += ["", "Missing: " + ", ".join(ELEMENTS[e] for e in doc["missing"])]
    return "\n".join(lines) + "\n"


def to_html(docs: list[Mapping[str, Any]], title: str = "Breach notifications") -> str:
    """Notifications as one printable HTML page (every value escaped)."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto}"
        "th{text-align:left;vertical-align:top;padding-right:1em}"
        ".missing{color:#a00;font-weight:bold}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for doc in docs:
        late = " (sent late)" if doc.get("late") else ""
        parts += [
            f"<section><h2>{html.escape(_heading(doc))}</h2>",
            f"<p>Required by {html.escape(str(doc['cite']))}; due "
            f"{html.escape(_due(doc))}{late}.</p><table>",
        ]
        for element, value in doc["contents"].items():
            cell = html.escape(_text(value))
            if value is None:
                cell = f'<span class="missing">{cell}</span>'
            parts.append(f"<tr><th>{html.escape(ELEMENTS[element])}</th><td>{cell}</td></tr>")
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
