"""The console's catalogs: every string the templates and the console's code mark has a
Vietnamese translation with the same placeholders, the built-in kinds' words are marked,
and the catalogs are read from the ``.po`` files (nothing compiled is shipped)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from onshore.core.cases.queue import columns
from onshore.core.cases.registry import KINDS
from onshore.server.console import i18n, labels

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "onshore" / "server" / "console"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

#: The kinds whose words ship translated (those declared before the console, and issue 16's).
BUILT_IN = (
    "authority_request",
    "takedown",
    "audience_obligation",
    "dsr",
    "breach",
    "transfer_assessment",
)


def _marked() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "translate": (2,), "N_": None}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map, options_map, keywords=keywords
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_babel_finds_the_strings_of_every_template_and_module() -> None:
    marked = _marked()
    assert {"Sign in", "My work", "Due soon", "Times are shown in %(zone)s."} <= marked
    assert "%(open)s open of %(total)s cases." in marked  # a {% trans %} block
    assert "Takedown notices" in marked  # an N_() mark in console.labels


def test_every_marked_string_has_a_vietnamese_translation() -> None:
    vi = i18n.catalog("vi")
    untranslated, broken = [], []
    for message in sorted(_marked()):
        text = vi.gettext(message)
        if text == message:
            untranslated.append(message)
        elif sorted(_PLACEHOLDER.findall(text)) != sorted(_PLACEHOLDER.findall(message)):
            broken.append(message)
    assert not untranslated, f"add these to locale/vi/LC_MESSAGES/console.po: {untranslated}"
    assert not broken, f"placeholders differ in the vi translation of: {broken}"


def test_the_built_in_kinds_words_are_marked_for_translation() -> None:
    words = set()
    for name in BUILT_IN:
        kind = KINDS[name]
        words |= {kind.title, *(labels.label(s) for s in kind.states)}
        words |= {heading for _path, heading in columns(kind)}
    assert words <= set(labels.KNOWN), sorted(words - set(labels.KNOWN))


def test_the_catalogs_are_po_files_only() -> None:
    for lang in i18n.LANGUAGES:
        assert i18n.po_path(lang).is_file()
    assert not list(PACKAGE.rglob("*.mo"))
    assert i18n.catalog("vi").gettext("Sign out") == "Đăng xuất"
    assert i18n.catalog("en").gettext("Sign out") == "Sign out"
