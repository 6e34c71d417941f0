"""E-mail addresses written to dodge scrapers: ``an [at] gmail.com``, ``an(at)gmail(dot)com``.

Format: an RFC 5322 addr-spec (as in ``email``) whose ``@`` is written ``[at]``, ``(at)``,
``{at}``, `` at ``, ``@`` between spaces, or in Vietnamese ``[a]``, ``a còng``, and whose dots
may be ``[dot]``, ``(dot)``, `` dot ``, ``[chấm]``, `` chấm ``. The top-level label must be a
common one (``TLDS``): spelled-out words are everywhere in prose (``meet at noon dot``), a
known top-level label after them is not. The address is rebuilt (``an@gmail.com``) and
checked with ``email``'s syntax; a plain address is left to ``email``.

Example:
    >>> RECOGNIZER.check("lan.nguyen [at] gmail [dot] com"), RECOGNIZER.check("an@gmail.com")
    (0.85, None)
    >>> rebuild("tuan (a còng) yahoo chấm com chấm vn")
    'tuan@yahoo.com.vn'
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer, fold
from onshore.core.classify.recognizers import email

NAME = "email_obfuscated"
CATEGORY = "email"
COUNTRY_CODE = None
#: Top-level labels accepted after a spelled-out dot (generic and the region's ccTLDs).
TLDS = (
    "com|net|org|edu|gov|info|biz|io|me|co|vn|uk|us|sg|jp|kr|cn|tw|hk|th|my|id|ph|au|de|fr|"
    "ca|in|app|dev|xyz|online|site|email"
)
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_SP = r"[ \t]*"
_AT_WORD = r"(?:at|a|@|a[ \t]*còng|a[ \t]*cong|acong)"
_DOT_WORD = r"(?:dot|chấm|cham|\.)"
#: ``@`` written to dodge scrapers (bracketed words, spaced words, a spaced ``@``).
_AT = (
    rf"(?:{_SP}[\[\(\{{<]{_SP}{_AT_WORD}{_SP}[\]\)\}}>]{_SP}"
    r"|[ \t]+(?:at|AT|a[ \t]còng|a[ \t]cong)[ \t]+"
    r"|[ \t]+@[ \t]*|[ \t]*@[ \t]+)"
)
#: A dot written to dodge scrapers (``[dot]``, `` chấm ``, a spaced ``.``).
_OBF_DOT = (
    rf"(?:{_SP}[\[\(\{{<]{_SP}{_DOT_WORD}{_SP}[\]\)\}}>]{_SP}"
    r"|[ \t]+(?:dot|DOT|chấm|cham)[ \t]+|[ \t]+\.[ \t]?|\.[ \t]+)"
)
_DOT = rf"(?:{_OBF_DOT}|\.)"
#: A disguised ``@``, or a plain ``@`` with a disguised dot after it: a plain address never
#: matches (it is ``email``'s), so texts with only plain addresses cost nothing here.
PATTERNS = (
    rf"(?i:{_LOCAL}(?:{_AT}(?:{_LABEL}{_DOT}){{1,4}}"
    rf"|@(?:{_LABEL}\.){{0,3}}{_LABEL}{_OBF_DOT}(?:{_LABEL}{_DOT}){{0,3}})(?:{TLDS}))",
)
CONTEXT = (*email.CONTEXT, "gui", "send", "write", "viet thu", "inbox", "gmail", "address")
_AT_RX = re.compile(
    rf"{_SP}[\[\(\{{<]{_SP}{_AT_WORD}{_SP}[\]\)\}}>]{_SP}"
    r"|[ \t]+(?:at|a[ \t]*cong)[ \t]+|[ \t]*@[ \t]*",
    re.IGNORECASE,
)
_DOT_RX = re.compile(
    rf"{_SP}[\[\(\{{<]{_SP}{_DOT_WORD}{_SP}[\]\)\}}>]{_SP}|[ \t]+(?:dot|cham)[ \t]+|[ \t]?\.[ \t]?",
    re.IGNORECASE,
)
_FULL = re.compile(PATTERNS[0])
_SPELLED_DOT = re.compile(r"[\[\(\{<][ \t]*(?:dot|cham|\.)|[ \t](?:dot|cham)[ \t]", re.IGNORECASE)
#: Mail hosts: ``an at gmail.com`` is an address, ``I work at google.com`` is not.
MAIL_HOSTS = frozenset(
    {
        "gmail",
        "yahoo",
        "hotmail",
        "outlook",
        "live",
        "icloud",
        "me",
        "protonmail",
        "proton",
        "zoho",
        "aol",
        "gmx",
        "mail",
        "yandex",
        "fpt",
        "vnn",
        "viettel",
        "vnpt",
    }
)


def rebuild(text: str) -> str:
    """The plain address ``text`` spells out (``an [at] x [dot] com`` -> ``an@x.com``)."""
    folded = fold(text)
    local, sep, domain = "", "", folded
    for m in _AT_RX.finditer(folded):
        local, sep, domain = folded[: m.start()], "@", folded[m.end() :]
        break
    return local + sep + _DOT_RX.sub(".", domain)


def validate(text: str) -> float | None:
    """0.85 for an obfuscated address whose rebuilt form is valid; None for a plain one."""
    if "\n" in text or email.RECOGNIZER.check(text) is not None or not _FULL.fullmatch(text):
        return None
    address = rebuild(text)
    if email.RECOGNIZER.check(address) is None:
        return None
    at = _AT_RX.search(fold(text))
    if at is not None and "@" not in at.group() and not any(c in at.group() for c in "[({<"):
        # ``I work at google.com``: a bare word ``at`` needs a spelled-out dot or a mail host
        plain_dots = "." in address.split("@", 1)[1] and not _SPELLED_DOT.search(fold(text))
        if plain_dots and address.split("@", 1)[1].split(".", 1)[0] not in MAIL_HOSTS:
            return None
    return 0.85


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    context_boost=0.1,
    max_match=400,
)
