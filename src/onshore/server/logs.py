"""Structured JSON logs: one object per line, no personal data, no tokens.

Only allow-listed ``extra`` fields are written (request id, method, route template, status,
duration, token id, role, error code...), so a stray value cannot leak into a log line.
Paths are logged as route templates (``/v1/records/{record_id}``), never with their ids,
and query strings are never logged.

Example:
    >>> import logging
    >>> rec = logging.LogRecord("onshore.server", logging.INFO, "", 0, "hello", None, None)
    >>> rec.status = 201; rec.phone = "+84912345678"
    >>> line = JsonFormatter().format(rec)
    >>> '"status": 201' in line, "849" in line
    (True, False)
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

FIELDS = (
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "token_id",
    "role",
    "permission",
    "decision",
    "code",
    "exc_type",
    "frames",
    "reason",
    "host",
    "port",
    "url",
)


class JsonFormatter(logging.Formatter):
    """Format a log record as one JSON object with allow-listed fields only."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line (the message is the format string's result)."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in FIELDS:
            if name in record.__dict__:
                out[name] = record.__dict__[name]
        return json.dumps(out, default=str)


def configure(level: str = "info") -> None:
    """Send onshore's and uvicorn's logs to stderr as JSON lines (uvicorn's own access log
    is switched off by ``onshore serve``: it would print paths with ids and query strings)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("onshore", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
