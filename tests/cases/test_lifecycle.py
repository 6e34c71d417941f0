"""The generic transition-table model: stepping, consistency checks, rendering."""

from __future__ import annotations

import pytest

from onshore.core.cases.lifecycle import Lifecycle, Transition, rows
from onshore.core.errors import IllegalTransition

OPS = frozenset({"operator"})


def small() -> Lifecycle:
    return Lifecycle(
        "small",
        "new",
        frozenset({"done", "dropped"}),
        (
            Transition("new", "start", "busy", OPS),
            Transition("busy", "finish", "done", OPS, ("requires:summary",)),
            *rows(["new", "busy"], "drop", "dropped", ["operator", "admin"]),
        ),
    )


def test_step_and_available() -> None:
    life = small()
    assert life.step("new", "start").target == "busy"
    assert [t.action for t in life.available("busy")] == ["finish", "drop"]
    assert life.available("done") == ()
    assert life.states == ("new", "busy", "done", "dropped")
    assert life.actions == ("start", "finish", "drop")


def test_every_illegal_pair_raises_with_details() -> None:
    life = small()
    pairs = life.illegal_pairs()
    assert ("done", "start") in pairs and ("new", "finish") in pairs
    assert len(pairs) == len(life.states) * len(life.actions) - len(life.transitions)
    for state, action in pairs:
        with pytest.raises(IllegalTransition) as err:
            life.step(state, action)
        assert err.value.code == "case.illegal_transition"
        assert err.value.details["state"] == state
        assert err.value.details["allowed"] == [t.action for t in life.available(state)]


@pytest.mark.parametrize(
    ("transitions", "message"),
    [
        ((Transition("a", "go", "b", OPS), Transition("a", "go", "c", OPS)), "duplicate"),
        ((Transition("a", "go", "b", OPS), Transition("b", "back", "a", OPS)), "terminal"),
        ((Transition("a", "go", "b", frozenset()),), "no role"),
        ((Transition("a", "go", "b", OPS), Transition("x", "go", "b", OPS)), "unreachable"),
    ],
)
def test_inconsistent_tables_are_refused(transitions: tuple[Transition, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Lifecycle("bad", "a", frozenset({"b"}), transitions)


def test_renderings_list_every_row() -> None:
    life = small()
    md = life.markdown().splitlines()
    assert len(md) == 2 + len(life.transitions)
    assert "| busy | finish | done | operator | `requires:summary` |" in md
    mermaid = life.mermaid()
    assert "[*] --> new" in mermaid and "busy --> dropped: drop" in mermaid
    assert life.to_dict()["terminal"] == ["done", "dropped"]
