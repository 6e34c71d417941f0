"""Errors of the ``Idempotency-Key`` header (``onshore.server.idempotency``): a malformed key,
a key reused for another request, and a key whose first request has not finished yet.
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError
from onshore.core.errors.inputs import InputError


class IdempotencyKeyInvalid(InputError):
    """An ``Idempotency-Key`` header is empty, too long, or holds characters outside
    ``A-Z a-z 0-9 - _ . : + / =`` (``details['max_length']`` says how long it may be)."""

    code = "idempotency.key_invalid"


class IdempotencyKeyReused(InputError):
    """An ``Idempotency-Key`` already answered a different request (another body or path)
    from the same caller; use a new key for a new request."""

    code = "idempotency.key_reused"


class IdempotencyInProgress(OnshoreError):
    """The first request with this ``Idempotency-Key`` is still being processed; retry
    after it has finished (``details['retry_after']`` seconds at the most)."""

    code = "idempotency.in_progress"
