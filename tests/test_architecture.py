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


# -- layers and cycles ---------------------------------------------------------------------
#
# The import graph of src/onshore: every import statement, at module level, inside functions
# (lazy imports) and under ``if TYPE_CHECKING:``, relative ones resolved. docs/architecture.md
# draws the layers; the table below is the rule. Importing a submodule also runs its parent
# package's ``__init__``; that implicit step is not an edge (as in import-linter).

#: Layer of a module: the longest matching prefix wins.
LAYER_OF = {
    "onshore": "sdk",  # the package's front door (``from onshore import Vault``)
    "onshore.core": "core",
    "onshore.ports": "ports",
    "onshore.failpoints": "failpoints",
    "onshore.settings": "settings",
    "onshore.adapters": "adapters",
    "onshore.services": "services",
    "onshore.services.runtime": "runtime",
    "onshore.server": "server",
    "onshore.cli": "cli",
}

#: What each layer may import (besides itself). The runtime is the composition root: the only
#: code outside the adapters that imports them. Services may import it (``open_runtime``, and
#: the openers it has for what a service needs by name: snapshots, scan readers, key stores);
#: the cycle test keeps the runtime's own imports from coming back around.
MAY_IMPORT = {
    "core": set(),
    "ports": {"core"},
    "failpoints": set(),
    "settings": {"core"},
    "adapters": {"core", "ports", "failpoints"},
    "services": {"core", "ports", "failpoints", "settings", "runtime"},
    "runtime": {"core", "ports", "failpoints", "settings", "services", "adapters"},
    "server": {"core", "ports", "settings", "services", "runtime", "sdk"},
    "cli": {"core", "ports", "settings", "services", "runtime", "server", "sdk"},
    "sdk": {"services"},
}


def _module_names() -> dict[str, Path]:
    mods = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


def _resolve(name: str, known: set[str] | dict[str, Path]) -> str | None:
    """The module ``name`` is, or the nearest package above it (``pkg.attr`` is ``pkg``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _imported(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every ``onshore`` name an import in ``tree`` names, relative ones resolved:
    ``import a.b`` names ``a.b``, ``from a import b`` names ``a.b`` (a module or an attribute
    of ``a``: ``_targets`` decides)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names.update(f"{source}.{a.name}" for a in node.names)
    return {n for n in names if n == "onshore" or n.startswith("onshore.")}


def _targets(names: set[str], mods: dict[str, Path], module: str) -> set[str]:
    """The modules ``names`` are: each name, or the nearest module above it."""
    found = {_resolve(name, mods) for name in names}
    return {t for t in found if t is not None and t != module}


def import_graph() -> dict[str, set[str]]:
    """``module -> the onshore modules it imports`` over src/onshore."""
    mods = _module_names()
    graph: dict[str, set[str]] = {}
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = _targets(_imported(tree, module, path.name == "__init__.py"), mods, module)
    return graph


def layer_of(module: str) -> str:
    """The layer ``module`` belongs to (``LAYER_OF``)."""
    prefix = _resolve(module, LAYER_OF)
    assert prefix is not None, f"{module} is in no layer: add it to LAYER_OF"
    return LAYER_OF[prefix]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every edge that goes against ``MAY_IMPORT``, as ``a -> b (layer -> layer)``."""
    bad = []
    for module, targets in sorted(graph.items()):
        src = layer_of(module)
        for target in sorted(targets):
            dst = layer_of(target)
            if dst != src and dst not in MAY_IMPORT[src]:
                bad.append(f"{module} -> {target} ({src} -> {dst})")
    return bad


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_graph_sees_lazy_relative_and_type_only_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..core import errors\n"
        "if TYPE_CHECKING:\n"
        "    from onshore.ports import KeyStore\n"
        "def f():\n"
        "    import onshore.adapters.clock\n"
    )
    known = "services services.sibling core core.errors ports adapters adapters.clock"
    mods = dict.fromkeys(["onshore", *(f"onshore.{m}" for m in known.split())], Path())
    names = _imported(ast.parse(source), "onshore.services.demo", False)
    assert _targets(names, mods, "onshore.services.demo") == {
        "onshore.services.sibling",
        "onshore.core.errors",
        "onshore.ports",
        "onshore.adapters.clock",
    }
    graph = import_graph()
    assert "onshore.core.errors" in graph["onshore.services.backup"]
    assert "onshore.adapters" in graph["onshore.services.runtime.regions"]


def test_the_layer_table_names_every_layer() -> None:
    assert set(MAY_IMPORT) == set(LAYER_OF.values())
    assert all(allowed <= set(MAY_IMPORT) for allowed in MAY_IMPORT.values())
    assert layer_violations({"onshore.core.x": {"onshore.ports"}}) == [
        "onshore.core.x -> onshore.ports (core -> ports)"
    ]


def test_imports_go_down_the_layers() -> None:
    bad = layer_violations(import_graph())
    assert not bad, "imports against the layers (docs/architecture.md):\n" + "\n".join(bad)


def test_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    cycles = import_cycles(import_graph())
    assert not cycles, "import cycles (break them, docs/architecture.md):\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )


def test_the_runtime_package_exports_every_name_it_lists() -> None:
    import onshore.services.runtime as runtime

    assert set(runtime.__all__) == set(runtime._HOME)
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None, name
    with pytest.raises(AttributeError):
        _ = runtime.no_such_name
