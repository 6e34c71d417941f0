"""Bar and stacked-bar charts as accessible SVG text (pure: no I/O, no clock).

A :class:`Chart` has one category per bar (an authority, an outcome, a month) and one
:class:`Series` per stacked segment; a value is a count, ``0``, or ``None`` for a count the
caller suppressed (small-count suppression happens before the chart, in
:mod:`onshore.core.cases.transparency`). A suppressed value draws no bar: its place shows
``Chart.suppressed_text`` (e.g. ``< 5``), so neither its size nor its number can be read
from the picture. The scale comes from the visible values only.

The SVG is ``role="img"``, labelled by its ``<title>`` and ``<desc>``; every bar carries a
``<title>`` of its own (series, category and value); colours are dark enough for 3:1
against white (WCAG 1.4.11) and stacked segments are parted by a white line. Callers put
the same figures in a table next to the chart for screen readers and for copying.

Example:
    >>> svg = bar_chart(Chart("c1", "Requests", "Requests per country", ("VN", "SG"),
    ...                       (Series("requests", (12, None)),), suppressed_text="< 5"))
    >>> svg.startswith("<svg") and svg.count('class="bar"'), "&lt; 5" in svg
    (1, True)
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

#: Fill colours, in series order: each has at least 4.5:1 contrast against white.
PALETTE: tuple[str, ...] = (
    "#1d4f91",
    "#a84300",
    "#2b6a36",
    "#6b2f8a",
    "#8a1c4a",
    "#4a4a4a",
)
_TEXT = "#222222"
#: Longest category label drawn (tilted); longer ones are cut with an ellipsis.
_LONGEST = 22
_GRID = "#767676"


@dataclass(frozen=True, slots=True)
class Series:
    """One series: its legend name and one value per category (``None``: suppressed)."""

    name: str
    values: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw: ``ident`` is unique in the page (it prefixes the element ids)."""

    ident: str
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    suppressed_text: str = "<5"

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for "
                    f"{len(self.categories)} categories"
                )
            if any(v is not None and v < 0 for v in s.values):
                raise ValueError(f"series {s.name!r} has a negative value")

    def bars(self) -> int:
        """How many bars (segments) the chart draws: the visible values above zero."""
        return sum(1 for s in self.series for v in s.values if v)


def nice_ticks(top: int, most: int = 5) -> list[int]:
    """Axis ticks from 0 to at least ``top``: steps of 1, 2 or 5 times a power of ten.

    Example:
        >>> nice_ticks(0), nice_ticks(7), nice_ticks(230)
        ([0, 1], [0, 2, 4, 6, 8], [0, 50, 100, 150, 200, 250])
    """
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    count = -(-top // step)
    return [i * step for i in range(count + 1)]


def _text(x: float, y: float, body: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(body)}</text>'


def bar_chart(chart: Chart, *, width: int = 480, plot_height: int = 180) -> str:
    """The chart as an SVG element (a string, safe to put in HTML as it is).

    One bar per category; several series stack from the bottom in series order. A single
    series writes each value above its bar.
    """
    n = max(len(chart.categories), 1)
    stacks = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
    ticks = nice_ticks(max(stacks, default=0))
    left, right, top = 44, 12, 18
    band = (width - left - right) / n
    longest = max((len(c) for c in chart.categories), default=0)
    tilt = band < 40 and longest * 7 > band * 0.9  # many categories: tilt their labels
    shown = min(longest, _LONGEST)
    for _ in range(2):  # a tilted first label must not leave the picture on the left
        if tilt:
            left = max(44, int(shown * 6 - band / 2) + 6)
            band = (width - left - right) / n
    lines = [_wrap(c, band) for c in chart.categories]
    tall = max((len(w) for w in lines), default=1)
    label_room = 16 + (shown * 4 if tilt else 14 * (tall - 1))
    legend = len(chart.series) > 1
    legend_rows = math.ceil(len(chart.series) / 3) if legend else 0
    height = int(top + plot_height + label_room + 8 + legend_rows * 18)
    base = top + plot_height
    scale = plot_height / ticks[-1]
    i = chart.ident
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{i}-title {i}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="12" fill="{_TEXT}">',
        f'<title id="{i}-title">{escape(chart.title)}</title>',
        f'<desc id="{i}-desc">{escape(chart.description)}</desc>',
    ]
    for t in ticks:
        y = base - t * scale
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{_GRID}" stroke-width="{1 if t == 0 else 0.5}"/>'
        )
        out.append(_text(left - 6, y + 4, str(t), text_anchor="end"))
    bar_w = band * 0.6
    for c, name in enumerate(chart.categories):
        x = left + c * band + (band - bar_w) / 2
        out.extend(_stack(chart, c, x, bar_w, base, scale))
        cx = left + c * band + band / 2
        if tilt:
            short = name if len(name) <= _LONGEST else name[: _LONGEST - 1] + "…"
            turn = f"rotate(-35 {cx:.1f} {base + 14:.1f})"
            out.append(_text(cx, base + 14, short, text_anchor="end", transform=turn))
        else:
            for k, line in enumerate(lines[c]):
                out.append(_text(cx, base + 16 + 14 * k, line, text_anchor="middle"))
    if legend:
        out.extend(_legend(chart.series, left, int(base + label_room + 8), width - left))
    out.append("</svg>")
    return "\n".join(out)


def _wrap(label: str, band: float) -> list[str]:
    """``label`` in at most three lines that fit ``band`` (the last cut with an ellipsis)."""
    lines = textwrap.wrap(label, max(int(band / 7), 3)) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][:-1] + "…"]
    return lines


def _stack(chart: Chart, c: int, x: float, w: float, base: float, scale: float) -> list[str]:
    out: list[str] = []
    y = base
    hidden: list[str] = []
    single = len(chart.series) == 1
    for k, s in enumerate(chart.series):
        value = s.values[c]
        label = f"{s.name}: {chart.categories[c]}" if not single else chart.categories[c]
        if value is None:
            hidden.append(label)
            continue
        if value == 0:
            if single:
                out.append(_text(x + w / 2, y - 4, "0", text_anchor="middle"))
            continue
        h = value * scale
        y -= h
        colour = PALETTE[k % len(PALETTE)]
        out.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if single:
            out.append(_text(x + w / 2, y - 4, str(value), text_anchor="middle"))
    if hidden:  # one marker above the bar, whatever the number of hidden segments
        names = "; ".join(f"{label}: {chart.suppressed_text}" for label in hidden)
        out.append(
            f'<g class="suppressed"><title>{escape(names)}</title>'
            + _text(
                x + w / 2, y - 4, chart.suppressed_text, text_anchor="middle", font_style="italic"
            )
            + "</g>"
        )
    return out


def _legend(series: Sequence[Series], x0: int, y0: int, room: int) -> list[str]:
    out = ['<g class="legend">']
    col = room / 3
    for k, s in enumerate(series):
        x = x0 + (k % 3) * col
        y = y0 + (k // 3) * 18
        colour = PALETTE[k % len(PALETTE)]
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 18, y + 10, s.name))
    out.append("</g>")
    return out
