"""A case's entries in its region's ledger, and the check that one of them is in the log.

Every step of a case appends a leaf to the ledger of the case's region, naming the case by
a keyed hash (:class:`~onshore.services.cases.CaseService`). :func:`case_entries` lists
those leaves (index, event type, time); :func:`verify_entry` proves one of them against the
region's latest signed checkpoint (``Ledger.prove_index``: the inclusion proof computed from
the stored tiles) and checks the proof bundle again with the region's verifier key
(:func:`~onshore.core.ledger.bundle.verify_bundle`: the checkpoint's signature, the leaf,
the inclusion proof up to the signed root). The answer is a :class:`Verification` that says
either what was proved or the first check that failed, with its error code.

Example:
    >>> Verification(False, "vn-hcm", 3, code="ledger.proof_invalid").ok
    False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onshore.core.errors import LeafNotFound, OnshoreError
from onshore.core.ledger.bundle import verify_bundle
from onshore.ports import Case
from onshore.services.cases import CaseService


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One leaf of the case: its region, index, event type and time."""

    region: str
    index: int
    event: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking one leaf: ``ok``, and either what was proved (the tree
    ``size`` of the signed checkpoint, its ``root`` in hex, the ``key`` that signed it,
    the ``origin`` of the log) or the failed check's ``message`` and ``code``."""

    ok: bool
    region: str
    index: int
    size: int = 0
    root: str = ""
    key: str = ""
    origin: str = ""
    message: str = ""
    code: str = ""


def case_entries(cases: CaseService, case: Case) -> tuple[LedgerRow, ...]:
    """The case's leaves in its region's ledger, oldest first (``LeafError`` when one of
    them cannot be decoded)."""
    ledger = cases.ledger(case.region)
    return tuple(
        LedgerRow(case.region, e.index, e.leaf.type.label, e.leaf.at)
        for e in ledger.history(case.case_id)
    )


def key_id(verifier_key: str) -> str:
    """The name and key hash of a verifier key (``name+hash``; the public key left out).

    Example:
        >>> key_id("onshore/vn-hcm+1a2b3c4d+AQID")
        'onshore/vn-hcm+1a2b3c4d'
    """
    return "+".join(verifier_key.split("+")[:2])


def verify_entry(cases: CaseService, case: Case, index: int, *, at: datetime) -> Verification:
    """Check that leaf ``index`` of the case is in its region's log under the latest signed
    checkpoint (one is signed at ``at`` when none covers the leaf yet). ``LeafNotFound``
    when the leaf is not one of the case's."""
    ledger = cases.ledger(case.region)
    try:
        mine = {e.index for e in ledger.history(case.case_id)}
    except OnshoreError:  # a leaf that no longer decodes: look it up by index alone
        mine = {index}
    if index not in mine:
        raise LeafNotFound(
            "that leaf is not one of the case's", details={"index": index, "region": case.region}
        )
    try:
        bundle = ledger.prove_index(index, at=at)
        latest = ledger.store.latest_checkpoint()
        assert latest is not None
        trusted = ledger.verifier_key(latest[3])
        report = verify_bundle(bundle, trusted)
    except OnshoreError as exc:
        return Verification(False, case.region, index, message=exc.message, code=exc.code)
    return Verification(
        True,
        case.region,
        index,
        size=report.tree_size,
        root=report.root.hex(),
        key=key_id(trusted),
        origin=report.origin,
    )
