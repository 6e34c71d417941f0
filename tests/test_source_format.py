"""The size and ``fmt:`` marker rules' machinery (``tests/support/source_format.py``): sizes
are counted as ruff formats the module with its markers removed, and a marker's reason is
found where the convention puts it."""

from __future__ import annotations

from pathlib import Path

from tests.support.source_format import ROOT, formatted_sizes, markers, strip_markers

PACKED = """\
ROWS = (
    "a", "b", "c", "d",
    "e", "f", "g", "h",
)  # fmt: skip
"""


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packed_lines_count_as_formatted(tmp_path: Path) -> None:
    packed = _write(tmp_path, "packed.py", PACKED)
    plain = _write(tmp_path, "plain.py", strip_markers(PACKED))
    # the project's line length (100, not ruff's default 88) applies to files elsewhere
    call = "x = f(" + ", ".join(f"argument_{i}" for i in range(7)) + ")\n"
    assert 88 < len(call) - 1 <= 100
    wide = _write(tmp_path, "wide.py", call)
    sizes = formatted_sizes([packed, plain, wide], tmp_path)
    assert sizes["packed.py"] == sizes["plain.py"] == 10  # the tuple, one item a line
    assert sizes["wide.py"] == 1
    assert len(PACKED.splitlines()) == 4


def test_strip_markers_keeps_other_comments_and_strings() -> None:
    text = (
        'S = "# fmt: skip"  # fmt: skip\n'
        "T = (1,  2)  # a pair  # fmt: skip\n"
        "# fmt: off\n"
        "U = [1,  2]\n"
        "# fmt: on\n"
    )
    assert strip_markers(text) == 'S = "# fmt: skip"\nT = (1,  2)  # a pair\n\nU = [1,  2]\n\n'


def test_marker_reasons_follow_the_convention(tmp_path: Path) -> None:
    text = (
        "A = (1,  2)  # fmt: skip  # columns: code, law\n"  # 1: after the marker
        "B = (1,  2)  # columns: code, law  # fmt: skip\n"  # 2: before the marker
        "# one row per country, aligned\n"
        "C = (\n"
        "    1,  2,\n"
        ")  # fmt: skip\n"  # 6: the comment above the statement it closes
        "#: a doc comment says what C is, not why it is packed\n"
        "D = (1,  2)  # fmt: skip\n"  # 8: no reason
        "E = (1,  2)  # fmt: skip (a table)\n"  # 9: ruff would not honour it; no reason
        'F = "# fmt: skip"\n'  # in a string: not a marker
        "# fmt: off\n"  # 11: a region, with no reason
        "G = [1,  2]\n"
        "# fmt: on\n"  # closes the region: not counted
    )
    found = markers(_write(tmp_path, "m.py", text), tmp_path)
    assert [(m.line, m.kind, m.reason) for m in found] == [
        (1, "skip", "columns: code, law"),
        (2, "skip", "columns: code, law"),
        (6, "skip", "one row per country, aligned"),
        (8, "skip", ""),
        (9, "skip", ""),
        (11, "off", ""),
    ]
    assert {m.path for m in found} == {"m.py"}


def test_the_tree_is_measured_from_the_repository_root() -> None:
    assert (ROOT / "pyproject.toml").is_file() and (ROOT / "src" / "onshore").is_dir()
