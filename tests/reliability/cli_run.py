"""Run the ``onshore`` CLI (exit code, stdout, stderr): in this process, or in a real one
when a test is about a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from onshore.settings import DEFAULT_TOML
from tests.support.cli import onshore


def run_cli(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """``onshore ARGS`` in this process; ``ONSHORE_*`` variables from the caller dropped."""
    done = onshore(*args, cwd=cwd, env=env)
    return done.returncode, done.stdout, done.stderr


def run_cli_process(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """``onshore ARGS`` as a user runs it; ``ONSHORE_*`` variables from the caller dropped."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    base.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "onshore.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env=base,
    )
    return done.returncode, done.stdout, done.stderr


def write_config(directory: Path, stores: dict[str, str]) -> Path:
    """The default ``onshore.toml`` in ``directory`` with each region's store replaced."""
    text = DEFAULT_TOML
    for region, url in stores.items():
        text = text.replace(f'store = "sqlite:///data/{region}.db"', f'store = "{url}"')
    path = directory / "onshore.toml"
    path.write_text(text, encoding="utf-8")
    return path
