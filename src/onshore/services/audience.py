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

The service composes its parts: the packs' threshold rules (``services.audience_rules``),
the threshold step (``services.audience_thresholds``), follower attribution
(``services.audience_followers``), reading a batch (``services.audience_ingest``) and the
dossier (``services.audience_dossier``); none of them imports this module.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.audience import KIND, OPEN_STATES
from onshore.core.cases.kinds.audience_obligation import AUDIENCE_OBLIGATION
from onshore.core.cases.roles import system_actor
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.ports import AudienceStore, Case
from onshore.services.audience_dossier import ObligationDossiers, dossier_complete
from onshore.services.audience_followers import attribute, follower_rows
from onshore.services.audience_ingest import (
    IngestReport,
    check,
    day_counts,
    file_source,
    register_rows,
    threshold_candidates,
)
from onshore.services.audience_rules import ThresholdRules
from onshore.services.audience_thresholds import ThresholdDecisions, ThresholdStep
from onshore.services.case_kinds import Opened, case_view
from onshore.services.cases import CaseKind, CaseService
from onshore.services.runtime import Region, Runtime

__all__ = ["AudienceService", "IngestReport"]

#: Who ingests when no one is named (a metrics batch): onshore itself.
SYSTEM = system_actor("audience")
#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {"dossier_details", "file_dossier", "record_acknowledgement", "record_closing"}
)


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
        self.declaration = AUDIENCE_OBLIGATION
        self.cases.register(
            CaseKind.of(AUDIENCE_OBLIGATION, {"dossier_complete": dossier_complete})
        )
        self.region: Region = runtime.region(region or self._default_region())
        self.store: AudienceStore = self.region.db.audience
        #: The packs' notify/register threshold rules (``services.audience_rules``).
        self.rules = ThresholdRules(runtime.engine, runtime.entity)
        self.thresholds = ThresholdStep(self.store, self.cases, self.region.name, self.rules)
        self.dossiers = ObligationDossiers(runtime, self.cases, self.store)

    def _default_region(self) -> str:
        for name, r in self.runtime.regions.items():
            if r.country == "VN":
                return name
        return self.runtime.settings.deployment.default_region

    # -- ingest ---------------------------------------------------------------------------

    def ingest_file(
        self,
        path: Path | str,
        *,
        fmt: str | None = None,
        strict: bool = False,
        principal: Principal = SYSTEM,
    ) -> IngestReport:
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
            return self._ingest(con, source, offset, batch_id, strict, principal, fmt)
        finally:
            con.close()

    def ingest_rows(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        strict: bool = False,
        principal: Principal = SYSTEM,
        context: Mapping[str, Any] | None = None,
    ) -> IngestReport:
        """Ingest rows given as objects (the HTTP API); line numbers count from 1. ``context``
        (e.g. a follower attribution) is kept with the batch and is part of its id."""
        if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
            raise InputError("rows must be a list of objects")
        con = duckdb.connect()
        try:
            batch_id = register_rows(con, "input_rows", rows, context)
            return self._ingest(con, "input_rows", 0, batch_id, strict, principal, "rows", context)
        finally:
            con.close()

    def attribute_followers(
        self,
        subject_id: str,
        day: str,
        followers: Iterable[tuple[int, Mapping[str, Any]]],
        *,
        subject_type: str = "account",
        strict: bool = False,
        principal: Principal = SYSTEM,
    ) -> IngestReport:
        """Count an account's followers per country with the residency resolver and ingest
        the counts as the day's ``subscribers`` with their confidence, the attribution kept
        on the batch (``report.attribution`` adds the bad rows); see
        :mod:`onshore.services.audience_followers`. The store's country always gets a row
        (0 when no follower is attributed to it). ``strict``: any bad row rejects the list."""
        dep = self.runtime.settings.deployment
        result = attribute(
            followers,
            index_key=self.region.keys.current("index").material,
            default_country=dep.default_country,
            phone_region=dep.default_phone_region,
            ip_country=self.runtime.geo.country_of,
        )
        rows, summary = follower_rows(
            result,
            subject_id,
            day,
            subject_type=subject_type,
            home_country=self.region.country,
            strict=strict,
        )
        report = self.ingest_rows(
            rows, strict=True, principal=principal, context={"attribution": summary}
        )
        report.attribution = {**summary, "bad_rows": result.bad_rows}
        return report

    def _ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        source: str,
        offset: int,
        batch_id: str,
        strict: bool,
        principal: Principal,
        fmt: str,
        extra: Mapping[str, Any] | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report, table = check(con, source, offset, batch_id, strict)
        if self.store.batch(batch_id) is not None:
            report.already_applied = True
            report.seconds = round(time.perf_counter() - started, 3)
            return report
        days = day_counts(con)
        watched = [
            k
            for k, s in self.store.states().items()
            if any(v.get("above") for v in s.get("rules", {}).values())
        ]
        candidates = threshold_candidates(con, self.rules.rules_for, watched)
        info = {
            "format": fmt,
            "rows": report.rows,
            "good": report.good,
            "bad": report.bad,
            "actor": principal.id,
            **(extra or {}),
        }
        now = self.runtime.clock.now()
        with self.region.db.transaction():
            counts = self.store.apply(batch_id, info, table, days, now.isoformat())
            report.applied = True
            report.inserted, report.updated = counts["inserted"], counts["updated"]
            report.unchanged = counts["unchanged"]
            self.thresholds.apply(candidates, report, principal)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    # -- reading --------------------------------------------------------------------------

    def evaluate(
        self,
        subject_id: str,
        subject_type: str,
        country: str,
        day: str,
        *,
        decisions: ThresholdDecisions | None = None,
    ) -> tuple[dict[str, float], list[dict[str, Any]]]:
        """The metrics on ``day`` and the notify/register rules that apply then
        (``services.audience_thresholds.ThresholdStep.evaluate``)."""
        return self.thresholds.evaluate(subject_id, subject_type, country, day, decisions=decisions)

    def status(self, subject_id: str, country: str = "VN", on: str | None = None) -> dict[str, Any]:
        """How the subject's counters stood on ``on`` (default: its latest day), and how they
        got there: every daily value up to then with the batch and line it came from, the
        values that day's row replaced, and the subject's obligations."""
        series = self.store.series(subject_id, country, until=on)
        if not series:
            raise InputError(
                "no metrics for that subject and country",
                details={"subject_id": subject_id, "country": country},
            )
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
            "subject_id": subject_id,
            "country": country,
            "on": day,
            "subscribers": latest,
            "metrics": metrics,
            "rules_applying": applied,
            "history": history,
            "revisions": self.store.revisions(subject_id, country, day),
            "obligations": obligations,
        }

    def obligations(self, *, states: Sequence[str] | None = None) -> list[Case]:
        """Obligation cases (open ones by default)."""
        return list(self.cases.iter_cases(kind=KIND, states=list(states or OPEN_STATES)))

    # -- the dossier (``services.audience_dossier``) ------------------------------------------

    def prepare(self, case_id: str, details: Mapping[str, Any], *, principal: Principal) -> Case:
        """Record the account holder's contact details and content summary; the case moves to
        ``dossier_ready`` (refused, naming what is missing, when incomplete)."""
        return self.dossiers.prepare(case_id, details, principal=principal)

    def dossier(self, case_id: str) -> dict[str, Any]:
        """The notification document (filed cases return what was filed)."""
        return self.dossiers.dossier(case_id)

    def dossier_html(self, case_id: str) -> str:
        """The dossier as a printable HTML page."""
        return self.dossiers.html(case_id)

    def file(self, case_id: str, *, principal: Principal) -> Case:
        """File the dossier: the case moves to ``filed`` and a ``report_published`` leaf with
        the dossier's SHA-256 (under ``refs``) goes on the region's ledger, in one
        transaction."""
        return self.dossiers.file(case_id, principal=principal)

    def intake(self, body: Any, *, principal: Principal) -> Opened:
        """Obligations are opened by the threshold step, never by a caller."""
        raise InputError("audience obligations are opened when metrics cross a threshold")

    def view(self, case: Case) -> dict[str, Any]:
        """An obligation as the CLI and the API show it."""
        return case_view(case, AUDIENCE_OBLIGATION)

    def act(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on an obligation, with its declared effects: ``prepare`` records
        the details (``prepare``), ``file`` files the dossier (``file``), ``acknowledge``
        keeps the reference, ``close`` the reason."""
        effects = self.declaration.effects_of(action)
        note = dict(note or {})
        if "dossier_details" in effects:
            return self.prepare(case_id, note, principal=principal)
        if "file_dossier" in effects:
            return self.file(case_id, principal=principal)
        merge = {}
        if "record_acknowledgement" in effects:
            merge["acknowledged"] = {"reference": note.get("reference")}
        if "record_closing" in effects:
            merge["closed"] = {"reason": note.get("reason")}
        return self.cases.apply(
            case_id,
            action,
            principal=principal,
            note=note,
            merge=merge,
            expected_version=expected_version,
        ).case
