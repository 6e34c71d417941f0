"""Production packages: what is handed to an authority, and its offline verification (pure).

A package is a directory::

    records/<kind>.jsonl   one JSON object per line (record_id, kind, created_at, region, data)
    manifest.json          canonical JSON: case, scope, timestamps, each file's SHA-256 and size
    ledger-proof.json      the ledger inclusion proof of the production event (a proof bundle)
    certificate.json       canonical JSON, Ed25519-signed: manifest and proof digests, the
                           production leaf's region and index, the signer's public key

Every byte is covered: record files by the manifest, the manifest and the proof by the
certificate, the certificate by its signature and by being canonical JSON (a reformatted
certificate fails). :func:`verify_package` needs only the files (and optionally the keys
the verifier expects): no database, no configuration.

Example:
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> files = {"records/profile.jsonl": b'{"record_id":"r1"}\\n'}
    >>> manifest = build_manifest(files, {"case_id": "req-1"})
    >>> manifest["files"][0]["records"]
    1
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from onshore.core.errors import OnshoreError
from onshore.core.ledger.bundle import ProofBundle, verify_bundle
from onshore.core.ledger.events import EventType

MANIFEST = "manifest.json"
CERTIFICATE = "certificate.json"
PROOF = "ledger-proof.json"
RECORDS_DIR = "records/"
MANIFEST_FORMAT = "onshore-production/1"
CERTIFICATE_FORMAT = "onshore-certificate/1"
STATEMENT = (
    "The records in this package were collected from the named region's store within the "
    "request's scope, are complete for that scope as of the production time, and have not "
    "been altered since collection."
)


def canonical(doc: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8, one trailing newline."""
    body = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return body.encode("utf-8") + b"\n"


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def jsonl(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """JSON Lines bytes of ``rows`` (canonical JSON per line)."""
    return b"".join(canonical(r) for r in rows)


def build_manifest(files: Mapping[str, bytes], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of record ``files`` (path -> bytes) plus ``meta`` (case, scope...)."""
    entries = [
        {"path": path, "sha256": sha256_hex(body), "bytes": len(body), "records": body.count(b"\n")}
        for path, body in sorted(files.items())
    ]
    return {
        **meta,
        "format": MANIFEST_FORMAT,
        "files": entries,
        "records": sum(e["records"] for e in entries),
    }


def sign_certificate(
    key: Ed25519PrivateKey,
    manifest_bytes: bytes,
    proof_bytes: bytes,
    production: Mapping[str, Any],
    signed_at: str,
) -> bytes:
    """The certificate of authenticity's bytes (canonical JSON with its signature)."""
    public = key.public_key().public_bytes_raw()
    body = {
        "format": CERTIFICATE_FORMAT,
        "statement": STATEMENT,
        "manifest_sha256": sha256_hex(manifest_bytes),
        "ledger_proof_sha256": sha256_hex(proof_bytes),
        "production": dict(production),
        "signed_at": signed_at,
        "public_key": base64.b64encode(public).decode(),
    }
    signature = key.sign(canonical(body))
    return canonical({**body, "signature": base64.b64encode(signature).decode()})


@dataclass
class PackageReport:
    """The outcome of verifying a package: every check run, and the failures."""

    checks: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    records: int = 0
    case_id: str | None = None
    public_key: str | None = None
    ledger_index: int | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures and bool(self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "case_id": self.case_id,
            "records": self.records,
            "public_key": self.public_key,
            "ledger_index": self.ledger_index,
            "checks": self.checks,
            "failures": self.failures,
        }


def _load_canonical(files: Mapping[str, bytes], name: str, report: PackageReport) -> dict[str, Any]:
    raw = files.get(name)
    if raw is None:
        report.failures.append(f"{name} is missing")
        return {}
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        report.failures.append(f"{name} is not JSON")
        return {}
    if not isinstance(doc, dict) or canonical(doc) != raw:
        report.failures.append(f"{name} is not in canonical form (altered)")
        return {}
    return doc


def verify_package(
    files: Mapping[str, bytes],
    *,
    public_key: str | None = None,
    ledger_key: str | None = None,
) -> PackageReport:
    """Check a package given as ``{relative path: bytes}``.

    ``public_key`` (base64 Ed25519) and ``ledger_key`` (the region's ledger verifier key)
    pin the keys the verifier trusts; without them the keys embedded in the package are
    used and reported, to be compared out of band.
    """
    report = PackageReport()
    manifest = _load_canonical(files, MANIFEST, report)
    cert = _load_canonical(files, CERTIFICATE, report)
    if report.failures:
        return report
    report.case_id = manifest.get("case_id")
    listed = {e.get("path"): e for e in manifest.get("files", []) if isinstance(e, dict)}
    failed_before = len(report.failures)
    for path, entry in sorted(listed.items()):
        body = files.get(str(path))
        if body is None:
            report.failures.append(f"{path} is listed but missing")
        elif sha256_hex(body) != entry.get("sha256") or len(body) != entry.get("bytes"):
            report.failures.append(f"{path} does not match its SHA-256 in the manifest")
        else:
            report.records += body.count(b"\n")
    extra = sorted(p for p in files if p.startswith(RECORDS_DIR) and p not in listed)
    report.failures.extend(f"{p} is not in the manifest" for p in extra)
    if len(report.failures) == failed_before:  # only when every file matched
        report.checks.append("record files match the manifest")
    if cert.get("format") != CERTIFICATE_FORMAT:
        report.failures.append("certificate format is unknown")
        return report
    if cert.get("manifest_sha256") != sha256_hex(files[MANIFEST]):
        report.failures.append("the certificate does not certify this manifest")
    proof_bytes = files.get(PROOF, b"")
    if cert.get("ledger_proof_sha256") != sha256_hex(proof_bytes):
        report.failures.append("the certificate does not certify this ledger proof")
    report.public_key = str(cert.get("public_key"))
    if public_key is not None and public_key != report.public_key:
        report.failures.append("the certificate is signed by another key than the one expected")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(report.public_key))
        signed = {k: v for k, v in cert.items() if k != "signature"}
        key.verify(base64.b64decode(str(cert.get("signature"))), canonical(signed))
        report.checks.append("certificate signature is valid")
    except (InvalidSignature, ValueError, TypeError):
        report.failures.append("the certificate's signature does not verify")
    _check_proof(proof_bytes, cert, ledger_key, report)
    return report


def _check_proof(
    raw: bytes, cert: Mapping[str, Any], ledger_key: str | None, report: PackageReport
) -> None:
    production = cert.get("production") or {}
    try:
        bundle = ProofBundle.from_json(raw)
        checked = verify_bundle(bundle, ledger_key or bundle.public_key)
    except OnshoreError as exc:
        report.failures.append(f"the ledger proof does not verify: {exc.message}")
        return
    report.ledger_index = checked.index
    if checked.event.type != EventType.CASE_TRANSITION:
        report.failures.append("the ledger proof is not of a case transition")
    if production.get("ledger_index") != checked.index or production.get("region") != bundle.region:
        report.failures.append("the ledger proof is of another event than the production")
    report.checks.append("ledger inclusion proof of the production event verifies")
