"""The audience-threshold notification dossier: its JSON document, canonical bytes and a
printable HTML page (pure).

Example:
    >>> d = {"schema": SCHEMA, "case_id": "c1", "rule": {"id": "VN-D147-10k", "cite": "D147"},
    ...      "subject": {"id": "acct-1", "type": "account", "country": "VN"},
    ...      "contact": {"name": "An"}, "content_summary": "cooking videos",
    ...      "audience": {"subscribers": 10412, "as_of": "2026-11-20"}}
    >>> len(digest(d)), "10,412" in to_html(d)
    (64, True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from html import escape
from typing import Any

SCHEMA = "onshore.audience-dossier/v1"


def canonical(dossier: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes (sorted keys, no spaces, UTF-8): what the hash covers."""
    return json.dumps(dossier, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(dossier: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical bytes, hex."""
    return hashlib.sha256(canonical(dossier)).hexdigest()


def _num(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}"
    return escape(str(value)) if value is not None else "-"


def to_html(dossier: Mapping[str, Any]) -> str:
    """A printable page (A4, no scripts, no external resources)."""
    rule = dossier.get("rule") or {}
    subject = dossier.get("subject") or {}
    contact = dossier.get("contact") or {}
    audience = dossier.get("audience") or {}
    threshold = dossier.get("threshold") or {}
    rows = [
        ("Rule", f"{escape(str(rule.get('id', '')))}: {escape(str(rule.get('title', '')))}"),
        ("Citation", escape(str(rule.get("cite", "")))),
        ("Notify", escape(" / ".join(str(x) for x in (rule.get("to"), rule.get("form")) if x))),
        ("Account or service", escape(f"{subject.get('id', '')} ({subject.get('type', '')})")),
        ("Country of the audience", escape(str(subject.get("country", "")))),
        (
            "Subscribers / followers",
            f"{_num(audience.get('subscribers'))} "
            f"(as of {escape(str(audience.get('as_of', '-')))})",
        ),
        ("Monthly visits (6-month mean)", _num(audience.get("monthly_visits_avg6m"))),
        (
            "Livestreaming / monetised",
            escape(f"{audience.get('livestreaming', '-')} / {audience.get('monetised', '-')}"),
        ),
        ("Threshold crossed on", escape(str(threshold.get("crossed_on", "-")))),
        ("Due", escape(str(threshold.get("due") or "-"))),
    ]
    contact_rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in contact.items() if v
    )
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    summary = escape(str(dossier.get("content_summary", "")))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Notification dossier {escape(str(dossier.get("case_id", "")))}</title>
<style>
@page {{ size: A4; margin: 18mm; }}
body {{ font: 11pt/1.45 system-ui, sans-serif; color: #111; max-width: 48em; margin: 2em auto; }}
table {{ border-collapse: collapse; width: 100%; margin: 1em 0; }}
th, td {{ text-align: left; vertical-align: top; border-bottom: 1px solid #ccc; padding: .35em; }}
th {{ width: 38%; font-weight: 600; }}
.hash {{ font: 9pt monospace; word-break: break-all; }}
</style></head><body>
<h1>Notification of an audience threshold</h1>
<p>Case {escape(str(dossier.get("case_id", "")))}, prepared
{escape(str(dossier.get("prepared_at", "")))}.</p>
<table>{body}</table>
<h2>Contact details</h2>
<table>{contact_rows}</table>
<h2>Summary of the main content (supplied by the account holder)</h2>
<p>{summary}</p>
<p class="hash">SHA-256 of the JSON dossier: {escape(digest(dossier))}</p>
</body></html>
"""
