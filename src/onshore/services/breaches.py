"""Breach notification (issue 16, item 2): the service of the declared ``breach`` kind.

``BreachService(runtime)`` opens a case from a :class:`~onshore.core.cases.kinds.breach.BreachIn`
(``intake``): the discovery time is checked (not in the future, not after entry; the entry
time is recorded apart), the affected subjects are counted per country from the vault
without decrypting (:mod:`onshore.services.breach_scope`), and the clock is set from the
packs: for every country with affected subjects (and any the intake names), the
``notify_within`` obligations of the ``breach`` operation from ``breach_detected`` (the
discovery), under the law in force at discovery; the case is due at the earliest
authority deadline. Subject ids are kept only as keyed hashes.

The declaration's effects are bound here (:data:`BOUND_EFFECTS`): ``count_subjects``
(recount, optionally over a new scope), ``merge_details``, ``draft_notifications`` (each
law's notification, :mod:`onshore.core.cases.breach_notice`), ``record_authority_notice``
(the final notifications, with the late reason when late; their SHA-256 goes on the region's
ledger in a ``report_published`` leaf, in the step's transaction), ``record_subject_notice``
and ``stop_clock``. Every step is a ``case_transition`` leaf (kind, states, action, role:
no personal data).

Example:
    >>> sorted(BOUND_EFFECTS)[:3]
    ['count_subjects', 'draft_notifications', 'merge_details']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.breach_notice import Owed, digest, notification, to_html, to_markdown
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.kinds.breach import BREACH, BreachDetails, BreachIn, BreachScope
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import Case
from onshore.services.breach_clock import clock_of, owed
from onshore.services.breach_scope import (
    count_affected,
    identifier_terms,
    scope_dict,
    subject_refs,
)
from onshore.services.case_kinds import Opened, case_view, open_once, validated
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime

__all__ = ["BOUND_EFFECTS", "BreachService", "breach_view"]

#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {
        "count_subjects",
        "merge_details",
        "draft_notifications",
        "record_authority_notice",
        "record_subject_notice",
        "stop_clock",
    }
)


def _clean(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` without empty values (an empty list is not knowledge)."""
    return {k: v for k, v in details.items() if v not in ([], "", None)}


