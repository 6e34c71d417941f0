"""The transfer impact-assessment dossier: each form's sections, filled from what is known
(pure).

:data:`FORMS` lists each form's sections with what the law requires in each: Decree 13
(Form 06 of its annex, art. 25.2), the PDP Law 2025 with Decree 356 (Form 09, arts. 17-18)
and, for an exporter in the EU, a transfer impact assessment after the EDPB's
Recommendations 01/2020 (GDPR arts. 44-46). :func:`form_for` picks the form from the rule
that owed the dossier (or the exporter's country). :func:`draft` fills every section from
the register's summary of the route, the deployment's facts (``[transfers]``) and the facts
recorded on the case; a section with nothing known is ``to_complete`` and says what the law
requires there. :func:`to_markdown` and :func:`to_html` render it for a reader.

Example:
    >>> doc = draft({"destination": "SG", "artifact": "tia_dossier", "rules": ["VN-D13-25"],
    ...              "from_country": "VN"}, {"records": 3, "categories": ["email"]},
    ...             {"controller_name": "Example JSC"}, {})
    >>> doc["form"], doc["sections"][0]["status"]
    ('vn-d13-form06', 'known')
    >>> "recipient" in doc["to_complete"]
    True
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from onshore.core.policy.countries import expand

#: What a section the draft cannot fill reads.
TO_COMPLETE = "TO COMPLETE"

#: Where each section's facts come from: (section id, title, what the law requires there).
Section = tuple[str, str, str]

_VN_COMMON: tuple[Section, ...] = (
    (
        "sender",
        "The sender (data exporter)",
        "Name, address and contact of the organisation "
        "transferring the data, and its business registration.",
    ),
    (
        "protection_officer",
        "Person in charge of personal-data protection",
        "Full name and contact of the person or department in charge at the sender.",
    ),
    (
        "recipient",
        "The recipient (data importer)",
        "Name, address and contact of the "
        "recipient abroad, and its role (controller, processor, third party).",
    ),
    ("destination", "Destination country", "The country the data goes to."),
    (
        "purposes",
        "Purposes of processing after the transfer",
        "Description and explanation of the purposes for which the recipient processes the data.",
    ),
    (
        "categories",
        "Types of personal data transferred",
        "Description of the types of personal data (basic, sensitive) transferred.",
    ),
    ("volume", "Volume and period", "How many records and data subjects, since when."),
    ("legal_basis", "Legal basis", "The provisions under which the transfer is made."),
    (
        "protection_measures",
        "Protection measures",
        "The technical and organisational "
        "measures that protect the data, at the sender and the recipient.",
    ),
    (
        "risk_assessment",
        "Impact assessment",
        "The likely consequences and harms of the "
        "transfer, and the measures that reduce or remove them.",
    ),
    (
        "consent",
        "Consent of the data subjects",
        "How the subjects consented and were informed, with the means to complain and be answered.",
    ),
    (
        "contract",
        "Binding document between sender and recipient",
        "The contract or other "
        "written document binding both parties on the protection of the data.",
    ),
)

#: Each form: its title, the provision that asks for it, its sections.
FORMS: dict[str, tuple[str, str, tuple[Section, ...]]] = {
    "vn-d13-form06": (
        "Transfer impact assessment dossier (Decree 13/2023, Form 06)",
        "Decree 13/2023/ND-CP, art. 25.2 and Form 06 of its annex",
        _VN_COMMON,
    ),
    "vn-d356-form09": (
        "Dossier assessing the impact of transferring personal data abroad (PDP Law 2025, "
        "Decree 356/2025, Form 09)",
        "Law 91/2025/QH15 arts. 20-22; Decree 356/2025/ND-CP arts. 17-18 and Form 09",
        _VN_COMMON,
    ),
    "eu-tia": (
        "Transfer impact assessment (GDPR arts. 44-46, EDPB Recommendations 01/2020)",
        "Regulation (EU) 2016/679 arts. 44-46; EDPB Recommendations 01/2020",
        (
            ("sender", "Data exporter", "Name, address and contact of the exporter."),
            ("protection_officer", "Data protection officer", "The DPO's contact."),
            ("recipient", "Data importer", "Name, address, contact and role of the importer."),
            ("destination", "Third country", "Step 1: the country of destination."),
            ("purposes", "Purposes", "Step 1: what the data is transferred for."),
            ("categories", "Categories of data", "Step 1: the categories transferred."),
            ("volume", "Volume and period", "Step 1: how much, how often, since when."),
            ("legal_basis", "Legal basis", "The provisions under which it is decided."),
            ("transfer_tool", "Transfer tool", "Step 2: the art. 46 tool relied on."),
            (
                "third_country_law",
                "Law and practice of the third country",
                "Step 3: "
                "whether public authorities' access there impinges on the tool's safeguards.",
            ),
            (
                "protection_measures",
                "Supplementary measures",
                "Step 4: technical, "
                "contractual and organisational measures bringing protection to EU level.",
            ),
            ("risk_assessment", "Assessment", "Steps 3-4: the risk that remains."),
            ("contract", "Procedural steps", "Step 5: the clauses signed, and where kept."),
        ),
    ),
}


def form_for(rules: list[str], from_country: str | None) -> str:
    """The form a dossier takes: Form 09 when Decree 356 or the PDP Law owes it, Form 06
    when Decree 13 does, the EU assessment for an exporter in the EU.

    Example:
        >>> form_for(["VN-D356-17-18"], "VN"), form_for([], "FR")
        ('vn-d356-form09', 'eu-tia')
    """
    if any(r.startswith(("VN-D356", "VN-PDPL")) for r in rules):
        return "vn-d356-form09"
    if any(r.startswith("VN-") for r in rules) or from_country == "VN":
        return "vn-d13-form06"
    if from_country and from_country in expand("EU"):
        return "eu-tia"
    return "vn-d356-form09"


def _seconds(moment: Any) -> str:
    """An ISO time to the second (the register keeps microseconds)."""
    try:
        return datetime.fromisoformat(str(moment)).replace(microsecond=0).isoformat()
    except ValueError:
        return str(moment)


def _joined(*parts: Any) -> str | None:
    got = [str(p) for p in parts if p not in (None, "", [])]
    return "; ".join(got) if got else None


def _known(
    case: Mapping[str, Any],
    register: Mapping[str, Any],
    sender: Mapping[str, Any],
    facts: Mapping[str, Any],
) -> dict[str, tuple[Any, str]]:
    """Each section's value and where it came from (None: not known)."""
    cats = register.get("categories")
    volume = None
    if register.get("records"):
        volume = (
            f"{register['records']} records of {register.get('subjects', 0)} data subjects "
            f"transferred from {_seconds(register.get('first_transfer_at'))} to "
            f"{_seconds(register.get('last_transfer_at'))}"
        )
    purposes = list(facts.get("purposes") or []) or [
        p for p in register.get("purposes") or [] if p != "not recorded"
    ]
    return {
        "sender": (
            _joined(
                sender.get("controller_name"),
                sender.get("address"),
                sender.get("contact"),
                sender.get("registration") and f"registration {sender['registration']}",
            )
            if sender.get("controller_name")
            else None,
            "settings",
        ),
        "protection_officer": (sender.get("protection_officer"), "settings"),
        "recipient": (
            _joined(facts.get("recipient"), facts.get("recipient_role"))
            if facts.get("recipient")
            else None,
            "case",
        ),
        "destination": (case.get("destination"), "register"),
        "purposes": (purposes or None, "case" if facts.get("purposes") else "register"),
        "categories": (cats if isinstance(cats, list) and cats else None, "register"),
        "volume": (volume, "register"),
        "legal_basis": (
            sorted({*case.get("rules", []), *register.get("legal_basis", [])}) or None,
            "register",
        ),
        "protection_measures": (facts.get("protection_measures"), "case"),
        "risk_assessment": (facts.get("risk_assessment"), "case"),
        "consent": (facts.get("consent"), "case"),
        "contract": (facts.get("contract"), "case"),
        "transfer_tool": (facts.get("transfer_tool"), "case"),
        "third_country_law": (facts.get("third_country_law"), "case"),
    }


