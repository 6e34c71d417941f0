"""``--received-at`` of ``onshore takedowns receive`` and ``onshore requests receive``: when
the notice or request actually arrived, read as the service takes it.

Sent to a server, the option's text goes as is (the API reads a bare date as midnight in the
deployment's zone); on the host it is parsed here the same way (``core.local_time``), in the
zone of the runtime the command opened.

Example:
    >>> local_receipt({"received_at": None})
    {'received_at': None}
    >>> local_receipt({"received_at": "2026-03-05"})["received_at"].isoformat()
    '2026-03-05T00:00:00+07:00'
"""

from __future__ import annotations

from typing import Any

from onshore.core.local_time import deployment_zone, parse_moment


def local_receipt(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with ``received_at`` parsed to a moment (None stays None)."""
    text = body.get("received_at")
    if text is None:
        return body
    return {**body, "received_at": parse_moment(text, deployment_zone(), what="--received-at")}
