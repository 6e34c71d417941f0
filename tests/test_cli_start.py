"""CLI start-up: a command imports its own module and no service it does not use, ``--help``
imports no command module, and the first start is fast.

Measured with ``python -X importtime`` in a subprocess, as the CLI's entry point runs: the
modules a command imported, and the sum of the top-level imports' cumulative times.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onshore.cli import defaults
from tests.support.cli import onshore

#: What a CLI start must not import for commands that do not need them.
HEAVY = ("duckdb", "pyarrow", "numpy", "fastapi", "starlette", "uvicorn")
#: The budget the issue sets for the import time of a CLI start.
BUDGET_SECONDS = 0.5
ENTRY = "from onshore.cli.main import main; main()"


def import_profile(args: list[str], cwd: Path) -> tuple[set[str], float]:
    """Modules imported by ``onshore ARGS`` and the total import time in seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", ENTRY, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    modules: set[str] = set()
    total_us = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or line.endswith("| imported package"):
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        modules.add(name.strip())
        if not name.startswith("  "):  # a top-level import: its cumulative time counts once
            total_us += int(cumulative)
    return modules, total_us / 1e6


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with ``onshore init`` done (in this process)."""
    directory = tmp_path_factory.mktemp("start")
    onshore("init", cwd=directory).check_returncode()
    return directory


@functools.cache
def profile_once(args: tuple[str, ...], cwd: Path) -> tuple[frozenset[str], float]:
    """``import_profile`` run once per command for the tests that only read the modules."""
    modules, seconds = import_profile(list(args), cwd)
    return frozenset(modules), seconds


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["--help"], None),
        (["put", "--help"], "vault"),
        (["policy", "list"], "policy"),
        (
            [
                "put",
                "-s",
                "u-9",
                "-k",
                "profile",
                "-d",
                "{}",
                "--signal",
                "phone_number=+84912345678",
            ],
            "vault",
        ),
        (["find", "--phone", "0912345678"], "vault"),
        (["ledger", "verify"], "ledger"),
        (["keys", "--help"], "keys"),
    ],
    ids=["help", "put-help", "policy-list", "put", "find", "ledger-verify", "keys-help"],
)
def test_commands_do_not_import_the_heavy_stacks(
    args: list[str], module: str | None, deployment: Path
) -> None:
    """No heavy stack; and the root group being lazy (``onshore.cli.lazy_group``), of the
    command modules only the invoked command's loads (``--help`` loads none)."""
    from onshore.cli.commands import COMMANDS

    modules, _ = profile_once(tuple(args), deployment)
    assert "onshore.cli.main" in modules  # the profile saw the CLI load
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not loaded, f"onshore {' '.join(args)} imported {loaded[:10]}"
    commands = {f"onshore.cli.{entry.module}" for entry in COMMANDS.values()}
    assert sorted(commands & modules) == ([] if module is None else [f"onshore.cli.{module}"])


def test_help_imports_no_service_and_no_settings(deployment: Path) -> None:
    modules, _ = profile_once(("--help",), deployment)
    own = {m for m in modules if m.startswith("onshore.")}
    assert {"onshore.cli.main", "onshore.cli.commands"} <= own
    deep = sorted(m for m in own if m.startswith(("onshore.services", "onshore.server")))
    assert not deep, deep
    assert "onshore.settings" not in own
    assert "onshore.core.policy" not in own


def test_first_start_stays_under_half_a_second_of_imports(deployment: Path) -> None:
    """The issue's budget for ``onshore --help``: the least of a few runs. Import time is
    wall time, so on a machine with more runnable processes than cores (the load average
    per core above 1) the budget grows in proportion and the message says so; on an idle
    machine (CI) it is 0.5 s."""
    seconds = []
    for _ in range(5):
        seconds.append(import_profile(["--help"], deployment)[1])
        if seconds[-1] < BUDGET_SECONDS:
            break
    oversubscribed = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    budget = BUDGET_SECONDS * oversubscribed
    assert min(seconds) < budget, (
        f"import time of onshore --help: {seconds} s; budget {budget:.2f} s "
        f"({BUDGET_SECONDS} s x load per core {oversubscribed:.1f})"
    )


def test_help_defaults_equal_their_sources() -> None:
    from onshore.core.policy.model import OPS
    from onshore.server.context import ServerOptions
    from onshore.services.tokens import ROLES

    assert defaults.ROLES == ROLES
    assert defaults.OPS == OPS
    assert ServerOptions().max_body_bytes == defaults.MAX_BODY_BYTES
    from onshore.adapters.sources import base

    assert (base.MAX_LINE_BYTES, base.MAX_COLUMNS, base.MAX_DEPTH) == (
        defaults.SCAN_MAX_LINE_BYTES,
        defaults.SCAN_MAX_COLUMNS,
        defaults.SCAN_MAX_DEPTH,
    )
