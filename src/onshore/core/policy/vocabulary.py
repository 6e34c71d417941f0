"""The words a policy pack may use: operations, entity sizes, statuses, requirement and
trigger types with the keys each accepts (pure data).

:mod:`onshore.core.policy.model` validates pack files against them; ``docs/policy-packs.md``
documents every one (a test checks it).

Example:
    >>> "transfer" in OPS, sorted(TRIGGER_KEYS["threshold"])
    (True, ['all', 'any'])
"""

from __future__ import annotations

SCHEMA = "onshore.policy-pack/v1"

OPS: tuple[str, ...] = (
    "store",
    "read",
    "transfer",
    "erase",
    "disclose",
    "remove",
    "threshold",
    "breach",
    "request",
    "process",
)
SIZES: tuple[str, ...] = ("micro", "small", "medium", "large", "household", "startup")
STATUSES: tuple[str, ...] = ("confirmed", "confirmed_secondary", "unconfirmed")

#: Requirement types and the keys each accepts besides ``type description status when``.
REQUIREMENT_KEYS: dict[str, frozenset[str]] = {
    "store_in_country": frozenset({"country", "copy_abroad", "within"}),
    "local_presence": frozenset({"forms", "until", "within"}),
    "retain_min": frozenset({"period", "until"}),
    "retain_max": frozenset({"period", "until"}),
    "retain_artifact": frozenset({"artifact", "until"}),
    "transfer_requires": frozenset(
        {"artifact", "any_of", "adequate", "timing", "within", "to", "form"}
    ),
    "respond_within": frozenset({"requests", "within", "ack", "extend_once"}),
    "remove_within": frozenset({"requests", "within"}),
    "notify_within": frozenset({"to", "within", "form"}),
    "notify_when_threshold": frozenset({"to", "within", "form"}),
    "register_when_threshold": frozenset({"to", "within", "form"}),
    "authenticate_accounts": frozenset({"method", "fallback", "within"}),
    "store_identity": frozenset({"fields", "guardian_under"}),
    "file_artifact": frozenset({"artifact", "to", "within", "form"}),
    "update_artifact": frozenset({"artifact", "period", "to"}),
    "report": frozenset({"to", "period", "within"}),
    "lock_accounts": frozenset(),
    "classify": frozenset({"label", "any"}),
    "prohibit": frozenset(),
    "permit": frozenset(),
    "penalty": frozenset({"cap"}),
    "define": frozenset(),
}
#: Keys every requirement accepts, whatever its type.
REQUIREMENT_COMMON_KEYS = frozenset({"type", "description", "status", "when"})

#: Trigger types and the keys each accepts besides ``type``.
TRIGGER_KEYS: dict[str, frozenset[str]] = {
    "always": frozenset(),
    "authority_decision": frozenset({"by", "decision", "pre"}),
    "event": frozenset({"event"}),
    "threshold": frozenset({"any", "all"}),
}
