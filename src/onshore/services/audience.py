"""Audience thresholds (issue 8): ingest metrics, keep counters with history, open the
obligations the packs' threshold rules create, and build and file the dossier.

``AudienceService(runtime)`` is the SDK:

- ``ingest_file(path)`` reads CSV or JSON Lines (DuckDB, vectorised; every column read as
  text and checked in SQL), ``ingest_rows(rows)`` takes the same rows from the HTTP API.
  A batch is identified by the SHA-256 of its bytes: sending it again changes nothing. Bad
  rows are reported with their line and reason. **By default the good rows of a file are
  applied in one transaction and the bad ones are skipped and reported; with
  ``strict=True`` a single bad row rejects the whole file and nothing is applied.** A row
  that repeats an already stored ``(subject, country, day)`` with other values replaces
  it, and the replaced values are kept as a revision.
- After a batch, only subjects whose values reach the lowest bound any threshold rule sets
  (read from the packs), or that already crossed one, are evaluated by the policy engine
  (op ``threshold``) at their latest day in the batch. A rule with a
  ``notify_when_threshold``/``register_when_threshold`` requirement that applies opens an
  ``audience_obligation`` case (due date from the rule, e.g. 60 days for Decree 147 art.
  23.3(a); rules the pack marks ``unconfirmed`` open an advisory case without a due date).
  Falling back below records ``record_below`` on the case; it never closes it.
- ``status(subject, country, on)`` answers "how did this account reach N followers on that
  day": the daily history, which batch and line supplied each value, replaced values, and
  the obligations.
- ``prepare`` takes the account holder's contact details and content summary, ``dossier``
  builds the document (JSON; ``dossier_html`` a printable page), and ``file`` records the
  filing with the dossier's SHA-256 on the ledger (a ``report_published`` leaf).

The store lives in the region whose country is ``VN`` when one is configured, else the
deployment's default region (or the ``region`` given).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import duckdb
from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.audience import (
    KIND,
    NOTIFY_TYPES,
    OBLIGATIONS,
    OPEN_STATES,
    dossier_missing,
    metrics_as_of,
    month_before,
)
from onshore.core.cases.dossier import SCHEMA, digest, to_html
from onshore.core.cases.guards import GuardContext
from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.policy import EntityFacts, Facts
from onshore.core.policy.model import Rule
from onshore.ports import AudienceStore, Case
from onshore.services.audience_followers import ingest_followers
from onshore.services.audience_ingest import (
    IngestReport,
    check,
    day_counts,
    file_source,
    register_rows,
    threshold_candidates,
)
from onshore.services.audience_thresholds import ThresholdDecisions, apply_thresholds
from onshore.services.cases import CaseKind, CaseService
from onshore.services.runtime import Region, Runtime

__all__ = ["AudienceService", "IngestReport"]

SYSTEM = "system:audience"


class AudienceService:
    """Audience metrics and threshold obligations (see the module docstring)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: CollectorRegistry = REGISTRY,
        cases: CaseService | None = None,
        region: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.cases = cases or CaseService(runtime, registry=registry)
        self.cases.register(CaseKind(OBLIGATIONS, {"dossier_complete": _dossier_complete}))
        self.region: Region = runtime.region(region or self._default_region())
        self.store: AudienceStore = self.region.db.audience
        self._rules = [r for r in runtime.engine.rules
                       if any(q.type in NOTIFY_TYPES for q in r.rule.require)]  # fmt: skip

    def _default_region(self) -> str:
        for name, r in self.runtime.regions.items():
            if r.country == "VN":
                return name
        return self.runtime.settings.deployment.default_region

    # -- ingest ---------------------------------------------------------------------------

    def ingest_file(
        self, path: Path | str, *, fmt: str | None = None, strict: bool = False,
        actor: str = SYSTEM, role: str = "operator",
    ) -> IngestReport:  # fmt: skip
        """Ingest a CSV (header line) or JSON Lines metrics file (see the module docstring)."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"no such file: {path}", details={"path": str(path)})
        fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
        if fmt not in ("csv", "jsonl"):
            raise InputError("format is csv or jsonl", details={"format": fmt})
        con = duckdb.connect()
        try:
            source, offset, batch_id = file_source(path, fmt)
            return self._ingest(con, source, offset, batch_id, strict, actor, role, fmt)
        finally:
            con.close()

    def ingest_rows(
        self, rows: Sequence[Mapping[str, Any]], *, strict: bool = False,
        actor: str = SYSTEM, role: str = "operator", context: Mapping[str, Any] | None = None,
    ) -> IngestReport:  # fmt: skip
        """Ingest rows given as objects (the HTTP API); line numbers count from 1. ``context``
        (e.g. a follower attribution) is kept with the batch and is part of its id."""
        if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
            raise InputError("rows must be a list of objects")
        con = duckdb.connect()
        try:
            batch_id = register_rows(con, "input_rows", rows, context)
            return self._ingest(con, "input_rows", 0, batch_id, strict, actor, role, "rows",
                                context)  # fmt: skip
        finally:
            con.close()

    def attribute_followers(
        self, subject_id: str, day: str, followers: Iterable[tuple[int, Mapping[str, Any]]], *,
        subject_type: str = "account", strict: bool = False, actor: str = SYSTEM,
        role: str = "operator",
    ) -> IngestReport:  # fmt: skip
        """Count an account's followers per country with the residency resolver and ingest
        the counts as the day's ``subscribers`` with their confidence (see
        :func:`onshore.services.audience_followers.ingest_followers`)."""
        return ingest_followers(self, subject_id, day, followers, subject_type=subject_type,
                                strict=strict, actor=actor, role=role)  # fmt: skip

    def _ingest(
        self, con: duckdb.DuckDBPyConnection, source: str, offset: int, batch_id: str,
        strict: bool, actor: str, role: str, fmt: str, extra: Mapping[str, Any] | None = None,
    ) -> IngestReport:  # fmt: skip
        started = time.perf_counter()
        report, table = check(con, source, offset, batch_id, strict)
        if self.store.batch(batch_id) is not None:
            report.already_applied = True
            report.seconds = round(time.perf_counter() - started, 3)
            return report
        days = day_counts(con)
        watched = [k for k, s in self.store.states().items()
                   if any(v.get("above") for v in s.get("rules", {}).values())]  # fmt: skip
        candidates = threshold_candidates(con, self.rules_for, watched)
        info = {"format": fmt, "rows": report.rows, "good": report.good, "bad": report.bad,
                "actor": actor, **(extra or {})}  # fmt: skip
        now = self.runtime.clock.now()
        with self.region.db.transaction():
            counts = self.store.apply(batch_id, info, table, days, now.isoformat())
            report.applied = True
            report.inserted, report.updated = counts["inserted"], counts["updated"]
            report.unchanged = counts["unchanged"]
            apply_thresholds(self, candidates, report, actor, role)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    # -- thresholds -------------------------------------------------------------------------

    def entity_for(self, subject_type: str) -> EntityFacts:
        """An account is an ``account_owner`` (no sector of its own); a service is the
        deployment's entity."""
        e = self.runtime.entity
        if subject_type == "service":
            return e
        return EntityFacts(e.incorporated_in, roles=frozenset({"account_owner"}))

    def rules_for(self, subject_type: str, country: str) -> list[Rule]:
        """The notify/register threshold rules whose ``applies_to`` covers such a subject
        (before looking at any metric)."""
        facts = Facts(self.entity_for(subject_type), subject_country=country)
        return [cr.rule for cr in self._rules if cr.applies.fails(facts, frozenset()) is None]

    @property
    def threshold_rules(self) -> list[Rule]:
        """The packs' rules with a notify/register requirement."""
        return [cr.rule for cr in self._rules]

    def evaluate(self, subject_id: str, subject_type: str, country: str, day: str, *,
                 decisions: ThresholdDecisions | None = None,
                 ) -> tuple[dict[str, float], list[dict[str, Any]]]:  # fmt: skip
        """The metrics on ``day`` and the notify/register rules that apply then
        (``decisions`` reuses the engine's answers for alike metrics, as an ingest does)."""
        since = month_before(day[:7], 5) + "-01"
        series = self.store.series(subject_id, country, since=since, until=day)
        metrics = metrics_as_of(series, country, day)
        if decisions is None:
            return metrics, ThresholdDecisions(self).decide(subject_type, country, day, metrics)
        return metrics, decisions.applied(subject_type, country, day, metrics)

    # -- reading --------------------------------------------------------------------------

    def status(self, subject_id: str, country: str = "VN", on: str | None = None
               ) -> dict[str, Any]:  # fmt: skip
        """How the subject's counters stood on ``on`` (default: its latest day), and how they
        got there: every daily value up to then with the batch and line it came from, the
        values that day's row replaced, and the subject's obligations."""
        series = self.store.series(subject_id, country, until=on)
        if not series:
            raise InputError("no metrics for that subject and country",
                             details={"subject_id": subject_id, "country": country})  # fmt: skip
        day = on or series[-1].day
        history: list[dict[str, Any]] = []
        prev: int | None = None
        attributions: dict[str, Any] = {}
        for o in series:
            if o.batch_id not in attributions:
                info = self.store.batch(o.batch_id) or {}
                attributions[o.batch_id] = (info.get("attribution") or {}).get("countries")
            change = None if prev is None or o.subscribers is None else o.subscribers - prev
            history.append(
                {
                    "day": o.day,
                    "subscribers": o.subscribers,
                    "change": change,
                    "monthly_visits": o.monthly_visits,
                    "livestreaming": o.livestreaming,
                    "monetised": o.monetised,
                    "batch_id": o.batch_id,
                    "line": o.line,
                    **(
                        {"attribution": attributions[o.batch_id].get(country)}
                        if attributions[o.batch_id] is not None
                        else {}
                    ),
                }
            )
            prev = o.subscribers if o.subscribers is not None else prev
        latest = next((h for h in reversed(history) if h["subscribers"] is not None), None)
        states = self.store.states().get((subject_id, country)) or {"rules": {}}
        kind = str(states.get("subject_type", "account"))
        metrics, applied = self.evaluate(subject_id, kind, country, day)
        obligations = []
        for rule_id, s in states.get("rules", {}).items():
            case = self.cases.get(s["case_id"])
            obligations.append(
                {
                    "case_id": case.case_id,
                    "rule_id": rule_id,
                    "state": case.state,
                    "above": s.get("above"),
                    "due": case.data.get("due"),
                }
            )
        return {
            "subject_id": subject_id, "country": country, "on": day,
            "subscribers": latest, "metrics": metrics, "rules_applying": applied,
            "history": history, "revisions": self.store.revisions(subject_id, country, day),
            "obligations": obligations,
        }  # fmt: skip

    def obligations(self, *, states: Sequence[str] | None = None) -> list[Case]:
        """Obligation cases (open ones by default)."""
        return list(self.cases.iter_cases(kind=KIND, states=list(states or OPEN_STATES)))

    # -- the dossier --------------------------------------------------------------------------

    def prepare(self, case_id: str, details: Mapping[str, Any], *, actor: str, role: str) -> Case:
        """Record the account holder's contact details and content summary; the case moves to
        ``dossier_ready`` (refused, naming what is missing, when incomplete)."""
        allowed = {"contact", "content_summary"}
        if not isinstance(details, Mapping) or not set(details) <= allowed:
            raise InputError("details are {contact, content_summary}",
                             details={"allowed": sorted(allowed)})  # fmt: skip
        clean = {k: details[k] for k in allowed if k in details}
        return self.cases.apply(
            case_id,
            "prepare",
            actor=actor,
            role=role,
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
            "schema": SCHEMA, "case_id": case.case_id,
            "rule": {k: d["rule"].get(k) for k in ("rule_id", "title", "cite", "status", "to",
                                                   "form", "pack")},
            "subject": {"id": d["subject_id"], "type": d["subject_type"], "country": d["country"]},
            "contact": details.get("contact") or {},
            "content_summary": details.get("content_summary") or "",
            "audience": {"subscribers": last.subscribers if last else None,
                         "as_of": last.day if last else None,
                         "monthly_visits_avg6m": metrics.get(p + "monthly_visits_avg6m"),
                         "livestreaming": bool(metrics.get(p + "livestreaming")),
                         "monetised": bool(metrics.get(p + "monetised"))},
            "threshold": {"crossed_on": d["crossed_on"], "due": d.get("due"),
                          "below_since": d.get("below_since") if d.get("below") else None},
            "prepared_at": case.updated_at.isoformat(),
        }  # fmt: skip

    def dossier_html(self, case_id: str) -> str:
        """The dossier as a printable HTML page."""
        return to_html(self.dossier(case_id))

    def file(self, case_id: str, *, actor: str, role: str) -> Case:
        """File the dossier: the case moves to ``filed`` and a ``report_published`` leaf with
        the dossier's SHA-256 (under ``refs``) goes on the region's ledger, in one
        transaction."""
        dossier = self.dossier(case_id)
        if dossier_missing({"contact": dossier["contact"],
                            "content_summary": dossier["content_summary"]}):  # fmt: skip
            raise InputError(
                "the dossier is incomplete",
                details={
                    "missing": dossier_missing(
                        {
                            "contact": dossier["contact"],
                            "content_summary": dossier["content_summary"],
                        }
                    )
                },
            )
        sha = digest(dossier)
        region = self.runtime.region(self.cases.get(case_id).region)
        now = self.runtime.clock.now()
        with region.db.transaction():
            step = self.cases.apply(case_id, "file", actor=actor, role=role,
                                    note={"dossier": {"contact": dossier["contact"],
                                                      "content_summary": dossier[
                                                          "content_summary"]}, "sha256": sha},
                                    merge={"filed": {"dossier": dossier, "sha256": sha,
                                                     "at": now.isoformat()}})  # fmt: skip
            [index] = self.cases.ledger(region.name).append([LedgerEvent(
                type=EventType.REPORT_PUBLISHED, at=now, region=region.name, record_id=case_id,
                actor=actor, payload={"report_kind": "audience_dossier", "format": "json",
                                      "rules": [dossier["rule"]["rule_id"]],
                                      "refs": {"dossier_sha256": sha}})])  # fmt: skip
            case = self.cases.update_data(
                case_id, {"filed": {**step.case.data["filed"], "ledger_index": index}}
            )
        return case

    def act(self, case_id: str, action: str, *, actor: str, role: str,
            note: Mapping[str, Any] | None = None) -> Case:  # fmt: skip
        """Any other step on an obligation (``acknowledge`` with a reference, ``close`` with a
        reason)."""
        merge = {}
        if action == "acknowledge":
            merge["acknowledged"] = {"reference": (note or {}).get("reference")}
        if action == "close":
            merge["closed"] = {"reason": (note or {}).get("reason")}
        return self.cases.apply(
            case_id, action, actor=actor, role=role, note=note, merge=merge
        ).case


def _dossier_complete(ctx: GuardContext) -> str | None:
    details = ctx.note.get("dossier")
    if details is None:
        details = ctx.case.data.get("details") or {}
    missing = dossier_missing(cast(Mapping[str, Any], details))
    return f"the dossier lacks: {', '.join(missing)}" if missing else None
