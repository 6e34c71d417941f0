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
    │   │   └── PartialResults         store.partial
    │   ├── StoreIntegrityError        store.integrity
    │   ├── SchemaOutdated             store.schema_outdated
    │   ├── SchemaTooNew               store.schema_too_new
    │   └── MigrationFailed            store.migration_failed
    ├── CryptoError                    crypto.error
    │   ├── KeyMissing                 keys.missing
    │   ├── KeyStoreUnavailable        keys.unavailable
    │   ├── KeyRotationIncomplete      keys.rotation_incomplete
    │   ├── KeysMismatch               keys.mismatch
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
        ├── PayloadRejected            ledger.payload_rejected
        └── LedgerAuditFailed          ledger.audit_failed
    AuthError (OnshoreError)           auth.error
    ├── Unauthenticated                auth.unauthenticated
    │   ├── InvalidCredentials         auth.invalid_credentials
    │   ├── TotpRequired               auth.totp_required
    │   ├── TotpInvalid                auth.totp_invalid
    │   ├── UserDisabled               auth.user_disabled
    │   ├── OwnerDisabled              auth.owner_disabled
    │   ├── TokenExpired               auth.token_expired
    │   └── SessionExpired             auth.session_expired
    ├── Forbidden                      auth.forbidden
    │   ├── RoleRevoked                auth.role_revoked
    │   └── CsrfFailed                 auth.csrf_failed
    ├── AccountLocked                  auth.locked
    └── OidcError                      auth.oidc_error
        ├── OidcDisabled               auth.oidc_disabled
        ├── OidcStateInvalid           auth.oidc_state
        ├── OidcTokenInvalid           auth.oidc_token_invalid
        ├── OidcUserUnknown            auth.oidc_user_unknown
        ├── OidcLinkTaken              auth.oidc_link_taken
        └── OidcProviderUnavailable    auth.oidc_provider_unavailable
    UserNotFound (NotFound)            user.not_found
    UserNameTaken (InputError)         user.name_taken
    UserConflict (OnshoreError)        user.conflict
    TokenNotFound (NotFound)           token.not_found
    TokenNameTaken (InputError)        token.name_taken
    BodyTooLarge (InputError)          input.body_too_large
    InvalidJson (InputError)           input.invalid_json
    MethodNotAllowed (InputError)      input.method_not_allowed
    BackupError (OnshoreError)         backup.error
    ├── BackupInvalid                  backup.invalid
    ├── BackupDestinationUnknown       backup.destination_unknown
    └── BackupTargetNotEmpty           backup.target_not_empty
    CannotListen (OnshoreError)        serve.cannot_listen

    TooManyItems (InputError)          input.too_many_items
    TooManyFields (InputError)         input.too_many_fields
    StringTooLong (InputError)         input.string_too_long
    HeaderTooLarge (InputError)        input.header_too_large
    InvalidEncoding (InputError)       input.invalid_encoding
    BadRequest (InputError)            input.bad_request
    DeadlineExceeded (OnshoreError)    server.timeout
    ServerUnreachable (OnshoreError)   server.unreachable
    WebhookSignatureInvalid (AuthError) webhook.signature_invalid
    └── WebhookReplayed                webhook.replayed
    IdempotencyKeyInvalid (InputError) idempotency.key_invalid
    IdempotencyKeyReused (InputError)  idempotency.key_reused
    IdempotencyInProgress              idempotency.in_progress
    ImportMappingError (InputError)    import.mapping_invalid
    ImportMappingChanged (InputError)  import.mapping_changed
    TooManyBadRows (OnshoreError)      import.too_many_errors

Example:
    >>> err = NoPermittedRegion("no configured region may hold this record")
    >>> err.code
    'residency.no_permitted_region'
    >>> err.to_dict()["error"]["code"]
    'residency.no_permitted_region'
