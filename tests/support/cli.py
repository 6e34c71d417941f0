"""The ``onshore`` CLI run inside the test process, as a user runs it from a shell.

``onshore(*args, cwd=..., env=...)`` calls the real entry point (``onshore.cli.main.main``,
with its error handling and exit codes) under Typer's ``CliRunner`` isolation: stdin, stdout
and stderr are swapped for pipes (so the output is not a terminal, as with
``subprocess.run(capture_output=True)``), the caller's ``ONSHORE_*`` variables are dropped and
``env`` is added for the call only, and the command runs in ``cwd``. It returns what
``subprocess.run`` would: the exit code, stdout and stderr. An exception escaping the CLI is
printed on stderr as Python prints it (``Traceback ...``) with exit code 1, so tests that
assert "no traceback" still can fail. Starting Python for every command cost the suite
minutes; a few end-to-end tests still run the real process.

Example:
    >>> onshore("--help").returncode
    0
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from pathlib import Path

from typer.testing import CliRunner

from onshore.cli.main import main


def onshore(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in ``cwd`` (default: the current directory), in this process."""
    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ONSHORE_")}
    overrides.update(env or {})
    runner = CliRunner()
    code = 0
    with (
        contextlib.chdir(cwd or os.getcwd()),
        runner.isolation(input=input, env=overrides) as (out, err, _),
    ):
        try:
            main(list(args))
        except SystemExit as exc:
            code = _exit_code(exc)
        except Exception:
            traceback.print_exc()  # as Python prints it on its way out
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout = out.getvalue().decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["onshore", *args], code, stdout, stderr)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)  # sys.exit("message") prints it and exits 1
    return 1
