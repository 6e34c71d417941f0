"""Rotation of every region key kind: ``kek``, ``index``, ``ledger-hmac``, ``ledger-signing``.

``rotate_key(runtime, region, name)`` adds version n+1 and records a ``key_rotated`` leaf:

- ``kek``: new data keys are wrapped under it; ``onshore keys rewrap`` moves old records
  (``services.keys``);
- ``index``: new records are indexed under it and searches use every live version until
  ``onshore keys reindex`` has moved the old records and ``keys retire`` drops the old
  version (``services.reindex``);
- ``ledger-hmac``: new leaves carry the new version in their header; old leaves name the
  version they were made with and stay verifiable and findable (``Ledger.history``
  tries every version);
- ``ledger-signing``: the current tree is checkpointed under the old key, then re-signed
  as a *handoff checkpoint* announcing the new key, signed by the old key and cosigned by
  the new (``core.ledger.key_handoff``). Later checkpoints are signed by the new key; a
  verifier that trusts only the old key follows the chain (:func:`verify_signing_chain`).

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> from onshore.services.runtime import open_runtime
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> old = Ledger("vn-hcm", rt.regions["vn-hcm"].db, rt.regions["vn-hcm"].keys).verifier_key()
    >>> rotate_key(rt, "vn-hcm", "ledger-signing").key_id
    'ledger-signing:2'
    >>> verify_signing_chain(rt, "vn-hcm", old).handoffs
    1
"""

from __future__ import annotations

from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.ledger.checkpoint import Checkpoint
from onshore.core.ledger.key_handoff import KeyChain, announced_keys, sign_handoff, verify_key_chain
from onshore.core.ledger.note import split_note, verifier_key
from onshore.ports import KeyVersion
from onshore.services import keys as kek_rotation
from onshore.services.ledger import HMAC_KEY, SIGNING_KEY, Ledger
from onshore.services.reindex import INDEX_KEY
from onshore.services.runtime import Region, Runtime

#: The key kinds ``rotate_key`` rotates.
ROTATABLE = ("kek", INDEX_KEY, HMAC_KEY, SIGNING_KEY)


def _log(region: Region) -> Ledger:
    return Ledger(region.name, region.db, region.keys)


def _event(runtime: Runtime, region: Region, new: KeyVersion, actor: str | None) -> LedgerEvent:
    return LedgerEvent(
        type=EventType.KEY_ROTATED,
        at=runtime.clock.now(),
        region=region.name,
        actor=actor,
        payload={"key_name": new.name, "key_id": new.key_id, "version": new.version},
    )


def rotate_key(
    runtime: Runtime, region_name: str, name: str, *, actor: str | None = None
) -> KeyVersion:
    """Add a new version of key ``name`` in ``region_name`` (see the module docstring)."""
    if name not in ROTATABLE:
        raise InputError(
            f"unknown key {name!r}; rotatable keys are " + ", ".join(ROTATABLE),
            details={"key": name, "allowed": list(ROTATABLE)},
        )
    region = runtime.region(region_name)
    if name == "kek":
        return kek_rotation.rotate(runtime, region_name, actor=actor)
    if name == SIGNING_KEY:
        return _rotate_signing(runtime, region, actor)
    new = region.keys.rotate(name)
    with region.db.transaction():
        _log(region).append([_event(runtime, region, new, actor)])
    return new


def _rotate_signing(runtime: Runtime, region: Region, actor: str | None) -> KeyVersion:
    """Checkpoint under the old key, rotate, then store the handoff checkpoint.

    The handoff signs the tree with the rotation's leaf (one past the old key's last
    checkpoint), by the old key and cosigned by the new. When a previous
    rotation stopped before its handoff was stored (the latest checkpoint is by an older
    key and announces nothing), the handoff to the existing newest key is completed
    instead of rotating again.
    """
    log = _log(region)
    at = runtime.clock.now()
    latest = log.store.latest_checkpoint()
    current = region.keys.current(SIGNING_KEY)
    if latest is not None and latest[3] != current.key_id and not _announces(latest[2]):
        old, new = region.keys.get(latest[3]), current  # resume an interrupted handoff
    else:
        log.checkpoint(at)
        old, new = current, region.keys.rotate(SIGNING_KEY)
    with region.db.transaction():
        # the rotation's own leaf first, so the handoff signs a larger tree than the old key's
        # last checkpoint (a checkpoint never repeats or goes below a stored size)
        log.append([_event(runtime, region, new, actor)])
        log.integrate()
        size, root = log.root()
        note = sign_handoff(
            Checkpoint(log.origin, size, root, at), log.origin, old.material, new.material
        )
        log.store.add_checkpoint(size, root, note, old.key_id, at)
    return new


def _announces(note: bytes) -> bool:
    return bool(announced_keys(split_note(note)[0]))


def verify_signing_chain(runtime: Runtime, region_name: str, trusted: str) -> KeyChain:
    """Check the region's stored checkpoints in order from trust in verifier key ``trusted``
    (typically the key published before any rotation). ``SignatureError`` names the first
    checkpoint that the chain of handoffs does not cover."""
    region = runtime.region(region_name)
    notes = [row[2] for row in region.db.ledger.checkpoints()]
    return verify_key_chain(notes, trusted)


def signing_history(runtime: Runtime, region_name: str) -> list[str]:
    """The verifier keys of every ``ledger-signing`` version of the region, oldest first."""
    region = runtime.region(region_name)
    origin = _log(region).origin
    return [verifier_key(origin, v.material) for v in region.keys.versions(SIGNING_KEY)]
