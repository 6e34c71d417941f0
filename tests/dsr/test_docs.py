"""docs/dsr.md carries the lifecycle exactly as the declaration renders it, and names every
request type, verification method and refusal ground."""

from __future__ import annotations

from pathlib import Path

from onshore.core.cases.dsr import REFUSAL_GROUNDS, REQUEST_TYPES, VERIFICATION_METHODS
from onshore.core.cases.kinds.dsr import DSR

DOC = Path(__file__).resolve().parents[2] / "docs" / "dsr.md"


def test_the_lifecycle_in_the_docs_is_the_declarations() -> None:
    text = DOC.read_text(encoding="utf-8")
    embedded = text.split("<!-- dsr-diagram -->\n")[1].split("\n<!-- /dsr-diagram -->")[0]
    expected = f"```mermaid\n{DSR.lifecycle.mermaid()}\n```\n\n{DSR.lifecycle.markdown()}"
    assert embedded == expected


def test_the_docs_name_every_type_method_and_ground() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in [*REQUEST_TYPES, *VERIFICATION_METHODS, *REFUSAL_GROUNDS, *DSR.action_names]:
        assert f"`{name}`" in text, name
