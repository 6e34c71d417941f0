"""The SVG chart module: well-formed, accessible SVG with one bar per visible count, and
suppressed counts drawn as their marker only (never as a bar or a number)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.svgchart import PALETTE, Chart, Series, bar_chart, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{{{NS['svg']}}}text")]


def relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_single_series_has_a_bar_per_visible_count_and_labels() -> None:
    chart = Chart(
        "c",
        "Requests",
        "Per country",
        ("VN", "SG", "TH", "US"),
        (Series("requests", (12, None, 0, 7)),),
        suppressed_text="< 5",
    )
    root = parse(bar_chart(chart))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find("svg:title", NS) is not None
    assert root.find("svg:title", NS).text == "Requests"  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == "Per country"  # type: ignore[union-attr]
    assert len(bars(root)) == 2 == chart.bars()
    shown = texts(root)
    for label in ("VN", "SG", "TH", "US", "12", "7", "< 5"):
        assert label in shown
    # the taller bar is the larger count
    heights = sorted(float(b.get("height", "0")) for b in bars(root))
    assert heights[1] / heights[0] == pytest.approx(12 / 7, rel=0.02)


def test_stacked_series_draw_one_segment_per_nonzero_visible_value() -> None:
    chart = Chart(
        "m",
        "Removals",
        "By month",
        ("2026-01", "2026-02", "2026-03"),
        (
            Series("removed", (5, 0, None)),
            Series("restricted", (6, 9, None)),
            Series("pending", (None, 8, 10)),
        ),
    )
    root = parse(bar_chart(chart))
    assert len(bars(root)) == 5
    legend = [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "legend"]
    assert legend and {"removed", "restricted", "pending"} <= set(texts(legend[0]))
    marks = [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "suppressed"]
    assert len(marks) == 2  # one marker per bar with hidden segments
    assert marks[1].findtext("svg:title", namespaces=NS) == (
        "removed: 2026-03: <5; restricted: 2026-03: <5"
    )


def test_suppressed_value_never_reaches_the_svg() -> None:
    # The suppressed cell's true value is 3; the chart only ever gets None for it.
    chart = Chart("s", "T", "D", ("A", "B"), (Series("n", (40, None)),), suppressed_text="< 5")
    svg = bar_chart(chart)
    assert ">3<" not in svg and ": 3<" not in svg
    assert "&lt; 5" in svg


def test_text_is_escaped() -> None:
    chart = Chart("x", "<b>&", '"d"', ("<script>",), (Series("a&b", (1,)),))
    svg = bar_chart(chart)
    root = parse(svg)  # well-formed despite the markup in the labels
    assert "<script>" not in svg
    assert "<script>" in texts(root)


def test_mismatched_series_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        Chart("x", "t", "d", ("a", "b", "c"), (Series("s", (1, 2)),))
    with pytest.raises(ValueError, match="negative"):
        Chart("x", "t", "d", ("a",), (Series("s", (-1,)),))


def test_palette_contrast_against_white_is_at_least_3_to_1() -> None:
    for colour in PALETTE:
        ratio = 1.05 / (relative_luminance(colour) + 0.05)
        assert ratio >= 4.5, colour


def test_many_long_labels_are_tilted_and_stay_well_formed() -> None:
    cats = tuple(f"authority number {i}" for i in range(12))
    chart = Chart("t", "t", "d", cats, (Series("s", tuple(range(12))),))
    root = parse(bar_chart(chart))
    assert any("rotate" in (t.get("transform") or "") for t in root.iter(f"{{{NS['svg']}}}text"))
    assert len(bars(root)) == 11


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=1, max_size=24))
def test_any_data_gives_well_formed_svg_with_the_right_bars(values: list[int | None]) -> None:
    cats = tuple(f"c{i}" for i in range(len(values)))
    chart = Chart("h", "t", "d", cats, (Series("s", tuple(values)),))
    root = parse(bar_chart(chart))
    assert len(bars(root)) == sum(1 for v in values if v)
    top = max((v or 0 for v in values), default=0)
    ticks = nice_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 7
    for b in bars(root):
        assert float(b.get("y", "0")) >= 0  # inside the drawing
