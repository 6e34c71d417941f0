"""The dossier of an audience obligation: the account holder's details, the document built
from the case and the metrics, and its filing on the ledger.

``ObligationDossiers(runtime, cases, store)`` backs ``AudienceService.prepare``, ``dossier``,
``dossier_html`` and ``file``: ``prepare`` records the contact details and content summary
(the case moves to ``dossier_ready``; :func:`dossier_complete` is the lifecycle's guard that
refuses an incomplete one), ``dossier`` builds the document (JSON; a filed case returns what
was filed), and ``file`` moves the case to ``filed`` and puts the dossier's SHA-256 on the
region's ledger as a ``report_published`` leaf, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from onshore.core.cases.audience import dossier_missing, metrics_as_of
from onshore.core.cases.dossier import SCHEMA, digest, to_html
from onshore.core.cases.guards import GuardContext
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import Case
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime

_RULE_FIELDS = ("rule_id", "title", "cite", "status", "to", "form", "pack")


def dossier_complete(ctx: GuardContext) -> str | None:
    """The ``dossier_complete`` guard: why the step's (or the case's) details are not a
    complete dossier, or None when they are."""
    details = ctx.note.get("dossier")
    if details is None:
        details = ctx.case.data.get("details") or {}
    missing = dossier_missing(cast(Mapping[str, Any], details))
    return f"the dossier lacks: {', '.join(missing)}" if missing else None


class ObligationDossiers:
    """Prepare, build and file obligation dossiers (see the module docstring)."""

    def __init__(self, runtime: Runtime, cases: CaseService, store: Any) -> None:
        self.runtime = runtime
        self.cases = cases
        self.store = store

    def prepare(self, case_id: str, details: Mapping[str, Any], *, principal: Principal) -> Case:
        """Record the account holder's contact details and content summary; the case moves to
        ``dossier_ready`` (refused, naming what is missing, when incomplete)."""
        allowed = {"contact", "content_summary"}
        if not isinstance(details, Mapping) or not set(details) <= allowed:
            raise InputError(
                "details are {contact, content_summary}", details={"allowed": sorted(allowed)}
            )
        clean = {k: details[k] for k in allowed if k in details}
        return self.cases.apply(
            case_id,
            "prepare",
            principal=principal,
            note={"dossier": clean},
            merge={"details": clean},
        ).case

    def dossier(self, case_id: str) -> dict[str, Any]:
        """The notification document (filed cases return what was filed)."""
        case = self.cases.get(case_id)
        if case.data.get("filed"):
            return dict(case.data["filed"]["dossier"])
        d = case.data
        series = self.store.series(d["subject_id"], d["country"])
        last = next((o for o in reversed(series) if o.subscribers is not None), None)
        metrics = metrics_as_of(series, d["country"], series[-1].day) if series else {}
        p = d["country"].lower() + "_"
        details = d.get("details") or {}
        return {
            "schema": SCHEMA,
            "case_id": case.case_id,
            "rule": {k: d["rule"].get(k) for k in _RULE_FIELDS},
            "subject": {"id": d["subject_id"], "type": d["subject_type"], "country": d["country"]},
            "contact": details.get("contact") or {},
            "content_summary": details.get("content_summary") or "",
            "audience": {
                "subscribers": last.subscribers if last else None,
                "as_of": last.day if last else None,
                "monthly_visits_avg6m": metrics.get(p + "monthly_visits_avg6m"),
                "livestreaming": bool(metrics.get(p + "livestreaming")),
                "monetised": bool(metrics.get(p + "monetised")),
            },
            "threshold": {
                "crossed_on": d["crossed_on"],
                "due": d.get("due"),
                "below_since": d.get("below_since") if d.get("below") else None,
            },
            "prepared_at": case.updated_at.isoformat(),
        }

    def html(self, case_id: str) -> str:
        """The dossier as a printable HTML page."""
        return to_html(self.dossier(case_id))

    def file(self, case_id: str, *, principal: Principal) -> Case:
        """File the dossier: the case moves to ``filed`` and a ``report_published`` leaf with
        the dossier's SHA-256 (under ``refs``) goes on the region's ledger, in one
        transaction."""
        dossier = self.dossier(case_id)
        given = {"contact": dossier["contact"], "content_summary": dossier["content_summary"]}
        missing = dossier_missing(given)
        if missing:
            raise InputError("the dossier is incomplete", details={"missing": missing})
        sha = digest(dossier)
        region = self.runtime.region(self.cases.get(case_id).region)
        now = self.runtime.clock.now()
        with region.db.transaction():
            step = self.cases.apply(
                case_id,
                "file",
                principal=principal,
                note={"dossier": given, "sha256": sha},
                merge={"filed": {"dossier": dossier, "sha256": sha, "at": now.isoformat()}},
            )
            event = LedgerEvent(
                type=EventType.REPORT_PUBLISHED,
                at=now,
                region=region.name,
                record_id=case_id,
                actor=principal.id,
                payload={
                    "report_kind": "audience_dossier",
                    "format": "json",
                    "rules": [dossier["rule"]["rule_id"]],
                    "refs": {"dossier_sha256": sha},
                },
            )
            [index] = self.cases.ledger(region.name).append([event])
            case = self.cases.update_data(
                case_id, {"filed": {**step.case.data["filed"], "ledger_index": index}}
            )
        return case
