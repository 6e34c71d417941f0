"""Errors of the ``Idempotency-Key`` header (``onshore.server.idempotency``): a malformed key,
a key reused for another request, and a key whose first request has not finished yet.
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError
from onshore.core.errors.inputs import InputError


class IdempotencyKeyInvalid(InputError):
    """An ``Idempotency-Key`` header is empty, too long, or has characters not allowed.

    Allowed: ``A-Z a-z 0-9 - _ . : + / =``, up to ``details['max_length']`` characters.
    """

    code = "idempotency.key_invalid"


class IdempotencyKeyReused(InputError):
    """The caller already used this ``Idempotency-Key`` for a different request.

    Another body, path or query: use a new key for a new request.
    """

    code = "idempotency.key_reused"


class IdempotencyInProgress(OnshoreError):
    """The first request with this ``Idempotency-Key`` is still being processed.

    Retry after ``details['retry_after']`` seconds (also the ``Retry-After`` header).
    """

    code = "idempotency.in_progress"
