"""The README's and the quickstart's snippets run as written, in the order a reader runs them.

A temporary directory stands in for the checkout: ``.venv/bin/onshore`` there is a link to
this environment's ``onshore``, and ``onshore`` is on the PATH for the quickstart's lines.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.server.live import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICKSTART = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
ONSHORE = Path(sys.executable).with_name("onshore")


def blocks(text: str, lang: str) -> list[str]:
    """The fenced code blocks of ``lang`` in ``text``."""
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


def section(text: str, title: str) -> str:
    """The Markdown section under the heading ``title`` (up to the next heading)."""
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def commands(block: str) -> list[str]:
    """The block's shell commands, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line for line in joined.splitlines() if line.strip()]


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A directory like the reader's checkout, and the environment to run snippets in."""
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "onshore").symlink_to(ONSHORE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    env["PATH"] = f"{ONSHORE.parent}{os.pathsep}{env.get('PATH', '')}"
    return tmp_path, env


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with bash (errexit, pipefail) in ``cwd``."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def python(code: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with this interpreter in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_readme_use_it_then_both_python_snippets(checkout: tuple[Path, dict[str, str]]) -> None:
    cwd, env = checkout
    [use_it] = blocks(section(README, "Use it"), "sh")
    ran = commands(use_it)
    assert ran[0].startswith(".venv/bin/onshore init")
    for command in ran:
        done = bash(command, cwd, env)
        expected = 3 if "(exit 3)" in command else 0
        assert done.returncode == expected, f"{command}\n{done.stdout}\n{done.stderr}"
    assert (cwd / "onshore.toml").is_file()

    [readme_py] = blocks(section(README, "Use it"), "python")
    done = python(readme_py, cwd, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "vn-hcm"

    [quick_py] = blocks(QUICKSTART, "python")
    done = python(quick_py, cwd, env)  # after the README's steps: several records match
    assert done.returncode == 0, done.stderr
    receipt, found = done.stdout.splitlines()
    region, index = receipt.split()
    assert region == "vn-hcm" and int(index) > 0
    assert found.count("'vn-hcm'") >= 3


def test_quickstart_captures_a_record_id(checkout: tuple[Path, dict[str, str]]) -> None:
    cwd, env = checkout
    assert bash("onshore init", cwd, env).returncode == 0
    [capture] = [b for b in blocks(QUICKSTART, "sh") if "RECORD_ID=$(" in b]
    done = bash(capture, cwd, env)
    assert done.returncode == 0, done.stderr
    assert '"subject": "u-3"' in done.stdout and '"region": "vn-hcm"' in done.stdout


@pytest.mark.slow
def test_readme_first_steps_against_onshore_run(checkout: tuple[Path, dict[str, str]]) -> None:
    """``make run``'s server, then the README's curl lines: the captured id gets a proof
    that verifies offline."""
    cwd, env = checkout
    port = free_port()
    server = subprocess.Popen(
        [str(ONSHORE), "run", "--users", "0"],
        cwd=cwd,
        env={**env, "ONSHORE_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        [first_steps] = [b for b in blocks(README, "sh") if "RECORD_ID=$(" in b]
        script = first_steps.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
        done = bash(script, cwd, env)
        assert done.returncode == 0, done.stdout + done.stderr
        record_id = done.stdout.splitlines()[0]
        assert re.fullmatch(r"[0-9A-Za-z_.~-]{8,}", record_id), done.stdout
        assert "ok" in done.stdout and (cwd / "proof.json").stat().st_size > 0
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    assert f"onshore is serving at http://127.0.0.1:{port}/" in out


def _wait_until_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("onshore run exited early")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
