"""Packaging: every runtime import is a declared dependency, and the project's URLs hold.

The wheel itself is exercised end to end by ``tests/test_wheel_smoke.py``.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from onshore.settings import DEFAULT_TOML, DOCS_URL

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "onshore"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return _normalise(match.group(0))


def top_level_imports(path: Path) -> set[str]:
    """Top-level names of every absolute import in ``path`` (in functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def module_level_imports(path: Path) -> set[str]:
    """Top-level names imported when ``path`` is loaded (not in functions, not type-only)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def third_party_imports() -> dict[str, list[str]]:
    """Third-party top-level module -> the source files importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for name in top_level_imports(path):
            if name in sys.stdlib_module_names or name in ("onshore", "__future__"):
                continue
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_import_scan_sees_known_imports() -> None:
    found = third_party_imports()
    for name in ("numpy", "pyarrow", "duckdb", "fastapi", "uvicorn", "typer", "geoip2fast"):
        assert name in found, name
    assert "os" not in found and "onshore" not in found


def test_every_runtime_import_is_a_declared_dependency() -> None:
    declared = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    dev = {_requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    optional = {_requirement_name(r) for k, v in extras.items() if k != "dev" for r in v}
    dists = packages_distributions()
    missing = {}
    for module, files in third_party_imports().items():
        owners = {_normalise(d) for d in dists.get(module, [])}
        assert owners, f"{module} (imported by {files[0]}) is not installed: declare it"
        if owners & optional - declared:  # an extra (onshore[spark]): imported lazily only
            for file in files:
                eager = module_level_imports(ROOT / file)
                assert module not in eager, f"{file} imports {module} (an extra) at load time"
        elif not owners & declared:
            missing[module] = (sorted(owners), files[:3])
    assert not missing, (
        "imported by src/onshore but not in [project].dependencies "
        f"(dev-only packages are not installed with the wheel): {missing}"
    )
    # The dev tools stay out of the runtime dependencies.
    assert not declared & {"spacy", "presidio-analyzer", "pytest", "mypy", "ruff"}
    assert {"spacy", "presidio-analyzer"} <= dev


def test_project_urls_point_at_the_repository_and_existing_docs() -> None:
    urls = PYPROJECT["project"]["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    repo = urls["Repository"]
    assert repo.startswith("https://github.com/") and urls["Homepage"] == repo
    assert urls["Issues"] == f"{repo}/issues"
    for key, prefix in (
        ("Documentation", f"{repo}/tree/main/"),
        ("Changelog", f"{repo}/blob/main/"),
    ):
        assert urls[key].startswith(prefix), key
        assert (ROOT / urls[key].removeprefix(prefix)).exists(), urls[key]
    assert urls["Documentation"].replace("/tree/", "/blob/") == DOCS_URL


def test_the_generated_config_points_at_docs_that_exist() -> None:
    links = re.findall(r"https://\S+", DEFAULT_TOML)
    assert links, "onshore init's file should say where its keys are described"
    for link in links:
        assert link.startswith(DOCS_URL + "/"), link
        assert (ROOT / "docs" / link.removeprefix(DOCS_URL + "/")).is_file(), link
    assert "docs/" not in DEFAULT_TOML.replace(DOCS_URL, ""), "a path the wheel does not install"


def _make_dry_run(*args: str) -> str:
    # under `make test` this is a sub-make: drop the parent's flags (they add directory lines)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_run_installs_the_runtime_dependencies_only() -> None:
    run = _make_dry_run("run", "PORT=8080")
    assert "pip install --quiet -e .\n" in run
    assert "[dev]" not in run
    assert run.rstrip().endswith("onshore run --port 8080")
    test = _make_dry_run("test")
    assert "pip install --quiet -e '.[dev]'" in test
    assert test.rstrip().endswith("pytest -n 2")  # the whole suite, in two workers
