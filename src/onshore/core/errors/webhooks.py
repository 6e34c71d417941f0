"""Errors a webhook receiver raises when it refuses a delivery (``webhook.*``), from
``onshore.services.webhooks.verify_signature``.
"""

from __future__ import annotations

from onshore.core.errors.service import AuthError


class WebhookSignatureInvalid(AuthError):
    """A webhook's ``Onshore-Signature`` is missing, malformed or does not match its body."""

    code = "webhook.signature_invalid"


class WebhookReplayed(WebhookSignatureInvalid):
    """A webhook signature older than the tolerance, or an event id already received."""

    code = "webhook.replayed"
