"""Malformed packs fail with the file, the line and the reason; only PackError escapes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onshore.core.errors import PackError
from onshore.core.policy import parse_pack
from onshore.core.policy.cases import parse_cases
from onshore.services.policy import available_packs

GOOD = """\
schema: onshore.policy-pack/v1
pack: {id: house, jurisdiction: VN, version: "1", title: House rules}
sources: {H1: our counsel}
groups:
  contact: {categories: [email, phone_number]}
instruments:
  - {id: A, ref: "1/2020", title: Act A, effective: 2020-01-01, sunset: 2024-01-01,
     superseded_by: B}
  - {id: B, ref: "2/2024", title: Act B, effective: 2024-01-01}
rules:
  - id: H-1
    instrument: B
    title: Contacts stay home
    cite: Act B art. 1
    status: confirmed
    sources: [H1]
    applies_to: {subject_in: VN, data: [contact]}
    require: {type: store_in_country, country: VN}
"""


def _bad(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_good_pack_parses() -> None:
    pack = parse_pack(GOOD, "house.yaml")
    assert pack.id == "house" and pack.rules[0].require[0].country == "VN"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        pytest.param(
            _bad("title: House rules}", "title: [House rules}"), 2, "malformed YAML", id="yaml"
        ),
        pytest.param(
            _bad("    cite: Act B art. 1\n", "    cite: Act B art. 1\n    colour: red\n"),
            15,
            "unknown key 'colour'",
            id="unknown-key",
        ),
        pytest.param(
            _bad("    status: confirmed", "    status: maybe"), 15, "Input should be", id="bad-enum"
        ),
        pytest.param(_bad("sources: [H1]", "sources: H1"), 16, "valid list", id="wrong-type"),
        pytest.param(
            _bad("[email, phone_number]", "[email, shoe_size]"),
            5,
            "unknown data category or group 'shoe_size'",
            id="unknown-category",
        ),
        pytest.param(
            _bad("data: [contact]", "data: [contacts]"),
            17,
            "unknown data category",
            id="unknown-group",
        ),
        pytest.param(
            _bad("subject_in: VN,", "subject_in: XX,"),
            17,
            "unknown country or bloc 'XX'",
            id="unknown-country",
        ),
        pytest.param(
            _bad("effective: 2024-01-01}", "effective: 2024-01-01, superseded_by: A}"),
            8,
            "circular supersession A -> B -> A",
            id="circular-supersession",
        ),
        pytest.param(
            _bad(
                "  - {id: B,", "  - {id: A, ref: x, title: A2, effective: 2023-01-01}\n  - {id: B,"
            ),
            9,
            "effective window of 'A' overlaps",
            id="overlapping-windows",
        ),
        pytest.param(
            _bad("instrument: B", "instrument: C"),
            12,
            "unknown instrument 'C'",
            id="unknown-instrument",
        ),
        pytest.param(
            _bad("sources: [H1]", "sources: [H2]"), 16, "unknown source 'H2'", id="unknown-source"
        ),
        pytest.param(
            _bad(
                "    title: Contacts stay home\n",
                "    title: Contacts stay home\n    title: again\n",
            ),
            14,
            "duplicate key 'title'",
            id="duplicate-key",
        ),
        pytest.param(
            _bad(
                "{type: store_in_country, country: VN}",
                "{type: store_in_country, country: VN, artifact: x}",
            ),
            18,
            "key 'artifact' is not allowed for a store_in_country requirement",
            id="key-for-type",
        ),
        pytest.param(
            _bad("{type: store_in_country, country: VN}", "{type: teleport}"),
            18,
            "Input should be",
            id="unknown-requirement",
        ),
        pytest.param(
            _bad(
                "effective: 2020-01-01, sunset: 2024-01-01",
                "effective: 2020-01-01, sunset: 2019-01-01",
            ),
            7,
            "sunset must be after effective",
            id="inverted-window",
        ),
        pytest.param("- just\n- a list\n", 1, "must be a mapping", id="not-a-mapping"),
    ],
)
def test_bad_pack(text: str, line: int, reason: str) -> None:
    with pytest.raises(PackError) as info:
        parse_pack(text, "house.yaml")
    err = info.value
    assert err.code == "policy.pack_invalid"
    assert err.details["file"] == "house.yaml"
    assert err.details["line"] == line, err.message
    assert reason in err.details["reason"], err.message
    assert err.message.startswith(f"house.yaml:{line}: ")


def test_bad_case_file_names_line() -> None:
    with pytest.raises(PackError) as info:
        parse_cases(
            "pack: vn\ncases:\n  - id: x\n    covers: []\n    op: store\n    oops: 1\n", "c.yaml"
        )
    assert info.value.details["line"] in (3, 6)


_FRAGMENTS = [s for s in GOOD.splitlines(keepends=True)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_fuzz_random_text_only_raises_pack_error(text: str) -> None:
    with contextlib.suppress(PackError):
        parse_pack(text, "fuzz.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=30),
    st.lists(
        st.tuples(st.integers(0, 2000), st.sampled_from(list(":{}[]-,&*!|>'\"\n #x1"))), max_size=8
    ),
)
def test_fuzz_mutated_packs_only_raise_pack_error(
    lines: list[str], edits: list[tuple[int, str]]
) -> None:
    text = "".join(lines)
    for pos, ch in edits:
        pos = pos % (len(text) + 1)
        text = text[:pos] + ch + text[pos:]
    with contextlib.suppress(PackError):
        parse_pack(text, "fuzz.yaml")


def test_alias_bomb_is_a_pack_error() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]\n"]
    for i in range(12):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}]\n")
    bomb = "".join(lines)
    with pytest.raises(PackError):
        parse_pack(bomb, "bomb.yaml")


def test_shipped_pack_id_must_match_directory(tmp_path: object) -> None:
    from pathlib import Path

    from onshore.services.policy import read_pack

    d = Path(str(tmp_path)) / "other"
    d.mkdir()
    (d / "pack.yaml").write_text(GOOD)
    with pytest.raises(PackError, match="differs from its directory"):
        read_pack(d)
    assert "vn" in available_packs([d])
