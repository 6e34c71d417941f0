"""Collecting, packaging and releasing an authority request's data.

Scope resolution goes through the blind index: the case stores, per region, the keyed
terms of the identifiers and the keyed refs of the subjects it names. An identifier
resolves to the accounts (subject refs) of the records that carry it; the accounts'
records are then filtered by the scope's time range and categories, and each record's
fields by :func:`onshore.core.cases.scope.redact`. Only regions the residency check
allowed are read. The case keeps record ids, never record contents.

Example:
    >>> Production.__name__
    'Production'
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onshore.core.cases.package import (
    CERTIFICATE,
    MANIFEST,
    PROOF,
    RECORDS_DIR,
    build_manifest,
    canonical,
    jsonl,
    sha256_hex,
    sign_certificate,
)
from onshore.core.cases.scope import CONTENT_CATEGORIES, Scope, redact
from onshore.core.errors import InputError
from onshore.ports import Case, SealedRecord
from onshore.services.vault import Vault

if TYPE_CHECKING:
    from onshore.services.case_steps import Step
    from onshore.services.cases import CaseService

SIGNING_KEY = "package-signing"


class Production:
    """The data side of a request: resolve, collect, package, release."""

    def __init__(self, vault: Vault, cases: CaseService, packages_dir: Path) -> None:
        self.vault = vault
        self.runtime = vault.runtime
        self.cases = cases
        self.packages_dir = packages_dir

    def package_dir(self, case_id: str) -> Path:
        """Where the package of ``case_id`` is written."""
        return self.packages_dir / case_id

    def write_package(
        self, case_id: str, files: dict[str, bytes], manifest: dict[str, Any]
    ) -> tuple[Path, bytes]:
        """Write an unreleased package of ``case_id``: its files and manifest, replacing the
        record files, certificate and proof of an earlier one; its directory and manifest
        bytes."""
        out = self.package_dir(case_id)
        (out / RECORDS_DIR).mkdir(parents=True, exist_ok=True)
        for stale in (out / RECORDS_DIR).glob("*"):
            stale.unlink()
        for path in (CERTIFICATE, PROOF):
            (out / path).unlink(missing_ok=True)
        for path, body in files.items():
            (out / path).write_bytes(body)
        manifest_bytes = canonical(manifest)
        (out / MANIFEST).write_bytes(manifest_bytes)
        return out, manifest_bytes

    # -- scope --------------------------------------------------------------------------

    def account_refs(self, case: Case) -> dict[str, set[bytes]]:
        """Per region, the subject refs of the accounts the scope names."""
        out: dict[str, set[bytes]] = {}
        for name, region in self.runtime.regions.items():
            terms = (case.data.get("scope_terms") or {}).get(name) or {}
            refs = {bytes.fromhex(r) for r in terms.get("refs", [])}
            for term in terms.get("terms", []):
                refs.update(s.subject_ref for s in region.db.records.find(bytes.fromhex(term)))
            out[name] = refs
        return out

    def regions_with_data(self, case: Case) -> set[str]:
        """The regions holding any record of an account in scope."""
        out = set()
        for name, refs in self.account_refs(case).items():
            records = self.runtime.regions[name].db.records
            if any(next(iter(records.by_subject(ref)), None) for ref in refs):
                out.add(name)
        return out

    def in_scope(self, case: Case) -> dict[str, list[SealedRecord]]:
        """Per allowed region, the in-scope records (by time range and categories)."""
        scope = Scope.from_dict(case.data["scope"])
        verdicts = case.data.get("residency") or {}
        out: dict[str, list[SealedRecord]] = {}
        for name, refs in self.account_refs(case).items():
            if not (verdicts.get(name) or {}).get("allowed"):
                continue
            region = self.runtime.regions[name]
            rows = [s for ref in sorted(refs) for s in region.db.records.by_subject(ref)]
            for s in rows:  # an edited time or category must not move a row out of scope
                self.vault.open_sealed(region, s)
            found = [
                s
                for s in rows
                if scope.covers_time(s.created_at) and set(s.categories) & scope.categories
            ]
            out[name] = sorted(found, key=lambda s: s.record_id)
        return out

    def collect(self, case: Case) -> dict[str, Any]:
        """Case data recording what will be produced (record ids per region)."""
        found = self.in_scope(case)
        ids = {name: [s.record_id for s in records] for name, records in found.items()}
        return {"collected": ids, "collected_count": sum(len(v) for v in ids.values())}

    # -- package ------------------------------------------------------------------------

    def _rows(self, case: Case) -> dict[str, list[dict[str, Any]]]:
        scope = Scope.from_dict(case.data["scope"])
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for name, ids in sorted((case.data.get("collected") or {}).items()):
            region = self.runtime.regions[name]
            for record_id in ids:
                sealed = region.db.records.get(record_id)
                if sealed is None:  # erased since collection (and not held): nothing to give
                    continue
                record = self.vault.open_sealed(region, sealed)
                fields = self.vault.placer.categories(record.data, None)
                data = redact(record.data, fields, scope)
                if not data:
                    continue
                by_kind.setdefault(record.kind, []).append(
                    {
                        "record_id": record.record_id,
                        "kind": record.kind,
                        "region": name,
                        "created_at": record.created_at.isoformat(),
                        "data": data,
                        "categories": sorted(set().union(*(fields[f] for f in data))),
                    }
                )
        return by_kind

    def package(self, case: Case) -> dict[str, Any]:
        """Write ``records/<kind>.jsonl`` and ``manifest.json``; return the case data to keep."""
        rows = self._rows(case)
        files = {f"{RECORDS_DIR}{_safe(kind)}.jsonl": jsonl(r) for kind, r in sorted(rows.items())}
        categories = sorted({c for r in rows.values() for row in r for c in row["categories"]})
        d = case.data
        manifest = build_manifest(
            files,
            {
                "case_id": case.case_id,
                "authority": d["authority"],
                "process_type": d["process_type"],
                "reference": d["reference"],
                "legal_basis": d["legal_basis"],
                "scope": {k: d["scope"][k] for k in ("categories", "from", "to", "accounts")},
                "received_at": case.created_at.isoformat(),
                "packaged_at": self.runtime.clock.now().isoformat(),
                "categories": categories,
            },
        )
        out, manifest_bytes = self.write_package(case.case_id, files, manifest)
        return {
            "package": {
                "dir": str(out),
                "manifest_sha256": sha256_hex(manifest_bytes),
                "records": manifest["records"],
                "categories": categories,
                "content": bool(set(categories) & CONTENT_CATEGORIES),
            }
        }

    def intact(self, case: Case) -> str | None:
        """None when the package on disk is the one QA saw, else why not (a guard)."""
        pkg = case.data.get("package") or {}
        try:
            out = Path(pkg["dir"])
            manifest = (out / MANIFEST).read_bytes()
        except (KeyError, OSError):
            return "the package is missing"
        if sha256_hex(manifest) != pkg.get("manifest_sha256"):
            return "the manifest changed since packaging"
        for entry in json.loads(manifest)["files"]:
            try:
                body = (out / entry["path"]).read_bytes()
            except OSError:
                return f"{entry['path']} is missing"
            if sha256_hex(body) != entry["sha256"]:
                return f"{entry['path']} changed since packaging"
        return None

    def release(self, case: Case, step: Step) -> dict[str, Any]:
        """Write the production leaf's proof and the signed certificate into the package."""
        region = self.runtime.regions[case.region]
        now = self.runtime.clock.now()
        bundle = self.cases.ledger(region.name).prove_index(step.ledger_index, at=now)
        out = Path(case.data["package"]["dir"])
        proof = bundle.to_json()
        (out / PROOF).write_bytes(proof)
        key = self.signing_key(region.name)
        production = {
            "region": region.name,
            "ledger_index": step.ledger_index,
            "case_id": case.case_id,
            "produced_at": now.isoformat(),
        }
        cert = sign_certificate(
            key, (out / MANIFEST).read_bytes(), proof, production, now.isoformat()
        )
        (out / CERTIFICATE).write_bytes(cert)
        return {"produced": {**production, "records": case.data["package"]["records"]}}

    def signing_key(self, region: str) -> Ed25519PrivateKey:
        """The region's package-signing key (created on first use)."""
        keys = self.runtime.regions[region].keys
        keys.create(SIGNING_KEY)
        return Ed25519PrivateKey.from_private_bytes(keys.current(SIGNING_KEY).material)

    def public_key(self, region: str) -> str:
        """Base64 of the region's package-signing public key (publish it out of band)."""
        raw = self.signing_key(region).public_key().public_bytes_raw()
        return base64.b64encode(raw).decode()


def read_package(directory: Path) -> Mapping[str, bytes]:
    """Every file of a package directory as ``{relative posix path: bytes}``."""
    if not directory.is_dir():
        raise InputError(f"{directory} is not a directory", details={"path": str(directory)})
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _safe(kind: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in kind) or "records"
