"""Signing-key handoff: a new checkpoint key announced in a checkpoint signed by the old one.

When a region's ``ledger-signing`` key rotates, onshore re-signs the current tree as a
*handoff checkpoint*: the usual body with one more extension line,
``onshore-key-handoff <new verifier key>``, signed by the old key **and** cosigned by the
new one (two C2SP signature lines; the second proves the new key's holder agreed). Later
checkpoints are signed by the new key alone.

A verifier that trusts only the old key walks the checkpoints in order
(:func:`verify_key_chain`): each must be signed by the key trusted at that point; a
handoff signed by it (and cosigned by the announced key) moves the trust to the announced
key. The old key is not accepted after its handoff, so a leaked retired key cannot sign
new checkpoints that such a verifier accepts.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.ledger.checkpoint import Checkpoint
    >>> from onshore.core.ledger.note import sign_note, verifier_key
    >>> old, new = bytes(32), bytes([1]) * 32
    >>> cp = Checkpoint("onshore/vn-hcm", 0, bytes(32), datetime(2025, 1, 1, tzinfo=timezone.utc))
    >>> handoff = sign_handoff(cp, "onshore/vn-hcm", old, new)
    >>> later = sign_note(Checkpoint("onshore/vn-hcm", 0, bytes(32)).body(), "onshore/vn-hcm", new)
    >>> chain = verify_key_chain([handoff, later], verifier_key("onshore/vn-hcm", old))
    >>> chain.trusted == verifier_key("onshore/vn-hcm", new), chain.handoffs
    (True, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onshore.core.errors import SignatureError
from onshore.core.ledger.checkpoint import Checkpoint
from onshore.core.ledger.note import parse_verifier_key, sign_note, verifier_key, verify_note

#: The extension line that announces the next signing key.
HANDOFF_PREFIX = "onshore-key-handoff "


def handoff_body(checkpoint: Checkpoint, new_vkey: str) -> bytes:
    """The checkpoint body with the announcement line of ``new_vkey`` appended."""
    parse_verifier_key(new_vkey)
    return checkpoint.body() + f"{HANDOFF_PREFIX}{new_vkey}\n".encode()


def announced_keys(text: bytes) -> list[str]:
    """The verifier keys announced by a checkpoint body (empty for an ordinary one)."""
    lines = text.decode("utf-8", "replace").split("\n")[3:]
    return [line[len(HANDOFF_PREFIX) :] for line in lines if line.startswith(HANDOFF_PREFIX)]


def sign_handoff(checkpoint: Checkpoint, name: str, old_seed: bytes, new_seed: bytes) -> bytes:
    """The handoff note: ``checkpoint`` announcing the new key, signed by old and new."""
    body = handoff_body(checkpoint, verifier_key(name, new_seed))
    signed = sign_note(body, name, old_seed)
    cosigned = sign_note(body, name, new_seed)
    return signed + cosigned[len(body) + 1 :]


@dataclass(frozen=True, slots=True)
class KeyChain:
    """What :func:`verify_key_chain` found: the key trusted at the end, handoffs followed."""

    trusted: str
    checkpoints: int
    handoffs: int


def verify_key_chain(notes: Sequence[bytes], trusted: str) -> KeyChain:
    """Check signed checkpoints, oldest first, starting from trust in ``trusted``.

    Raises ``SignatureError`` naming the first checkpoint (1-based) not signed by the key
    trusted at that point, or a handoff whose announced key did not cosign it.
    """
    handoffs = 0
    for seq, note in enumerate(notes, start=1):
        try:
            text = verify_note(note, trusted)
        except SignatureError as exc:
            raise SignatureError(
                f"checkpoint #{seq}: {exc.message} (the key trusted at that point)",
                details={"checkpoint": seq},
            ) from None
        announced = announced_keys(text)
        if len(announced) > 1:
            raise SignatureError(f"checkpoint #{seq} announces more than one key")
        if announced:
            try:
                verify_note(note, announced[0])
            except SignatureError as exc:
                raise SignatureError(
                    f"checkpoint #{seq}: the announced key did not cosign it: {exc.message}",
                    details={"checkpoint": seq},
                ) from None
            trusted = announced[0]
            handoffs += 1
    return KeyChain(trusted, len(notes), handoffs)
