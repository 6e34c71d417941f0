"""The access/copy package of a data-subject request: every region that holds the subject.

The case stores, per region, the keyed subject refs and blind-index terms of the subject
(as an authority request's scope does: no identifier in the clear). ``assemble`` finds
the subject's records in every region through them, decrypts them only to write the
package, and writes, in the production package's layout
(:mod:`onshore.core.cases.package`):

- ``records/<kind>.jsonl``: every field of every record (machine-readable, portable);
- ``summary.html``: the same for a person (:mod:`onshore.core.cases.dsr_summary`);
- ``manifest.json``: both files' SHA-256, the regions, the categories.

``deliver`` then adds the inclusion proof of its own ledger leaf and the Ed25519-signed
certificate (:meth:`onshore.services.production.Production.release`), so ``onshore dsr
verify-package`` (the production verifier) checks it offline. The case keeps counts and
digests, never record contents.

Example:
    >>> SubjectPackage.__name__
    'SubjectPackage'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onshore.core import blind_index
from onshore.core.cases.dsr_summary import summary_html
from onshore.core.cases.package import (
    RECORDS_DIR,
    build_manifest,
    jsonl,
    sha256_hex,
)
from onshore.ports import Case, SealedRecord
from onshore.services.production import Production
from onshore.services.reindex import live_index_keys

SUMMARY = "summary.html"
#: The manifest's ``purpose``: what the package answers.
PURPOSE = "data_subject_request"


class SubjectPackage:
    """Find the subject across regions and write the package (see the module docstring)."""

    def __init__(self, production: Production) -> None:
        self.production = production
        self.vault = production.vault
        self.runtime = production.runtime

    def named_refs(self, terms: Mapping[str, Any]) -> dict[str, set[bytes]]:
        """Per region, the subject refs the case's ``scope_terms`` name or find."""
        out: dict[str, set[bytes]] = {}
        for name, region in self.runtime.regions.items():
            mine = terms.get(name) or {}
            refs = {bytes.fromhex(r) for r in mine.get("refs", [])}
            for term in mine.get("terms", []):
                refs.update(s.subject_ref for s in region.db.records.find(bytes.fromhex(term)))
            out[name] = refs
        return out

    def subject_ids(self, terms: Mapping[str, Any]) -> set[str]:
        """The subject ids the refs and terms lead to, in any region (read by decrypting
        one row of each ref found; held in memory only)."""
        found: set[str] = set()
        for name, refs in self.named_refs(terms).items():
            region = self.runtime.regions[name]
            for ref in sorted(refs):
                row = next(iter(region.db.records.by_subject(ref)), None)
                if row is not None:
                    found.add(self.vault.open_sealed(region, row).subject_id)
        return found

    def refs(self, terms: Mapping[str, Any]) -> dict[str, set[bytes]]:
        """Per region, the subject refs to read: those the terms name, and every region's
        refs of the subject ids they lead to (an e-mail address found in one region finds
        the same account's records in the others)."""
        out = self.named_refs(terms)
        ids = self.subject_ids(terms)
        for name, region in self.runtime.regions.items():
            for key in live_index_keys(region.keys):
                out.setdefault(name, set()).update(blind_index.subject_ref(key, s) for s in ids)
        return out

    def holdings(self, terms: Mapping[str, Any]) -> dict[str, list[SealedRecord]]:
        """Per region holding any, the subject's sealed rows (by record id)."""
        out: dict[str, list[SealedRecord]] = {}
        for name, refs in self.refs(terms).items():
            records = self.runtime.regions[name].db.records
            rows = {s.record_id: s for ref in sorted(refs) for s in records.by_subject(ref)}
            if rows:
                out[name] = [rows[k] for k in sorted(rows)]
        return out

    def subjects(self, case: Case) -> dict[str, list[str]]:
        """The subject ids the case names, per region where they hold records (read by
        decrypting one row; held in memory only)."""
        out: dict[str, list[str]] = {}
        for name, rows in self.holdings(_terms(case)).items():
            region = self.runtime.regions[name]
            found = {self.vault.open_sealed(region, s).subject_id for s in rows}
            out[name] = sorted(found)
        return out

    def _rows(self, case: Case) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for name, sealed in sorted(self.holdings(_terms(case)).items()):
            region = self.runtime.regions[name]
            for s in sealed:
                record = self.vault.open_sealed(region, s)
                fields = self.vault.placer.categories(record.data, None)
                cats = sorted({c for f in record.data for c in fields.get(f, ())})
                rows.append(
                    {
                        "record_id": record.record_id,
                        "kind": record.kind,
                        "region": name,
                        "created_at": record.created_at.isoformat(),
                        "data": dict(record.data),
                        "categories": cats,
                    }
                )
        return rows

    def assemble(self, case: Case) -> dict[str, Any]:
        """Write the records, the summary and the manifest; the case data to keep."""
        rows = self._rows(case)
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row)
        files = {f"{RECORDS_DIR}{_safe(k)}.jsonl": jsonl(v) for k, v in sorted(by_kind.items())}
        regions = sorted({r["region"] for r in rows})
        meta: dict[str, Any] = {
            "case_id": case.case_id,
            "purpose": PURPOSE,
            "request_type": case.data["request_type"],
            "subject": case.data.get("subject", {}),
            "regions": regions,
            "received_at": case.data.get("received_at", case.created_at.isoformat()),
            "packaged_at": self.runtime.clock.now().isoformat(),
            "categories": sorted({c for r in rows for c in r["categories"]}),
        }
        files[SUMMARY] = summary_html(meta, rows).encode()
        manifest = build_manifest(files, meta)
        out, manifest_bytes = self.production.write_package(case.case_id, files, manifest)
        return {
            "package": {
                "dir": str(out),
                "manifest_sha256": sha256_hex(manifest_bytes),
                "records": manifest["records"],
                "regions": regions,
                "categories": meta["categories"],
            }
        }

    def counts(self, terms: Mapping[str, Any]) -> dict[str, int]:
        """Per region holding any, how many records of the subject it holds."""
        return {name: len(rows) for name, rows in self.holdings(terms).items()}


def _terms(case: Case) -> Mapping[str, Any]:
    terms: Mapping[str, Any] = case.data.get("scope_terms") or {}
    return terms


def _safe(kind: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in kind) or "records"
