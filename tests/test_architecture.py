"""Architecture rules from STYLE.md, checked on the source tree.

- core does no I/O: no framework/driver imports, no os.environ, no clock reads, no print/open;
- one noun per module: no utils/common/helpers modules, modules under ~400 lines.
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


def test_modules_stay_small() -> None:
    big = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert not big, f"split these by responsibility: {big}"
