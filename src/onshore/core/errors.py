"""The one error tree of onshore. Every error carries a stable dotted ``code``.

Codes are part of the public interface: HTTP maps them to statuses in one table
(``onshore.server.errors``), the CLI maps them to exit codes, and docs list them all.
Add classes freely; never rename a code.

Tree::

    OnshoreError                       onshore.error
    ├── ConfigError                    config.invalid
    ├── InputError                     input.invalid
    │   ├── MissingSubject             input.missing_subject
    │   ├── NotSerialisable            input.not_serialisable
    │   ├── RecordTooLarge             input.record_too_large
    │   ├── UnknownCategory            input.unknown_category
    │   └── UnknownIdentifier          input.unknown_identifier
    ├── RecordConflict                 record.conflict
    ├── NotFound                       not_found
    │   ├── RecordNotFound             record.not_found
    │   ├── CaseNotFound               case.not_found
    │   └── UnknownRegion              region.unknown
    ├── ResidencyError                 residency.error
    │   └── NoPermittedRegion          residency.no_permitted_region
    ├── PolicyError                    policy.error
    │   ├── PolicyDenied               policy.denied
    │   └── PackError                  policy.pack_invalid
    ├── StoreError                     store.error
    │   ├── StoreUnavailable           store.unavailable
    │   └── StoreIntegrityError        store.integrity
    ├── CryptoError                    crypto.error
    │   ├── KeyMissing                 keys.missing
    │   ├── KeyStoreUnavailable        keys.unavailable
    │   └── DecryptionFailed           crypto.decryption_failed
    ├── CaseError                      case.error
    │   ├── IllegalTransition          case.illegal_transition
    │   ├── RoleNotPermitted           case.role_not_permitted
    │   ├── SeparationOfDuties         case.separation_of_duties
    │   ├── GuardFailed                case.guard_failed
    │   ├── CaseConflict               case.conflict
    │   └── DisclosureBlocked          case.disclosure_blocked
    └── AuditError                     ledger.error
        ├── ProofError                 ledger.proof_invalid
        ├── LeafError                  ledger.leaf_invalid
        ├── CheckpointError            ledger.checkpoint_invalid
        ├── SignatureError             ledger.signature_invalid
        ├── BundleError                ledger.bundle_invalid
        ├── LeafNotFound               ledger.leaf_not_found
        └── PayloadRejected            ledger.payload_rejected
    AuthError (OnshoreError)           auth.error
    ├── Unauthenticated                auth.unauthenticated
    └── Forbidden                      auth.forbidden
    TokenNotFound (NotFound)           token.not_found
    TokenNameTaken (InputError)        token.name_taken
    BodyTooLarge (InputError)          input.body_too_large
    InvalidJson (InputError)           input.invalid_json
    MethodNotAllowed (InputError)      input.method_not_allowed

Example:
    >>> err = NoPermittedRegion("no configured region may hold this record")
    >>> err.code
    'residency.no_permitted_region'
    >>> err.to_dict()["error"]["code"]
    'residency.no_permitted_region'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


class InputError(OnshoreError):
    """A caller handed over something onshore cannot accept."""

    code = "input.invalid"


class MissingSubject(InputError):
    """A record came without a subject id."""

    code = "input.missing_subject"


class NotSerialisable(InputError):
    """A record's data cannot be represented as JSON."""

    code = "input.not_serialisable"


class RecordTooLarge(InputError):
    """A record is over the configured size limit."""

    code = "input.record_too_large"


class UnknownCategory(InputError):
    """A data category is not in the vocabulary (``onshore.core.taxonomy``)."""

    code = "input.unknown_category"


class UnknownIdentifier(InputError):
    """A ``find`` asked for an identifier type that has no blind index."""

    code = "input.unknown_identifier"


class RecordConflict(OnshoreError):
    """A record id already holds different content; change it with ``Vault.update`` instead."""

    code = "record.conflict"


class NotFound(OnshoreError):
    """Something asked for does not exist."""

    code = "not_found"


class RecordNotFound(NotFound):
    """No record with that id exists in any configured region."""

    code = "record.not_found"


class UnknownRegion(NotFound):
    """The region name is not configured."""

    code = "region.unknown"


