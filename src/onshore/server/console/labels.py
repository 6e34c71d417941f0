"""Words the console shows that come from data, not templates: case kinds' titles, their
states and queue columns. ``label(name)`` turns an identifier into words (``legal_review``
-> ``Legal review``); the page translates them with the catalog. ``KNOWN`` marks the
built-in ones for ``pybabel extract`` (keyword ``N_``) so the catalogs carry them; a kind
added later shows its English words until its translations are added here.

Example:
    >>> label("user_notice_pending")
    'User notice pending'
"""

from __future__ import annotations


def N_(message: str) -> str:  # gettext's name for "mark, do not translate"
    """``message`` unchanged (marks it for extraction)."""
    return message


def label(name: str) -> str:
    """An identifier as words, capitalised."""
    return name.replace("_", " ").capitalize()


#: The built-in kinds' titles, states and column headings (see module).
KNOWN: tuple[str, ...] = (
    N_("Authority data requests"),
    N_("Takedown notices"),
    N_("Audience obligations"),
    N_("Acknowledged"),
    N_("Appeal window"),
    N_("Appealed"),
    N_("Approved"),
    N_("Authenticating"),
    N_("Classified"),
    N_("Closed"),
    N_("Collecting"),
    N_("Decided"),
    N_("Dossier ready"),
    N_("Emergency review"),
    N_("Enforced"),
    N_("Filed"),
    N_("Incomplete"),
    N_("Legal review"),
    N_("Narrowing"),
    N_("Notified"),
    N_("Open"),
    N_("Overturned"),
    N_("Packaged"),
    N_("Preserved"),
    N_("Produced"),
    N_("Received"),
    N_("Redaction qa"),
    N_("Rejected"),
    N_("Release approval"),
    N_("Residency check"),
    N_("Review"),
    N_("Statement sent"),
    N_("Triaged"),
    N_("Upheld"),
    N_("User notice pending"),
    N_("Validating"),
    N_("Withdrawn"),
    N_("Authority"),
    N_("Country"),
    N_("Crossed on"),
    N_("Process"),
    N_("Reference"),
    N_("Rule"),
    N_("Source"),
    N_("Urgent"),
    N_("Data-subject requests"),
    N_("Personal data breaches"),
    N_("Transfer impact assessments"),
    N_("Verified"),
    N_("Refused"),
    N_("Assembled"),
    N_("Answered"),
    N_("Erasure deferred"),
    N_("Discovered"),
    N_("Assessing"),
    N_("Drafted"),
    N_("Authority notified"),
    N_("Subjects notified"),
    N_("Not notifiable"),
    N_("Owed"),
    N_("Not required"),
    N_("Destination"),
    N_("Dossier"),
    N_("Channel"),
    N_("Region"),
)
