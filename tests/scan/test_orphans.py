"""``onshore scan`` killed with SIGKILL leaves no worker process behind (issue #19, finding 3).

A real ``onshore scan --workers 2`` runs in a child process; its workers are held inside a
batch by the ``scan.batch`` failpoint (a long sleep), the scan is killed with SIGKILL, and
every worker must be gone within seconds (before: they kept running with no parent).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of ``pid``, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None and st[0] == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[1] not in ("Z", "X")  # a zombie is dead, only not reaped


def test_sigkill_of_scan_takes_its_workers_with_it(tmp_path: Path) -> None:
    data = tmp_path / "users.csv"
    data.write_text("sdt\n" + "".join(f"09{n:08d}\n" for n in range(20_000)), encoding="utf-8")
    env = dict(os.environ, ONSHORE_FAILPOINTS="scan.batch=sleep(120000)")
    cmd = [sys.executable, "-m", "onshore.cli.main", "scan", str(data), "--workers", "2"]
    cmd += ["--out", str(tmp_path / "f.jsonl")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            workers = [w for w in _children(proc.pid) if _alive(w)]
            time.sleep(0.2)
        assert len(workers) >= 2, "the scan did not start its workers"
        time.sleep(1.0)  # the workers are inside their first batch (the failpoint's sleep)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        assert survivors == [], f"workers {survivors} outlived the killed scan"
    finally:
        for pid in [proc.pid, *workers]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_worker_initializer_exits_when_the_parent_is_already_gone() -> None:
    """The fallback: a worker whose recorded parent is not its parent any more exits."""
    code = (
        "import os; from onshore.services.scan.workers import init_worker;"
        "init_worker(os.getppid() + 999999); print('still here')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "still here" not in done.stdout
