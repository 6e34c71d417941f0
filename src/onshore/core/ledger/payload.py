"""Event payloads: what may go in one, its canonical JSON, and its commitment.

A payload describes an event without naming anyone: the record's kind, its data
categories, the deciding policy rules, regions, case states. Every key is on an allow-list
with a value shape, and every string must be a short token that does not look like an
identifier (no ``@``, ``+`` or spaces, no run of six or more digits). Anything that must
point at an outside object (a case number, a request id) goes under ``refs``; those values
are replaced by keyed hashes before the payload is stored. Everything else is rejected with
``PayloadRejected`` (code ``ledger.payload_rejected``): the ledger never holds personal data.

Canonical JSON is ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
in UTF-8; the commitment in the leaf is its SHA-256. Deleting a stored payload (crypto-
shredding) leaves every leaf, root and proof intact.

Example:
    >>> body = canonical_json({"kind": "profile", "categories": ["email", "phone_number"]})
    >>> body
    b'{"categories":["email","phone_number"],"kind":"profile"}'
    >>> len(commitment(body))
    32
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from onshore.core.errors import PayloadRejected
from onshore.core.taxonomy import CATEGORIES

_TOKEN = re.compile(r"[A-Za-z0-9_.:/\-]{1,96}")
_DIGIT_RUN = re.compile(r"[0-9]{6,}")

#: Allowed payload keys and the shape of their values.
TOKEN_KEYS = frozenset(
    {
        "kind",
        "purpose",
        "region",
        "from_region",
        "to_region",
        "from_country",
        "to_country",
        "country",
        "decision",
        "subject_country",
        "reason",
        "case_kind",
        "state",
        "from_state",
        "to_state",
        "transition",
        "key_name",
        "key_id",
        "report_kind",
        "format",
        "outcome",
        "basis",
        "deadline",
        "due_at",
    }
)
TOKEN_LIST_KEYS = frozenset({"rules", "obligations", "fields", "roles"})
CATEGORY_KEYS = frozenset({"categories"})
COUNT_KEYS = frozenset({"count", "records", "version"})
REF_KEY = "refs"
#: How residency was resolved: ``{"decided_by": token, "confidence": 0..1}``.
RESIDENCY_KEY = "residency"


def _token(key: str, value: object) -> str:
    if not isinstance(value, str) or not _TOKEN.fullmatch(value) or _DIGIT_RUN.search(value):
        raise PayloadRejected(
            f"payload field {key!r} must be a short token that is not an identifier "
            "(letters, digits, _ . : / -; no run of 6+ digits); put references under 'refs'",
            details={"field": key},
        )
    return value


def clean_payload(
    payload: Mapping[str, Any], hash_ref: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """Validate ``payload``; return it with ``refs`` values replaced by ``hash_ref(value)``.

    Raises ``PayloadRejected`` naming the first offending field.

    Example:
        >>> clean_payload({"refs": {"case": "CASE-1"}}, lambda v: "h:" + v[::-1])
        {'refs': {'case': 'h:1-ESAC'}}
    """
    if not isinstance(payload, Mapping):
        raise PayloadRejected("an event payload must be a mapping")
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if not isinstance(key, str):
            raise PayloadRejected("payload keys must be strings")
        if key in TOKEN_KEYS:
            out[key] = _token(key, value)
        elif key in TOKEN_LIST_KEYS or key in CATEGORY_KEYS:
            if not isinstance(value, list | tuple | set | frozenset):
                raise PayloadRejected(
                    f"payload field {key!r} must be a list", details={"field": key}
                )
            items = sorted(_token(key, v) for v in value)
            if key in CATEGORY_KEYS and not set(items) <= CATEGORIES:
                raise PayloadRejected(
                    f"payload field {key!r} holds an unknown category", details={"field": key}
                )
            out[key] = items
        elif key in COUNT_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise PayloadRejected(
                    f"payload field {key!r} must be a non-negative integer", details={"field": key}
                )
            out[key] = value
        elif key == RESIDENCY_KEY:
            out[key] = _residency(value)
        elif key == REF_KEY:
            if not isinstance(value, Mapping) or hash_ref is None:
                raise PayloadRejected("payload 'refs' must map names to reference strings")
            refs: dict[str, str] = {}
            for name, ref in value.items():
                if not isinstance(ref, str):
                    raise PayloadRejected("payload refs must be strings", details={"field": key})
                refs[_token(REF_KEY, name)] = hash_ref(ref)
            out[key] = refs
        else:
            raise PayloadRejected(
                f"payload field {key!r} is not allowed in the ledger (it could carry "
                "personal data); allowed: " + ", ".join(sorted(allowed_keys())),
                details={"field": key},
            )
    return out


def _residency(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not set(value) <= {"decided_by", "confidence"}:
        raise PayloadRejected(
            "payload 'residency' holds only 'decided_by' and 'confidence'",
            details={"field": RESIDENCY_KEY},
        )
    out: dict[str, Any] = {}
    if "decided_by" in value:
        out["decided_by"] = _token("residency.decided_by", value["decided_by"])
    if "confidence" in value:
        conf = value["confidence"]
        if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
            raise PayloadRejected(
                "payload 'residency.confidence' must be a number from 0 to 1",
                details={"field": "residency.confidence"},
            )
        out["confidence"] = conf
    return out


def allowed_keys() -> frozenset[str]:
    """Every key a payload may use."""
    return TOKEN_KEYS | TOKEN_LIST_KEYS | CATEGORY_KEYS | COUNT_KEYS | {REF_KEY, RESIDENCY_KEY}


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of an already cleaned payload."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment(body: bytes) -> bytes:
    """SHA-256 of a payload's canonical JSON: what the leaf stores."""
    return hashlib.sha256(body).digest()
