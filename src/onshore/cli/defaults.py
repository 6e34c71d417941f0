"""Values the CLI's help texts show whose home is a heavy module (roles, policy operations,
the request body limit), repeated here so that building the commands imports no service,
no pydantic and no FastAPI. ``tests/test_cli_start.py`` checks each equals its source.

Example:
    >>> "admin" in ROLES, "store" in OPS
    (True, True)
"""

from __future__ import annotations

#: ``onshore.services.tokens.ROLES``
ROLES: tuple[str, ...] = ("operator", "legal_reviewer", "approver", "auditor", "admin")

#: ``onshore.core.policy.vocabulary.OPS``
OPS: tuple[str, ...] = (
    "store",
    "read",
    "transfer",
    "erase",
    "disclose",
    "remove",
    "threshold",
    "breach",
    "request",
    "process",
)

#: ``onshore.server.context.ServerOptions().max_body_bytes``
MAX_BODY_BYTES = 8 * 1024 * 1024

#: ``onshore.adapters.sources.base``: the scan limits (``--max-line-bytes`` and friends)
SCAN_MAX_LINE_BYTES = 8 << 20
SCAN_MAX_COLUMNS = 16_384
SCAN_MAX_DEPTH = 64
