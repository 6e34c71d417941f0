"""Fuzzing the policy pack loader (issue #19): any text either loads or is a ``PackError``.

Two strategies: structure-aware mutations of the shipped packs (a value of the wrong type, a
huge or negative number, a key removed or unknown, unicode, extreme dates, a repeated list
item) and raw YAML garbage (random text, and a pack's text with characters inserted,
deleted or replaced). A pack that loads must also compute every deadline it states from the
last date a pack may name (no ``OverflowError`` later in ``policy check`` or ``explain``).

``make test`` runs a few hundred inputs; ``make soak`` runs 100,000+ and prints the counts.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onshore.core.errors import PackError
from onshore.core.policy import parse_pack
from onshore.core.policy.bounds import MAX_DATE
from onshore.core.policy.duration import add_duration
from onshore.core.policy.model import Duration, Pack
from onshore.core.policy.parse import _Builder, compose
from tests.support.soak import progress, report, trials

pytestmark = pytest.mark.soak

ROOT = Path(__file__).resolve().parents[2] / "policy_packs"


def _load(path: Path) -> dict[str, Any]:
    """A shipped pack as plain data, keys read literally (``on`` stays ``on``)."""
    text = path.read_text(encoding="utf-8")
    data = _Builder(str(path)).build(compose(text, str(path)))  # type: ignore[arg-type]
    assert isinstance(data, dict)
    return data


PACKS = [_load(p) for p in sorted(ROOT.glob("*/pack.yaml"))]

HUGE = st.sampled_from([9_999_999_999, 2**31, 2**63, 10**30, -1, -(2**63), 0])
ODD_DATES = st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    ODD_DATES,
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


@st.composite
def mutated_packs(draw: st.DrawFn) -> str:
    """A shipped pack cut to a few rules, with one to three mutations, dumped as YAML."""
    data = copy.deepcopy(draw(st.sampled_from(PACKS)))
    rules = data.get("rules") or []
    if rules:
        keep = draw(st.lists(st.integers(0, len(rules) - 1), min_size=1, max_size=2, unique=True))
        data["rules"] = [rules[i] for i in sorted(keep)]
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths[1:] or paths))
        parent, last = _get(data, path[:-1]), path[-1] if path else None
        op = draw(st.sampled_from(["replace", "replace", "huge", "delete", "extra", "dup"]))
        if not path:
            continue
        if op == "replace":
            parent[last] = draw(VALUES)
        elif op == "huge":
            current = parent[last]
            if isinstance(current, date):
                parent[last] = draw(ODD_DATES)
            elif isinstance(current, str):
                parent[last] = draw(st.text(min_size=1, max_size=200))
            else:
                parent[last] = draw(HUGE)
        elif op == "delete":
            del parent[last]
        elif op == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(VALUES)
        elif op == "dup" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)


#: libyaml's emitter when PyYAML has it (the dump is test-side work: a third of each input's
#: time with the pure-Python emitter); the loader under test is the product's own.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SMALL_PACK = (ROOT / "eu" / "pack.yaml").read_text(encoding="utf-8")


@st.composite
def garbled_text(draw: st.DrawFn) -> str:
    """A pack's text with a few characters inserted, deleted or replaced."""
    text = SMALL_PACK
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.text(max_size=4))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    return text


RAW = st.one_of(
    st.text(max_size=400),
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", "replace")),
    st.lists(
        st.sampled_from(["- ", ": ", "{", "}", "[", "]", "&a ", "*a", "!!", "\n", "  ", "x"])
    ).map("".join),
    garbled_text(),
)


def _durations(pack: Pack) -> list[Duration]:
    found: list[Duration] = []
    for rule in pack.rules:
        for req in rule.require:
            found += [d for d in (req.within, req.ack, req.extend_once, req.period) if d]
    return found


def _check(text: str, outcomes: Counter[str]) -> None:
    try:
        pack = parse_pack(text, "fuzz.yaml")
    except PackError as exc:
        assert str(exc).startswith("fuzz.yaml:"), exc  # names the file and a line
        assert isinstance(exc.details.get("line"), int)
        outcomes["refused"] += 1
        return
    last = datetime.combine(MAX_DATE, datetime.min.time(), UTC)
    for d in _durations(pack):
        add_duration(last, d.amount, d.unit)  # must not overflow
    outcomes["loaded"] += 1


def _run(strategy: st.SearchStrategy[str], count: int, surface: str) -> None:
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def fuzz(text: str) -> None:
        _check(text, outcomes)
        progress(surface, sum(outcomes.values()), **outcomes)

    fuzz()
    report(surface, inputs=sum(outcomes.values()), crashes=0, **outcomes)
    assert sum(outcomes.values()) >= count * 0.9


def test_mutated_packs_load_or_raise_pack_error() -> None:
    _run(mutated_packs(), trials(100, 60_000), "pack_yaml.mutated")


def test_raw_yaml_garbage_raises_only_pack_error() -> None:
    _run(RAW, trials(200, 60_000), "pack_yaml.raw")


def test_shipped_packs_still_load() -> None:
    """The mutation base is sound: every shipped pack loads as it is."""
    for data in PACKS:
        assert parse_pack(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "x").id
