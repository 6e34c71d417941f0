"""Every declared case kind: consistent as data, and every effect it names bound by its service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import BaseModel

from onshore.core.cases.declaration import CaseKindDeclaration, Clock, NoteIn
from onshore.core.cases.lifecycle import Lifecycle, Transition
from onshore.core.cases.registry import KINDS, by_segment, kind
from onshore.core.errors import InputError
from onshore.services import (
    audience,
    authority_requests,
    breaches,
    dsr,
    takedowns,
    transfer_assessments,
)

BOUND = {
    "authority_request": authority_requests.BOUND_EFFECTS,
    "takedown": takedowns.BOUND_EFFECTS,
    "audience_obligation": audience.BOUND_EFFECTS,
    "dsr": dsr.BOUND_EFFECTS,
    "breach": breaches.BOUND_EFFECTS,
    "transfer_assessment": transfer_assessments.BOUND_EFFECTS,
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_declared_effect_is_bound(name: str) -> None:
    assert KINDS[name].effect_names() == BOUND[name]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_declaration_is_consistent(name: str) -> None:
    d = KINDS[name]
    assert kind(name) is d and by_segment(d.segment) is d
    assert d.base_path.startswith("/v1/")
    assert set(d.actions) == set(d.action_names), "every action says what it does"
    for action in d.action_names:
        assert issubclass(d.note_model(action), BaseModel)
        assert d.note_model(action).model_config.get("extra") == "forbid"
        assert "actor" not in d.note_model(action).model_fields
        assert "role" not in d.note_model(action).model_fields
    if d.intake is not None:
        assert d.intake.model_config.get("extra") == "forbid"
        assert not {"actor", "role"} & set(d.intake.model_fields)
    assert d.to_dict()["lifecycle"]["initial"] == d.initial


def test_dedupe_keys() -> None:
    req = KINDS["authority_request"]
    assert req.dedupe_key({"authority": "VN-A05", "reference": " CV-1 "}) == ("VN-A05", "CV-1")
    assert req.dedupe_key({"authority": "VN-A05", "reference": ""}) is None
    notice = {"source": "user_complaint", "notice": {"sender": {"name": "An"}}}
    assert KINDS["takedown"].dedupe_key(notice) is None  # no reference: every notice opens one
    assert KINDS["audience_obligation"].dedupe_key({}) is None


def test_unknown_kind_and_segment() -> None:
    with pytest.raises(InputError):
        kind("nope")
    with pytest.raises(InputError):
        by_segment("nope")


LIFE = Lifecycle(
    "demo", "open", frozenset({"closed"}),
    (Transition("open", "close", "closed", frozenset({"operator"}), ("requires:reason",)),),
)  # fmt: skip


class ReasonNote(BaseModel):
    reason: str | None = None


class DemoIn(BaseModel):
    ref: str


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "requires 'reason'"),  # the note model must carry what a guard requires
        ({"notes": {"close": ReasonNote, "open": ReasonNote}}, "unknown action"),
        ({"notes": {"close": ReasonNote}, "effects": {"reopen": ("x",)}}, "unknown action"),
        ({"notes": {"close": ReasonNote}, "dedupe": ("ref",)}, "needs an intake model"),
        ({"notes": {"close": ReasonNote}, "intake": DemoIn, "dedupe": ("x",)}, "not an intake"),
    ],
)
def test_inconsistent_declarations_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CaseKindDeclaration("demo", "demos", "Demos", LIFE, **kwargs)  # type: ignore[arg-type]


def test_lifecycle_name_must_match() -> None:
    with pytest.raises(ValueError, match="lifecycle is named"):
        CaseKindDeclaration("other", "o", "O", LIFE, notes={"close": ReasonNote})


def test_defaults_and_rendering() -> None:
    d = CaseKindDeclaration(
        "demo", "demos", "Demos", LIFE, notes={"close": ReasonNote},
        clock=Clock("remove", "remove_within", timedelta(hours=6)),
    )  # fmt: skip
    assert d.note_model("close") is ReasonNote
    assert CaseKindDeclaration.note_model(d, "other") is NoteIn
    assert d.summary("close") == "Close (to closed)"
    assert d.roles_of("close") == frozenset({"operator"})
    assert d.open_states == ("open",)
    assert d.to_dict()["clock"]["due_soon_hours"] == 6.0
    assert d.to_dict()["ledger_events"] == ["case_transition"]
