"""``[transfers]``: the deployment's facts a transfer impact-assessment dossier states.

The dossier (``onshore transfers dossier``) fills its "sender" sections from here: the
controller sending data abroad, its address and contact, the person or department in charge
of personal-data protection, and the business registration. A field left empty reads "to
complete" in the draft, with what the law requires there.

Example:
    >>> s = TransferSettings.model_validate({"controller_name": "Example JSC"})
    >>> s.controller_name, s.contact is None
    ('Example JSC', True)
"""

from __future__ import annotations

from pydantic import Field

from onshore.settings.sections import Strict


class TransferSettings(Strict):
    """``[transfers]``: who sends the data abroad (the facts of the dossier's sender)."""

    controller_name: str | None = Field(
        default=None,
        max_length=500,
        description="The controller sending data abroad (its registered name).",
        examples=["Example Social JSC"],
    )
    address: str | None = Field(
        default=None, max_length=1000, description="The controller's registered address."
    )
    contact: str | None = Field(
        default=None,
        max_length=500,
        description="How the authority reaches the controller (e-mail, telephone).",
    )
    protection_officer: str | None = Field(
        default=None,
        max_length=500,
        description="The person or department in charge of personal-data protection, with "
        "their contact.",
    )
    registration: str | None = Field(
        default=None,
        max_length=200,
        description="Business registration (enterprise code) of the controller.",
    )
