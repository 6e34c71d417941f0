"""Categories of a record's fields, from field names and values (the vault's write path).

The name verdict is cached per field name; values are checked only when the name says
nothing (or says the field holds free text), with cheap shape tests first.

Example:
    >>> verdict = classify_fields({"so_dien_thoai": "0912345678", "contact": "+84 912 345 678",
    ...                            "dan_toc": "Kinh", "note": "hi", "age": 31})
    >>> sorted(verdict["so_dien_thoai"]), sorted(verdict["contact"]), sorted(verdict["dan_toc"])
    (['phone_number'], ['phone_number'], ['ethnicity'])
    >>> verdict["note"], verdict["age"]
    (frozenset(), frozenset())
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from onshore.core.classify.column_names import name_categories
from onshore.core.classify.text import TextClassifier
from onshore.core.classify.value import value_findings

#: Values longer than this (or with several sentences) are read as free text.
FREE_TEXT_LEN = 64
_MAX_DEPTH = 3


@lru_cache(maxsize=1)
def _text_classifier() -> TextClassifier:
    return TextClassifier()


def _value_categories(value: object, depth: int) -> frozenset[str]:
    if isinstance(value, str):
        if len(value) > FREE_TEXT_LEN or value.count(" ") > 6:
            return frozenset(f.category for f in _text_classifier().findings(value))
        return frozenset(f.category for f in value_findings(value))
    if depth >= _MAX_DEPTH:
        return frozenset()
    if isinstance(value, Mapping):
        result: set[str] = set()
        for key, inner in value.items():
            result |= _field_categories(str(key), inner, depth + 1)
        return frozenset(result)
    if isinstance(value, list | tuple):
        result = set()
        for inner in value[:20]:
            result |= _value_categories(inner, depth + 1)
        return frozenset(result)
    return frozenset()


def _field_categories(name: str, value: object, depth: int) -> frozenset[str]:
    named = name_categories(name)
    if named and "user_content" not in named:
        return named
    return named | _value_categories(value, depth)


def classify_fields(data: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """Each field's data categories (DESIGN vocabulary) from its name and its value.

    The name decides when it is known (``phone``, ``so_dien_thoai``, ``dan_toc``,
    ``quan_diem_chinh_tri``, ``friends``, ``last_login_ip``, ``cccd``...); otherwise the value
    is recognised (a valid VN number under ``contact`` is a phone number); free-text fields
    (``bio``, ``post``) get ``user_content`` plus whatever their text contains; nested
    mappings and lists contribute their members' categories.
    """
    return {str(k): _field_categories(str(k), v, 0) for k, v in data.items()}
