"""Architecture rules from STYLE.md, checked on the source tree.

- core does no I/O: no framework/driver imports, no os.environ, no clock reads, no print/open;
- one noun per module: no utils/common/helpers modules, modules at most 400 lines as
  ``ruff format`` writes them with every ``fmt:`` marker removed (src/onshore and bench/);
  at most 10 ``fmt: skip``/``fmt: off`` markers, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "onshore"
CORE_FILES = sorted((SRC / "core").rglob("*.py"))
FORBIDDEN_IMPORTS = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "typer",
    "click",
    "rich",
    "uvicorn",
    "httpx",
    "requests",
    "boto3",
    "duckdb",
    "os",
    "subprocess",
    "socket",
    "pathlib",
    "shutil",
    "tempfile",
    "logging",
    "onshore.adapters",
    "onshore.services",
    "onshore.server",
    "onshore.cli",
    "onshore.settings",
}
FORBIDDEN_CALLS = {"open", "print", "input"}
CLOCK_ATTRS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_core_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in _imports(tree):
        for bad in FORBIDDEN_IMPORTS:
            assert not (name == bad or name.startswith(bad + ".")), f"core imports {name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name):
                assert fn.id not in FORBIDDEN_CALLS, f"core calls {fn.id}() at line {node.lineno}"
            if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name):
                assert (fn.value.id, fn.attr) not in CLOCK_ATTRS, (
                    f"core reads the clock ({fn.value.id}.{fn.attr}) at line {node.lineno}"
                )
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            pytest.fail(f"core reads the environment at line {node.lineno}")


def test_no_grab_bag_modules() -> None:
    bad = [p for p in SRC.rglob("*.py") if p.stem in {"utils", "util", "common", "helpers", "misc"}]
    assert not bad, bad


#: Largest module, in lines as formatted (STYLE.md: one that a reader takes in at once).
MAX_MODULE_LINES = 400
#: Most ``fmt: skip``/``fmt: off`` markers in src/onshore and bench/ together.
MAX_FMT_MARKERS = 10


def test_modules_stay_small() -> None:
    """Every module of src/onshore and bench/ is at most 400 lines as formatted: every
    ``# fmt: skip``/``fmt: off``/``fmt: on`` marker is removed, ``ruff format`` (this
    virtualenv's, with pyproject's settings) formats the module, then its lines are counted,
    so lines packed under a marker count as ruff writes them. Split a large module by
    responsibility; never compress it (``tests/support/source_format.py``)."""
    from tests.support.source_format import ROOT, formatted_sizes, python_files

    sizes = formatted_sizes(python_files(SRC, ROOT / "bench"))
    big = {name: n for name, n in sorted(sizes.items()) if n > MAX_MODULE_LINES}
    assert not big, (
        f"{len(big)} modules exceed {MAX_MODULE_LINES} lines as formatted; split these by "
        f"responsibility: {big}"
    )


def test_fmt_skip_is_rare_and_explained() -> None:
    """At most 10 ``# fmt: skip``/``# fmt: off`` markers in src/onshore and bench/, each on a
    table whose alignment carries meaning and each with its reason.

    The convention: the reason is another comment on the marker's line, after it
    (``)  # fmt: skip  # one row per country: code, name, law``) or before it
    (``# columns line up with the spec  # fmt: skip``); or a plain ``# ...`` comment line
    (not a ``#:`` doc comment) just above the statement the marker closes. Ruff ignores a
    marker followed by anything but another comment (``# fmt: skip (table)`` is formatted
    anyway), hence the second ``#``. ``fmt: on`` only closes a ``fmt: off`` region and is
    not counted."""
    from tests.support.source_format import ROOT, markers, python_files

    found = [m for path in python_files(SRC, ROOT / "bench") for m in markers(path)]
    unexplained = [f"{m.path}:{m.line}" for m in found if not m.reason]
    per_file: dict[str, int] = {}
    for m in found:
        per_file[m.path] = per_file.get(m.path, 0) + 1
    assert len(found) <= MAX_FMT_MARKERS, (
        f"{len(found)} fmt: skip/off markers (at most {MAX_FMT_MARKERS}); format these "
        f"modules normally: {dict(sorted(per_file.items(), key=lambda kv: -kv[1]))}"
    )
    assert not unexplained, f"fmt: skip/off markers without a reason: {unexplained}"
