"""A real ``onshore serve`` for the console's browser tests, with people and cases in it.

``start_console_server(directory)`` runs ``onshore init`` in ``directory``, creates the
console's users through the service behind ``onshore users create`` (a legal reviewer who
also works the intake, an approver who also reviews, a second approver who releases, an
auditor), writes the seed data (three subjects' records for an authority request to
collect, an authority registry with a verified channel, one takedown notice whose removal
deadline passed a day ago and one still within its time), then starts ``onshore serve`` on
a free loopback port and waits for ``/healthz``. Stop it with ``server.stop()``.

The seeding goes through the services in this process (the same code the API calls), before
the server starts, so that the breached notice can be received a day in the past.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from onshore.cli.users import actor as host_actor
from onshore.cli.users import open_users
from onshore.core.identity import Principal
from onshore.services.runtime import open_runtime
from onshore.services.takedowns import TakedownService
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.server.live import ONSHORE, LiveServer, cli, free_port

#: One password for every seeded user (test data only; 12+ characters as the policy asks).
PASSWORD = "correct-horse-battery-42"

AUTHORITIES_YAML = """\
schema: onshore.authorities/v0
authorities:
  VN-A05:
    name: A05 (test registry)
    country: VN
    kind: law_enforcement
    channels:
      - {id: a05-portal, type: portal, address: "https://portal.example.vn", verified: true}
"""

#: The notice of the takedown seeded a day late (its removal deadline has passed).
LATE_NOTICE = {
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
ON_TIME_NOTICE = {**LATE_NOTICE, "reference": "CV-2026-99", "reason": "impersonation"}


@dataclass(frozen=True)
class ConsoleUser:
    """A person who signs in to the console: name, roles, password."""

    name: str
    roles: tuple[str, ...]
    password: str = PASSWORD


#: The seeded people, by what they do in the tests.
USERS: dict[str, ConsoleUser] = {
    "reviewer": ConsoleUser("lan", ("operator", "legal_reviewer")),
    "approver": ConsoleUser("minh", ("legal_reviewer", "approver")),
    "releaser": ConsoleUser("ada", ("approver",)),
    "auditor": ConsoleUser("tuan", ("auditor",)),
}


@dataclass
class ConsoleServer(LiveServer):
    """A running server with its seeded users and the ids of the seeded cases."""

    users: dict[str, ConsoleUser] = field(default_factory=dict)
    late_takedown: str = ""
    on_time_takedown: str = ""


def create_users(directory: Path) -> None:
    """Create each of :data:`USERS` through the users service ``onshore users create`` uses
    (one runtime opened for all of them rather than one CLI run each)."""
    with open_users(directory / "onshore.toml") as users:
        for user in USERS.values():
            users.create(host_actor(), user.name, list(user.roles), password=user.password)


def seed(directory: Path) -> tuple[str, str]:
    """Records to collect and two takedown notices; the (late, on-time) takedown case ids."""
    (directory / "authorities.yaml").write_text(AUTHORITIES_YAML, encoding="utf-8")
    settings = load_settings(directory / "onshore.toml", env={})
    vault = Vault(open_runtime(settings))
    try:
        people = {
            "u-lan": ("+84912345678", "lan@example.vn", "VN"),
            "u-minh": ("+84987654321", "minh@example.vn", "VN"),
            "u-tan": ("+6591234567", "tan@example.sg", "SG"),
        }
        for subject, (phone, email, country) in people.items():
            signals = {"declared_residence": country}
            vault.put(subject, "profile", {"phone": phone, "email": email}, signals)
            vault.put(subject, "post", {"post": "hôm nay trời đẹp"}, signals)
        takedowns = TakedownService(vault.runtime, registry=CollectorRegistry())
        clerk = Principal("user", "seed", "seed", frozenset({"operator"}))
        now = vault.runtime.clock.now()
        late = takedowns.receive(
            source="authority_order",
            notice=LATE_NOTICE,
            principal=clerk,
            urgent=True,
            received_at=now - timedelta(days=1),
        )
        on_time = takedowns.receive(
            source="authority_order", notice=ON_TIME_NOTICE, principal=clerk
        )
        return late.case_id, on_time.case_id
    finally:
        vault.close()


#: Cheap argon2 parameters for the test deployment (hashing is the users suite's concern;
#: at the defaults each sign-in costs a second of CPU on a busy CI machine).
FAST_HASHING = """
[identities]
argon2_time_cost = 1
argon2_memory_kib = 1024
argon2_parallelism = 1
"""


def start_console_server(directory: Path) -> ConsoleServer:
    """Init, users, seed, ``onshore serve`` on a free port; returns once ``/healthz`` is 200."""
    cli("init", "--dir", str(directory), cwd=directory)
    with open(directory / "onshore.toml", "a", encoding="utf-8") as config:
        config.write(FAST_HASHING)
    create_users(directory)
    late, on_time = seed(directory)
    port = free_port()
    log_path = directory / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [ONSHORE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**env, "ONSHORE_CONFIG": str(directory / "onshore.toml")},
        )
    server = ConsoleServer(
        f"http://127.0.0.1:{port}",
        directory,
        process,
        log_path=log_path,
        users=dict(USERS),
        late_takedown=late,
        on_time_takedown=on_time,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"onshore serve exited early:\n{server.logs()}")
        try:
            if httpx.get(server.base + "/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"onshore serve did not come up:\n{server.logs()}")
