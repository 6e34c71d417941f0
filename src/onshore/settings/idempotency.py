"""``[idempotency]``: how long the server remembers an ``Idempotency-Key`` and its response
(``onshore.server.idempotency``; docs/api.md, "Idempotent requests").

Example:
    >>> IdempotencySettings().expiry_seconds
    86400.0
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IdempotencySettings(BaseModel):
    """``[idempotency]``: the ``Idempotency-Key`` header of creating POSTs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expiry_seconds: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="How long a key and the response it answered are kept (s); a retry with "
        "the key after that runs the request again.",
    )
    lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long a key whose first request has not been answered (a crash, a "
        "deadline) refuses retries with 409 idempotency.in_progress before a retry may run "
        "the request again (s).",
    )
    max_key_length: int = Field(
        default=255,
        ge=16,
        le=1024,
        description="Longest Idempotency-Key accepted (422 idempotency.key_invalid).",
    )