def draft(
    case: Mapping[str, Any],
    register: Mapping[str, Any],
    sender: Mapping[str, Any],
    facts: Mapping[str, Any],
    *,
    form: str | None = None,
) -> dict[str, Any]:
    """The dossier for ``case`` (its data: region, destination, artifact, rules), from the
    register's ``summarise`` of the route, the ``[transfers]`` facts and the case's facts."""
    form = (
        form
        or case.get("form_id")
        or form_for(list(case.get("rules", [])), case.get("from_country"))
    )
    title, cite, sections = FORMS[form]
    known = _known(case, register, sender, facts)
    out = []
    for sid, heading, requires in sections:
        value, source = known[sid]
        out.append(
            {
                "id": sid,
                "title": heading,
                "requires": requires,
                "value": value,
                "source": source if value is not None else None,
                "status": "known" if value is not None else "to_complete",
            }
        )
    return {
        "form": form,
        "title": title,
        "cite": cite,
        "artifact": case.get("artifact"),
        "authority": case.get("authority"),
        "region": case.get("region"),
        "destination": case.get("destination"),
        "sections": out,
        "to_complete": [s["id"] for s in out if s["status"] == "to_complete"],
    }


def digest(dossier: Mapping[str, Any]) -> str:
    """The SHA-256 of a dossier as canonical JSON (what the ledger records on filing)."""
    body = json.dumps(dossier, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _text(value: Any) -> str:
    if value is None:
        return TO_COMPLETE
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_markdown(doc: Mapping[str, Any]) -> str:
    """The dossier as Markdown (a section not known reads TO COMPLETE and what is required)."""
    lines = [
        f"# {doc['title']}",
        "",
        f"- Required by: {doc['cite']}",
        f"- Filed with: {doc.get('authority') or TO_COMPLETE}",
        f"- Route: {doc.get('region')} -> {doc.get('destination')}",
        "",
    ]
    for n, s in enumerate(doc["sections"], 1):
        lines += [f"## {n}. {s['title']}", "", _text(s["value"]).replace("\n", " ")]
        if s["status"] == "to_complete":
            lines += ["", f"*Required:* {s['requires']}"]
        lines.append("")
    if doc["to_complete"]:
        lines.append("To complete: " + ", ".join(doc["to_complete"]))
    return "\n".join(lines) + "\n"


def to_html(doc: Mapping[str, Any]) -> str:
    """The dossier as one printable HTML page (every value escaped)."""
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(doc['title'])}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto}"
        ".to-complete{color:#a00;font-weight:bold}.requires{color:#555}</style></head><body>",
        f"<h1>{esc(doc['title'])}</h1>",
        f"<p>Required by {esc(doc['cite'])}; filed with "
        f"{esc(str(doc.get('authority') or TO_COMPLETE))}; route {esc(str(doc.get('region')))}"
        f" &rarr; {esc(str(doc.get('destination')))}.</p>",
    ]
    for n, s in enumerate(doc["sections"], 1):
        cell = esc(_text(s["value"]))
        parts.append(f"<section><h2>{n}. {esc(s['title'])}</h2>")
        if s["status"] == "to_complete":
            parts.append(f'<p class="to-complete">{cell}</p>')
            parts.append(f'<p class="requires">Required: {esc(s["requires"])}</p>')
        else:
            parts.append(f"<p>{cell}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
