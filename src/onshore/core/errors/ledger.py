"""Errors of the verifiable ledger: proofs, leaves, checkpoints, signatures, bundles, audits
(``ledger.*``).
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError


class AuditError(OnshoreError):
    """The ledger is inconsistent or a proof does not hold."""

    code = "ledger.error"


class ProofError(AuditError):
    """A Merkle inclusion or consistency proof does not verify."""

    code = "ledger.proof_invalid"


class LeafError(AuditError):
    """A ledger leaf (or the event it would encode) is malformed."""

    code = "ledger.leaf_invalid"


class CheckpointError(AuditError):
    """A checkpoint is malformed, or does not match the log it claims to describe."""

    code = "ledger.checkpoint_invalid"


class SignatureError(AuditError):
    """A signed note carries no valid signature by the expected key."""

    code = "ledger.signature_invalid"


class BundleError(AuditError):
    """A proof bundle cannot be read (not JSON, missing or malformed fields)."""

    code = "ledger.bundle_invalid"


class LeafNotFound(AuditError):
    """No ledger leaf records the requested record (in any region searched)."""

    code = "ledger.leaf_not_found"


class PayloadRejected(AuditError):
    """An event payload holds a field the ledger does not accept (it could carry personal data)."""

    code = "ledger.payload_rejected"


class LedgerAuditFailed(AuditError):
    """The ledger audit found problems (store and ledger disagree, or the log is damaged), so
    nothing is signed; ``details`` holds the findings' kinds and counts."""

    code = "ledger.audit_failed"
