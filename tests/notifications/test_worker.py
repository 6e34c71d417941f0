"""``onshore worker`` (``--once`` in-process; the foreground worker as a real process that
stops cleanly on SIGTERM) and the scheduler inside a real ``onshore serve``, which
``[notifications] in_server = false`` turns off."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.runtime import open_runtime
from onshore.services.takedowns import TakedownService
from onshore.settings import DEFAULT_TOML, load_settings
from tests.support.cli import onshore

from .conftest import ENV, SMTP_PASSWORD, T0, Mailbox, Receiver, free_port, receive_takedown

ONSHORE = str(Path(sys.executable).with_name("onshore"))


def write_config(base: Path, receiver: Receiver, mailbox: Mailbox | None, *,
                 in_server: bool = True) -> Path:  # fmt: skip
    """``onshore.toml``: the default deployment plus a ``[notifications]`` table."""
    (base / "smtp.password").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    text = DEFAULT_TOML.replace(
        'objects = "file:///data/vn-hcm/objects"    # or s3://bucket/prefix\n', ""
    )
    text += f"""
[notifications]
interval_seconds = 1
due_soon_hours = 6
in_server = {"true" if in_server else "false"}
backoff_seconds = 0.05

[[notifications.webhooks]]
name = "ops"
url = "{receiver.url}"
secret_env = "TEST_ONSHORE_HOOK_SECRET"
"""
    if mailbox is not None:
        text += f"""
[notifications.smtp]
host = "{mailbox.host}"
port = {mailbox.port}
starttls = false
username = "onshore"
password_file = "smtp.password"
sender = "onshore@platform.example"
to = ["oncall@platform.example"]
"""
    path = base / "onshore.toml"
    path.write_text(text, encoding="utf-8")
    return path


def breached_takedown(config: Path) -> str:
    """A takedown received on 2026-08-03 (T0): long past its 24 hours by the system clock."""
    rt = open_runtime(load_settings(config), create_keys=True, clock=FixedClock(T0))
    try:
        return receive_takedown(TakedownService(rt, registry=CollectorRegistry())).case_id
    finally:
        rt.close()


def test_worker_once_prints_what_it_sent_and_sends_it_once(
    tmp_path: Path, receiver: Receiver, mailbox: Mailbox
) -> None:
    case_id = breached_takedown(write_config(tmp_path, receiver, mailbox))
    done = onshore("worker", "--once", "--json", cwd=tmp_path, env=ENV)
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert sorted((s["channel"], s["event"], s["outcome"]) for s in sent) == [
        ("email", "breached", "sent"), ("ledger", "breached", "sent"),
        ("webhook:ops", "breached", "sent"),
    ]  # fmt: skip
    assert {s["case_id"] for s in sent} == {case_id}
    assert [e["case_id"] for e in receiver.accepted] == [case_id]
    assert len(mailbox.messages) == 1
    again = onshore("worker", "--once", cwd=tmp_path, env=ENV)
    assert again.returncode == 0 and "nothing to notify" in again.stdout
    assert len(receiver.accepted) == 1 and len(mailbox.messages) == 1


def test_worker_without_its_secret_fails_with_a_message(tmp_path: Path, receiver: Receiver) -> None:
    breached_takedown(write_config(tmp_path, receiver, None))
    done = onshore("worker", "--once", cwd=tmp_path, env={})
    assert done.returncode != 0
    assert "TEST_ONSHORE_HOOK_SECRET is not set" in done.stderr
    assert "Traceback" not in done.stderr


def _wait_for(predicate: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_foreground_worker_notifies_then_stops_cleanly_on_sigterm(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = write_config(tmp_path, receiver, None)
    case_id = breached_takedown(config)
    process = subprocess.Popen(
        [ONSHORE, "worker", "--config", str(config)], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **ENV},
    )  # fmt: skip
    try:
        _wait_for(lambda: receiver.accepted or process.poll() is not None, 60, "the webhook")
        assert [e["case_id"] for e in receiver.accepted] == [case_id]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert b"worker stopped" in out
    assert len(receiver.accepted) == 1


def _serve(tmp_path: Path, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [ONSHORE, "serve", "--port", str(port), "--config", str(config)], cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **ENV},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None

    _wait_for(up, 90, "onshore serve")
    assert process.poll() is None
    return process, base


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def test_onshore_serve_runs_the_scheduler(tmp_path: Path, receiver: Receiver) -> None:
    config = write_config(tmp_path, receiver, None)
    case_id = breached_takedown(config)
    process, base = _serve(tmp_path, config)
    try:
        _wait_for(lambda: receiver.accepted, 60, "the webhook from onshore serve")
        metrics = httpx.get(base + "/metrics", timeout=5).text
    finally:
        assert _stop(process) in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM when done
    assert [e["case_id"] for e in receiver.accepted] == [case_id]
    assert 'onshore_case_deadline_breaches_total{kind="takedown"} 1.0' in metrics


def test_in_server_false_leaves_it_to_the_worker(tmp_path: Path, receiver: Receiver) -> None:
    config = write_config(tmp_path, receiver, None, in_server=False)
    breached_takedown(config)
    process, _ = _serve(tmp_path, config)
    try:
        time.sleep(3)  # three intervals of a scheduler that must not be running
    finally:
        assert _stop(process) in (0, -signal.SIGTERM)
    assert receiver.requests == 0
