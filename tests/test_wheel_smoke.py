"""The built wheel in a fresh virtual environment, without extras and outside the checkout:
the commands a new user runs first, and one real HTTP call to ``onshore serve``.

This is what caught ``numpy`` missing from the dependencies: the checkout's own ``.venv``
has the dev tools (spaCy pulls numpy in), a fresh environment with only the wheel does not.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.server.live import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _run(
    args: list[str], cwd: Path, env: dict[str, str], *, ok: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode in ok, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """``pip wheel`` of the checkout, installed alone in a new venv; returns its bin dir."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONSHORE_", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = base / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        base,
        env,
    )
    [wheel] = dist.glob("onshore-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, env)
    # --no-compile: byte-compiling every installed file is most of the install's CPU time;
    # the commands below compile what they import.
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    _run([*pip, "--find-links", str(dist), str(wheel)], base, env)
    return venv / "bin", env


def test_the_wheel_installs_no_dev_tool(wheel_env: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = wheel_env
    probe = "import importlib.util as u; print([m for m in {} if u.find_spec(m)])"
    done = _run(
        [str(bin_dir / "python"), "-c", probe.format(["spacy", "presidio_analyzer", "pytest"])],
        bin_dir,
        env,
    )
    assert done.stdout.strip() == "[]"


def test_first_commands_from_the_wheel(
    wheel_env: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = wheel_env
    onshore = str(bin_dir / "onshore")
    work = tmp_path / "site"  # outside the checkout: nothing of it is on the path
    work.mkdir()

    assert "Usage" in _run([onshore, "--help"], work, env).stdout
    _run([onshore, "init"], work, env)
    assert (work / "onshore.toml").is_file()
    put = _run(
        [onshore, "put", "-s", "u-1", "-k", "profile", "-d", '{"phone": "+84912345678"}',
         "--signal", "phone_number=+84912345678", "--json"],
        work, env,
    )  # fmt: skip
    receipt = json.loads(put.stdout)
    assert receipt["region"] == "vn-hcm"
    ipv6 = _run(
        [onshore, "put", "-s", "u-2", "-k", "profile", "-d", "{}", "--signal",
         "ip=2001:ee0:4000::1", "--json"],
        work, env,
    )  # fmt: skip
    assert json.loads(ipv6.stdout)["region"] == "vn-hcm"  # an IPv6 address resolves to VN
    found = json.loads(
        _run([onshore, "find", "--phone", "0912 345 678", "--json"], work, env).stdout
    )
    assert [r["record_id"] for r in found] == [receipt["record_id"]]
    listing = json.loads(_run([onshore, "policy", "list", "--json"], work, env).stdout)
    assert "vn" in {p["id"] for p in listing}
    assert "pack vn" in _run([onshore, "policy", "check", "vn"], work, env).stdout

    (work / "users.csv").write_text(
        "name,phone,email\nNguyễn Văn An,0912345678,an@example.vn\n", encoding="utf-8"
    )
    scan = _run([onshore, "scan", "users.csv", "--out", "findings.jsonl", "--json", "--workers",
                 "1"], work, env)  # fmt: skip
    assert json.loads(scan.stdout)["findings"] >= 2
    assert (work / "findings.jsonl").read_text(encoding="utf-8").strip()

    port = free_port()
    server = subprocess.Popen(
        [onshore, "serve"],
        cwd=work,
        env={**env, "ONSHORE_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert json.loads(body)
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    assert server.returncode in (0, -signal.SIGTERM), err  # uvicorn re-raises SIGTERM
    assert "Traceback" not in err


def _wait_for(url: str, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"onshore serve exited: {server.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
                return str(response.read().decode())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
