"""What a new operator meets first: a taken port, piped output, pack ids, the config file."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import onshore

ONSHORE = [sys.executable, "-c", "from onshore.cli.main import main; main()"]


def run_process(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in a real process with stdout and stderr piped (not a terminal)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    clean.pop("COLUMNS", None)
    return subprocess.run(
        [*ONSHORE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **env},
    )


def run(cwd: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in this process, its output piped (not a terminal), no ``COLUMNS``."""
    return onshore(*args, cwd=cwd, env={"COLUMNS": None, **env})


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_serve_on_a_taken_port_fails_clearly(tmp_path: Path, taken_port: int) -> None:
    done = run_process(tmp_path, "serve", "--port", str(taken_port))
    assert done.returncode == 1, done.stderr
    assert f"error[serve.cannot_listen]: cannot listen on 127.0.0.1:{taken_port}" in done.stderr
    assert "already in use" in done.stderr and "--port" in done.stderr
    assert "serving" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_onshore_port_is_the_default_port(tmp_path: Path, taken_port: int) -> None:
    done = run(tmp_path, "serve", ONSHORE_PORT=str(taken_port))
    assert done.returncode == 1
    assert f"127.0.0.1:{taken_port}" in done.stderr


def test_run_on_a_taken_port_writes_nothing_and_never_says_serving(
    tmp_path: Path, taken_port: int
) -> None:
    done = run(tmp_path, "run", "--port", str(taken_port), "--users", "3")
    assert done.returncode == 1
    assert "serve.cannot_listen" in done.stderr
    assert "serving at" not in done.stdout
    assert not (tmp_path / "onshore.toml").exists() and not (tmp_path / "data").exists()


def test_piped_output_keeps_paths_and_ids_on_one_line(tmp_path: Path) -> None:
    """``init`` in a real process with its output piped; ``put`` and ``find`` in this one."""
    deep = tmp_path / ("a-directory-with-a-rather-long-name-" * 3) / "onshore"
    done = run_process(tmp_path, "init", "--dir", str(deep))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"wrote {deep / 'onshore.toml'}"
    region_lines = [line for line in lines if line.startswith("region ")]
    assert len(region_lines) == 2
    for line in region_lines:
        assert str(deep / "data") in line and len(line) > 80
    toml = str(deep / "onshore.toml")
    record = ["-d", '{"phone": "+84912345678"}', "--signal", "phone_number=+84912345678"]
    put = run(tmp_path, "put", "-s", "u-1", "-k", "profile", *record, "-c", toml)
    assert put.returncode == 0, put.stderr
    record_id = re.search(r"stored (\S+) in vn-hcm", put.stdout)
    assert record_id, put.stdout
    found = run(tmp_path, "find", "--phone", "0912345678", "-c", toml)
    row = [line for line in found.stdout.splitlines() if record_id.group(1) in line]
    assert len(row) == 1 and "vn-hcm" in row[0] and "phone_number" in row[0]


def test_policy_check_takes_a_pack_id(tmp_path: Path) -> None:
    done = run(tmp_path, "policy", "check", "vn")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"ok \S+/vn: pack vn, \d+ rules, \d+ cases", done.stdout), done.stdout
    unknown = run(tmp_path, "policy", "check", "xx")
    assert unknown.returncode == 2
    assert "xx is neither a file, a directory nor a pack id" in unknown.stderr
    assert "vn" in unknown.stderr  # the known packs are listed


def test_the_generated_config_links_to_the_docs(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    text = (tmp_path / "onshore.toml").read_text(encoding="utf-8")
    assert "https://github.com/onshore-dev/onshore/blob/main/docs/configuration.md" in text
    assert " docs/configuration.md" not in text
