"""Helpers for the schema and backup tests: configs on disk, and the CLI in this process or
in a real one (for a kill)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onshore.adapters.migrations import MIGRATIONS, Migration
from tests.support.cli import onshore

ONSHORE = [sys.executable, "-m", "onshore.cli.main"]


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in ``cwd`` (its onshore.toml), in this process (``env`` added)."""
    return onshore(*args, cwd=cwd, env={"COLUMNS": "200", **(env or {})})


def run_process(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in ``cwd`` (its onshore.toml), in a fresh process (``env`` added)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    full["COLUMNS"] = "200"
    full.update(env or {})
    return subprocess.run(
        [*ONSHORE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=full
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def write_toml(path: Path, config: dict[str, Any]) -> Path:
    """Write a config dict (``deployment``, ``regions.*``, ``backups.*``) as onshore.toml."""
    lines = ["[deployment]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in config["deployment"].items()]
    for table in ("regions", "backups"):
        for name, body in config.get(table, {}).items():
            lines.append(f"\n[{table}.{name}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in body.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_migration(monkeypatch: pytest.MonkeyPatch, kind: str, migration: Migration) -> None:
    """Make ``migration`` the next version of ``kind`` for this test."""
    monkeypatch.setitem(MIGRATIONS, kind, (*MIGRATIONS[kind], migration))
