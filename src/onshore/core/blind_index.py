"""Blind indexes: find records by identifier without storing the identifier.

An identifier (phone number, e-mail, national ID...) is first normalised, so every way
of writing it gives one string (``"0912 345 678"`` and ``"+84 91 234 5678"`` both become
``"+84912345678"``), then hashed with HMAC-SHA-256 under the region's ``index`` key,
separated by category so an e-mail and an account name that happen to be equal do not
share a term. Stores keep only these terms; without the key they reveal nothing and
cannot be brute-forced offline.

Normalisation per category:

- ``phone_number``: E.164 via ``phonenumbers`` (national writings resolved against
  ``default_region``); values with letters, or not a possible number, give None.
- ``email``: trimmed and lower-cased; needs one ``@`` with text on both sides, no spaces.
- ``account_name``: NFKC, trimmed, one leading ``@`` dropped, case-folded.
- IDs (``national_id``, ``passport_number``, ``tax_id``, ``card_number``,
  ``bank_account``): NFKC, spaces, dashes and dots removed, upper-cased; must then be
  letters and digits only.

Example:
    >>> normalise("phone_number", "0912 345 678")
    '+84912345678'
    >>> key = bytes(32)
    >>> term(key, "phone_number", "+84912345678") == term(
    ...     key, "phone_number", normalise("phone_number", "+84 91 234 5678"))
    True
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable, Mapping

from onshore.core.errors import UnknownIdentifier
from onshore.core.phone import read_phone

_TERM_LABEL = b"onshore/blind-index/v1"
_SUBJECT_LABEL = b"onshore/subject/v1"

_ID_SEPARATORS = re.compile(r"[\s\-.]+")
_ID_SHAPE = re.compile(r"[0-9A-Z]+")
_LETTERS = re.compile(r"[A-Za-z]")
_PHONE_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#)\s*\d+\s*$", re.IGNORECASE)


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def _phone(value: str, default_region: str) -> str | None:
    # One cached reading per number, shared with residency resolution (core.phone).
    value = _PHONE_EXTENSION.sub("", value)
    reading = read_phone(value, default_region)
    return reading.e164 if reading is not None and reading.possible else None


def _email(value: str, default_region: str) -> str | None:
    value = unicodedata.normalize("NFKC", value).strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or "@" in local:
        return None
    if any(c.isspace() for c in value) or domain.startswith(".") or domain.endswith("."):
        return None
    return value


def _account(value: str, default_region: str) -> str | None:
    value = unicodedata.normalize("NFKC", value).strip().removeprefix("@").casefold()
    if not value or any(c.isspace() for c in value):
        return None
    return value


def _identifier(value: str, default_region: str) -> str | None:
    value = _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    return value if _ID_SHAPE.fullmatch(value) else None


_NORMALISERS: dict[str, Callable[[str, str], str | None]] = {
    "phone_number": _phone,
    "email": _email,
    "account_name": _account,
    "national_id": _identifier,
    "passport_number": _identifier,
    "tax_id": _identifier,
    "card_number": _identifier,
    "bank_account": _identifier,
}

#: Categories that have a normaliser, hence a blind index (a subset of the vocabulary).
IDENTIFIER_CATEGORIES: frozenset[str] = frozenset(_NORMALISERS)


def _normaliser(category: str) -> Callable[[str, str], str | None]:
    try:
        return _NORMALISERS[category]
    except KeyError:
        raise UnknownIdentifier(
            f"no blind index for {category!r}; searchable identifiers are "
            + ", ".join(sorted(IDENTIFIER_CATEGORIES)),
            details={"category": category},
        ) from None


def normalise(category: str, value: object, *, default_region: str = "VN") -> str | None:
    """The one canonical writing of an identifier, or None when ``value`` is not one.

    Raises ``UnknownIdentifier`` when ``category`` has no normaliser.

    Example:
        >>> normalise("phone_number", "(028) 3822 1234")
        '+842838221234'
        >>> normalise("email", "  An.Nguyen@Example.VN ")
        'an.nguyen@example.vn'
        >>> normalise("national_id", "079-203.004 512")
        '079203004512'
        >>> normalise("phone_number", "not a phone") is None
        True
    """
    fn = _normaliser(category)
    text = _text(value)
    if text is None:
        return None
    return fn(text, default_region)


def term(key: bytes, category: str, normalised: str) -> bytes:
    """The blind-index term of an already normalised identifier (32 bytes).

    Example:
        >>> len(term(bytes(32), "email", "a@b.vn"))
        32
        >>> term(bytes(32), "email", "x") != term(bytes(32), "account_name", "x")
        True
    """
    _normaliser(category)
    message = b"\x00".join((_TERM_LABEL, category.encode(), normalised.encode("utf-8")))
    return hmac.digest(key, message, "sha256")


def subject_ref(key: bytes, subject_id: str) -> bytes:
    """The keyed reference a store keeps instead of the subject id (32 bytes).

    Example:
        >>> subject_ref(bytes(32), "u1") == subject_ref(bytes(32), "u1")
        True
    """
    message = _SUBJECT_LABEL + b"\x00" + subject_id.encode("utf-8")
    return hmac.digest(key, message, "sha256")


def lookup_term(
    key: bytes, category: str, value: object, *, default_region: str = "VN"
) -> bytes | None:
    """Normalise ``value`` and return its term (what ``find`` searches), or None.

    Example:
        >>> k = bytes(32)
        >>> t = lookup_term(k, "phone_number", "0912 345 678")
        >>> t == term(k, "phone_number", "+84912345678")
        True
    """
    normalised = normalise(category, value, default_region=default_region)
    return None if normalised is None else term(key, category, normalised)


def terms_for(
    data: Mapping[str, object],
    field_categories: Mapping[str, frozenset[str]],
    key: bytes,
    *,
    default_region: str = "VN",
) -> tuple[bytes, ...]:
    """Every blind-index term of a record: one per identifier value, deduplicated, in order.

    Fields whose categories include an identifier category are indexed; list and tuple
    values index each element; values that do not normalise are skipped.

    Example:
        >>> data = {"phone": ["0912 345 678", "+84912345678"], "name": "An", "mail": "a@b.vn"}
        >>> cats = {"phone": frozenset({"phone_number"}), "name": frozenset({"person_name"}),
        ...         "mail": frozenset({"email"})}
        >>> len(terms_for(data, cats, bytes(32)))
        2
    """
    seen: dict[bytes, None] = {}
    digest = hmac.digest
    for field, value in data.items():
        categories = field_categories.get(field)
        if not categories:
            continue
        identifiers = _identifier_order(categories)
        if not identifiers:
            continue
        values = value if isinstance(value, list | tuple) else (value,)
        for category in identifiers:
            normalise_one = _NORMALISERS[category]
            prefix = _TERM_PREFIXES[category]
            for item in values:
                text = _text(item)
                if text is None:
                    continue
                normal = normalise_one(text, default_region)
                if normal is not None:
                    seen.setdefault(digest(key, prefix + normal.encode("utf-8"), "sha256"), None)
    return tuple(seen)


#: ``term``'s message up to the normalised value, per identifier category.
_TERM_PREFIXES: dict[str, bytes] = {
    c: b"\x00".join((_TERM_LABEL, c.encode(), b"")) for c in IDENTIFIER_CATEGORIES
}
_IDENTIFIER_ORDER: dict[frozenset[str], tuple[str, ...]] = {}


def _identifier_order(categories: frozenset[str]) -> tuple[str, ...]:
    """The identifier categories among ``categories``, sorted (memoised per set)."""
    if not isinstance(categories, frozenset):  # a caller's plain set: not memoisable
        return tuple(sorted(categories & IDENTIFIER_CATEGORIES))
    found = _IDENTIFIER_ORDER.get(categories)
    if found is None:
        found = tuple(sorted(categories & IDENTIFIER_CATEGORIES))
        if len(_IDENTIFIER_ORDER) < 4096:
            _IDENTIFIER_ORDER[categories] = found
    return found
