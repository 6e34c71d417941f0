"""Authority data requests (issue 7): intake to production, on the generic case machinery.

``AuthorityRequestService(vault)`` is the SDK, and the service of the declared kind
:data:`onshore.core.cases.kinds.authority_request.AUTHORITY_REQUEST`. ``receive(...)`` opens
a case from a registered authority with its process type, reference, legal basis, scope and
deadline (the same reference from the same authority opens one case: ``receive_once`` says
whether it was opened now); ``act(case, action, principal=, note=)`` moves it through the
table in :mod:`onshore.core.cases.authority_requests`, with the effects the declaration
names (bound here, :data:`BOUND_EFFECTS`):

- ``preserve`` places legal holds on every account in scope (erasure then retains their
  records) for the packs' retention minimum after a storage request (VN-D53-27.data: 24
  months; ``hold_days`` overrides it); ``extend_hold`` extends them once by as much;
  closing releases them.
- ``check_residency`` / ``declare_emergency`` ask the policy engine, for each region
  holding in-scope data in another country than the authority's, whether the disclosure
  is allowed (op ``transfer`` to the authority's country). Regions not allowed are blocked
  and counted; when nothing is allowed the case is rejected with ``cross_border_blocked``.
- ``collect`` resolves the scope through the blind index (identifier terms and subject
  refs computed at intake: the case never stores an identifier in the clear) and records
  which in-scope records of the allowed regions will be produced.
- ``package`` writes the package (JSON Lines per kind, manifest); ``release`` (approver,
  not the legal reviewer) writes the production leaf, its inclusion proof and the signed
  certificate (see :mod:`onshore.services.production`).

Example:
    >>> import tempfile
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault(open_runtime(Settings.model_validate(cfg), create_keys=True))
    >>> svc = AuthorityRequestService(vault)
    >>> case = svc.receive(authority="VN-A05", process_type="warrant", reference="CV-12",
    ...     legal_basis="Criminal Procedure Code art. 196", scope={"subjects": ["u1"],
    ...     "categories": ["phone_number"]}, principal=host_administrator("op"))
    >>> case.state, case.data["scope"]["accounts"]
    ('received', 1)
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.authority_guards import parse_time
from onshore.core.cases.authority_requests import PROCESS_TYPES
from onshore.core.cases.deadline import Deadline
from onshore.core.cases.guards import Guard, GuardContext
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.kinds.authority_request import AUTHORITY_REQUEST, RequestIn
from onshore.core.cases.roles import system_actor
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.local_time import receipt_time
from onshore.core.policy import Facts
from onshore.core.policy.duration import UNITS
from onshore.ports import Case, LegalHold
from onshore.services.authorities import AuthorityRegistry
from onshore.services.authority_residency import residency_verdicts
from onshore.services.authority_scope import resolve_scope
from onshore.services.case_kinds import Opened, open_once
from onshore.services.case_kinds import case_view as kind_view
from onshore.services.case_steps import Step
from onshore.services.cases import CaseService
from onshore.services.production import Production
from onshore.services.retention import local_duration, preservation_until
from onshore.services.runtime import Region, open_runtime
from onshore.services.vault import Vault

__all__ = ["AuthorityRequestService", "case_view", "open_runtime"]

#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {
        "rescope",
        "set_process_type",
        "record_rejection",
        "emergency_path",
        "place_holds",
        "extend_holds",
        "release_holds",
        "collect",
        "package",
        "produce",
    }
)
#: Who blocks a request no region may disclose: the residency check itself.
RESIDENCY = system_actor("residency")


class AuthorityRequestService:
    """The authority-request workflow (see the module docstring)."""

    def __init__(
        self,
        vault: Vault,
        *,
        registry: CollectorRegistry = REGISTRY,
        authorities: AuthorityRegistry | None = None,
        packages_dir: Path | None = None,
        hold_days: int | None = None,
    ) -> None:
        self.vault = vault
        self.runtime = vault.runtime
        base = Path(self.runtime.settings.base_dir)
        self.authorities = authorities or AuthorityRegistry.load(base / "authorities.yaml")
        self.hold_days = hold_days
        self._registry = registry
        self.declaration = AUTHORITY_REQUEST
        self.cases = CaseService(
            self.runtime, [CaseKind.of(AUTHORITY_REQUEST, self._guards())], registry=registry
        )
        self.production = Production(vault, self.cases, packages_dir or base / "packages")

    # -- intake ---------------------------------------------------------------------------

    def receive(
        self,
        *,
        authority: str,
        process_type: str,
        reference: str,
        legal_basis: str,
        scope: Mapping[str, Any],
        principal: Principal,
        respond_within: Mapping[str, Any] | None = None,
        ndo_until: str | None = None,
        region: str | None = None,
        received_at: datetime | None = None,
    ) -> Case:
        """Open a request (see ``receive_once``): the case, new or already open."""
        return self.receive_once(
            authority=authority,
            process_type=process_type,
            reference=reference,
            legal_basis=legal_basis,
            scope=scope,
            principal=principal,
            respond_within=respond_within,
            ndo_until=ndo_until,
            region=region,
            received_at=received_at,
        ).case

    def intake(self, body: RequestIn, *, principal: Principal) -> Opened:
        """Open the request of an intake body (the declared kind's intake)."""
        return self.receive_once(
            authority=body.authority,
            process_type=body.process_type,
            reference=body.reference,
            legal_basis=body.legal_basis,
            scope=body.scope,
            principal=principal,
            respond_within=body.respond_within.model_dump() if body.respond_within else None,
            ndo_until=body.ndo_until.isoformat() if body.ndo_until else None,
            received_at=body.received_at,
        )

    def receive_once(
        self,
        *,
        authority: str,
        process_type: str,
        reference: str,
        legal_basis: str,
        scope: Mapping[str, Any],
        principal: Principal,
        respond_within: Mapping[str, Any] | None = None,
        ndo_until: str | None = None,
        region: str | None = None,
        received_at: datetime | None = None,
    ) -> Opened:
        """Open a request. ``scope`` is ``{"subjects": [...], "phone_number": [...], "email":
        [...], "national_id": [...], "from": iso, "to": iso, "categories": [...]}``;
        ``respond_within`` the deadline the request states (``{"amount", "unit"}``); the
        earlier of it and the packs' ``respond_within`` rule is the case's due date, both
        counted from ``received_at`` (when the request actually arrived; not after now, the
        entry time; default now)."""
        auth = self.authorities.get(authority)
        if process_type not in PROCESS_TYPES:
            raise InputError(
                f"unknown process type {process_type!r}", details={"known": sorted(PROCESS_TYPES)}
            )
        for name, value in (("reference", reference), ("legal_basis", legal_basis)):
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"a request needs a {name}", details={"field": name})
        entered = self.runtime.clock.now()
        now = receipt_time(received_at, entered)  # the clock starts at receipt
        home = region or self._home_region(auth.country)
        data: dict[str, Any] = {
            "authority": auth.id,
            "authority_country": auth.country,
            "process_type": process_type,
            "reference": reference,
            "legal_basis": legal_basis,
            "emergency": process_type == "emergency",
            "received_at": now.isoformat(),
            "entered_at": entered.isoformat(),
            "ndo_until": _iso(ndo_until, "ndo_until"),
            **resolve_scope(self.runtime, scope),
        }
        deadline = self._deadline(auth.country, process_type, now, respond_within)
        data["deadline"] = deadline.to_dict() if deadline else None
        due = deadline.due if deadline else None
        key = {"authority": auth.id, "reference": reference}
        return open_once(
            self.cases, AUTHORITY_REQUEST, key, home, principal=principal, data=data, due_at=due
        )

    def _home_region(self, country: str) -> str:
        for name, r in self.runtime.regions.items():
            if r.country == country:
                return name
        return self.runtime.settings.deployment.default_region

    def _deadline(
        self, country: str, process_type: str, at: datetime, stated: Mapping[str, Any] | None
    ) -> Deadline | None:
        flags = frozenset({"emergency"}) if process_type == "emergency" else frozenset()
        facts = Facts(
            self.runtime.entity,
            subject_country=country,
            request="authority_info",
            flags=flags,
            events={"authority_request": at},
        )
        found = self.cases.deadline("disclose", facts, at)
        if stated:
            amount, unit = stated.get("amount"), stated.get("unit")
            if not isinstance(amount, int) or amount < 0 or unit not in UNITS:
                raise InputError(
                    f"respond_within is {{amount, unit}} with unit in {UNITS}",
                    details={"field": "respond_within"},
                )
            due = local_duration(self.runtime, at, amount, str(unit))  # working days: local
            own = Deadline(due, "request", f"{amount} {unit}")
            if found is None or own.due < found.due:
                found = own
        return found

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
        """Take ``action`` on a request, with the effects its declaration names (see the
        module docstring)."""
        note = dict(note or {})
        case = self.cases.get(case_id)
        region = self.runtime.region(case.region)
        effects = AUTHORITY_REQUEST.effects_of(action)
        merge: dict[str, Any] = {}
        if "rescope" in effects:
            merge.update(resolve_scope(self.runtime, note.get("scope") or {}))
            # the history keeps the new scope's shape, never its identifiers
            note["scope"] = {k: merge["scope"][k] for k in ("accounts", "categories", "from", "to")}
        if "set_process_type" in effects:
            if note.get("process_type") not in PROCESS_TYPES:
                raise InputError(
                    "receive_order needs a process_type", details={"known": sorted(PROCESS_TYPES)}
                )
            merge["process_type"] = note["process_type"]
        if "record_rejection" in effects:
            merge["rejection"] = {"reason_code": note.get("reason_code")}
        if "emergency_path" in effects:
            merge["emergency_path"] = True
        kw: dict[str, Any] = {}
        if "produce" in effects:
            kw["due_at"] = parse_time(case.data.get("ndo_until"))
        with region.db.transaction():
            step = self.cases.apply(
                case_id,
                action,
                principal=principal,
                note=note,
                merge=merge,
                expected_version=expected_version,
                **kw,
            )
            after = self._after(step, region, effects)
        if "produce" in effects:  # after commit: the proof is of a committed leaf
            after = self.cases.update_data(case_id, self.production.release(after, step))
        if after.state == "residency_check":
            after = self._residency(after)
        return after

    def _after(self, step: Step, region: Region, effects: tuple[str, ...]) -> Case:
        case = step.case
        if "place_holds" in effects:
            return self._place_holds(case, region)
        if "extend_holds" in effects:
            return self._extend_holds(case, region)
        if "release_holds" in effects or case.state in ("closed", "withdrawn"):
            self._release_holds(case, region)
        if "collect" in effects:
            return self.cases.update_data(case.case_id, self.production.collect(case))
        if "package" in effects:
            return self.cases.update_data(case.case_id, self.production.package(case))
        return case

    def view(self, case: Case) -> dict[str, Any]:
        """A request as the CLI and the API show it (the blind-index terms left out)."""
        return case_view(case)

    # -- legal holds ------------------------------------------------------------------------

    def _place_holds(self, case: Case, region: Region) -> Case:
        now = self.runtime.clock.now()
        expires, rule = preservation_until(self.runtime.engine, now, self.hold_days)
        refs = self.production.account_refs(case)
        store = region.db.cases
        count = 0
        for name in sorted(refs):
            for ref in sorted(refs[name]):
                store.put_hold(LegalHold(ref, case.case_id, now, expires))
                count += 1
        holds = {"count": count, "expires_at": expires.isoformat(), "extended": False, "rule": rule}
        return self.cases.update_data(case.case_id, {"holds": holds}, due_at=expires)

    def _extend_holds(self, case: Case, region: Region) -> Case:
        store = region.db.cases
        current = store.holds(case_id=case.case_id)
        last = max(h.expires_at for h in current)
        expires, _ = preservation_until(self.runtime.engine, last, self.hold_days)
        for h in current:
            store.put_hold(LegalHold(h.subject_ref, h.case_id, h.placed_at, expires, True))
        holds = {**case.data.get("holds", {}), "expires_at": expires.isoformat(), "extended": True}
        return self.cases.update_data(case.case_id, {"holds": holds}, due_at=expires)

    def _release_holds(self, case: Case, region: Region) -> None:
        store = region.db.cases
        now = self.runtime.clock.now()
        for h in store.holds(case_id=case.case_id, active_at=now):
            store.put_hold(
                LegalHold(h.subject_ref, h.case_id, h.placed_at, h.expires_at, h.extended, now)
            )

    # -- residency ------------------------------------------------------------------------

    def _residency(self, case: Case) -> Case:
        verdicts = residency_verdicts(
            self.runtime, case, self.production.regions_with_data(case), self._registry
        )
        blocked = sorted(n for n, v in verdicts.items() if not v["allowed"])
        case = self.cases.update_data(
            case.case_id, {"residency": verdicts, "blocked_regions": blocked}
        )
        if blocked and not any(v["allowed"] for v in verdicts.values()):
            note = {"reason_code": "cross_border_blocked"}
            step = self.cases.apply(
                case.case_id,
                "block",
                principal=RESIDENCY,
                note=note,
                merge={"rejection": note},
            )
            return step.case
        return case

    # -- guards -----------------------------------------------------------------------------

    def _guards(self) -> dict[str, Guard]:
        def verified(ctx: GuardContext) -> str | None:
            channel = ctx.note.get("channel")
            if not isinstance(channel, str):
                return "name the channel the request arrived through (note.channel)"
            auth = self.authorities.get(ctx.case.data["authority"])
            ok = any(c.id == channel and c.verified for c in auth.channels)
            return None if ok else f"channel {channel!r} is not a verified channel of {auth.id}"

        return {
            "authority_verified": verified,
            "package_intact": lambda ctx: self.production.intact(ctx.case),
        }


def case_view(case: Case) -> dict[str, Any]:
    """A request as the CLI and the API show it (the blind-index terms left out)."""
    out = kind_view(case, AUTHORITY_REQUEST)
    out["data"].pop("scope_terms", None)
    return out


def _iso(value: Any, name: str) -> str | None:
    parsed = parse_time(value, name)
    return parsed.isoformat() if parsed else None
