"""Deadline e-mail over SMTP (``smtplib``): optional STARTTLS and login, plain text.

``Mailer.send(recipients, subject, body)`` opens one SMTP conversation per message; a
failure raises ``MailError`` naming the SMTP error's class and code (never the password).
:func:`deadline_message` writes the message for one case: its kind, id, region, state,
deadline and how to act (the CLI command and the API route), and nothing from the case's
data (no personal data leaves in an e-mail).

Example:
    >>> subject, body = deadline_message(kind="takedown", case_id="tkd-1", region="vn-hcm",
    ...     state="received", deadline="VN-D147-takedown", due_at="2026-08-04T02:00:00Z",
    ...     event="breached")
    >>> subject
    '[onshore] takedown tkd-1 breached its deadline (due 2026-08-04T02:00:00Z)'
    >>> "onshore takedowns show tkd-1" in body
    True
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

#: How to reach each case kind: the CLI group and the API collection.
_WHERE = {
    "takedown": ("onshore takedowns show {id}", "/v1/cases/takedowns/{id}"),
    "authority_request": ("onshore requests show {id}", "/v1/cases/requests/{id}"),
    "audience_obligation": (
        "onshore audience dossier {id}",
        "/v1/audience/obligations/{id}/dossier",
    ),
}


class MailError(Exception):
    """The SMTP server refused or could not be reached; the text holds no secret."""


@dataclass(frozen=True)
class Mailer:
    """An SMTP server and how to log in to it (``password`` is never shown)."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    ca_file: Path | None = None

    def send(self, recipients: Sequence[str], subject: str, body: str) -> None:
        """Send one plain-text message to ``recipients``; ``MailError`` when it fails."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = subject
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(domain="onshore")
        msg.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    cafile = str(self.ca_file) if self.ca_file else None
                    smtp.starttls(context=ssl.create_default_context(cafile=cafile))
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg, to_addrs=list(recipients))
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"{type(exc).__name__} {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(type(exc).__name__) from None


def deadline_message(
    *,
    kind: str,
    case_id: str,
    region: str,
    state: str,
    deadline: str,
    due_at: str,
    event: str,
) -> tuple[str, str]:
    """The subject and plain-text body of one deadline e-mail (no personal data)."""
    what = "breached its deadline" if event == "breached" else "is due soon"
    subject = f"[onshore] {kind} {case_id} {what} (due {due_at})"
    cli, api = _WHERE.get(kind, ("onshore cases show {id}", "/v1/cases/{id}"))
    lines = [
        f"A {kind} case {what}.",
        "",
        f"Case:     {case_id}",
        f"Kind:     {kind}",
        f"Region:   {region}",
        f"State:    {state}",
        f"Deadline: {deadline}, due {due_at}",
        "",
        "How to act:",
        f"  see the case:  {cli.format(id=case_id)}",
        f"            or:  GET {api.format(id=case_id)}",
        "  then take its next step (or record why it is late) in onshore.",
        "",
        "This message holds no personal data; the case's details are in onshore.",
    ]
    if event == "breached":
        lines.insert(1, "The breach is recorded in the region's ledger.")
    return subject, "\n".join(lines) + "\n"
