"""The service a case-kind declaration yields: intake (deduplicated), actions with their
bound effects, listings and deadlines.

Every declared kind is served through the :class:`KindService` protocol (what the generated
routes and CLI call). A kind whose declaration names no effects needs no code at all:
:class:`DeclaredCases` serves it from the declaration alone (the intake body, validated by
its model, becomes the case data; the clock's obligation sets the deadline; each action is a
plain step). Kinds with effects (authority requests, takedowns, audience obligations) bind
each declared effect name in their own service.

Intake is deduplicated by the declaration's ``dedupe`` key: the case id is derived from the
kind and the key's values (:func:`dedupe_id`), so the same authority reference from the same
authority, or the same notice from the same sender, opens one case; a repeat returns the
existing case with ``Opened.created`` false (the API answers 200 instead of 201). Two
concurrent intakes of the same key race on the store's unique case id: the loser reads the
winner's case.

Example:
    >>> dedupe_id("takedown", ("trusted_flagger", "Flagger", "N-1"))[:9]
    'takedown-'
    >>> dedupe_id("takedown", ("a", "b")) == dedupe_id("takedown", ("a", "b"))
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry
from pydantic import BaseModel, ValidationError

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.registry import KINDS
from onshore.core.errors import CaseConflict, CaseNotFound, InputError
from onshore.core.identity import Principal
from onshore.core.policy import Facts
from onshore.ports import Case
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime

__all__ = [
    "DeclaredCases",
    "KindService",
    "Opened",
    "case_view",
    "dedupe_id",
    "open_once",
    "validated",
]


ModelT = TypeVar("ModelT", bound=BaseModel)


def validated(model: type[ModelT], body: Any, message: str = "invalid input") -> ModelT:
    """``body`` as ``model`` (returned as is when it already is one); a validation failure is
    an ``InputError`` whose details list the errors (no input values are echoed)."""
    if isinstance(body, model):
        return body
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InputError(message, details={"errors": exc.errors(include_url=False)}) from None


@dataclass(frozen=True, slots=True)
class Opened:
    """What an intake did: the case, and whether it was opened now (False: a repeat of an
    intake with the same dedupe key, answered with the existing case)."""

    case: Case
    created: bool


class KindService(Protocol):
    """What the routes and the CLI need from the service of one declared kind."""

    declaration: CaseKindDeclaration
    cases: CaseService

    def intake(self, body: Any, *, principal: Principal) -> Opened:
        """Open a case from a validated intake body (deduplicated)."""
        ...

    def act(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on a case as ``principal``."""
        ...

    def view(self, case: Case) -> dict[str, Any]:
        """The case as the API and the CLI show it."""
        ...


def dedupe_id(kind: str, key: tuple[str, ...]) -> str:
    """The case id of the intake whose dedupe key is ``key``: the kind's prefix and 20 hex
    digits of the SHA-256 of the kind and the key's values (the id says nothing of them)."""
    digest = hashlib.sha256("\x1f".join((kind, *key)).encode()).hexdigest()
    prefix = "".join(ch for ch in kind.lower() if ch.isalnum())[:8] or "case"
    return f"{prefix}-{digest[:20]}"


def open_once(
    cases: CaseService,
    declaration: CaseKindDeclaration,
    body: Mapping[str, Any],
    region: str,
    *,
    principal: Principal,
    data: Mapping[str, Any],
    due_at: datetime | None,
) -> Opened:
    """Open a case of ``declaration``'s kind unless one with the same dedupe key (read from
    the intake ``body``) exists; see the module docstring."""
    key = declaration.dedupe_key(body)
    if key is None:
        return Opened(
            cases.open(declaration.name, region, principal=principal, data=data, due_at=due_at),
            True,
        )
    case_id = dedupe_id(declaration.name, key)
    try:
        return Opened(cases.get(case_id), False)
    except CaseNotFound:
        pass
    try:
        case = cases.open(
            declaration.name,
            region,
            principal=principal,
            data=data,
            due_at=due_at,
            case_id=case_id,
        )
    except CaseConflict:  # a concurrent intake of the same key won the race
        return Opened(cases.get(case_id), False)
    return Opened(case, True)


def case_view(case: Case, declaration: CaseKindDeclaration | None = None) -> dict[str, Any]:
    """A case as the API and the CLI show it, with the actions its state allows next
    (``declaration`` defaults to the registered declaration of the case's kind)."""
    declared = declaration or KINDS.get(case.kind)
    return {
        "case_id": case.case_id,
        "kind": case.kind,
        "state": case.state,
        "region": case.region,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "version": case.version,
        "data": dict(case.data),
        "next": [t.action for t in declared.lifecycle.available(case.state)] if declared else [],
    }


class DeclaredCases:
    """The service of a kind declared without effects (see the module docstring).

    The deadline is the earliest obligation of the declaration's clock the packs give for
    its operation, with ``Facts.request`` the clock's request (default: the kind's name) and
    the intake time as its start event, for a subject in the country of ``region``, where
    the case lives (default: the deployment's default region).
    """

    def __init__(
        self,
        runtime: Runtime,
        declaration: CaseKindDeclaration,
        *,
        cases: CaseService | None = None,
        registry: CollectorRegistry = REGISTRY,
        region: str | None = None,
    ) -> None:
        if declaration.effect_names():
            raise ValueError(
                f"{declaration.name} declares effects {sorted(declaration.effect_names())}: "
                "its service must bind them"
            )
        self.runtime = runtime
        self.declaration = declaration
        self.cases = cases or CaseService(runtime, registry=registry)
        self.cases.register(CaseKind.of(declaration))
        self.region = region or runtime.settings.deployment.default_region

    def intake(self, body: BaseModel | Mapping[str, Any], *, principal: Principal) -> Opened:
        """Open a case from ``body`` (validated by the declaration's intake model)."""
        model = self.declaration.intake
        if model is None:
            raise InputError(f"{self.declaration.name} cases are opened by onshore itself")
        if not isinstance(body, BaseModel):
            body = validated(model, body, "invalid intake")
        data = body.model_dump(mode="json")
        now = self.runtime.clock.now()
        due = None
        clock = self.declaration.clock
        if clock is not None:
            facts = Facts(
                self.runtime.entity,
                subject_country=self.runtime.region(self.region).country,
                request=clock.request or self.declaration.name,
                events={clock.event or self.declaration.name: now},
            )
            found = self.cases.deadline(clock.op, facts, now, requirement=clock.requirement)
            if found is not None:
                due = found.due
                data["deadline"] = found.to_dict()
        return open_once(
            self.cases,
            self.declaration,
            data,
            self.region,
            principal=principal,
            data=data,
            due_at=due,
        )

    def act(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on a case as ``principal`` (a plain step: no effects)."""
        return self.cases.apply(
            case_id, action, principal=principal, note=note, expected_version=expected_version
        ).case

    def view(self, case: Case) -> dict[str, Any]:
        """The case as the API and the CLI show it."""
        return case_view(case, self.declaration)
