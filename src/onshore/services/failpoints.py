"""The failpoints' former home: ``onshore.failpoints`` now (adapters hit them too).

Kept so that code importing ``onshore.services.failpoints`` goes on working; the names are the
same objects (one registry, one parsed variable). New code imports ``onshore.failpoints``.

Example:
    >>> from onshore import failpoints as moved
    >>> hit is moved.hit and POINTS is moved.POINTS
    True
"""

from __future__ import annotations

from onshore.failpoints import (
    ENV,
    POINTS,
    Action,
    FailpointTriggered,
    hit,
    parse,
    register,
    reset,
)

__all__ = ["ENV", "POINTS", "Action", "FailpointTriggered", "hit", "parse", "register", "reset"]
