"""docs/authority-requests.md carries the lifecycle table exactly as the code defines it."""

from __future__ import annotations

from pathlib import Path

from onshore.core.cases.authority_requests import PROCESS_TYPES, REASON_CODES, REQUESTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "authority-requests.md"


def test_lifecycle_table_in_docs_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    embedded = text.split("<!-- lifecycle:begin -->\n")[1].split("\n<!-- lifecycle:end -->")[0]
    assert embedded == REQUESTS.markdown()


def test_docs_name_every_process_type_and_reason_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in [*PROCESS_TYPES, *REASON_CODES]:
        assert f"`{name}`" in text, name
