"""The readable HTML summary of a data-subject access/copy package (pure).

The package's machine-readable part is ``records/<kind>.jsonl`` (every field of every
record, one JSON object a line); ``summary.html`` says the same for a person: which regions
hold the subject's data, how many records of which kinds and categories, and each record's
fields. Every value is escaped. The page is written on one line (no newline characters), so
the verifier's record count (lines of the listed files) counts the JSON Lines rows only.

Example:
    >>> page = summary_html({"case_id": "dsr-1", "request_type": "access",
    ...     "packaged_at": "2026-12-07T00:00:00+00:00", "regions": ["vn-hcm"]},
    ...     [{"record_id": "r1", "kind": "profile", "region": "vn-hcm",
    ...       "created_at": "2026-01-01", "categories": ["email"],
    ...       "data": {"email": "<a@b.vn>"}}])
    >>> "&lt;a@b.vn&gt;" in page, "\\n" in page
    (True, False)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}"
    "th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#eee}"
)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape(text).replace("\n", "<br>")


def summary_html(meta: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    """The summary page of a package whose manifest fields are ``meta`` and whose records
    are ``rows`` (as written to the JSON Lines files)."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Your data ({escape(str(meta.get('case_id')))})</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>Your personal data</h1>",
        f"<p>Request <code>{escape(str(meta.get('case_id')))}</code> "
        f"({escape(str(meta.get('request_type')))}), assembled "
        f"{escape(str(meta.get('packaged_at')))}. The same data, machine-readable, is in "
        "the <code>records/</code> files of this package (JSON Lines).</p>",
        "<h2>Where it is kept</h2><table><thead><tr><th scope='col'>Region</th>"
        "<th scope='col'>Records</th><th scope='col'>Kinds</th></tr></thead><tbody>",
    ]
    for region in meta.get("regions") or []:
        mine = [r for r in rows if r.get("region") == region]
        kinds = ", ".join(sorted({str(r.get("kind")) for r in mine}))
        parts.append(
            f"<tr><td>{escape(region)}</td><td>{len(mine)}</td><td>{escape(kinds)}</td></tr>"
        )
    parts.append("</tbody></table><h2>The records</h2>")
    for row in rows:
        cats = ", ".join(str(c) for c in row.get("categories") or [])
        parts.append(
            f"<h3>{escape(str(row.get('kind')))} <code>{escape(str(row.get('record_id')))}</code>"
            f"</h3><p>Region {escape(str(row.get('region')))}, created "
            f"{escape(str(row.get('created_at')))}; categories: {escape(cats) or '-'}</p>"
            "<table><thead><tr><th scope='col'>Field</th><th scope='col'>Value</th></tr>"
            "</thead><tbody>"
        )
        for name, value in (row.get("data") or {}).items():
            parts.append(f"<tr><td>{escape(str(name))}</td><td>{_cell(value)}</td></tr>")
        parts.append("</tbody></table>")
    if not rows:
        parts.append("<p>No record of yours is held.</p>")
    parts.append("</main></body></html>")
    return "".join(parts).replace("\n", " ")
