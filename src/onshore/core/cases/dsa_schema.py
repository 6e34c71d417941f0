"""The DSA Transparency Database's statement schema: its enumerations and rules (pure).

``dsa_problems(statement)`` checks a statement of reasons against the rules of the TDB's
``StatementStoreRequest``: required fields, enumerations, conditional requirements,
lengths, date formats, the ``puid`` pattern, EEA-only ``territorial_scope``; ``validate``
raises ``InputError`` naming them. The statements themselves are built by
:mod:`onshore.core.cases.statement_of_reasons`.

Example:
    >>> "STATEMENT_CATEGORY_SCAMS_AND_FRAUD" in CATEGORIES, "VN" in EEA
    (True, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from onshore.core.errors import InputError

DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARIES = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
SOURCE_TYPES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DETECTIONS = ("Yes", "No")
AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
INCOMPATIBLE_CONTENT_ILLEGALS = ("Yes", "No")
#: The territories the TDB accepts in ``territorial_scope`` (EEA member states).
EEA = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)

_PUID = re.compile(r"^[a-zA-Z0-9\-_]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "content_type_other": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
    "decision_ground_reference_url": 500,
}
#: Every field a statement may carry (the TDB API's names).
FIELDS = frozenset(
    {
        "decision_visibility",
        "decision_visibility_other",
        "decision_monetary",
        "decision_monetary_other",
        "decision_provision",
        "decision_account",
        "account_type",
        "decision_ground",
        "decision_ground_reference_url",
        "illegal_content_legal_ground",
        "illegal_content_explanation",
        "incompatible_content_ground",
        "incompatible_content_explanation",
        "incompatible_content_illegal",
        "content_type",
        "content_type_other",
        "category",
        "category_addition",
        "territorial_scope",
        "content_language",
        "content_date",
        "application_date",
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
        "decision_facts",
        "source_type",
        "source_identity",
        "automated_detection",
        "automated_decision",
        "puid",
    }
)
_REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)


def dsa_problems(statement: Mapping[str, Any]) -> list[str]:
    """Every way ``statement`` breaks the TDB's validation rules (empty when it is valid).

    Example:
        >>> [p.split(":")[0] for p in dsa_problems({"decision_ground": "nope"})][:3]
        ['decision_ground', 'content_type', 'category']
    """
    s: Mapping[str, Any] = statement
    out: list[str] = []
    extra = sorted(set(s) - FIELDS)
    out.extend(f"{k}: not a Transparency Database field" for k in extra)

    def one_of(key: str, allowed: Sequence[str], *, required: bool = False) -> None:
        value = s.get(key)
        if value is None:
            if required:
                out.append(f"{key}: required")
            return
        if value not in allowed:
            out.append(f"{key}: must be one of {', '.join(allowed)}")

    def many_of(key: str, allowed: Sequence[str], *, required: bool = False) -> None:
        value = s.get(key)
        if value is None or value == []:
            if required:
                out.append(f"{key}: required")
            return
        if not isinstance(value, list) or not all(v in allowed for v in value):
            out.append(f"{key}: must be a list of {', '.join(allowed)}")

    one_of("decision_ground", DECISION_GROUNDS, required=True)
    many_of("content_type", CONTENT_TYPES, required=True)
    one_of("category", CATEGORIES, required=True)
    many_of("category_addition", CATEGORIES)
    many_of("decision_visibility", DECISION_VISIBILITIES)
    one_of("decision_monetary", DECISION_MONETARIES)
    one_of("decision_provision", DECISION_PROVISIONS)
    one_of("decision_account", DECISION_ACCOUNTS)
    one_of("account_type", ACCOUNT_TYPES)
    one_of("source_type", SOURCE_TYPES, required=True)
    one_of("automated_detection", AUTOMATED_DETECTIONS, required=True)
    one_of("automated_decision", AUTOMATED_DECISIONS, required=True)
    scope = s.get("territorial_scope")
    if scope is not None and (not isinstance(scope, list) or not all(c in EEA for c in scope)):
        out.append("territorial_scope: must be a list of EEA country codes")
    if not any(
        s.get(k)
        for k in (
            "decision_visibility",
            "decision_monetary",
            "decision_provision",
            "decision_account",
        )
    ):
        out.append(
            "decision_visibility: required when no monetary, provision or account decision is given"
        )
    conditional = {
        "decision_visibility_other": "DECISION_VISIBILITY_OTHER"
        in (s.get("decision_visibility") or []),
        "decision_monetary_other": s.get("decision_monetary") == "DECISION_MONETARY_OTHER",
        "content_type_other": "CONTENT_TYPE_OTHER" in (s.get("content_type") or []),
        "illegal_content_legal_ground": s.get("decision_ground") == DECISION_GROUNDS[0],
        "illegal_content_explanation": s.get("decision_ground") == DECISION_GROUNDS[0],
        "incompatible_content_ground": s.get("decision_ground") == DECISION_GROUNDS[1],
        "incompatible_content_explanation": s.get("decision_ground") == DECISION_GROUNDS[1],
    }
    for key, needed in conditional.items():
        if needed and not _filled(s.get(key)):
            out.append(f"{key}: required here")
        elif not needed and key in s:
            out.append(f"{key}: not allowed here (excluded by the TDB)")
    if "incompatible_content_illegal" in s:
        if s.get("decision_ground") != DECISION_GROUNDS[1]:
            out.append("incompatible_content_illegal: only with incompatible content")
        one_of("incompatible_content_illegal", INCOMPATIBLE_CONTENT_ILLEGALS)
    if s.get("source_type") == "SOURCE_VOLUNTARY" and "source_identity" in s:
        out.append("source_identity: not allowed for SOURCE_VOLUNTARY")
    if not _filled(s.get("decision_facts")):
        out.append("decision_facts: required")
    for key, limit in _MAX.items():
        value = s.get(key)
        if isinstance(value, str) and len(value) > limit:
            out.append(f"{key}: at most {limit} characters")
    puid = s.get("puid")
    if isinstance(puid, str) and puid and not _PUID.match(puid):
        out.append("puid: only letters, digits, '-' and '_'")
    elif not _filled(puid) and "puid: required" not in out:
        out.append("puid: required")
    for key in (
        "content_date",
        "application_date",
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        value = s.get(key)
        if value is None:
            if key in ("content_date", "application_date"):
                out.append(f"{key}: required")
            continue
        out.extend(_date_problem(key, value))
    return out


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _date_problem(key: str, value: Any) -> list[str]:
    if not isinstance(value, str) or not _DATE.match(value):
        return [f"{key}: must be YYYY-MM-DD"]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return [f"{key}: must be YYYY-MM-DD"]
    low = date(2020, 1, 1) if key == "application_date" else date(2000, 1, 1)
    if key in ("content_date", "application_date") and day < low:
        return [f"{key}: on or after {low.isoformat()}"]
    if day > date(2038, 1, 1):
        return [f"{key}: on or before 2038-01-01"]
    return []


def validate(statement: Mapping[str, Any]) -> None:
    """Raise ``InputError`` listing every problem ``dsa_problems`` finds."""
    problems = dsa_problems(statement)
    if problems:
        raise InputError(
            f"the statement of reasons does not validate against the DSA Transparency "
            f"Database schema: {problems[0]}",
            details={"problems": problems},
        )
