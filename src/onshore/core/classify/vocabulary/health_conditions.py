"""Health conditions named in Vietnamese and English posts (the ``health`` recognizer's list).

Source: common chronic, infectious and mental conditions of the WHO ICD-11 chapters as named
by Viet Nam's Ministry of Health patient leaflets (``tiểu đường``/``đái tháo đường``, ``tăng
huyết áp``, ``viêm gan B``...) and their usual English names. Only conditions a person has or
is treated for: symptoms, medicines and procedures are not listed. ``pattern()`` gives one
regular expression for the whole list that accepts every term with or without diacritics
and in any letter case (``tieu duong``, ``Tiểu Đường``).

Example:
    >>> import re
    >>> bool(re.fullmatch(pattern(), "Tieu duong")), bool(re.fullmatch(pattern(), "HIV"))
    (True, True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from onshore.core.classify.recognizer import fold

CONDITIONS_VI: tuple[str, ...] = (
    "tiểu đường",
    "đái tháo đường",
    "cao huyết áp",
    "tăng huyết áp",
    "huyết áp cao",
    "ung thư vú",
    "ung thư phổi",
    "ung thư gan",
    "ung thư dạ dày",
    "ung thư máu",
    "ung thư cổ tử cung",
    "ung thư đại tràng",
    "ung thư tuyến giáp",
    "ung thư vòm họng",
    "ung thư",
    "viêm gan B",
    "viêm gan C",
    "viêm gan",
    "xơ gan",
    "lao phổi",
    "bệnh lao",
    "hen suyễn",
    "hen phế quản",
    "trầm cảm",
    "rối loạn lo âu",
    "rối loạn lưỡng cực",
    "tâm thần phân liệt",
    "động kinh",
    "đột quỵ",
    "tai biến mạch máu não",
    "bệnh tim",
    "suy tim",
    "tim bẩm sinh",
    "suy thận",
    "sỏi thận",
    "viêm khớp dạng thấp",
    "gút",
    "gout",
    "bệnh gout",
    "Parkinson",
    "Alzheimer",
    "tự kỷ",
    "thalassemia",
    "tan máu bẩm sinh",
    "bạch cầu cấp",
    "lupus ban đỏ",
    "vô sinh",
    "hiếm muộn",
    "thoát vị đĩa đệm",
    "thoái hóa cột sống",
    "rối loạn tiền đình",
    "sốt xuất huyết",
    "Covid-19",
    "Covid",
    "HIV",
    "AIDS",
    "HIV/AIDS",
)
CONDITIONS_EN: tuple[str, ...] = (
    "diabetes",
    "type 1 diabetes",
    "type 2 diabetes",
    "hypertension",
    "high blood pressure",
    "breast cancer",
    "lung cancer",
    "liver cancer",
    "stomach cancer",
    "colon cancer",
    "cervical cancer",
    "thyroid cancer",
    "prostate cancer",
    "cancer",
    "leukemia",
    "lymphoma",
    "hepatitis B",
    "hepatitis C",
    "cirrhosis",
    "tuberculosis",
    "asthma",
    "depression",
    "clinical depression",
    "anxiety disorder",
    "bipolar disorder",
    "schizophrenia",
    "epilepsy",
    "stroke",
    "heart disease",
    "heart failure",
    "kidney failure",
    "chronic kidney disease",
    "kidney stones",
    "rheumatoid arthritis",
    "arthritis",
    "Parkinson's",
    "Parkinson's disease",
    "Alzheimer's",
    "Alzheimer's disease",
    "autism",
    "ADHD",
    "PTSD",
    "multiple sclerosis",
    "lupus",
    "dengue",
    "dengue fever",
    "infertility",
    "Crohn's disease",
    "celiac disease",
    "thalassemia",
    "COVID-19",
    "covid",
    "HIV",
    "AIDS",
)
#: Optional qualifier after a condition: ``tiểu đường type 2``, ``ung thư giai đoạn 3``.
QUALIFIER = (
    r"(?:[ \t]+(?:[Tt]ype|[Tt]uýp|[Tt]uyp|[Tt]íp|[Tt]ip|loại)[ \t]*(?:1|2|I|II)"
    r"|[ \t]+(?:giai[ \t]+đoạn|giai[ \t]+doan|stage)[ \t]*(?:[1-4]|I{1,3}|IV))?"
)


def _char_class(ch: str) -> str:
    """A regex for one character, any case, with or without its diacritics."""
    if ch in " \t":
        return r"[ \t]+"
    if ch in "-/":
        return r"[\-/ ]?"
    if ch == "'":
        return "['’]?"
    base = fold(ch)
    options = {ch, ch.lower(), ch.upper(), base, base.upper()}
    if ch in "đĐ":
        options |= {"đ", "Đ", "d", "D"}
    options = {o for o in options if len(o) == 1}
    if options == {ch}:
        return "\\" + ch if not ch.isalnum() else ch
    return "[" + "".join(sorted(options)) + "]"


def _tokens(term: str) -> list[str]:
    # acronyms keep their case: ``AIDS`` is a condition, ``hearing aids`` are not
    if term.isupper():
        return [re.escape(c) for c in term]
    return [_char_class(c) for c in term]


def _trie_regex(node: dict[str, Any]) -> str:
    """The alternation of a trie of tokens, shared prefixes factored out (fast with ``re``)."""
    end = node.get("", False)
    branches = [tok + _trie_regex(child) for tok, child in node.items() if tok != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not end else "(?:" + "|".join(branches) + ")"
    if end:
        body = (body if body.startswith("(?:") and len(branches) > 1 else f"(?:{body})") + "?"
    return body


@lru_cache(maxsize=1)
def pattern() -> str:
    """One regular expression (RE2 and ``re``) for every condition, longest match first.

    The terms are merged into a trie so that shared beginnings (``ung thư ...``, ``viêm gan
    ...``) are tried once: Python's ``re`` then rejects a position after a character or two.
    """
    root: dict[str, Any] = {}
    for term in {*CONDITIONS_VI, *CONDITIONS_EN}:
        node = root
        for tok in _tokens(term):
            node = node.setdefault(tok, {})
        node[""] = True
    return f"(?:{_trie_regex(root)}){QUALIFIER}"