class BreachService:
    """The breach workflow (see the module docstring)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: CollectorRegistry = REGISTRY,
        cases: CaseService | None = None,
    ) -> None:
        self.runtime = runtime
        self.declaration = BREACH
        self.cases = cases or CaseService(runtime, registry=registry)
        self.cases.register(CaseKind.of(BREACH))

    # -- intake ---------------------------------------------------------------------------

    def intake(self, body: BreachIn | Mapping[str, Any], *, principal: Principal) -> Opened:
        """Record a breach (see the module docstring); a repeat of the same ``reference``
        answers with the case already open."""
        got: BreachIn = validated(BreachIn, body)
        now = self.runtime.clock.now()
        for name, at in (("discovered_at", got.discovered_at), ("occurred_at", got.occurred_at)):
            if at is not None and at > now:
                raise InputError(
                    f"{name} is after the time of entry (in the future)",
                    details={"field": name, "entered_at": now.isoformat()},
                )
        refs = subject_refs(self.runtime, got.scope.subjects)
        terms = identifier_terms(self.runtime, got.scope.identifiers)
        named = len(set(s for s in got.scope.subjects if s.strip()))
        affected = count_affected(self.runtime, got.scope, refs, named, terms)
        data: dict[str, Any] = {
            "reference": got.reference,
            "discovered_at": got.discovered_at.isoformat(),
            "occurred_at": got.occurred_at.isoformat() if got.occurred_at else None,
            "entered_at": now.isoformat(),
            "high_risk": got.high_risk,
            "countries": list(got.countries),
            "details": _clean(got.details.model_dump(mode="json", exclude_none=True)),
            "scope": scope_dict(got.scope),
            "scope_refs": refs,
            "scope_terms": terms,
            "affected": affected,
        }
        data.update(self._clock(data))
        due = data["deadline"]["due"] if data["deadline"] else None
        key = {"reference": got.reference}
        return open_once(
            self.cases,
            BREACH,
            key,
            self.runtime.settings.deployment.default_region,
            principal=principal,
            data=data,
            due_at=datetime.fromisoformat(due) if due else None,
        )

    def owed(self, discovered_at: datetime, countries: list[str], *, high_risk: bool) -> list[Owed]:
        """Every notification the packs owe (:func:`onshore.services.breach_clock.owed`)."""
        return owed(self.runtime, discovered_at, countries, high_risk=high_risk)

    def _clock(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return clock_of(self.runtime, data)

    # -- notifications ------------------------------------------------------------------

    def notifications(
        self,
        case: Case,
        *,
        audience: str | None = None,
        late_reason: str | None = None,
        now: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Each owed notification (to ``audience``, or all but to a controller), filled
        from the case as it is now; what is not known is marked missing."""
        data = case.data
        now = now or self.runtime.clock.now()
        late = case.due_at is not None and now > case.due_at
        details = {**data.get("details", {}), "discovered_at": data.get("discovered_at")}
        by_country = data["affected"]["by_country"]
        docs = []
        for raw in data.get("owed", []):
            if raw["audience"] == "controller" or (audience and raw["audience"] != audience):
                continue
            due = datetime.fromisoformat(raw["due"]) if raw["due"] else None
            owed = Owed(
                raw["rule"],
                raw["audience"],
                raw["to"],
                raw["country"],
                due,
                raw.get("authority", ""),
                raw.get("title", ""),
            )
            counts = by_country.get(raw["country"], {})
            is_late = late and raw["audience"] == "authority"
            docs.append(notification(owed, details, counts, late=is_late, late_reason=late_reason))
        return docs

    def documents(self, case_id: str, fmt: str = "json") -> Any:
        """The case's notifications: those to the authorities as sent when they were (else
        as drafted now), those to the subjects as drafted now (``json``: the list;
        ``markdown`` / ``html``: readable)."""
        case = self.cases.get(case_id)
        sent = (case.data.get("notified") or {}).get("documents")
        docs: list[Mapping[str, Any]] = (
            [*sent, *self.notifications(case, audience="subjects")]
            if sent
            else list(self.notifications(case))
        )
        if fmt == "json":
            return docs
        if fmt == "markdown":
            return "\n".join(to_markdown(d) for d in docs)
        if fmt == "html":
            return to_html(docs, f"Breach notifications, case {case_id}")
        raise InputError("the format is json, markdown or html", details={"format": fmt})

    # -- transitions ----------------------------------------------------------------------

    def act(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on a breach, with the effects its declaration names."""
        note = dict(note or {})
        note = validated(BREACH.note_model(action), note).model_dump(
            mode="json", exclude_none=True, by_alias=True
        )
        case = self.cases.get(case_id)
        now = self.runtime.clock.now()
        data = case.data
        merge: dict[str, Any] = {}
        kw: dict[str, Any] = {}
        effects = BREACH.effects_of(action)
        if "merge_details" in effects:
            given = BreachDetails.model_validate(note.get("details") or {})
            merge["details"] = _clean(
                {**data.get("details", {}), **_clean(given.model_dump(exclude_none=True))}
            )
            if "high_risk" in note:
                merge["high_risk"] = bool(note["high_risk"])
                merge.update(self._clock({**data, **merge}))
        if "count_subjects" in effects:
            merge.update(self._recount(data, note))
            merge.update(self._clock({**data, **merge}))
            due = merge["deadline"]["due"] if merge["deadline"] else None
            kw["due_at"] = datetime.fromisoformat(due) if due else None
        if "draft_notifications" in effects:
            docs = self.notifications(case, now=now)
            merge["draft"] = {
                "at": now.isoformat(),
                "sha256": digest(docs),
                "missing": sorted({m for d in docs for m in d["missing"]}),
            }
        if "record_subject_notice" in effects:
            docs = self.notifications(case, audience="subjects", now=now)
            merge["subject_notice"] = {
                "at": now.isoformat(),
                "channel": note.get("channel"),
                "sent_to": note.get("sent_to"),
                "rules": sorted({d["rule"] for d in docs}),
                "sha256": digest(docs),
            }
        if "stop_clock" in effects:
            merge["closed_at"] = now.isoformat()
            kw["due_at"] = None
        if "record_authority_notice" in effects:
            return self._notify_authority(case, note, principal, now, expected_version)
        return self.cases.apply(
            case_id,
            action,
            principal=principal,
            note=note,
            merge=merge,
            expected_version=expected_version,
            **kw,
        ).case

    def _recount(self, data: Mapping[str, Any], note: Mapping[str, Any]) -> dict[str, Any]:
        given = note.get("scope")
        if given is not None:
            scope = BreachScope.model_validate(given)
            refs = subject_refs(self.runtime, scope.subjects)
            terms = identifier_terms(self.runtime, scope.identifiers)
            named = len(set(s for s in scope.subjects if s.strip()))
            if isinstance(note, dict):  # the history keeps how many, never the values
                note["scope"] = {
                    **scope_dict(scope),
                    "subjects": named,
                    "identifiers": sum(len(v) for v in scope.identifiers.values()),
                }
        else:
            scope = BreachScope.model_validate(data.get("scope") or {})
            refs = data.get("scope_refs") or {}
            terms = data.get("scope_terms") or {}
            named = int((data.get("affected") or {}).get("scope", {}).get("subjects", 0))
        affected = count_affected(self.runtime, scope, refs, named, terms)
        return {
            "scope": scope_dict(scope),
            "scope_refs": refs,
            "scope_terms": terms,
            "affected": affected,
        }

    def _notify_authority(
        self,
        case: Case,
        note: Mapping[str, Any],
        principal: Principal,
        now: datetime,
        expected_version: int | None,
    ) -> Case:
        late = case.due_at is not None and now > case.due_at
        docs = self.notifications(
            case, audience="authority", late_reason=note.get("late_reason"), now=now
        )
        sha = digest(docs)
        region = self.runtime.region(case.region)
        sent = {
            "at": now.isoformat(),
            "late": late,
            "late_reason": note.get("late_reason") if late else None,
            "hours_after_discovery": round(
                (now - datetime.fromisoformat(case.data["discovered_at"])).total_seconds() / 3600,
                2,
            ),
            "channel": note.get("channel"),
            "reference": note.get("reference"),
            "rules": sorted({d["rule"] for d in docs}),
            "sha256": sha,
            "documents": docs,
        }
        with region.db.transaction():
            step = self.cases.apply(
                case.case_id,
                "notify_authority",
                principal=principal,
                note={**note, "sha256": sha},
                merge={"notified": sent},
                due_at=None,
                expected_version=expected_version,
            )
            event = LedgerEvent(
                type=EventType.REPORT_PUBLISHED,
                at=now,
                region=region.name,
                record_id=case.case_id,
                actor=principal.id,
                payload={
                    "report_kind": "breach_notification",
                    "format": "json",
                    "rules": sent["rules"],
                    "refs": {"notification_sha256": sha},
                },
            )
            [index] = self.cases.ledger(region.name).append([event])
            return self.cases.update_data(
                case.case_id, {"notified": {**step.case.data["notified"], "ledger_index": index}}
            )

    def view(self, case: Case) -> dict[str, Any]:
        """A breach as the CLI and the API show it (:func:`breach_view`)."""
        return breach_view(case)


def breach_view(case: Case) -> dict[str, Any]:
    """A breach as the CLI and the API show it (the keyed hashes of the scope left out)."""
    out = case_view(case, BREACH)
    out["data"].pop("scope_refs", None)
    out["data"].pop("scope_terms", None)
    return out
