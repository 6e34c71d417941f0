"""Benchmark: CLI start-up, ``python -X importtime``, against the CLI framework alone.

For ``onshore --help``, ``onshore policy list`` and ``onshore put`` (in a fresh deployment),
it prints the import time (the sum of the top-level imports' cumulative times, least of N
runs) and the CPU time of the whole process, and the same for the baseline measured in the
same run: ``import typer.main, typer.rich_utils`` (the framework every command needs). The
issue's goal: ``--help`` under 0.5 s of import time; the ratio shows what onshore adds.

    .venv/bin/python bench/cli_start.py            # 7 runs each
    .venv/bin/python bench/cli_start.py --quick    # 3 runs each
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ENTRY = "from onshore.cli.main import main; main()"
BASELINE = "import typer.main, typer.rich_utils"


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def measure(code: str, args: list[str], cwd: Path) -> tuple[float, float]:
    """(import seconds, CPU seconds) of one ``python -X importtime -c CODE ARGS``."""
    before = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    cpu = _children_cpu() - before
    total = 0
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and not line.endswith("| imported package"):
            _, cumulative, name = line.removeprefix("import time:").split("|")
            if not name.startswith("  "):
                total += int(cumulative)
    return total / 1e6, cpu


def best(code: str, args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """The least import time and the least CPU time over ``runs`` runs."""
    results = [measure(code, args, cwd) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results)


def main() -> None:
    """Print import and CPU seconds per command and the ratio to the framework baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    runs = 3 if parser.parse_args().quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        subprocess.run(
            [sys.executable, "-c", ENTRY, "init"], cwd=cwd, check=True, capture_output=True
        )
        base_import, base_cpu = best(BASELINE, [], cwd, runs)
        print(f"{'baseline (typer)':<16} import {base_import:6.3f} s  cpu {base_cpu:6.3f} s")
        commands = {
            "--help": ["--help"],
            "policy list": ["policy", "list"],
            "put": ["put", "-s", "u-1", "-k", "profile", "-d", "{}"],
        }
        for label, args in commands.items():
            imp, cpu = best(ENTRY, args, cwd, runs)
            print(
                f"{label:<16} import {imp:6.3f} s  cpu {cpu:6.3f} s  "
                f"ratio to baseline: import {imp / base_import:4.2f}x, cpu {cpu / base_cpu:4.2f}x"
            )
        help_import = best(ENTRY, ["--help"], cwd, runs)[0]
        print(
            f"goal: --help import < 0.5 s: {'met' if help_import < 0.5 else 'NOT met'}"
            f" ({help_import:.3f} s)"
        )


if __name__ == "__main__":
    main()
