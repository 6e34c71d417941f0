"""Whole-value classification: what one cell or field value is, taken as a whole.

Cheap shape tests pick the few recognizers worth running (an ``@`` for e-mail, mostly digits
for phones, IDs and cards, dots or colons for IP addresses, capitalised words for names and
addresses), so this is fast enough for a write path.

Example:
    >>> [f.category for f in value_findings("+84 912 345 678")]
    ['phone_number']
    >>> value_findings("ORD-2024-000123")
    []
"""

from __future__ import annotations

from onshore.core.classify.finding import Finding
from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.registry import Registry, default_registry

MAX_LEN = 256
_DIGITISH = frozenset("0123456789 +-.()/")


def _shape_candidates(value: str, registry: Registry) -> list[Recognizer]:
    """Recognizers a value of this shape could belong to."""
    names: list[str]
    if "@" in value:
        names = ["email"]
    elif all(c in _DIGITISH for c in value):
        digits = sum(c.isdigit() for c in value)
        names = []
        if value.count(".") == 3 and digits <= 12 and " " not in value:
            names.append("ip_address")
        if 13 <= digits <= 19:
            names.append("card_number")
        names += ["vn_phone", "vn_cccd", "phone"]
    elif ":" in value and " " not in value:
        names = ["ip_address"]
    elif value[:2].isalpha() and value[:2].isupper() and value[2:4].isdigit():
        names = ["iban"]
    elif "," in value:
        names = ["vn_address"]
    elif " " in value and value[:1].isupper():
        names = ["vn_person_name"]
    else:
        return []
    recs = [registry.get(n) for n in names]
    return [r for r in recs if r is not None]


def value_findings(
    value: str, registry: Registry | None = None, *, include_contextual: bool = False
) -> list[Finding]:
    """Findings for ``value`` as a whole (at most one per category), best first.

    ``include_contextual`` also tries the recognizers that need context in free text (9-digit
    CMND, bank accounts, tax codes, passports, dates of birth); callers set it when the
    column or field name already supplied that context.
    """
    text = value.strip()
    if not text or len(text) > MAX_LEN:
        return []
    reg = registry or default_registry()
    recs = _shape_candidates(text, reg)
    if include_contextual:
        recs += [r for r in reg.all() if r.needs_context and r not in recs]
    out: dict[str, Finding] = {}
    for rec in recs:
        score = rec.check(text)
        if score is None or rec.category in out:
            continue
        out[rec.category] = Finding(
            category=rec.category,
            detector=rec.name,
            confidence=score,
            country=rec.country_of(text),
            reason=f"{rec.name}: whole value valid",
        )
    return sorted(out.values(), key=lambda f: -f.confidence)
