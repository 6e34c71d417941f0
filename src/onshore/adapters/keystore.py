"""Key stores: a region's key material, versioned, kept inside the region.

``FileKeyStore`` keeps one file per key version (``<name>.v<version>.key``, raw bytes,
mode 0600) in a directory of mode 0700 inside the region's data directory. A version is
published atomically and exclusively: written to a temporary file, flushed to disk, then
hard-linked to its final name, which fails if that version already exists, so two
processes rotating at once can never overwrite each other's key. Where hard links are
not supported it falls back to ``os.replace`` after an existence check. Versions are
immutable once written.

``MemoryKeyStore`` keeps versions in a dict (tests, throwaway demos).

Key names used by onshore (see :func:`ensure_region_keys`):

- ``kek``: AES-256 key-encryption key wrapping record data keys;
- ``index``: HMAC-SHA-256 key of blind indexes and subject references;
- ``ledger-hmac``: HMAC key of the ledger's keyed hashes;
- ``ledger-signing``: Ed25519 seed signing ledger checkpoints.

Example:
    >>> store = MemoryKeyStore()
    >>> ensure_region_keys(store)
    >>> store.current("kek").key_id
    'kek:1'
    >>> store.rotate("kek").key_id
    'kek:2'
    >>> [v.version for v in store.versions("kek")]
    [1, 2]
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import tempfile
import threading
import time
from pathlib import Path

from onshore.core.errors import InputError, KeyMissing, KeyStoreUnavailable
from onshore.ports import KeyStore, KeyVersion

#: The keys every region needs, with their sizes in bytes.
REGION_KEYS: dict[str, int] = {"kek": 32, "index": 32, "ledger-hmac": 32, "ledger-signing": 32}

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_FILE = re.compile(r"(?P<name>[a-z][a-z0-9_-]{0,63})\.v(?P<version>[1-9][0-9]*)\.key")


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise KeyMissing(
            f"key name {name!r} is not valid (lower-case letters, digits, '-' and '_')",
            details={"key": name},
        )


def _parse_key_id(key_id: str) -> tuple[str, int]:
    name, sep, version = key_id.rpartition(":")
    if not sep or not version.isdigit() or int(version) < 1 or not _NAME.fullmatch(name):
        raise KeyMissing(
            f"key id {key_id!r} is not of the form name:version", details={"key": key_id}
        )
    return name, int(version)


#: Public names of the checks, for other key stores (``onshore.adapters.pkcs11_keystore``).
check_key_name = _check_name
parse_key_id = _parse_key_id


def _check_size(size: int) -> None:
    if not 16 <= size <= 1024:
        raise InputError(
            f"key size must be between 16 and 1024 bytes, not {size}", details={"size": size}
        )


def ensure_region_keys(store: KeyStore) -> None:
    """Create every key a region needs (``REGION_KEYS``) that does not exist yet.

    Example:
        >>> s = MemoryKeyStore()
        >>> ensure_region_keys(s); ensure_region_keys(s)
        >>> sorted(k for k in REGION_KEYS if s.versions(k))
        ['index', 'kek', 'ledger-hmac', 'ledger-signing']
    """
    for name, size in REGION_KEYS.items():
        store.create(name, size)


class MemoryKeyStore:
    """Key versions held in a dict; implements ``onshore.ports.KeyStore``.

    Example:
        >>> s = MemoryKeyStore()
        >>> s.create("index") == s.create("index")
        True
    """

    def __init__(self) -> None:
        self._keys: dict[str, list[KeyVersion]] = {}
        self._retired: set[str] = set()
        self._lock = threading.Lock()

    def current(self, name: str) -> KeyVersion:
        """The newest version of ``name``; ``KeyMissing`` when there is none."""
        versions = self._keys.get(name)
        if not versions:
            raise KeyMissing(f"key {name!r} is missing from the key store", details={"key": name})
        return versions[-1]

    def get(self, key_id: str) -> KeyVersion:
        """The version ``name:version``; ``KeyMissing`` when there is none."""
        name, version = _parse_key_id(key_id)
        versions = self._keys.get(name, [])
        if version > len(versions) or key_id in self._retired:
            raise KeyMissing(
                f"key {key_id!r} is missing from the key store", details={"key": key_id}
            )
        return versions[version - 1]

    def create(self, name: str, size: int = 32) -> KeyVersion:
        """Version 1 of ``name`` with fresh material, or the current version when it exists."""
        _check_name(name)
        _check_size(size)
        with self._lock:
            versions = self._keys.setdefault(name, [])
            if not versions:
                versions.append(KeyVersion(name, 1, secrets.token_bytes(size)))
            return versions[-1]

    def rotate(self, name: str, size: int = 32) -> KeyVersion:
        """Add version n+1 of ``name`` (version 1 when there is none)."""
        _check_name(name)
        _check_size(size)
        with self._lock:
            versions = self._keys.setdefault(name, [])
            versions.append(KeyVersion(name, len(versions) + 1, secrets.token_bytes(size)))
            return versions[-1]

    def versions(self, name: str) -> list[KeyVersion]:
        """Every version of ``name`` not retired, oldest first (empty when there is none)."""
        return [v for v in self._keys.get(name, []) if v.key_id not in self._retired]

    def retire(self, key_id: str) -> None:
        """Take a non-current version out of use: ``get`` and ``versions`` no longer see it."""
        name, version = _parse_key_id(key_id)
        with self._lock:
            versions = self._keys.get(name, [])
            if version > len(versions) or key_id in self._retired:
                raise KeyMissing(
                    f"key {key_id!r} is missing from the key store", details={"key": key_id}
                )
            if version == len(versions):
                raise KeyMissing(
                    f"key {key_id!r} is the current version: rotate first", details={"key": key_id}
                )
            self._retired.add(key_id)

    def import_version(self, key: KeyVersion) -> bool:
        """Add a restored version (from a backup); False when that version already exists.

        Versions must be restored in order (version n needs n-1).
        """
        _check_name(key.name)
        with self._lock:
            versions = self._keys.setdefault(key.name, [])
            if key.version <= len(versions):
                return False
            if key.version != len(versions) + 1:
                raise KeyMissing(
                    f"restore {key.name}:{len(versions) + 1} before {key.key_id}",
                    details={"key": key.key_id},
                )
            versions.append(key)
            return True


class FileKeyStore:
    """Key versions in files under ``directory`` (0700; files 0600); implements ``KeyStore``.

    The directory is created (with parents) when missing and its mode is set to 0700.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()) / "keys"
        >>> s = FileKeyStore(d)
        >>> v = s.create("kek")
        >>> (d / "kek.v1.key").read_bytes() == v.material
        True
        >>> oct((d / "kek.v1.key").stat().st_mode & 0o777)
        '0o600'
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int], KeyVersion] = {}
        self._listing: tuple[tuple[int, int, int], list[str]] | None = None
        self._listed_at = 0.0
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)
        except OSError as exc:
            raise KeyStoreUnavailable(
                f"cannot use key directory {str(self.directory)!r}: {exc.strerror or exc}",
                details={"path": str(self.directory)},
            ) from exc

    def _path(self, name: str, version: int) -> Path:
        return self.directory / f"{name}.v{version}.key"

    def _entries(self) -> list[str]:
        # The directory listing is re-read when the directory changed (a key was created
        # or rotated, here or by another process) and at least once a second (mtime has a
        # coarse clock): a stat is far cheaper than a listdir on the write path, which asks
        # for the current keys on every batch.
        st = os.stat(self.directory)
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        now = time.monotonic()
        if self._listing is None or self._listing[0] != stamp or now - self._listed_at > 1.0:
            self._listing = (stamp, os.listdir(self.directory))
            self._listed_at = now
        return self._listing[1]

    def _version_numbers(self, name: str) -> list[int]:
        _check_name(name)
        try:
            entries = self._entries()
        except OSError as exc:
            raise KeyStoreUnavailable(
                f"cannot read key directory {str(self.directory)!r}: {exc.strerror or exc}",
                details={"path": str(self.directory)},
            ) from exc
        numbers = []
        for entry in entries:
            match = _FILE.fullmatch(entry)
            if match and match["name"] == name:
                numbers.append(int(match["version"]))
        return sorted(numbers)

    def _load(self, name: str, version: int) -> KeyVersion:
        cached = self._cache.get((name, version))
        if cached is not None:
            return cached
        key_id = f"{name}:{version}"
        try:
            material = self._path(name, version).read_bytes()
        except FileNotFoundError:
            raise KeyMissing(
                f"key {key_id!r} is missing from {str(self.directory)!r}", details={"key": key_id}
            ) from None
        except OSError as exc:
            raise KeyStoreUnavailable(
                f"cannot read key {key_id!r}: {exc.strerror or exc}", details={"key": key_id}
            ) from exc
        if not material:
            raise KeyMissing(f"key file of {key_id!r} is empty", details={"key": key_id})
        found = KeyVersion(name, version, material)
        self._cache[(name, version)] = found
        return found

    def _publish(self, name: str, version: int, material: bytes) -> bool:
        """Write version atomically; False when that version already exists."""
        final = self._path(name, version)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(material)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, final)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                if final.exists():
                    return False
                os.replace(tmp, final)
            self._fsync_directory()
            return True
        except OSError as exc:
            raise KeyStoreUnavailable(
                f"cannot write key {name}:{version} in {str(self.directory)!r}: "
                f"{exc.strerror or exc}",
                details={"key": f"{name}:{version}"},
            ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def _fsync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def current(self, name: str) -> KeyVersion:
        """The newest version of ``name``; ``KeyMissing`` naming the key when there is none."""
        numbers = self._version_numbers(name)
        if not numbers:
            raise KeyMissing(
                f"key {name!r} is missing from {str(self.directory)!r}", details={"key": name}
            )
        return self._load(name, numbers[-1])

    def get(self, key_id: str) -> KeyVersion:
        """The version ``name:version``; ``KeyMissing`` when there is none."""
        name, version = _parse_key_id(key_id)
        return self._load(name, version)

    def create(self, name: str, size: int = 32) -> KeyVersion:
        """Version 1 of ``name`` with fresh material, or the current version when it exists."""
        _check_size(size)
        with self._lock:
            if not self._version_numbers(name):
                self._publish(name, 1, secrets.token_bytes(size))
            return self.current(name)

    def rotate(self, name: str, size: int = 32) -> KeyVersion:
        """Add version n+1 of ``name``; older versions stay readable."""
        _check_size(size)
        with self._lock:
            while True:
                numbers = self._version_numbers(name)
                version = (numbers[-1] if numbers else 0) + 1
                material = secrets.token_bytes(size)
                if self._publish(name, version, material):
                    found = KeyVersion(name, version, material)
                    self._cache[(name, version)] = found
                    return found

    def versions(self, name: str) -> list[KeyVersion]:
        """Every version of ``name``, oldest first (empty when there is none)."""
        return [self._load(name, n) for n in self._version_numbers(name)]

    def publish(self, name: str, version: int, material: bytes) -> bool:
        """Write ``material`` as version ``version`` exactly once; False when it exists."""
        _check_name(name)
        with self._lock:
            done = self._publish(name, version, material)
            self._listing = None
            return done

    def retire(self, key_id: str) -> None:
        """Take a non-current version out of use: its file is renamed ``NAME.vN.retired``
        (still 0600; shred it when the retirement is final), so ``get`` and ``versions`` no
        longer see it. ``KeyMissing`` when it is absent or is the current version."""
        name, version = _parse_key_id(key_id)
        with self._lock:
            numbers = self._version_numbers(name)
            if version not in numbers:
                raise KeyMissing(
                    f"key {key_id!r} is missing from {str(self.directory)!r}",
                    details={"key": key_id},
                )
            if version == numbers[-1]:
                raise KeyMissing(
                    f"key {key_id!r} is the current version: rotate first", details={"key": key_id}
                )
            path = self._path(name, version)
            try:
                os.replace(path, path.with_suffix(".retired"))
                self._fsync_directory()
            except OSError as exc:
                raise KeyStoreUnavailable(
                    f"cannot retire key {key_id!r}: {exc.strerror or exc}", details={"key": key_id}
                ) from exc
            self._cache.pop((name, version), None)
            self._listing = None

    def import_version(self, key: KeyVersion) -> bool:
        """Write a restored version (from a backup) exclusively; False when it exists."""
        _check_name(key.name)
        with self._lock:
            self._cache.pop((key.name, key.version), None)
            return self._publish(key.name, key.version, key.material)
