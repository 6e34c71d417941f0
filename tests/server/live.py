"""A real ``onshore serve`` subprocess for tests: its own directory, config, keys and tokens."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from onshore.services.tokens import ROLES
from tests.support.cli import onshore

ONSHORE = str(Path(sys.executable).with_name("onshore"))


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``onshore ARGS`` in ``cwd``, in this process (raises on a non-zero exit)."""
    done = onshore(*args, cwd=cwd)
    done.check_returncode()
    return done


@dataclass
class LiveServer:
    """A running server: its URL, directory, one token per role, and the process."""

    base: str
    directory: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Signal the server and wait for it to exit; returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def logs(self) -> str:
        """Everything the server wrote to stderr so far."""
        return self.log_path.read_text(encoding="utf-8") if self.log_path else ""


def start_live_server(directory: Path, *extra: str) -> LiveServer:
    """``onshore init`` in ``directory``, a token per role, then ``onshore serve``."""
    cli("init", "--dir", str(directory), cwd=directory)
    tokens = {}
    for role in ROLES:
        out = cli(
            "token", "create", "--role", role, "--name", f"live-{role}", "--json", cwd=directory
        )
        tokens[role] = json.loads(out.stdout)["token"]
    port = free_port()
    log_path = directory / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [ONSHORE, "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, "ONSHORE_CONFIG": str(directory / "onshore.toml")},
        )
    base = f"http://127.0.0.1:{port}"
    server = LiveServer(base, directory, process, tokens, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"onshore serve exited early:\n{server.logs()}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"onshore serve did not come up:\n{server.logs()}")
