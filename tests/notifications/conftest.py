"""Fixtures for deadline notices: a SQLite deployment on a fixed clock, a real local webhook
receiver (``http.server`` on a free port, checking signatures with ``verify_signature``), a
real local SMTP server (aiosmtpd), and one helper that opens a takedown (the only place that
says who acts)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from onshore.adapters.clock import FixedClock
from onshore.core.errors import OnshoreError
from onshore.core.identity import Principal
from onshore.ports import Case
from onshore.services.runtime import Runtime, open_runtime
from onshore.services.takedowns import TakedownService
from onshore.services.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, verify_signature
from onshore.settings import Settings, default_config_dict

T0 = datetime(2026, 8, 3, 2, 0, tzinfo=UTC)  # Monday 09:00 in Ha Noi
SECRET = "whsec-test-0123456789abcdef"
SMTP_USER, SMTP_PASSWORD = "onshore", "mail-pass-4711"

NOTICE: dict[str, Any] = {
    "reason": "advertises unlicensed online gambling",
    "content": [{"url": "https://social.example/p/123", "content_type": "CONTENT_TYPE_VIDEO"}],
    "sender": {
        "name": "Authority of Broadcasting and Electronic Information",
        "kind": "authority",
        "email": "notices@abei.example",
        "country": "VN",
    },
    "jurisdictions": ["VN"],
    "reference": "CV-2026-88",
    "legal_basis": "Decree 147/2024/ND-CP",
}


#: The operator who receives the notices.
OLGA = Principal("user", "usr_olga", "olga", frozenset({"operator"}))


def receive_takedown(svc: TakedownService, **kw: Any) -> Case:
    """An authority order (24 hours under Decree 147) with a reference of its own (each call
    opens a new case), received by an operator. The one place these tests say who acts:
    adapt it when case services take a principal."""
    notice = {**NOTICE, "reference": f"CV-2026-{uuid.uuid4().hex[:8]}"}
    return svc.receive(source="authority_order", notice=notice, principal=OLGA, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    """A webhook endpoint: what it accepted, what it refused, and how to misbehave."""

    url: str = ""
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    requests: int = 0
    fail_with: int | None = None  # answer every request with this status
    fail_first: int = 0  # answer the first N requests 503
    seen: set[str] = field(default_factory=set)
    headers: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                rec.requests += 1
                rec.headers.append(dict(self.headers))
                if rec.fail_with is not None or rec.requests <= rec.fail_first:
                    self.send_response(rec.fail_with or 503)
                    self.end_headers()
                    return
                try:
                    event = verify_signature(
                        SECRET, self.headers.get(SIGNATURE_HEADER), body, now=time.time(),
                        tolerance=300, seen_ids=rec.seen,
                    )  # fmt: skip
                except OnshoreError as exc:
                    rec.refused.append(exc.code)
                    self.send_response(401)
                    self.end_headers()
                    return
                assert event["id"] == self.headers.get(EVENT_ID_HEADER)
                rec.accepted.append(event)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/onshore"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    """What the SMTP server received, and the logins it saw."""

    host: str
    port: int
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
            return "250 Message accepted"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:  # fmt: skip
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == SMTP_USER
            and auth_data.password.decode() == SMTP_PASSWORD
        )
        if ok:
            box.logins.append(SMTP_USER)
        return AuthResult(success=ok)

    controller = Controller(
        Handler(), hostname=box.host, port=box.port, authenticator=authenticator,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    yield box
    controller.stop()


def notification_config(base: Path, receiver: Receiver | None, mailbox: Mailbox | None,
                        **extra: Any) -> dict[str, Any]:  # fmt: skip
    """The ``[notifications]`` table for the local endpoints (secrets in env and file)."""
    conf: dict[str, Any] = {"interval_seconds": 1, "due_soon_hours": 6, **extra}
    if receiver is not None:
        conf["webhooks"] = [
            {"name": "ops", "url": receiver.url, "secret_env": "TEST_ONSHORE_HOOK_SECRET"}
        ]
    if mailbox is not None:
        (base / "smtp.password").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
        conf["smtp"] = {
            "host": mailbox.host, "port": mailbox.port, "starttls": False,
            "username": SMTP_USER, "password_file": "smtp.password",
            "sender": "onshore@platform.example", "to": ["oncall@platform.example"],
            "to_roles": {"legal_reviewer": ["legal@platform.example"],
                         "operator": ["tns@platform.example"]},
        }  # fmt: skip
    return conf


def deployment(base: Path, receiver: Receiver | None = None, mailbox: Mailbox | None = None,
               **extra: Any) -> Settings:  # fmt: skip
    """The default deployment on SQLite in ``base``, with its notifications table."""
    cfg = default_config_dict()
    for name, region in cfg["regions"].items():
        region["store"] = f"sqlite:///{base}/{name}.db"
        region.pop("objects", None)
    cfg["base_dir"] = str(base)
    cfg["notifications"] = notification_config(base, receiver, mailbox, **extra)
    return Settings.model_validate(cfg)


ENV = {"TEST_ONSHORE_HOOK_SECRET": SECRET}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def runtime(tmp_path: Path, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
            ) -> Iterator[Runtime]:  # fmt: skip
    rt = open_runtime(deployment(tmp_path, receiver, mailbox), create_keys=True, clock=clock)
    yield rt
    rt.close()
