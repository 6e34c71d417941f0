"""Authority data requests (issue 7): intake to production, on the generic case machinery.

``AuthorityRequestService(vault)`` is the SDK. ``receive(...)`` opens a case from a registered
authority with its process type, reference, legal basis, scope and deadline; ``act(case,
action, actor=, role=, note=)`` moves it through the table in
:mod:`onshore.core.cases.authority_requests`, with the side effects some steps carry:

- ``preserve`` places legal holds on every account in scope (erasure then retains their
  records) for ``hold_days``; ``extend_hold`` extends them once; closing releases them.
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
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault(open_runtime(Settings.model_validate(cfg), create_keys=True))
    >>> svc = AuthorityRequestService(vault)
    >>> case = svc.receive(authority="VN-A05", process_type="warrant", reference="CV-12",
    ...     legal_basis="Criminal Procedure Code art. 196", scope={"subjects": ["u1"],
    ...     "categories": ["phone_number"]}, actor="op", role="operator")
    >>> case.state, case.data["scope"]["accounts"]
    ('received', 1)
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from onshore.core.cases.authority_guards import GUARDS, parse_time
from onshore.core.cases.authority_requests import KIND, PROCESS_TYPES, REQUESTS
from onshore.core.cases.deadline import Deadline
from onshore.core.cases.guards import Guard, GuardContext
from onshore.core.cases.kind import CaseKind
from onshore.core.errors import InputError
from onshore.core.policy import Facts, Outcome
from onshore.core.policy.duration import UNITS, add_duration
from onshore.ports import Case, LegalHold
from onshore.services.authorities import AuthorityRegistry
from onshore.services.authority_scope import resolve_scope
from onshore.services.case_steps import Step
from onshore.services.cases import CaseService
from onshore.services.production import Production
from onshore.services.runtime import Region, open_runtime
from onshore.services.vault import Vault

__all__ = ["AuthorityRequestService", "case_view", "open_runtime"]

_BLOCKED: dict[int, Counter] = {}


def blocked_counter(registry: CollectorRegistry = REGISTRY) -> Counter:
    """``onshore_requests_cross_border_blocked_total{region,country}``."""
    found = _BLOCKED.get(id(registry))
    if found is None:
        found = _BLOCKED[id(registry)] = Counter(
            "onshore_requests_cross_border_blocked",
            "Disclosures to another country's authority the policy engine did not allow.",
            ["region", "country"],
            registry=registry,
        )
    return found


class AuthorityRequestService:
    """The authority-request workflow (see the module docstring)."""

    def __init__(
        self,
        vault: Vault,
        *,
        registry: CollectorRegistry = REGISTRY,
        authorities: AuthorityRegistry | None = None,
        packages_dir: Path | None = None,
        hold_days: int = 90,
    ) -> None:
        self.vault = vault
        self.runtime = vault.runtime
        base = Path(self.runtime.settings.base_dir)
        self.authorities = authorities or AuthorityRegistry.load(base / "authorities.yaml")
        self.hold_days = hold_days
        self._registry = registry
        self.cases = CaseService(
            self.runtime, [CaseKind(REQUESTS, self._guards())], registry=registry
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
        actor: str,
        role: str,
        respond_within: Mapping[str, Any] | None = None,
        ndo_until: str | None = None,
        region: str | None = None,
    ) -> Case:
        """Open a request. ``scope`` is ``{"subjects": [...], "phone_number": [...], "email":
        [...], "national_id": [...], "from": iso, "to": iso, "categories": [...]}``;
        ``respond_within`` the deadline the request states (``{"amount", "unit"}``); the
        earlier of it and the packs' ``respond_within`` rule is the case's due date."""
        auth = self.authorities.get(authority)
        if process_type not in PROCESS_TYPES:
            raise InputError(
                f"unknown process type {process_type!r}", details={"known": sorted(PROCESS_TYPES)}
            )
        for name, value in (("reference", reference), ("legal_basis", legal_basis)):
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"a request needs a {name}", details={"field": name})
        now = self.runtime.clock.now()
        home = region or self._home_region(auth.country)
        data: dict[str, Any] = {
            "authority": auth.id,
            "authority_country": auth.country,
            "process_type": process_type,
            "reference": reference,
            "legal_basis": legal_basis,
            "emergency": process_type == "emergency",
            "ndo_until": _iso(ndo_until, "ndo_until"),
            **resolve_scope(self.runtime, scope),
        }
        deadline = self._deadline(auth.country, process_type, now, respond_within)
        data["deadline"] = deadline.to_dict() if deadline else None
        return self.cases.open(
            KIND, home, actor=actor, role=role, data=data, due_at=deadline.due if deadline else None
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
            own = Deadline(add_duration(at, amount, str(unit)), "request", f"{amount} {unit}")
            if found is None or own.due < found.due:
                found = own
        return found

    # -- transitions ----------------------------------------------------------------------

    def act(
        self,
        case_id: str,
        action: str,
        *,
        actor: str,
        role: str,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on a request (with the side effects in the module docstring)."""
        note = dict(note or {})
        case = self.cases.get(case_id)
        region = self.runtime.region(case.region)
        merge: dict[str, Any] = {}
        if action == "resubmit":
            merge.update(resolve_scope(self.runtime, note.get("scope") or {}))
            # the history keeps the new scope's shape, never its identifiers
            note["scope"] = {k: merge["scope"][k] for k in ("accounts", "categories", "from", "to")}
        if action == "receive_order":
            if note.get("process_type") not in PROCESS_TYPES:
                raise InputError(
                    "receive_order needs a process_type", details={"known": sorted(PROCESS_TYPES)}
                )
            merge["process_type"] = note["process_type"]
        if action in ("reject", "block"):
            merge["rejection"] = {"reason_code": note.get("reason_code")}
        if action == "declare_emergency":
            merge["emergency_path"] = True
        kw: dict[str, Any] = {}
        if action == "release":
            kw["due_at"] = parse_time(case.data.get("ndo_until"))
        with region.db.transaction():
            step = self.cases.apply(
                case_id,
                action,
                actor=actor,
                role=role,
                note=note,
                merge=merge,
                expected_version=expected_version,
                **kw,
            )
            after = self._after(step, region)
        if action == "release":  # after commit: the proof is of a committed leaf
            after = self.cases.update_data(case_id, self.production.release(after, step))
        if after.state == "residency_check":
            after = self._residency(after, actor, role)
        return after

    def _after(self, step: Step, region: Region) -> Case:
        case, action = step.case, step.event.action
        if action == "preserve":
            return self._place_holds(case, region)
        if action == "extend_hold":
            return self._extend_holds(case, region)
        if case.state in ("closed", "withdrawn"):
            self._release_holds(case, region)
        if action == "collect":
            return self.cases.update_data(case.case_id, self.production.collect(case))
        if action == "package":
            return self.cases.update_data(case.case_id, self.production.package(case))
        return case

    # -- legal holds ------------------------------------------------------------------------

    def _place_holds(self, case: Case, region: Region) -> Case:
        now = self.runtime.clock.now()
        expires = now + timedelta(days=self.hold_days)
        refs = self.production.account_refs(case)
        store = region.db.cases
        count = 0
        for name in sorted(refs):
            for ref in sorted(refs[name]):
                store.put_hold(LegalHold(ref, case.case_id, now, expires))
                count += 1
        holds = {"count": count, "expires_at": expires.isoformat(), "extended": False}
        return self.cases.update_data(case.case_id, {"holds": holds}, due_at=expires)

    def _extend_holds(self, case: Case, region: Region) -> Case:
        store = region.db.cases
        current = store.holds(case_id=case.case_id)
        expires = max(h.expires_at for h in current) + timedelta(days=self.hold_days)
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

    def _residency(self, case: Case, actor: str, role: str) -> Case:
        country = case.data["authority_country"]
        now = self.runtime.clock.now()
        holding = self.production.regions_with_data(case)
        verdicts: dict[str, Any] = {}
        for name, r in self.runtime.regions.items():
            if name not in holding:
                continue
            if r.country == country:
                verdicts[name] = {"allowed": True, "outcome": "same_country", "rules": []}
                continue
            facts = Facts(
                self.runtime.entity,
                subject_country=r.country,
                categories=frozenset(case.data["scope"]["categories"]),
                region_country=r.country,
                destination_country=country,
                request="authority_info",
                flags=frozenset({"authority_disclosure"}),
            )
            decision = self.runtime.engine.evaluate("transfer", facts, now)
            allowed = decision.outcome is Outcome.ALLOW
            verdicts[name] = {
                "allowed": allowed,
                "outcome": decision.outcome.value,
                "rules": list(decision.deciding_rules),
                "obligations": [o.to_dict() for o in decision.obligations],
            }
            if not allowed:
                blocked_counter(self._registry).labels(region=name, country=country).inc()
        blocked = sorted(n for n, v in verdicts.items() if not v["allowed"])
        case = self.cases.update_data(
            case.case_id, {"residency": verdicts, "blocked_regions": blocked}
        )
        if blocked and not any(v["allowed"] for v in verdicts.values()):
            note = {"reason_code": "cross_border_blocked"}
            step = self.cases.apply(
                case.case_id,
                "block",
                actor="system:residency",
                role="operator",
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
            **GUARDS,
        }


def case_view(case: Case) -> dict[str, Any]:
    """A request as the CLI and the API show it (the blind-index terms left out)."""
    data = {k: v for k, v in case.data.items() if k != "scope_terms"}
    return {
        "case_id": case.case_id,
        "kind": case.kind,
        "state": case.state,
        "region": case.region,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "version": case.version,
        "data": data,
        "next": [t.action for t in REQUESTS.available(case.state)],
    }


def _iso(value: Any, name: str) -> str | None:
    parsed = parse_time(value, name)
    return parsed.isoformat() if parsed else None
