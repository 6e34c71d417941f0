"""The console's languages and dates: gettext catalogs read from ``.po`` files, the reader's
choice of language, and dates in the deployment's time zone.

The catalogs are ``locale/<lang>/LC_MESSAGES/console.po`` in this package (Vietnamese and
English); ``catalog(lang)`` reads one with Babel the first time it is asked for and keeps it,
so no compiled ``.mo`` file is shipped or committed. The reader's language is the
``onshore_lang`` cookie (set by the switch in every page's header), else the best match of
the browser's ``Accept-Language``, else English. Dates are formatted by Babel for that
language in the deployment's time zone (``[console] time_zone``), and say which zone.

To add strings: mark them with ``_()`` in a template or ``gettext`` here, then run
``make messages`` (``pybabel extract`` and ``pybabel update``) and translate the new
``msgid`` entries in both ``.po`` files.

Example:
    >>> choose(None, "vi-VN,vi;q=0.9,en;q=0.8")
    'vi'
    >>> choose("en", "vi"), choose(None, "fr-FR"), choose("xx", None)
    ('en', 'en', 'en')
    >>> from datetime import datetime, timezone
    >>> when = datetime(2026, 12, 7, 23, 30, tzinfo=timezone.utc)
    >>> format_when(when, "en", "Asia/Ho_Chi_Minh")
    'Dec 8, 2026, 6:30:00\u202fAM'
    >>> from babel.dates import format_datetime
    >>> format_when(when, "vi", "UTC") == format_datetime(when, tzinfo=zone("UTC"), locale="vi")
    True
"""

from __future__ import annotations

import functools
from datetime import datetime
from importlib import resources
from io import BytesIO
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

#: The languages the console speaks, the first the default.
LANGUAGES: tuple[str, ...] = ("en", "vi")

#: Each language's name in itself (what the switch shows).
NAMES: dict[str, str] = {"en": "English", "vi": "Tiếng Việt"}

#: The cookie that keeps the reader's choice.
COOKIE = "onshore_lang"

#: The gettext domain of the console's catalogs.
DOMAIN = "console"

#: How long a date is written (Babel's, CLDR's names).
Form = Literal["full", "long", "medium", "short"]


def po_path(lang: str) -> resources.abc.Traversable:
    """Where the ``.po`` catalog of ``lang`` lives in the package."""
    root = resources.files("onshore.server.console")
    return root / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalog(lang: str) -> Translations:
    """The translations of ``lang`` (read from its ``.po`` once, then kept)."""
    with po_path(lang).open("rb") as fp:
        messages = read_po(fp, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, messages, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The language to show: the cookie's when it is one of ``LANGUAGES``, else the best
    match of ``accept_language``, else the first of ``LANGUAGES``."""
    if cookie in LANGUAGES:
        assert cookie is not None
        return cookie
    if accept_language:
        wanted = [tag.replace("-", "_") for tag in _accepted(accept_language)[:16]]
        try:
            best = Locale.negotiate(wanted, list(LANGUAGES), sep="_")
        except (UnknownLocaleError, ValueError):
            best = None
        if best is not None:
            return best.language
    return LANGUAGES[0]


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA zone name (kept)."""
    return ZoneInfo(name)


@functools.cache
def _patterns(lang: str, form: Form) -> tuple[Locale, str, DateTimePattern, DateTimePattern]:
    """The locale's date-time, date and time patterns of ``form`` (parsed once: a queue
    page formats a hundred dates)."""
    locale = Locale.parse(lang)
    joined = str(get_datetime_format(form, locale=locale)).replace("'", "")
    date = parse_pattern(get_date_format(form, locale=locale))
    time = parse_pattern(get_time_format(form, locale=locale))
    return locale, joined, date, time


def format_when(when: datetime, lang: str, zone_name: str, form: Form = "medium") -> str:
    """``when`` as a reader of ``lang`` writes it, in the zone ``zone_name`` (what Babel's
    ``format_datetime`` gives, with the patterns parsed once)."""
    locale, joined, date, time = _patterns(lang, form)
    local = when.astimezone(zone(zone_name))
    return joined.replace("{0}", time.apply(local, locale)).replace(
        "{1}", date.apply(local, locale)
    )


def zone_label(zone_name: str, at: datetime) -> str:
    """The zone's name and its UTC offset at ``at``, e.g. ``Asia/Ho_Chi_Minh (UTC+07:00)``."""
    offset = at.astimezone(zone(zone_name)).strftime("%z")
    return f"{zone_name} (UTC{offset[:3]}:{offset[3:]})"
