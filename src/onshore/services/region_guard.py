"""Region isolation: one region's store being down never takes the others with it.

:class:`GuardedDatabase` wraps a region's database:

- every ``StoreUnavailable`` raised through it (its stores, transactions, ping) names the
  region in ``details["region"]``;
- a store that cannot be reached when the process starts does not stop it: the region is
  opened lazily on first use (at most one connection attempt per ``retry_after`` seconds,
  failing fast in between) and ``available()`` says whether it is up, so ``/healthz`` can
  report it and services can skip it;
- the first successful open runs the region's ``on_open`` check (key custody), so a
  region that comes back with the wrong keys is refused then.

Example:
    >>> from onshore.adapters import open_database
    >>> g = GuardedDatabase("vn-hcm", "memory://", lambda: open_database("memory://"))
    >>> g.records.count(), g.available()
    (0, True)
"""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from onshore.core.errors import StoreUnavailable
from onshore.ports import (
    BatchStore,
    CaseStore,
    KeyFingerprintStore,
    LedgerStore,
    RecordStore,
    RegionDatabase,
)


def tag(exc: StoreUnavailable, region: str) -> StoreUnavailable:
    """``exc`` with ``details["region"]`` set (kept when already set); returns it."""
    exc.details.setdefault("region", region)
    return exc


class _StoreProxy:
    """Delegates to one of a region's stores, resolved on each use (so it can be taken while
    the region is down); ``StoreUnavailable`` from any call or iteration names the region."""

    def __init__(self, db: GuardedDatabase, name: str) -> None:
        self._db = db
        self._name = name

    def __getattr__(self, name: str) -> Any:
        region = self._db.region
        try:
            store = getattr(self._db.inner, self._name)
        except StoreUnavailable as exc:
            tag(exc, region)
            raise
        attr = getattr(store, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = attr(*args, **kwargs)
            except StoreUnavailable as exc:
                tag(exc, region)
                raise
            if isinstance(result, types.GeneratorType):
                return _tagged_iter(result, region)
            return result

        return call


def _tagged_iter(it: Iterator[Any], region: str) -> Iterator[Any]:
    try:
        yield from it
    except StoreUnavailable as exc:
        tag(exc, region)
        raise


class GuardedDatabase:
    """A region's ``RegionDatabase`` that names its region in outages and opens lazily."""

    def __init__(
        self,
        region: str,
        url: str,
        opener: Callable[[], RegionDatabase],
        *,
        on_open: Callable[[RegionDatabase], None] | None = None,
        retry_after: float = 2.0,
    ) -> None:
        self.region = region
        self.url = url
        self._opener = opener
        self._on_open = on_open
        self._retry_after = retry_after
        self._inner: RegionDatabase | None = None
        self._failed_at: float | None = None
        self._error: StoreUnavailable | None = None
        self._lock = threading.Lock()
        self._proxies: dict[str, _StoreProxy] = {}

    def set_on_open(self, check: Callable[[RegionDatabase], None]) -> None:
        """Run ``check`` on the database now when it is open, else when it first opens."""
        with self._lock:
            self._on_open = check
            inner = self._inner
        if inner is not None:
            check(inner)
        else:
            self.try_open()

    def try_open(self) -> bool:
        """Open the store now if it is not open; False (and remember why) when it is down."""
        try:
            self.inner  # noqa: B018
        except StoreUnavailable:
            return False
        return True

    @property
    def inner(self) -> RegionDatabase:
        """The open database; ``StoreUnavailable`` naming the region when it is down."""
        inner = self._inner
        if inner is not None:
            return inner
        with self._lock:
            if self._inner is not None:
                return self._inner
            now = time.monotonic()
            if (
                self._error is not None
                and self._failed_at is not None
                and now - self._failed_at < self._retry_after
            ):
                raise StoreUnavailable(
                    f"the store of region {self.region!r} is unavailable",
                    details=dict(self._error.details),
                )
            try:
                db = self._opener()
            except StoreUnavailable as exc:
                self._failed_at, self._error = now, tag(exc, self.region)
                raise
            try:
                if self._on_open is not None:
                    self._on_open(db)
            except StoreUnavailable as exc:
                db.close()
                self._failed_at, self._error = now, tag(exc, self.region)
                raise
            except BaseException:
                db.close()
                raise
            self._inner, self._error, self._failed_at = db, None, None
            return db

    def available(self) -> bool:
        """True when the store is open and answers a ping."""
        try:
            self.ping()
        except StoreUnavailable:
            return False
        return True

    @property
    def down_reason(self) -> StoreUnavailable | None:
        """The last error opening the store (None once open)."""
        return self._error

    @property
    def records(self) -> RecordStore:
        """The region's record store."""
        return cast(RecordStore, self._store("records"))

    @property
    def ledger(self) -> LedgerStore:
        """The region's ledger store."""
        return cast(LedgerStore, self._store("ledger"))

    @property
    def cases(self) -> CaseStore:
        """The region's case store."""
        return cast(CaseStore, self._store("cases"))

    @property
    def key_fingerprints(self) -> KeyFingerprintStore:
        """The region's recorded key fingerprints."""
        return cast(KeyFingerprintStore, self._store("key_fingerprints"))

    @property
    def batches(self) -> BatchStore:
        """The region's pending shares and commit decisions of cross-region batches."""
        return cast(BatchStore, self._store("batches"))

    @property
    def audience(self) -> Any:
        """The region's audience store."""
        return self._store("audience")

    def _store(self, name: str) -> Any:
        proxy = self._proxies.get(name)
        if proxy is None:
            proxy = self._proxies[name] = _StoreProxy(self, name)
        return proxy

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The region's transaction; ``StoreUnavailable`` passing through names the region."""
        try:
            with self.inner.transaction():
                yield
        except StoreUnavailable as exc:
            tag(exc, self.region)
            raise

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` naming the region when its store cannot be reached."""
        try:
            self.inner.ping()
        except StoreUnavailable as exc:
            tag(exc, self.region)
            raise

    def close(self) -> None:
        """Close the database if it was opened."""
        if self._inner is not None:
            self._inner.close()

    def __getattr__(self, name: str) -> Any:
        # anything else a backend offers (path, conn, reading...) comes from the open store
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.inner, name)