class ResidencyError(OnshoreError):
    """Residency could not be resolved or honoured."""

    code = "residency.error"


class NoPermittedRegion(ResidencyError):
    """No configured region is in a country where the law allows this record to live."""

    code = "residency.no_permitted_region"


class PolicyError(OnshoreError):
    """Policy evaluation failed or said no."""

    code = "policy.error"


class PolicyDenied(PolicyError):
    """The policy engine denied the operation; ``details['decision']`` explains why."""

    code = "policy.denied"


class PackError(PolicyError):
    """A policy pack is malformed; the message names the file, line and reason."""

    code = "policy.pack_invalid"


class StoreError(OnshoreError):
    """A storage backend failed."""

    code = "store.error"


class StoreUnavailable(StoreError):
    """A store cannot be reached; nothing was written."""

    code = "store.unavailable"


class StoreIntegrityError(StoreError):
    """A store refused a write that would break its invariants; nothing was written."""

    code = "store.integrity"


class CryptoError(OnshoreError):
    """Encryption, decryption or key handling failed."""

    code = "crypto.error"


class KeyMissing(CryptoError):
    """Key material a region needs is missing."""

    code = "keys.missing"


class DecryptionFailed(CryptoError):
    """Ciphertext failed authentication (tampered, wrong key, or wrong record/region binding)."""

    code = "crypto.decryption_failed"


class KeyStoreUnavailable(CryptoError):
    """A region's key store cannot be read or written (permissions, missing directory)."""

    code = "keys.unavailable"


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


class AuthError(OnshoreError):
    """A caller could not be authenticated or is not allowed to do this."""

    code = "auth.error"


class Unauthenticated(AuthError):
    """No bearer token, or one that is unknown or revoked (HTTP 401)."""

    code = "auth.unauthenticated"


class Forbidden(AuthError):
    """The token's role does not carry the permission the operation needs (HTTP 403)."""

    code = "auth.forbidden"


class TokenNotFound(NotFound):
    """No API token has that name or id."""

    code = "token.not_found"


class TokenNameTaken(InputError):
    """An API token with that name already exists (names are unique, revoked ones included)."""

    code = "token.name_taken"


class BodyTooLarge(InputError):
    """A request body is over the server's size limit (HTTP 413)."""

    code = "input.body_too_large"


class InvalidJson(InputError):
    """A request body is not valid JSON (HTTP 400)."""

    code = "input.invalid_json"


class MethodNotAllowed(InputError):
    """The HTTP method is not allowed on that path (HTTP 405)."""

    code = "input.method_not_allowed"


class CaseNotFound(NotFound):
    """No case with that id exists (in the regions searched)."""

    code = "case.not_found"


class CaseError(OnshoreError):
    """A case workflow refused an action (see ``onshore.core.cases``)."""

    code = "case.error"


class IllegalTransition(CaseError):
    """The lifecycle has no such action from the case's current state.

    ``details`` holds ``lifecycle``, ``state``, ``action`` and the ``allowed`` actions.
    """

    code = "case.illegal_transition"


class RoleNotPermitted(CaseError):
    """The caller's role may not take this action (``details['roles']`` lists who may)."""

    code = "case.role_not_permitted"


class SeparationOfDuties(CaseError):
    """The same person may not take both actions (e.g. legal review and release approval)."""

    code = "case.separation_of_duties"


class GuardFailed(CaseError):
    """A transition's guard does not hold (a missing reason code, an unmet precondition)."""

    code = "case.guard_failed"


class CaseConflict(CaseError):
    """The case changed since it was read (optimistic concurrency), or the id is taken."""

    code = "case.conflict"


class DisclosureBlocked(CaseError):
    """The policy engine did not allow disclosing this region's data to that authority."""

    code = "case.disclosure_blocked"


def error_classes() -> Iterator[type[OnshoreError]]:
    """Every error class in the tree, base first (used by the docs and status-table tests).

    Example:
        >>> "residency.no_permitted_region" in {c.code for c in error_classes()}
        True
    """
    stack: list[type[OnshoreError]] = [OnshoreError]
    seen: set[type[OnshoreError]] = set()
    while stack:
        cls = stack.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())
