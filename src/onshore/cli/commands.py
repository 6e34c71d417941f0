"""The root commands of ``onshore``: which module defines each, and the first paragraph of its
help, which ``onshore --help`` lists without importing the module.

``tests/vault/test_cli.py`` checks each summary against the command's own help, so the table
cannot drift from the docstrings.
"""

from __future__ import annotations

from typing import NamedTuple


class RootCommand(NamedTuple):
    """A root command: the ``onshore.cli`` module that registers it and its help's first
    paragraph (what ``onshore --help`` shows)."""

    module: str
    summary: str


#: Every root command, in the order ``onshore --help`` lists them.
COMMANDS: dict[str, RootCommand] = {
    "init": RootCommand(
        "vault",
        "Write a working default ``onshore.toml`` (regions vn-hcm and sg-1 on SQLite under\n"
        "./data) and generate each new region's keys. A region that already holds data and\n"
        "lacks a key stops with ``keys.missing``: restore it with ``onshore keys import``.",
    ),
    "put": RootCommand(
        "vault", "Store one record in the region its subject's law requires; print the receipt."
    ),
    "get": RootCommand("vault", "Print one decrypted record as JSON."),
    "find": RootCommand(
        "vault",
        "Find records by identifier through the blind indexes (no plaintext is searched).\n"
        "With a region down, prints what the other regions hold and exits 1 "
        "(``store.partial``).",
    ),
    "demo": RootCommand(
        "demo",
        "Write synthetic users of several countries through the SDK, show where each\n"
        "country's users landed, and check that no VN user's data sits outside VN.",
    ),
    "serve": RootCommand(
        "serve", "Serve the HTTP API (OpenAPI at /openapi.json, status page at /)."
    ),
    "run": RootCommand(
        "serve",
        "Set up on first start (onshore.toml, keys, demo data, an admin token in\n"
        "data/admin.token), print the URL, and serve. Run by ``make run``.",
    ),
    "scan": RootCommand(
        "scan", "Scan files and databases for personal data and write findings as JSON Lines."
    ),
    "import": RootCommand(
        "import_",
        "Import an existing table into the vault, each row placed by its subject's residency.",
    ),
    "keys": RootCommand(
        "keys", "Region keys: rotation, re-wrapping, re-indexing, backup and restore."
    ),
    "token": RootCommand("token", "API tokens: create, list, revoke."),
    "users": RootCommand(
        "users", "Users who sign in: create, list, disable, enable, roles, password, TOTP."
    ),
    "ledger": RootCommand(
        "ledger", "The verifiable ledger: signed checkpoints, proofs, verification."
    ),
    "migrate": RootCommand(
        "migrate", "Move records between regions in bulk: plan, run (resumable), status."
    ),
    "policy": RootCommand("policy", "Policy packs: list them, check them, explain decisions."),
    "login": RootCommand(
        "login", "Sign in to an onshore server and keep its token for the next commands."
    ),
    "logout": RootCommand(
        "login", "Revoke the stored token on its server and remove the credentials file."
    ),
    "whoami": RootCommand(
        "login",
        "Who the next command acts as: the user of the token on the configured server, or\n"
        "the host administrator when no server is configured.",
    ),
    "requests": RootCommand(
        "authority_requests", "Authority data requests: intake, review, production, deadlines."
    ),
    "report": RootCommand("report", "Reports published from onshore's records."),
    "takedowns": RootCommand(
        "takedowns", "Takedown notices: receive, act, clocks, statements of reasons, reports."
    ),
    "audience": RootCommand(
        "audience", "Audience metrics and threshold obligations (10,000 VN subscribers...)."
    ),
    "dsr": RootCommand(
        "dsr",
        "Data-subject requests: access, copy, correction, erasure, restriction,\n"
        "objection, withdrawal of consent.",
    ),
    "breach": RootCommand(
        "breaches",
        "Personal-data breaches: record, count, notify the authorities and the subjects.",
    ),
    "transfers": RootCommand(
        "transfers",
        "Cross-border transfers: the register, impact-assessment dossiers and their clocks.",
    ),
    "worker": RootCommand(
        "worker", "Check case deadlines and send due-soon and breach notices (webhooks, e-mail)."
    ),
    "retention": RootCommand(
        "retention", "Retention: erasures deferred by retention minimums, and retention maximums."
    ),
    "db": RootCommand("db", "Database schema versions and upgrades."),
    "backup": RootCommand(
        "backup", "Encrypted, verifiable backups of a region, kept where its law allows."
    ),
}
