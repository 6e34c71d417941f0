"""Opening a region's key store: files in ``keys_dir``, or an HSM over PKCS#11 (``pkcs11:``).

The key store adapters are chosen here only; services get them typed as the ``KeyStore`` port
(``HsmKeyStore`` for the one that imports keys into a token).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> keys = file_key_store(Path(tempfile.mkdtemp()))
    >>> keys.versions("kek")
    []
"""

from __future__ import annotations

from pathlib import Path

from onshore.adapters.keystore import REGION_KEYS, FileKeyStore
from onshore.ports import HsmKeyStore, KeyStore
from onshore.settings import Settings

__all__ = [
    "REGION_KEYS",
    "file_key_store",
    "hsm_key_store",
    "hsm_keys",
    "open_key_store",
    "sealed_by_hsm",
]


def file_key_store(directory: Path) -> KeyStore:
    """The key files in ``directory`` (``keys export``/``import``, moving keys to an HSM)."""
    return FileKeyStore(directory)


def hsm_key_store(uri: str, region: str, directory: Path) -> HsmKeyStore:
    """The HSM ``uri`` names, with the region's other keys sealed into ``directory``."""
    from onshore.adapters.pkcs11_keystore import Pkcs11KeyStore
    from onshore.adapters.pkcs11_uri import parse_pkcs11_uri

    return Pkcs11KeyStore(parse_pkcs11_uri(uri, region), directory)


def hsm_keys() -> frozenset[str]:
    """The keys an HSM holds as token objects (the others are sealed into files by it)."""
    from onshore.adapters.pkcs11_keystore import HSM_KEYS

    return HSM_KEYS


def sealed_by_hsm(material: bytes) -> bool:
    """Whether key file contents are already sealed by an HSM (not plain key material)."""
    from onshore.adapters.pkcs11_keystore import SEALED_MAGIC

    return material.startswith(SEALED_MAGIC)


def open_key_store(settings: Settings, name: str) -> KeyStore:
    """The region's configured key store: files in ``keys_dir``, or an HSM (``pkcs11:``)."""
    uri = settings.regions[name].keys
    directory = settings.keys_dir(name)
    if uri.startswith("pkcs11:"):
        return hsm_key_store(uri, name, directory)
    return FileKeyStore(directory)
