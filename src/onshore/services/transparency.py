"""The transparency report: count the period's authority requests, publish, and ledger it.

``publish(requests_service, start, end, out_dir, country=None, k=5)`` reads every request
received in ``[start, end)`` (optionally from one authority country), builds the tables of
:mod:`onshore.core.cases.transparency`, writes ``transparency-requests.csv``,
``transparency-preservation.csv``, ``transparency-dsr.csv`` (data-subject requests),
``transparency-breaches.csv`` (RFC 4180; the last two from
:mod:`onshore.services.transparency_cases`) and ``transparency.json``, and appends a
``REPORT_PUBLISHED`` leaf to the default region's ledger whose record reference is the
JSON file's SHA-256 (``report:transparency:<sha256>``): the published file is provable.

Example:
    >>> facts_of.__name__
    'facts_of'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from onshore.core.cases.authority_requests import KIND
from onshore.core.cases.transparency import (
    RequestFacts,
    preservation_table,
    report_json,
    requests_table,
)
from onshore.core.cases.transparency_cases import breaches_table, dsr_table
from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import Case, CaseEvent
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.transparency_cases import collect

FILES = (
    "transparency-requests.csv",
    "transparency-preservation.csv",
    "transparency.json",
    "transparency-dsr.csv",
    "transparency-breaches.csv",
)


@dataclass(frozen=True, slots=True)
class Published:
    """Where the report went, each file's SHA-256, and the ledger leaf."""

    directory: Path
    sha256: dict[str, str]
    region: str
    ledger_index: int
    record_ref: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "directory": str(self.directory),
            "sha256": self.sha256,
            "region": self.region,
            "ledger_index": self.ledger_index,
            "ledger_record": self.record_ref,
        }


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 3600.0


def facts_of(case: Case, history: list[CaseEvent]) -> RequestFacts:
    """The report's view of one request (its data and history)."""
    d = case.data
    actions = [e.action for e in history]
    ack = next((e.at for e in history if e.seq > 1), None)
    done = next((e.at for e in history if e.to_state in ("produced", "rejected")), None)
    produced = d.get("produced") or {}
    package = d.get("package") or {}
    rejection = d.get("rejection") or {}
    return RequestFacts(
        country=d.get("authority_country", "??"),
        process_type=d.get("process_type", "other"),
        accounts=int((d.get("scope") or {}).get("accounts", 0)),
        produced=bool(produced),
        records=int(produced.get("records", 0)),
        content=bool(package.get("content")),
        rejected="rejected" in {e.to_state for e in history},
        reason_code=rejection.get("reason_code"),
        ndo=bool(d.get("ndo_until")),
        notified="notify_user" in actions,
        cross_border_blocked=bool(d.get("blocked_regions")),
        ack_hours=_hours(case.created_at, ack),
        completion_hours=_hours(case.created_at, done),
        preserved_accounts=int((d.get("holds") or {}).get("count", 0)),
        hold_extended=bool((d.get("holds") or {}).get("extended")),
        followed_by_order="receive_order" in actions,
    )


def collect_facts(
    svc: AuthorityRequestService, start: datetime, end: datetime, country: str | None = None
) -> list[RequestFacts]:
    """Facts of every request received in ``[start, end)`` (one authority country or all)."""
    if end <= start:
        raise InputError("the report period must end after it starts")
    out = []
    for case in svc.cases.iter_cases(kind=KIND, created_from=start, created_before=end):
        if country and case.data.get("authority_country") != country.upper():
            continue
        out.append(facts_of(case, svc.cases.history(case.case_id)))
    return out


def publish(
    svc: AuthorityRequestService,
    start: datetime,
    end: datetime,
    out_dir: Path,
    *,
    country: str | None = None,
    k: int = 5,
    actor: str = "onshore",
) -> Published:
    """Write the report files and record the JSON file's hash on the ledger."""
    if k < 1:
        raise InputError("k (the suppression threshold) must be at least 1", details={"k": k})
    facts = collect_facts(svc, start, end, country)
    dsr, breaches = collect(svc.cases, start, end, country)
    tables = [
        requests_table(facts, k),
        preservation_table(facts, k),
        dsr_table(dsr, k),
        breaches_table(breaches, k),
    ]
    meta = {
        "report": "transparency",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "country": country.upper() if country else None,
        "k": k,
    }
    bodies = {
        FILES[0]: tables[0].csv(k).encode(),
        FILES[1]: tables[1].csv(k).encode(),
        FILES[2]: report_json(tables, meta).encode(),
        FILES[3]: tables[2].csv(k).encode(),
        FILES[4]: tables[3].csv(k).encode(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        (out_dir / name).write_bytes(body)
    digests = {name: hashlib.sha256(body).hexdigest() for name, body in bodies.items()}
    runtime = svc.runtime
    region = runtime.settings.deployment.default_region
    ref = f"report:transparency:{digests[FILES[2]]}"
    event = LedgerEvent(
        type=EventType.REPORT_PUBLISHED,
        at=runtime.clock.now(),
        region=region,
        record_id=ref,
        actor=actor,
        payload={
            "report_kind": "transparency",
            "format": "csv_json",
            "count": len(facts) + len(dsr) + len(breaches),
        },
    )
    with runtime.regions[region].db.transaction():
        [index] = svc.cases.ledger(region).append([event])
    return Published(out_dir, digests, region, index, ref)
