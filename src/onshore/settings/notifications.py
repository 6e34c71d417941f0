"""``[notifications]``: when the scheduler checks case deadlines and whom it tells.

Secrets are never written in ``onshore.toml``: a webhook's signing secret and the SMTP
password are named by an environment variable (``secret_env``/``password_env``) or a file
(``secret_file``/``password_file``, one line, read when the worker starts).

Example:
    >>> s = NotificationSettings.model_validate({
    ...     "webhooks": [{"name": "ops", "url": "https://hooks.example/onshore",
    ...                   "secret_env": "HOOK_SECRET_OPS"}],
    ...     "smtp": {"host": "mail.example", "sender": "onshore@example.com",
    ...              "to": ["legal@example.com"]}})
    >>> s.interval_seconds, s.webhooks[0].events, s.smtp.port if s.smtp else None
    (60.0, ['due_soon', 'breached'], 587)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from onshore.settings.sections import Strict

#: What the scheduler notifies: a case due within the window, and a case past its deadline.
Event = Literal["due_soon", "breached"]
_EVENTS: list[Event] = ["due_soon", "breached"]


def _one_source(env: str | None, file: Path | None, what: str, *, required: bool) -> None:
    if env and file:
        raise ValueError(f"{what}: give an environment variable or a file, not both")
    if required and not (env or file):
        raise ValueError(f"{what}: name an environment variable or a file holding it")
    if env and env.upper().startswith("ONSHORE_"):
        raise ValueError(f"{what}: {env} starts with ONSHORE_, which names settings; rename it")


class WebhookSettings(Strict):
    """One ``[[notifications.webhooks]]`` entry: where signed deadline events are POSTed."""

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$",
        description="A short name for this endpoint (lower case; used in what was sent).",
    )
    url: str = Field(
        pattern=r"^https?://", description="The URL events are POSTed to (http or https)."
    )
    secret_env: str | None = Field(
        default=None, description="Environment variable holding the HMAC signing secret."
    )
    secret_file: Path | None = Field(
        default=None, description="File holding the HMAC signing secret (instead of an env var)."
    )
    events: list[Event] = Field(
        default_factory=lambda: list(_EVENTS),
        description="Which events this endpoint receives: due_soon, breached.",
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Longest one POST may take (s)."
    )

    @model_validator(mode="after")
    def _secret(self) -> WebhookSettings:
        _one_source(
            self.secret_env, self.secret_file, f"webhooks.{self.name}.secret", required=True
        )
        return self


class SmtpSettings(Strict):
    """``[notifications.smtp]``: the mail server deadline e-mails go through."""

    host: str = Field(description="SMTP server host name.")
    port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    ca_file: Path | None = Field(
        default=None,
        description="CA certificates (PEM) that verify the server's certificate under STARTTLS "
        "(default: the system's).",
    )
    username: str | None = Field(default=None, description="Log in as this user (optional).")
    password_env: str | None = Field(
        default=None, description="Environment variable holding the SMTP password."
    )
    password_file: Path | None = Field(
        default=None, description="File holding the SMTP password (instead of an env var)."
    )
    sender: str = Field(description="The From address of deadline e-mails.")
    to: list[str] = Field(
        default_factory=list, description="Addresses every deadline e-mail goes to."
    )
    to_roles: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Addresses per role (e.g. legal_reviewer = [...]): a case's e-mail also "
        "goes to the roles that can take its next step.",
    )
    events: list[Event] = Field(
        default_factory=lambda: list(_EVENTS),
        description="Which events are e-mailed: due_soon, breached.",
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Longest the SMTP conversation may take (s)."
    )

    @model_validator(mode="after")
    def _login(self) -> SmtpSettings:
        _one_source(
            self.password_env, self.password_file, "smtp.password", required=bool(self.username)
        )
        if not self.to and not self.to_roles:
            raise ValueError("smtp: name recipients in 'to' or 'to_roles'")
        return self


class NotificationSettings(Strict):
    """``[notifications]``: the deadline scheduler (``onshore worker``, ``onshore serve``)."""

    interval_seconds: float = Field(
        default=60.0, gt=0, description="How often the scheduler checks every case's deadline (s)."
    )
    due_soon_hours: float = Field(
        default=6.0,
        ge=0,
        description="A case due within this many hours is due soon (0: no due-soon notices).",
    )
    in_server: bool = Field(
        default=True,
        description="Run the scheduler inside ``onshore serve`` too (false: only ``onshore "
        "worker`` runs it).",
    )
    attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        description="Tries per webhook delivery (exponential backoff between them) before it "
        "is recorded as failed.",
    )
    backoff_seconds: float = Field(
        default=1.0, gt=0, description="First wait between webhook tries; it doubles each time."
    )
    backoff_max_seconds: float = Field(
        default=60.0, gt=0, description="Longest wait between two webhook tries (s)."
    )
    lease_seconds: float = Field(
        default=600.0,
        gt=0,
        description="A notice claimed by a worker that has not finished it after this long "
        "(the worker died) may be claimed again by another.",
    )
    webhooks: list[WebhookSettings] = Field(
        default_factory=list, description="The ``[[notifications.webhooks]]`` endpoints."
    )
    smtp: SmtpSettings | None = Field(
        default=None, description="The ``[notifications.smtp]`` table (no table: no e-mail)."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> NotificationSettings:
        names = [w.name for w in self.webhooks]
        if len(names) != len(set(names)):
            raise ValueError("notifications.webhooks: two endpoints share a name")
        return self
