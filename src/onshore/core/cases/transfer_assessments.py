"""The transfer-impact-assessment lifecycle (pure): a dossier owed for transfers abroad.

A ``transfer_assessment`` case is opened by onshore itself when a transfer the vault performs
is decided with an obligation to file a dossier (``transfer_requires`` with ``timing:
after``, or ``file_artifact``: Decree 13 art. 25, PDP Law arts. 20-22, Decree 356 arts.
17-18: the TIA dossier to A05 within 60 days). One case per exporting region, destination
country and artifact: a second transfer on the same route finds the case already open.

The steps: ``update`` records the facts the dossier needs that onshore cannot know (the
recipient, the protection measures, the risk assessment...), ``draft`` fills the form from
the transfer register, the deployment's facts and the case, ``file`` (a legal reviewer)
records that the dossier went to the authority (its SHA-256 on the region's ledger) and
starts the update clock (PDP Law art. 22: every 6 months when something changed),
``review`` records a periodic review on which nothing changed (the update clock starts
again), ``draft`` from ``filed`` starts an updated dossier, ``dismiss`` closes an owed
dossier found not required, ``close`` ends a filed one when the transfers stopped.

Example:
    >>> TRANSFER_ASSESSMENTS.initial, sorted(TRANSFER_ASSESSMENTS.terminal)
    ('owed', ['closed', 'not_required'])
    >>> [t.action for t in TRANSFER_ASSESSMENTS.available("drafted")]
    ['update', 'draft', 'file', 'dismiss']
"""

from __future__ import annotations

from onshore.core.cases.lifecycle import Lifecycle, Transition

KIND = "transfer_assessment"

#: Who does what (the HTTP permission matrix maps the same roles).
OPERATOR, REVIEWER, ADMIN = "operator", "legal_reviewer", "admin"
_OPS_REV = frozenset({OPERATOR, REVIEWER, ADMIN})
_REV = frozenset({REVIEWER})

#: Requirement types whose obligation makes a dossier owed after a transfer.
DOSSIER_REQUIREMENTS = frozenset({"transfer_requires", "file_artifact"})

TRANSFER_ASSESSMENTS = Lifecycle(
    name=KIND,
    initial="owed",
    terminal=frozenset({"closed", "not_required"}),
    transitions=(
        Transition("owed", "update", "owed", _OPS_REV),
        Transition("owed", "draft", "drafted", _OPS_REV),
        Transition("drafted", "update", "drafted", _OPS_REV),
        Transition("drafted", "draft", "drafted", _OPS_REV),
        Transition("drafted", "file", "filed", _REV),
        Transition("filed", "update", "filed", _OPS_REV),
        Transition("filed", "review", "filed", _REV),
        Transition("filed", "draft", "drafted", _OPS_REV),
        Transition("owed", "dismiss", "not_required", _REV, ("requires:reason",)),
        Transition("drafted", "dismiss", "not_required", _REV, ("requires:reason",)),
        Transition("filed", "close", "closed", _REV, ("requires:reason",)),
    ),
)


def dossier_key(obligation_key: str) -> tuple[str, str] | None:
    """``(artifact, authority)`` of an obligation key that owes a dossier
    (``file:<artifact>:<to>``); None for any other key.

    Example:
        >>> dossier_key("file:tia_dossier:A05")
        ('tia_dossier', 'A05')
        >>> dossier_key("notify:A05:transfer") is None
        True
    """
    parts = obligation_key.split(":")
    if len(parts) != 3 or parts[0] != "file" or not parts[1] or parts[1] == "None":
        return None
    return parts[1], "" if parts[2] == "None" else parts[2]
