"""What ``onshore policy explain`` states beyond its simple options, and its ``--brief`` view.

``--metric NAME=VALUE``, ``--event NAME=WHEN``, ``--label LABEL`` and ``--decision RULE``
give the engine the metrics, start events, data labels and authority decisions that
``POST /v1/decisions`` accepts; ``--at`` is the decision date. A bare date (``2026-01-01``)
means midnight in the deployment's time zone (``core.local_time``).

Example:
    >>> from zoneinfo import ZoneInfo
    >>> metrics(["vn_followers=12000"])
    {'vn_followers': 12000.0}
    >>> ev = events(["storage_request=2025-01-01"], ZoneInfo("Asia/Ho_Chi_Minh"))
    >>> ev["storage_request"].isoformat()
    '2025-01-01T00:00:00+07:00'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from onshore.core.errors import InputError
from onshore.core.local_time import parse_moment

if TYPE_CHECKING:
    from onshore.core.policy import Decision


def _pair(text: str, flag: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise InputError(f"{flag} is NAME=VALUE (got {text!r})", details={"field": flag})
    return name.strip(), value.strip()


def metrics(given: Sequence[str]) -> dict[str, float]:
    """``--metric NAME=VALUE`` options as the engine's metrics (``true``/``false`` are 1/0)."""
    out: dict[str, float] = {}
    for text in given:
        name, value = _pair(text, "--metric")
        flags = {"true": 1.0, "false": 0.0}
        try:
            number = flags[value.lower()] if value.lower() in flags else float(value)
        except ValueError:
            raise InputError(f"--metric {name}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise InputError(f"--metric {name}: {value!r} is not a finite number")
        out[name] = number
    return out


def events(given: Sequence[str], zone: tzinfo) -> dict[str, datetime]:
    """``--event NAME=WHEN`` options as start events (a bare date: midnight in ``zone``)."""
    out: dict[str, datetime] = {}
    for text in given:
        name, value = _pair(text, "--event")
        out[name] = parse_moment(value, zone, what=f"--event {name}")
    return out


def brief(decision: Decision) -> list[str]:
    """A few lines: the outcome, the deciding rules, each obligation with its due date."""
    at = decision.at.isoformat() if decision.at else "?"
    lines = [f"{decision.outcome.value.upper()}  {decision.op} at {at}"]
    lines.append("rules: " + (", ".join(decision.deciding_rules) or "none"))
    for o in decision.obligations:
        due = f"by {o.due.isoformat()}" if o.due else "no deadline"
        lines.append(f"owes: {o.rule_id} {o.kind} {due}")
    lines += [f"warning: {w}" for w in decision.warnings]
    return lines
