"""Classification: recognizers, their registry, and column, field and free-text verdicts.

Pure (no I/O): IP geolocation arrives as a ``CountryLookup`` passed in by the caller.

- ``classify_fields(record)`` -> each field's categories (the vault's write path);
- ``classify_column(name, sample)`` -> a column verdict from its name and sampled values;
- ``TextClassifier().findings(text)`` -> character spans in free text;
- ``value_findings(value)`` -> what one value is, taken whole;
- ``infer_subject_country(findings_or_row, lookup)`` -> the subject's country.

Example:
    >>> classify_fields({"so_dien_thoai": "0912345678", "full_name": "An"})["so_dien_thoai"]
    frozenset({'phone_number'})
    >>> infer_subject_country({"phone": "0912345678"})
    'VN'
"""

from __future__ import annotations

from onshore.core.classify.column_names import name_categories, name_match
from onshore.core.classify.fields import classify_fields
from onshore.core.classify.finding import Finding
from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.registry import Registry, default_registry
from onshore.core.classify.subject_country import infer_subject_country
from onshore.core.classify.text import TextClassifier
from onshore.core.classify.value import value_findings

__all__ = [
    "Finding",
    "Recognizer",
    "Registry",
    "TextClassifier",
    "classify_fields",
    "default_registry",
    "infer_subject_country",
    "name_categories",
    "name_match",
    "value_findings",
]
