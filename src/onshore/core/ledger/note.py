"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures.

A signed note is the note text (UTF-8, ending in a newline), a blank line, then one line
per signature: ``"— " + key name + " " + base64(key id || signature)``. The 4-byte key id
is the first bytes of ``SHA-256(key name || "\\n" || 0x01 || public key)``. A verifier key
is written ``name+hex(key id)+base64(0x01 || public key)`` (the Go ``golang.org/x/mod/sumdb/note``
encoding), which is what ``onshore ledger verify --key`` takes.

Example:
    >>> seed = bytes(range(32))
    >>> signed = sign_note(b"hello\\n", "example.org/log", seed)
    >>> verify_note(signed, verifier_key("example.org/log", seed))
    b'hello\\n'
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from onshore.core.errors import CheckpointError, SignatureError

ALG_ED25519 = 0x01
_DASH = "\u2014 "
MAX_NOTE = 1 << 20


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise SignatureError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte id of an Ed25519 key in signature lines."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def public_key_of(seed: bytes) -> bytes:
    """The 32-byte Ed25519 public key of a 32-byte seed."""
    priv = Ed25519PrivateKey.from_private_bytes(seed[:32])
    return priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, seed: bytes) -> str:
    """The verifier key string for the signer with this seed (safe to publish).

    Example:
        >>> verifier_key("example.org/log", bytes(32)).split("+")[:2]
        ['example.org/log', '4e933303']
    """
    _check_name(name)
    pub = public_key_of(seed)
    return (
        f"{name}+{key_id(name, pub).hex()}+{base64.b64encode(bytes([ALG_ED25519]) + pub).decode()}"
    )


def parse_verifier_key(vkey: str) -> tuple[str, bytes, bytes]:
    """``(name, key id, public key)`` from a verifier key string; ``SignatureError`` if bad."""
    if not isinstance(vkey, str):
        raise SignatureError("verifier key must be a string")
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise SignatureError("verifier key must look like name+keyid+base64key")
    name, hid, b64 = parts
    _check_name(name)
    try:
        kid = bytes.fromhex(hid)
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise SignatureError("verifier key is not valid hex/base64") from None
    if len(kid) != 4 or len(raw) != 33 or raw[0] != ALG_ED25519:
        raise SignatureError("verifier key is not an Ed25519 note key")
    if key_id(name, raw[1:]) != kid:
        raise SignatureError("verifier key id does not match its name and public key")
    return name, kid, raw[1:]


def sign_note(text: bytes, name: str, seed: bytes) -> bytes:
    """Sign note ``text`` (must end in a newline) as ``name``; returns the signed note."""
    _check_name(name)
    if not text.endswith(b"\n"):
        raise CheckpointError("note text must end with a newline")
    priv = Ed25519PrivateKey.from_private_bytes(seed[:32])
    pub = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sig = base64.b64encode(key_id(name, pub) + priv.sign(text)).decode()
    return text + b"\n" + f"{_DASH}{name} {sig}\n".encode()


def split_note(signed: bytes) -> tuple[bytes, list[tuple[str, bytes, bytes]]]:
    """``(text, [(name, key id, signature)])``; ``SignatureError`` when malformed."""
    if not isinstance(signed, bytes | bytearray) or len(signed) > MAX_NOTE:
        raise SignatureError("a signed note must be bytes of reasonable size")
    try:
        signed.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("a signed note must be UTF-8") from None
    cut = signed.rfind(b"\n\n")
    if cut < 0 or not signed.endswith(b"\n"):
        raise SignatureError("a signed note needs its text, a blank line, then signatures")
    text, block = bytes(signed[: cut + 1]), signed[cut + 2 :].decode()
    sigs: list[tuple[str, bytes, bytes]] = []
    for line in block.split("\n")[:-1]:
        if not line.startswith(_DASH):
            raise SignatureError("malformed signature line in note")
        fields = line[len(_DASH) :].split(" ")
        if len(fields) != 2:
            raise SignatureError("malformed signature line in note")
        try:
            raw = base64.b64decode(fields[1], validate=True)
        except (ValueError, binascii.Error):
            raise SignatureError("signature is not base64") from None
        if len(raw) < 5:
            raise SignatureError("signature too short")
        sigs.append((fields[0], raw[:4], raw[4:]))
    if not sigs:
        raise SignatureError("note has no signatures")
    return text, sigs


def verify_note(signed: bytes, vkey: str) -> bytes:
    """Return the note text when it carries a valid signature by ``vkey``; else raise.

    Signatures by other keys are ignored, as the spec says; none by this key fails.
    """
    name, kid, pub = parse_verifier_key(vkey)
    text, sigs = split_note(signed)
    key = Ed25519PublicKey.from_public_bytes(pub)
    mine = [s for n, k, s in sigs if n == name and k == kid]
    if not mine:
        raise SignatureError(f"note is not signed by key {name}+{kid.hex()}")
    for sig in mine:
        try:
            key.verify(sig, text)
        except InvalidSignature:
            raise SignatureError(
                f"signature by {name} does not verify (forged or altered)"
            ) from None
    return text
