"""Who may do what: the one permission matrix of the HTTP API.

Every route names one ``Permission`` (``server.auth.require``); this table says which roles
carry it. ``docs/api.md`` shows the same table (a test checks they agree). Routes without
a permission (``/healthz``, ``/metrics``, ``/openapi.json``, the status page ``/``) show no
personal data and need no token.

Example:
    >>> allowed("operator", Permission.RECORDS_WRITE), allowed("auditor", Permission.RECORDS_READ)
    (True, False)
"""

from __future__ import annotations

from enum import StrEnum

from onshore.core.identity import ROLES


class Permission(StrEnum):
    """An action a route performs (the value is what the ledger's access leaf records)."""

    RECORDS_WRITE = "records.write"
    RECORDS_READ = "records.read"
    RECORDS_TRANSFER = "records.transfer"
    SUBJECTS_READ = "subjects.read"
    SUBJECTS_ERASE = "subjects.erase"
    DECISIONS_EXPLAIN = "decisions.explain"
    LEDGER_READ = "ledger.read"
    TOKENS_MANAGE = "tokens.manage"
    USERS_MANAGE = "users.manage"
    AUTH_SELF = "auth.self"
    CASES_READ = "cases.read"
    CASES_WRITE = "cases.write"
    CASES_REVIEW = "cases.review"
    CASES_APPROVE = "cases.approve"


_ALL = frozenset(ROLES)

#: Permission -> the roles that carry it. Least privilege: auditors see the ledger and
#: policy but no personal data; approvers and legal reviewers work cases; operators run
#: the data plane; admins may do everything, including managing tokens.
MATRIX: dict[Permission, frozenset[str]] = {
    Permission.RECORDS_WRITE: frozenset({"operator", "admin"}),
    Permission.RECORDS_READ: frozenset({"operator", "legal_reviewer", "admin"}),
    Permission.RECORDS_TRANSFER: frozenset({"operator", "admin"}),
    Permission.SUBJECTS_READ: frozenset({"operator", "legal_reviewer", "admin"}),
    Permission.SUBJECTS_ERASE: frozenset({"operator", "admin"}),
    Permission.DECISIONS_EXPLAIN: _ALL,
    Permission.LEDGER_READ: _ALL,
    Permission.TOKENS_MANAGE: frozenset({"admin"}),
    Permission.USERS_MANAGE: frozenset({"admin"}),
    Permission.AUTH_SELF: _ALL,
    Permission.CASES_READ: _ALL,
    Permission.CASES_WRITE: frozenset({"operator", "legal_reviewer", "admin"}),
    Permission.CASES_REVIEW: frozenset({"legal_reviewer", "admin"}),
    Permission.CASES_APPROVE: frozenset({"approver", "admin"}),
}

_DESCRIPTIONS: dict[Permission, str] = {
    Permission.RECORDS_WRITE: "store records (single and batch)",
    Permission.RECORDS_READ: "read a decrypted record",
    Permission.RECORDS_TRANSFER: "move a record to another region",
    Permission.SUBJECTS_READ: "list a subject's records",
    Permission.SUBJECTS_ERASE: "erase every record of a subject",
    Permission.DECISIONS_EXPLAIN: "ask the policy engine for an explained decision",
    Permission.LEDGER_READ: "checkpoints, inclusion/consistency proofs and the ledger audit",
    Permission.TOKENS_MANAGE: "create, list and revoke API tokens",
    Permission.USERS_MANAGE: "create, list, disable and enable users; change their roles",
    Permission.AUTH_SELF: "see who the token belongs to, and revoke it (log out)",
    Permission.CASES_READ: "read cases (authority requests, takedowns, notifications)",
    Permission.CASES_WRITE: "open cases and record their facts",
    Permission.CASES_REVIEW: "legal review of a case",
    Permission.CASES_APPROVE: "approve a disclosure or takedown",
}


def allowed(role: str, permission: Permission) -> bool:
    """Does ``role`` carry ``permission``? Unknown roles carry nothing (a principal with
    several roles is allowed when any of them carries it: ``server.auth.allowed_any``)."""
    return role in MATRIX[permission]


def matrix_markdown() -> str:
    """The matrix as the Markdown table ``docs/api.md`` shows.

    Example:
        >>> matrix_markdown().splitlines()[0].startswith("| permission |")
        True
    """
    head = "| permission | what it allows | " + " | ".join(ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    rows = [
        f"| `{p.value}` | {_DESCRIPTIONS[p]} | "
        + " | ".join("yes" if r in MATRIX[p] else "-" for r in ROLES)
        + " |"
        for p in Permission
    ]
    return "\n".join([head, rule, *rows])
