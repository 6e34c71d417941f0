"""Module sizes as ``ruff format`` writes them, and the ``fmt:`` markers that would hide them.

STYLE.md's size rule (a module a reader takes in at once, about 400 lines) is measured on the
FORMATTED source: every ``# fmt: skip``, ``# fmt: off`` and ``# fmt: on`` marker is removed
first, then the module is formatted with the project's ruff settings and its lines counted, so
lines packed under a marker count as ruff would write them.

A marker stays only on a table whose alignment carries meaning, with its reason (see
``Marker.reason``). ``tests/test_architecture.py`` checks both rules; from the repository root,
``.venv/bin/python -m tests.support.source_format 400`` lists the modules over 400 lines and
every marker with its reason.

Example:
    >>> strip_markers("x = [1,  2]  # fmt: skip\\ny = 1  # columns  # fmt: skip\\n")
    'x = [1,  2]\\ny = 1  # columns\\n'
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A ``fmt:`` pragma inside a comment (ruff's and black's spelling).
MARKER = re.compile(r"#\s*fmt:\s*(skip|off|on)\b")


def python_files(*directories: Path) -> list[Path]:
    """Every ``*.py`` file under ``directories``, sorted."""
    return sorted(p for d in directories for p in d.rglob("*.py"))


def ruff_binary() -> Path:
    """The ruff of this virtualenv (next to ``sys.executable``), else the one on ``PATH``."""
    local = Path(sys.executable).parent / "ruff"
    if local.exists():
        return local
    found = shutil.which("ruff")
    if found is None:
        raise FileNotFoundError("ruff is not installed (make install installs it)")
    return Path(found)


def _comments(text: str) -> list[tokenize.TokenInfo]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [t for t in tokens if t.type == tokenize.COMMENT]


def strip_markers(text: str) -> str:
    """``text`` with every ``fmt:`` marker comment cut from its line (a comment before the
    marker on the same line stays; anything after it goes)."""
    lines = text.splitlines(keepends=True)
    for token in _comments(text):
        found = MARKER.search(token.string)
        if found is None:
            continue
        row, col = token.start
        line = lines[row - 1]
        ending = line[len(line.rstrip("\r\n")) :]
        lines[row - 1] = line[: col + found.start()].rstrip() + ending
    return "".join(lines)


def formatted_sizes(
    paths: Iterable[Path], root: Path = ROOT, config: Path = ROOT / "pyproject.toml"
) -> dict[str, int]:
    """Lines of each module (by path relative to ``root``) once its markers are stripped and
    ``ruff format`` (with the ruff settings of ``config``, the project's) has formatted it."""
    paths = list(paths)
    with tempfile.TemporaryDirectory() as tmp:
        copies = {}
        for path in paths:
            name = path.relative_to(root).as_posix()
            copy = Path(tmp) / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(strip_markers(path.read_text(encoding="utf-8")), encoding="utf-8")
            copies[name] = copy
        done = subprocess.run(
            [str(ruff_binary()), "format", "--no-cache", "--config", str(config)]
            + [str(c) for c in copies.values()],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"ruff format failed: {done.stderr or done.stdout}")
        return {
            name: len(copy.read_text(encoding="utf-8").splitlines())
            for name, copy in copies.items()
        }


@dataclass(frozen=True)
class Marker:
    """One ``fmt: skip`` or ``fmt: off`` marker and the reason written for it.

    The reason is the text of another comment on the marker's line (``# fmt: skip  # why``
    or ``# why  # fmt: skip``; ruff ignores a marker followed by anything but another
    comment, such as ``# fmt: skip (why)``), else a plain comment line (``# why``, not a
    ``#:`` doc comment) just above the statement the marker closes (or just above the
    marker's line when it closes none); ``""`` when there is none.
    """

    path: str
    line: int
    kind: str
    reason: str


def _statement_starts(text: str) -> dict[int, int]:
    """For each line that ends a statement, the first line of the innermost one ending there."""
    starts: dict[int, int] = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.stmt) and node.end_lineno is not None:
            starts[node.end_lineno] = max(starts.get(node.end_lineno, 0), node.lineno)
    return starts


def markers(path: Path, root: Path = ROOT) -> list[Marker]:
    """The ``fmt: skip`` and ``fmt: off`` markers of ``path`` (``fmt: on`` only ends a
    region), each with its reason."""
    text = path.read_text(encoding="utf-8")
    if "fmt:" not in text:
        return []
    lines = text.splitlines()
    starts = _statement_starts(text)
    found = []
    for token in _comments(text):
        match = MARKER.search(token.string)
        if match is None or match[1] == "on":
            continue
        row = token.start[0]
        parts = [part.strip() for part in token.string.split("#")[1:]]
        pragma = next(part for part in parts if MARKER.search("#" + part))
        others = [part for part in parts if part is not pragma and part]
        # ruff honours a marker only when nothing but another comment follows it
        honoured = MARKER.sub("", "#" + pragma).strip() == ""
        reason = " ".join(others) if honoured else ""
        if not re.search(r"[A-Za-z]", reason):
            start = starts.get(row, row)
            above = lines[start - 2].strip() if start > 1 else ""
            plain = above.startswith("#") and not above.startswith("#:")
            reason = above.lstrip("#").strip() if plain else ""
        name = path.relative_to(root).as_posix()
        found.append(Marker(name, row, match[1], reason))
    return found


def main(argv: list[str]) -> None:
    """Print the modules of src/onshore and bench/ over the limit ``argv[0]`` (default 400)
    as formatted, then every marker with its reason."""
    limit = int(argv[0]) if argv else 400
    files = python_files(ROOT / "src" / "onshore", ROOT / "bench")
    sizes = formatted_sizes(files)
    for name, n in sorted(sizes.items(), key=lambda item: -item[1]):
        if n > limit:
            print(f"{n:5d}  {name}")
    all_markers = [m for path in files for m in markers(path)]
    for m in all_markers:
        print(f"fmt: {m.kind}  {m.path}:{m.line}  {m.reason or '(no reason)'}")
    print(f"{len(all_markers)} markers; {sum(n > limit for n in sizes.values())} over {limit}")


if __name__ == "__main__":
    main(sys.argv[1:])
