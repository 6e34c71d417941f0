"""``[sessions]``: browser sessions (the ``onshore_session`` cookie) and their timeouts.

A session ends when it has been idle for ``idle_minutes`` or is ``absolute_hours`` old,
whichever comes first; the user then signs in again (docs/sign-in.md).

Example:
    >>> s = SessionSettings()
    >>> s.idle_minutes, s.absolute_hours, s.secure_cookie
    (30, 12, 'auto')
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, model_validator

from onshore.settings.sections import Strict


class SessionSettings(Strict):
    """``[sessions]``: how long a browser session lasts and how its cookie is sent."""

    idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="Minutes without a request after which a session ends (idle timeout).",
    )
    absolute_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="Hours after sign-in after which a session ends, however active.",
    )
    secure_cookie: Literal["auto", "always"] = Field(
        default="auto",
        description="When the session cookie is marked Secure: 'auto' when the request came "
        "over TLS (https, also as forwarded by a trusted proxy), 'always' on every response "
        "(set it when a TLS-terminating proxy forwards plain HTTP without saying so).",
    )

    @property
    def idle(self) -> timedelta:
        """The idle timeout."""
        return timedelta(minutes=self.idle_minutes)

    @property
    def absolute(self) -> timedelta:
        """The absolute timeout."""
        return timedelta(hours=self.absolute_hours)

    @model_validator(mode="after")
    def _idle_within_absolute(self) -> SessionSettings:
        if self.idle > self.absolute:
            raise ValueError("sessions.idle_minutes must not exceed sessions.absolute_hours")
        return self
