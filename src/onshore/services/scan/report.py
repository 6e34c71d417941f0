"""The scan report: one self-contained HTML page with inline SVG charts (no network).

Charts: findings per category, subjects by inferred country (Viet Nam highlighted),
residency violations per category; then one row per table with what was skipped.

Example:
    >>> from onshore.services.scan.runner import ScanSummary
    >>> summary = ScanSummary()
    >>> summary.categories["email"] = 3
    >>> page = render_html(summary)
    >>> page.startswith("<!doctype html>") and "<svg" in page
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from onshore.ports.sources import Problem
from onshore.services.scan.runner import ScanSummary

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:980px;color:#1d2430;padding:0 1rem}h1{font-size:1.6rem;margin:.2rem 0}
.kpis{display:flex;gap:1rem;flex-wrap:wrap;margin:1.2rem 0}.kpi{flex:1;min-width:150px;
background:#f4f6fa;border-radius:10px;padding:.8rem 1rem}.kpi b{display:block;font-size:1.7rem}
.kpi.bad{background:#fdecec}.kpi.bad b{color:#b42318}section{margin:2rem 0}
table{border-collapse:collapse;width:100%}
td,th{padding:.35rem .5rem;border-bottom:1px solid #e4e7ec;text-align:left;font-size:14px}
th{color:#475467;font-weight:600}.muted{color:#667085}
.ok{color:#067647}.warn{color:#b54708}
"""


def _bars(data: Mapping[str, int], colour: str, *, highlight: str | None = None) -> str:
    items = sorted(data.items(), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return '<p class="muted">Nothing to show.</p>'
    top = max(v for _, v in items) or 1
    row, label_w, bar_w = 26, 170, 640
    height = row * len(items) + 6
    box = f"0 0 {label_w + bar_w + 90} {height}"
    parts = [f'<svg role="img" width="100%" viewBox="{box}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, value) in enumerate(items):
        y = i * row + 4
        w = max(2, int(bar_w * value / top))
        fill = "#d92d20" if highlight and name == highlight else colour
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13">'
            f"{escape(name)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{row - 8}" rx="3" fill="{fill}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="13">{value:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _problem_text(problem: Problem) -> str:
    """A problem's message with its first rows and reasons."""
    if not problem.examples:
        return problem.message
    rows = ", ".join(f"row {row}: {why}" for row, why in problem.examples)
    return f"{problem.message} ({rows})"


def _kpi(label: str, value: str, bad: bool = False) -> str:
    return f'<div class="kpi{" bad" if bad else ""}"><b>{escape(value)}</b>{escape(label)}</div>'


def render_html(summary: ScanSummary, *, title: str = "onshore scan report") -> str:
    """The report page for ``summary``."""
    vn = summary.vn_subject_rows
    kpis = [
        _kpi("findings", f"{summary.findings:,}"),
        _kpi("rows scanned", f"{summary.rows:,}"),
        _kpi("rows with personal data", f"{summary.rows_with_findings:,}"),
        _kpi("rows of Vietnamese subjects", f"{vn:,}"),
    ]
    if summary.located_in:
        kpis.append(
            _kpi(
                f"residency violations (store in {summary.located_in})",
                f"{summary.violations:,}",
                bad=summary.violations > 0,
            )
        )
    tables = []
    for t in summary.tables:
        problems = "; ".join(_problem_text(p) for p in t.problems) or "read in full"
        cls = "ok" if not t.problems else "warn"
        tables.append(
            f"<tr><td>{escape(t.label)}</td><td>{t.rows:,}</td><td>{t.skipped:,}</td>"
            f"<td>{t.findings:,}</td><td class='{cls}'>{escape(problems)}</td></tr>"
        )
    violations = ""
    if summary.located_in:
        violations = (
            f"<section><h2>Residency violations</h2><p class='muted'>Findings of Vietnamese "
            f"subjects in a store located in {escape(summary.located_in)}, where the loaded policy "
            f"packs deny storing that category.</p>"
            f"{_bars(dict(summary.violations_by_category), '#d92d20')}</section>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body><h1>{escape(title)}</h1>
<p class="muted">{len(summary.tables)} table(s) in {summary.seconds:.1f} s.
{"Everything was read." if summary.complete else "Some input could not be read (see Sources)."}</p>
<div class="kpis">{"".join(kpis)}</div>
<section><h2>Personal data by category</h2>{_bars(dict(summary.categories), "#2e90fa")}</section>
<section><h2>Subjects by inferred country</h2>
<p class="muted">Rows with personal data, by the country their phone, ID, address or IP
points to.</p>
{_bars(dict(summary.subject_countries), "#98a2b3", highlight="VN")}</section>
{violations}
<section><h2>Sources</h2><table><tr><th>table</th><th>rows read</th><th>rows skipped</th>
<th>findings</th><th>status</th></tr>{"".join(tables)}</table></section>
</body></html>
"""
