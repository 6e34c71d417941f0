"""Transfer impact assessments (issue 16, item 3): the service of the ``transfer_assessment``
kind, and the step that opens one when a transfer owes a dossier.

:func:`transfer_decision` asks the packs about a transfer (operation ``transfer``: the
subject's country, the data categories, the exporting region's country, the destination),
with the transfer as the start event of its clocks. :func:`open_owed` opens one case per
exporting region, destination country and artifact for every dossier the decision owes
(``file:<artifact>:<authority>`` obligations: the TIA dossier to A05 within 60 days under
Decree 13 art. 25 and Decree 356 arts. 17-18): the case id is derived from the three (a
second transfer on the route finds the case and writes nothing), the deadline is the
obligation's, and a failure is logged, never raised (the transfer is done; ``sync`` opens
what was missed, from the register).

:class:`TransferAssessments` binds the declaration's effects: ``merge_facts`` (facts the
controller supplies), ``draft_dossier`` (:func:`onshore.core.transfers.dossier.draft` from
the register's route, ``[transfers]`` and the facts), ``file_dossier`` (the draft's SHA-256
in a ``report_published`` leaf of the case's region, in the step's transaction; the case is
then due at the packs' update period: ``update_artifact`` obligations such as PDP Law art.
22's 6 months from ``last_update``), ``restart_update_clock`` and ``stop_clock``.

Example:
    >>> sorted(BOUND_EFFECTS)[:2]
    ['draft_dossier', 'file_dossier']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.kind import CaseKind
from onshore.core.cases.kinds.transfer_assessment import TRANSFER_ASSESSMENT, DossierFacts
from onshore.core.cases.roles import system_actor
from onshore.core.cases.transfer_assessments import KIND, dossier_key
from onshore.core.errors import CaseConflict, CaseNotFound, InputError
from onshore.core.identity import Principal
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.policy import Decision, Facts
from onshore.core.transfers.dossier import digest, draft, to_html, to_markdown
from onshore.core.transfers.register import summarise
from onshore.ports import Case
from onshore.services.case_kinds import Opened, case_view, dedupe_id, validated
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime
from onshore.services.transfer_register import register

__all__ = ["BOUND_EFFECTS", "TransferAssessments", "open_owed", "transfer_decision"]

log = logging.getLogger("onshore.transfers")

#: Who opens the cases transfers owe.
SYSTEM = system_actor("transfers")

#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {"merge_facts", "draft_dossier", "file_dossier", "restart_update_clock", "stop_clock"}
)
_FORM = re.compile(r"\[form ([A-Za-z0-9_.\-]+)\]")


def transfer_decision(
    runtime: Runtime,
    subject_country: str,
    categories: frozenset[str],
    from_country: str,
    to_country: str,
    at: datetime,
) -> Decision:
    """The packs' decision on a transfer from ``from_country`` to ``to_country`` at ``at``
    (which is also the start of its clocks)."""
    events = {"transfer": at, "processing_start": at, "first_processing": at}
    facts = Facts(
        runtime.entity,
        subject_country=subject_country,
        categories=categories,
        region_country=from_country,
        destination_country=to_country,
        events=events,
    )
    return runtime.engine.evaluate("transfer", facts, at)


def owed_dossiers(decision: Decision) -> dict[str, dict[str, Any]]:
    """The dossiers ``decision`` owes, by artifact (the earliest deadline of each)."""
    out: dict[str, dict[str, Any]] = {}
    for o in decision.obligations:
        found = dossier_key(o.key)
        if found is None:
            continue
        artifact, authority = found
        form = _FORM.search(o.description)
        item = {
            "rule": o.rule_id,
            "authority": authority,
            "form": form.group(1) if form else None,
            "due": o.due.isoformat() if o.due else None,
            "description": o.description,
        }
        held = out.get(artifact)
        if held is None or (o.due and (held["due"] is None or item["due"] < held["due"])):
            out[artifact] = item
    return out


def case_id_of(region: str, destination: str, artifact: str) -> str:
    """The id of the case of one route and artifact (derived: one case, whoever opens it)."""
    return dedupe_id(KIND, (region, destination, artifact))


def open_owed(
    runtime: Runtime,
    decision: Decision,
    region: str,
    destination: str,
    at: datetime,
    *,
    cases: CaseService | None = None,
) -> list[Opened]:
    """Open the cases ``decision`` owes on the route (see the module docstring); never
    raises (a failure is logged without any personal data)."""
    owed = owed_dossiers(decision)
    if not owed:
        return []
    try:
        svc = cases or CaseService(runtime, [CaseKind.of(TRANSFER_ASSESSMENT)])
        svc.register(CaseKind.of(TRANSFER_ASSESSMENT))
        return [
            _open(svc, runtime, region, destination, artifact, item, at)
            for artifact, item in sorted(owed.items())
        ]
    except Exception:
        log.exception(f"could not open the transfer assessment of {region} -> {destination}")
        return []


def _open(
    svc: CaseService,
    runtime: Runtime,
    region: str,
    destination: str,
    artifact: str,
    item: Mapping[str, Any],
    at: datetime,
) -> Opened:
    case_id = case_id_of(region, destination, artifact)
    try:
        return Opened(svc.get(case_id), False)
    except CaseNotFound:
        pass
    data = {
        "region": region,
        "from_country": runtime.region(region).country,
        "destination": destination,
        "artifact": artifact,
        "authority": item["authority"] or None,
        "form": item["form"],
        "rules": [item["rule"]],
        "deadline": dict(item),
        "first_transfer_at": at.isoformat(),
        "facts": {},
    }
    due = datetime.fromisoformat(item["due"]) if item["due"] else None
    try:
        case = svc.open(KIND, region, principal=SYSTEM, data=data, due_at=due, case_id=case_id)
    except CaseConflict:  # a concurrent transfer opened it
        return Opened(svc.get(case_id), False)
    return Opened(case, True)


class TransferAssessments:
    """The ``transfer_assessment`` workflow (see the module docstring)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: CollectorRegistry = REGISTRY,
        cases: CaseService | None = None,
    ) -> None:
        self.runtime = runtime
        self.declaration = TRANSFER_ASSESSMENT
        self.cases = cases or CaseService(runtime, registry=registry)
        self.cases.register(CaseKind.of(TRANSFER_ASSESSMENT))

    def intake(self, body: Any, *, principal: Principal) -> Opened:
        """Assessments are opened by the transfers that owe them, never by a caller."""
        raise InputError("transfer assessments are opened when a transfer owes a dossier")

    def sync(self) -> list[Opened]:
        """Open every case the register's routes owe and lack (idempotent): each route is
        decided as of its first transfer, for subjects of the exporting region's country."""
        out: list[Opened] = []
        for row in register(self.runtime):
            cats = frozenset(row.categories or ())
            decision = transfer_decision(
                self.runtime,
                row.from_country,
                cats,
                row.from_country,
                row.destination,
                row.first_at,
            )
            out += open_owed(
                self.runtime,
                decision,
                row.from_region,
                row.destination,
                row.first_at,
                cases=self.cases,
            )
        return out

    # -- the dossier ----------------------------------------------------------------------

    def _case(self, case_id: str) -> Case:
        case = self.cases.get(case_id)
        if case.kind != KIND:
            raise CaseNotFound("no transfer assessment with that id", details={"case_id": case_id})
        return case

    def draft(self, case: Case) -> dict[str, Any]:
        """The dossier as drafted now from the register, ``[transfers]`` and the case."""
        data = case.data
        rows = register(self.runtime, country=data["destination"], region=data["region"])
        sender = self.runtime.settings.transfers.model_dump()
        doc = draft(data, summarise(rows), sender, data.get("facts") or {})
        doc["case_id"] = case.case_id
        return doc

    def dossier(self, case_id: str, fmt: str = "json") -> Any:
        """The dossier: as filed while the case is filed, else as drafted now (``json``:
        the document; ``markdown`` / ``html``: readable)."""
        case = self._case(case_id)
        filed = case.data.get("filed") or {}
        doc: dict[str, Any] = (
            dict(filed["dossier"]) if case.state == "filed" and filed else self.draft(case)
        )
        if fmt == "json":
            return doc
        if fmt == "markdown":
            return to_markdown(doc)
        if fmt == "html":
            return to_html(doc)
        raise InputError("the format is json, markdown or html", details={"format": fmt})

    def update_due(self, case: Case, at: datetime) -> datetime | None:
        """When the filed dossier is next due for an update: the packs' ``update_artifact``
        obligations with the filing (or review) at ``at`` as ``last_update``."""
        data = case.data
        facts = Facts(
            self.runtime.entity,
            subject_country=data["from_country"],
            region_country=data["from_country"],
            destination_country=data["destination"],
            artifacts=frozenset({data["artifact"]}),
            flags=frozenset({"dossier_changed"}),
            events={"last_update": at},
        )
        decision = self.runtime.engine.evaluate("transfer", facts, at)
        dues = [o.due for o in decision.obligations if o.kind == "update_artifact" and o.due]
        return min(dues) if dues else None

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
        """Take ``action`` on an assessment, with the effects its declaration names."""
        note = validated(TRANSFER_ASSESSMENT.note_model(action), dict(note or {})).model_dump(
            mode="json", exclude_none=True
        )
        case = self._case(case_id)
        now = self.runtime.clock.now()
        merge: dict[str, Any] = {}
        kw: dict[str, Any] = {}
        effects = TRANSFER_ASSESSMENT.effects_of(action)
        if "merge_facts" in effects:
            given = DossierFacts.model_validate(note.get("facts") or {})
            new = given.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            merge["facts"] = {**(case.data.get("facts") or {}), **new}
        if "draft_dossier" in effects:
            doc = self.draft(case)
            merge["draft"] = {
                "at": now.isoformat(),
                "sha256": digest(doc),
                "to_complete": doc["to_complete"],
            }
        if "restart_update_clock" in effects:
            due = self.update_due(case, now)
            merge["reviewed_at"] = now.isoformat()
            merge["update_due"] = due.isoformat() if due else None
            kw["due_at"] = due
        if "stop_clock" in effects:
            merge["closed_at"] = now.isoformat()
            kw["due_at"] = None
        if "file_dossier" in effects:
            return self._file(case, note, principal, now, expected_version)
        return self.cases.apply(
            case_id,
            action,
            principal=principal,
            note=note,
            merge=merge,
            expected_version=expected_version,
            **kw,
        ).case

    def _file(
        self,
        case: Case,
        note: Mapping[str, Any],
        principal: Principal,
        now: datetime,
        expected_version: int | None,
    ) -> Case:
        doc = self.draft(case)
        sha = digest(doc)
        due = self.update_due(case, now)
        region = self.runtime.region(case.region)
        filed = {
            "at": now.isoformat(),
            "late": case.due_at is not None and now > case.due_at,
            "channel": note.get("channel"),
            "reference": note.get("reference"),
            "sha256": sha,
            "to_complete": doc["to_complete"],
            "dossier": doc,
        }
        with region.db.transaction():
            step = self.cases.apply(
                case.case_id,
                "file",
                principal=principal,
                note={**note, "sha256": sha},
                merge={"filed": filed, "update_due": due.isoformat() if due else None},
                due_at=due,
                expected_version=expected_version,
            )
            event = LedgerEvent(
                type=EventType.REPORT_PUBLISHED,
                at=now,
                region=region.name,
                record_id=case.case_id,
                actor=principal.id,
                payload={
                    "report_kind": "transfer_dossier",
                    "format": "json",
                    "country": case.data["destination"],
                    "rules": sorted(case.data.get("rules", [])),
                    "refs": {"dossier_sha256": sha},
                },
            )
            [index] = self.cases.ledger(region.name).append([event])
            return self.cases.update_data(
                case.case_id, {"filed": {**step.case.data["filed"], "ledger_index": index}}
            )

    def view(self, case: Case) -> dict[str, Any]:
        """An assessment as the CLI and the API show it (:meth:`view_of`)."""
        return self.view_of(case)

    @staticmethod
    def view_of(case: Case) -> dict[str, Any]:
        """An assessment as the CLI and the API show it (the filed dossier summarised)."""
        out = case_view(case, TRANSFER_ASSESSMENT)
        filed = out["data"].get("filed")
        if filed:
            out["data"]["filed"] = {k: v for k, v in filed.items() if k != "dossier"}
        return out