"""

from __future__ import annotations

from collections.abc import Iterator

from onshore.core.errors.base import (
    ConfigError,
    OnshoreError,
)
from onshore.core.errors.cases import (
    CaseConflict,
    CaseError,
    DisclosureBlocked,
    GuardFailed,
    IllegalTransition,
    RoleNotPermitted,
    SeparationOfDuties,
)
from onshore.core.errors.idempotency import (
    IdempotencyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
)
from onshore.core.errors.identity import (
    AccountLocked,
    InvalidCredentials,
    OwnerDisabled,
    RoleRevoked,
    TokenExpired,
    TotpInvalid,
    TotpRequired,
    UserConflict,
    UserDisabled,
    UserNameTaken,
    UserNotFound,
)
from onshore.core.errors.imports import ImportMappingChanged, ImportMappingError, TooManyBadRows
from onshore.core.errors.inputs import (
    BadRequest,
    BodyTooLarge,
    CaseNotFound,
    HeaderTooLarge,
    InputError,
    InvalidEncoding,
    InvalidJson,
    MethodNotAllowed,
    MissingSubject,
    NotFound,
    NotSerialisable,
    RecordConflict,
    RecordNotFound,
    RecordTooLarge,
    StringTooLong,
    TokenNameTaken,
    TokenNotFound,
    TooManyFields,
    TooManyItems,
    UnknownCategory,
    UnknownIdentifier,
    UnknownRegion,
)
from onshore.core.errors.ledger import (
    AuditError,
    BundleError,
    CheckpointError,
    LeafError,
    LeafNotFound,
    LedgerAuditFailed,
    PayloadRejected,
    ProofError,
    SignatureError,
)
from onshore.core.errors.migration import (
    MigrationError,
    MigrationInProgress,
    MigrationPlanNotFound,
    MigrationVerifyFailed,
)
from onshore.core.errors.service import (
    AuthError,
    CannotListen,
    DeadlineExceeded,
    Forbidden,
    NoPermittedRegion,
    PackError,
    PolicyDenied,
    PolicyError,
    ResidencyError,
    ServerUnreachable,
    Unauthenticated,
)
from onshore.core.errors.sessions import (
    CsrfFailed,
    OidcDisabled,
    OidcError,
    OidcLinkTaken,
    OidcProviderUnavailable,
    OidcStateInvalid,
    OidcTokenInvalid,
    OidcUserUnknown,
    SessionExpired,
)
from onshore.core.errors.storage import (
    BackupDestinationUnknown,
    BackupError,
    BackupInvalid,
    BackupTargetNotEmpty,
    CryptoError,
    DecryptionFailed,
    KeyMissing,
    KeyRotationIncomplete,
    KeysMismatch,
    KeyStoreUnavailable,
    MigrationFailed,
    PartialResults,
    SchemaOutdated,
    SchemaTooNew,
    StoreError,
    StoreIntegrityError,
    StoreUnavailable,
)
from onshore.core.errors.webhooks import WebhookReplayed, WebhookSignatureInvalid

__all__ = [
    "AccountLocked",
    "AuditError",
    "AuthError",
    "BackupDestinationUnknown",
    "BackupError",
    "BackupInvalid",
    "BackupTargetNotEmpty",
    "BadRequest",
    "BodyTooLarge",
    "BundleError",
    "CannotListen",
    "CaseConflict",
    "CaseError",
    "CaseNotFound",
    "CheckpointError",
    "ConfigError",
    "CryptoError",
    "CsrfFailed",
    "DeadlineExceeded",
    "DecryptionFailed",
    "DisclosureBlocked",
    "Forbidden",
    "GuardFailed",
    "HeaderTooLarge",
    "IdempotencyInProgress",
    "IdempotencyKeyInvalid",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "ImportMappingChanged",
    "ImportMappingError",
    "InputError",
    "InvalidCredentials",
    "InvalidEncoding",
    "InvalidJson",
    "KeyMissing",
    "KeyRotationIncomplete",
    "KeyStoreUnavailable",
    "KeysMismatch",
    "LeafError",
    "LeafNotFound",
    "LedgerAuditFailed",
    "MethodNotAllowed",
    "MigrationError",
    "MigrationFailed",
    "MigrationInProgress",
    "MigrationPlanNotFound",
    "MigrationVerifyFailed",
    "MissingSubject",
    "NoPermittedRegion",
    "NotFound",
    "NotSerialisable",
    "OidcDisabled",
    "OidcError",
    "OidcLinkTaken",
    "OidcProviderUnavailable",
    "OidcStateInvalid",
    "OidcTokenInvalid",
    "OidcUserUnknown",
    "OnshoreError",
    "OwnerDisabled",
    "PackError",
    "PartialResults",
    "PayloadRejected",
    "PolicyDenied",
    "PolicyError",
    "ProofError",
    "RecordConflict",
    "RecordNotFound",
    "RecordTooLarge",
    "ResidencyError",
    "RoleNotPermitted",
    "RoleRevoked",
    "SchemaOutdated",
    "SchemaTooNew",
    "SeparationOfDuties",
    "ServerUnreachable",
    "SessionExpired",
    "SignatureError",
    "StoreError",
    "StoreIntegrityError",
    "StoreUnavailable",
    "StringTooLong",
    "TokenExpired",
    "TokenNameTaken",
    "TokenNotFound",
    "TooManyBadRows",
    "TooManyFields",
    "TooManyItems",
    "TotpInvalid",
    "TotpRequired",
    "Unauthenticated",
    "UnknownCategory",
    "UnknownIdentifier",
    "UnknownRegion",
    "UserConflict",
    "UserDisabled",
    "UserNameTaken",
    "UserNotFound",
    "WebhookReplayed",
    "WebhookSignatureInvalid",
    "error_classes",
]


# The tree is one public module: its classes are named ``onshore.core.errors.X`` wherever they
# are defined (tracebacks, reprs and doctests show that name).
for _name in __all__:
    _obj = globals().get(_name)
    if isinstance(_obj, type):
        _obj.__module__ = __name__


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
