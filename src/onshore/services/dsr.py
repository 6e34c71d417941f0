"""Data-subject requests (issue 16, item 1) on the generic case machinery.

``DsrService(vault)`` is the SDK, and the service of the declared kind
:data:`onshore.core.cases.kinds.dsr.DSR`. ``intake(body, principal=)`` opens a case: the
subject named by account id or identifiers is resolved to keyed refs and blind-index
terms per region (no identifier kept in the clear), and the clock comes from the packs'
``respond_within`` rules for the type's request in the subject's country, counted from
receipt (``received_at``, not after entry): under Decree 356 an acknowledgement within 2
working days (the case's first due date) and the answer within 15 days (20 with
``via_processor``), extendable once by 15 days; 72 hours for an erasure (Decree 165).

``act(case, action, principal=, note=)`` moves it through
:data:`onshore.core.cases.dsr.REQUESTS` with the effects the declaration names (bound
here, :data:`BOUND_EFFECTS`): ``verify_identity`` records who verified and how;
``assemble`` writes the access/copy package from every region holding the subject
(:mod:`onshore.services.dsr_package`) and ``deliver`` (someone else) signs it with the
proof of its ledger leaf; ``erase`` asks retention first
(:mod:`onshore.services.dsr_erasure`) and erases through the vault, or, when retention
defers it, takes ``defer_erasure`` instead, whose answer names the date and the rules;
``comply`` records the outcome (a restriction is recorded: the vault has no restricted
state, see ``docs/dsr.md``); ``refuse`` records typed grounds. Every step is a
``case_transition`` leaf (kind, states, action, role: no personal data); each erased
record is a ``record_erased`` leaf.

Example:
    >>> import tempfile
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> svc = DsrService(vault)
    >>> opened = svc.intake({"request_type": "erasure", "channel": "web_form",
    ...     "subject": "u-1", "country": "VN"}, principal=host_administrator("op"))
    >>> opened.case.state, opened.case.data["deadline"]["source"]
    ('received', 'VN-D165-del')
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry
from pydantic import BaseModel, ValidationError

from onshore.core.cases.dsr import REQUEST_TYPES
from onshore.core.cases.dsr_report import dsr_table, facts_of
from onshore.core.cases.guards import Guard, GuardContext, check_guards
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.kinds.dsr import DSR, DsrIn
from onshore.core.cases.roles import acting_role
from onshore.core.cases.transparency import Table
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.taxonomy import CATEGORIES
from onshore.ports import Case
from onshore.services.authority_scope import resolve_scope
from onshore.services.case_kinds import Opened, case_view, open_once
from onshore.services.case_steps import Step
from onshore.services.cases import CaseService
from onshore.services.dsr_clock import DsrClock
from onshore.services.dsr_erasure import (
    ErasureDecision,
    ErasurePolicy,
    decide,
    deferral_answer,
    erase_subjects,
    record_deferrals,
)
from onshore.services.dsr_package import SubjectPackage
from onshore.services.production import Production
from onshore.services.retention import RetentionService
from onshore.services.vault import Vault

__all__ = ["BOUND_EFFECTS", "DsrService", "view"]

#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {
        "acknowledge",
        "record_verification",
        "extend_deadline",
        "assemble_package",
        "sign_package",
        "erase",
        "defer_erasure",
        "record_outcome",
        "record_refusal",
    }
)


class DsrService:
    """The data-subject request workflow (see the module docstring)."""

    def __init__(
        self,
        vault: Vault,
        *,
        registry: CollectorRegistry = REGISTRY,
        packages_dir: Path | None = None,
        retention: ErasurePolicy | None = None,
    ) -> None:
        self.vault = vault
        self.runtime = vault.runtime
        self.declaration = DSR
        self.cases = CaseService(
            self.runtime, [CaseKind.of(DSR, self._guards())], registry=registry
        )
        base = Path(self.runtime.settings.base_dir)
        self.production = Production(vault, self.cases, packages_dir or base / "packages")
        self.package = SubjectPackage(self.production)
        self.retention = retention or RetentionService(vault.region_set)
        self.clock = DsrClock(self.runtime)

    # -- intake ---------------------------------------------------------------------------

    def intake(self, body: BaseModel | Mapping[str, Any], *, principal: Principal) -> Opened:
        """Open a request from an intake body (:class:`DsrIn`; see the module docstring)."""
        if not isinstance(body, DsrIn):
            raw = body.model_dump() if isinstance(body, BaseModel) else body
            try:
                body = DsrIn.model_validate(raw)
            except ValidationError as exc:
                raise InputError(
                    "invalid data-subject request",
                    details={"errors": exc.errors(include_url=False)},
                ) from None
        now = self.runtime.clock.now()
        received = body.received_at or now
        if received > now:
            raise InputError(
                "received_at is after the time the request is entered",
                details={"field": "received_at"},
            )
        resolved = resolve_scope(
            self.runtime,
            {
                "subjects": [body.subject] if body.subject else [],
                "email": body.email,
                "phone_number": body.phone_number,
                "national_id": body.national_id,
                "categories": sorted(CATEGORIES),
            },
        )
        home, country = self._where(body, resolved["scope_terms"])
        pack_request = REQUEST_TYPES[body.request_type]
        clock = self.clock.deadlines(pack_request, country, received, body.via_processor)
        data: dict[str, Any] = {
            "request_type": body.request_type,
            "pack_request": pack_request,
            "channel": body.channel,
            "reference": body.reference,
            "country": country,
            "received_at": received.isoformat(),
            "via_processor": body.via_processor,
            "details": body.details,
            "subject": {
                "identifiers": resolved["scope"]["identifiers"],
                "accounts": resolved["scope"]["accounts"],
            },
            "scope_terms": resolved["scope_terms"],
            **clock.to_data(),
        }
        key = {"channel": body.channel, "reference": body.reference}
        return open_once(
            self.cases, DSR, key, home, principal=principal, data=data, due_at=clock.first_due
        )

    def _where(self, body: DsrIn, terms: Mapping[str, Any]) -> tuple[str, str]:
        """The region to hold the case and the subject's country: as given, else the
        region holding most of the subject's records (config order breaks ties), else
        the deployment's default region."""
        counts = self.package.counts(terms)
        regions = self.runtime.regions
        home = body.region
        if home is None and body.country:
            home = next((n for n, r in regions.items() if r.country == body.country), None)
        if home is None and counts:
            home = max(regions, key=lambda n: (counts.get(n, 0), -list(regions).index(n)))
        home = home or self.runtime.settings.deployment.default_region
        return home, body.country or self.runtime.region(home).country

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
        """Take ``action`` with the effects its declaration names (module docstring); the
        note is checked against the action's model (``InputError`` when it does not fit)."""
        note = _checked(action, note)
        case = self.cases.get(case_id)
        now = self.runtime.clock.now()
        if action == "erase" and case.state == "verified" and self.verdict(case, now).deferred:
            action = "defer_erasure"  # retention outranks erasure: the answer says until when
        effects = DSR.effects_of(action)
        merge: dict[str, Any] = {}
        kw: dict[str, Any] = {}
        if "acknowledge" in effects:
            merge["acknowledged_at"] = now.isoformat()
            kw["due_at"] = self.clock.answer_due(case)
        if "record_verification" in effects:
            merge["identity"] = {
                "verified_by": principal.id,
                "method": note.get("method"),
                "evidence_ref": note.get("evidence_ref"),
                "at": now.isoformat(),
            }
            merge["holdings"] = dict(self.package.counts(case.data.get("scope_terms") or {}))
            if not case.data.get("acknowledged_at"):  # the verification answers the subject
                merge["acknowledged_at"] = now.isoformat()
            kw["due_at"] = self.clock.answer_due(case)
        if "extend_deadline" in effects:
            extended = self.clock.extended(case)
            if extended is not None:
                merge["deadline"] = extended
                kw["due_at"] = datetime.fromisoformat(extended["due"])
        if "defer_erasure" in effects:
            verdict = self.verdict(case, now)
            merge["erasure"] = {
                "state": "deferred",
                **verdict.to_dict(),
                "deferred_erasures": self._record_deferrals(case, principal, now),
            }
            merge["answer"] = deferral_answer(verdict)
            kw["due_at"] = verdict.until
        if "erase" in effects:
            self._precheck(case, action, principal, note, now)
            merge.update(self._erase(case, principal, now))
        if "record_outcome" in effects:
            merge["outcome"] = self._outcome(case, note, principal, now)
        if "record_refusal" in effects:
            merge["refusal"] = {
                "grounds": list(note.get("grounds") or []),
                "explanation": note.get("explanation"),
                "by": principal.id,
                "at": now.isoformat(),
            }
        step = self.cases.apply(
            case_id,
            action,
            principal=principal,
            note=note,
            merge=merge,
            expected_version=expected_version,
            **kw,
        )
        after = step.case
        if "assemble_package" in effects:
            after = self.cases.update_data(case_id, self.package.assemble(after))
        if "sign_package" in effects:  # after commit: the proof is of a committed leaf
            after = self._deliver(after, step)
        return after

    def _precheck(
        self, case: Case, action: str, principal: Principal, note: Mapping[str, Any], now: datetime
    ) -> None:
        """The table, role and guard checks of ``apply``, run before data is erased."""
        kind = self.cases.kind(case.kind)
        transition = kind.lifecycle.step(case.state, action)
        role = acting_role(principal, transition.roles, kind.name, action)
        history = tuple(self.cases.history(case.case_id))
        ctx = GuardContext(case, principal.id, role, dict(note), history, now, action)
        check_guards(transition.guards, ctx, kind.guards)

    def _by_subject(self, case: Case) -> dict[str, list[str]]:
        by_subject: dict[str, list[str]] = {}
        for region, ids in self.package.subjects(case).items():
            for subject in ids:
                by_subject.setdefault(subject, []).append(region)
        return by_subject

    def _record_deferrals(self, case: Case, principal: Principal, now: datetime) -> list[str]:
        return record_deferrals(
            self.vault, self.retention, self._by_subject(case), principal, case.case_id, now
        )

    def _erase(self, case: Case, principal: Principal, now: datetime) -> dict[str, Any]:
        subjects = sorted({s for ids in self.package.subjects(case).values() for s in ids})
        return erase_subjects(self.vault, subjects, principal, now)

    def _outcome(
        self, case: Case, note: Mapping[str, Any], principal: Principal, now: datetime
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": note.get("outcome"),
            "by": principal.id,
            "at": now.isoformat(),
        }
        if case.data["request_type"] == "restriction":
            out["restriction"] = {
                "state": "restricted",
                "restriction_ref": note.get("restriction_ref"),
                "regions": sorted(self.package.counts(case.data.get("scope_terms") or {})),
                "enforced_by_vault": False,
            }
        return out

    def _deliver(self, case: Case, step: Step) -> Case:
        produced = self.production.release(case, step)["produced"]
        answer = {
            "text": f"package of {produced['records']} record(s) delivered",
            "at": produced["produced_at"],
        }
        return self.cases.update_data(case.case_id, {"produced": produced, "answer": answer})

    # -- retention and guards ---------------------------------------------------------------

    def verdict(self, case: Case, at: datetime) -> ErasureDecision:
        """Retention's answer for every subject the case names, folded into one: the
        latest date any of them is deferred to and every rule deferring one."""
        return decide(
            (
                self.retention.erasure_decision(subject, sorted(regions), at)
                for subject, regions in sorted(self._by_subject(case).items())
            ),
            at,
        )

    def _guards(self) -> dict[str, Guard]:
        def due(ctx: GuardContext) -> str | None:
            v = self.verdict(ctx.case, ctx.now)
            if not v.deferred:
                return None
            assert v.until is not None
            rules = ", ".join(v.rules)
            return f"retention defers the erasure until {v.until.isoformat()} ({rules})"

        def deferred(ctx: GuardContext) -> str | None:
            return (
                None if self.verdict(ctx.case, ctx.now).deferred else "erase now: nothing defers it"
            )

        return {
            "package_intact": lambda ctx: self.production.intact(ctx.case),
            "erasure_due": due,
            "erasure_deferred": deferred,
        }

    def view(self, case: Case) -> dict[str, Any]:
        """A request as the CLI and the API show it (the keyed terms left out)."""
        return view(case)

    def report(self, start: datetime, end: datetime, k: int = 10) -> Table:
        """Requests opened in ``[start, end)`` per subject country, small counts below
        ``k`` suppressed (:mod:`onshore.core.cases.dsr_report`)."""
        cases = self.cases.iter_cases(kind=DSR.name, created_from=start, created_before=end)
        return dsr_table([facts_of(c) for c in cases], k)


def view(case: Case) -> dict[str, Any]:
    """A request as the CLI and the API show it (the keyed terms left out)."""
    out = case_view(case, DSR)
    out["data"].pop("scope_terms", None)
    return out


def _checked(action: str, note: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        model = DSR.note_model(action).model_validate(dict(note or {}))
    except ValidationError as exc:
        raise InputError(
            f"invalid note for {action}", details={"errors": exc.errors(include_url=False)}
        ) from None
    return model.model_dump(exclude_none=True, mode="json")
