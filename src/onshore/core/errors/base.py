"""The root of the error tree: ``OnshoreError`` (stable ``code``, safe ``message``, JSON
``details``) and ``ConfigError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class OnshoreError(Exception):
    """Base of every error onshore raises on purpose.

    ``message`` is safe to show to a caller: it never contains personal data.
    ``details`` is a JSON-serialisable mapping with machine-readable context.
    """

    code: ClassVar[str] = "onshore.error"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape: ``{"error": {"code", "message", "details"}}``."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class ConfigError(OnshoreError):
    """The configuration is unusable; the message names the offending key."""

    code = "config.invalid"
