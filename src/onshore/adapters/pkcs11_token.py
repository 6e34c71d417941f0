"""One logged-in session on a PKCS#11 token, shared safely by a key store's calls.

``Pkcs11Token(config, pin)`` loads the vendor library named by ``config.module_path``
(python-pkcs11, imported only here, so onshore without an HSM never loads it), finds the
token by label, serial or slot, and logs in. ``call(what, fn)`` runs ``fn(session)`` under
a lock (a PKCS#11 session runs one operation at a time); after a session or device error
the session is closed, ``on_reset`` is told (object handles die with their session), a new
session is opened and the call is tried once more, so an HSM restart needs no restart of
onshore. Errors come out as ``KeyStoreUnavailable`` naming the region.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from onshore.adapters.pkcs11_uri import Pkcs11Config
from onshore.core.errors import ConfigError, KeyStoreUnavailable

_T = TypeVar("_T")


def import_pkcs11(region: str) -> ModuleType:
    """python-pkcs11, or a ``ConfigError`` saying how to install it."""
    try:
        import pkcs11
    except ImportError as exc:
        raise ConfigError(
            f"regions.{region}.keys: a pkcs11: key store needs python-pkcs11 "
            "(pip install python-pkcs11)",
            details={"region": region},
        ) from exc
    return pkcs11


def _connection_errors(p11: ModuleType) -> tuple[type[BaseException], ...]:
    e = p11.exceptions
    return (
        e.SessionClosed,
        e.SessionHandleInvalid,
        e.DeviceRemoved,
        e.DeviceError,
        e.TokenNotPresent,
        e.UserNotLoggedIn,
        e.ObjectHandleInvalid,
        e.KeyHandleInvalid,
    )


class Pkcs11Token:
    """A token and one read-write user session on it (see the module docstring)."""

    def __init__(
        self, config: Pkcs11Config, pin: str, *, on_reset: Callable[[], None] | None = None
    ) -> None:
        self.config = config
        self.p11 = import_pkcs11(config.region)
        self.lock = threading.RLock()
        self._pin = pin
        self._on_reset = on_reset
        self._session: Any = None
        self._token = self._find()
        with self.lock:
            self._open()

    def unavailable(self, what: str, exc: BaseException) -> KeyStoreUnavailable:
        """The error for a failed HSM operation ``what`` (never carries the PIN)."""
        return KeyStoreUnavailable(
            f"HSM of region {self.config.region!r}: {what}: {type(exc).__name__} {exc}".strip(),
            details={"region": self.config.region},
        )

    def _find(self) -> Any:
        p11, cfg = self.p11, self.config
        try:
            lib = p11.lib(cfg.module_path)
            if cfg.slot_id is not None:
                slots = [s for s in lib.get_slots(token_present=True) if s.slot_id == cfg.slot_id]
                if not slots:
                    raise p11.exceptions.NoSuchToken(f"no slot {cfg.slot_id}")
                token = slots[0].get_token()
                if cfg.token is not None and token.label != cfg.token:
                    raise p11.exceptions.NoSuchToken(f"slot {cfg.slot_id} holds {token.label!r}")
                return token
            selector = {"token_label": cfg.token, "token_serial": cfg.serial}
            return lib.get_token(**{k: v for k, v in selector.items() if v is not None})
        except (OSError, RuntimeError) as exc:
            raise self.unavailable(f"cannot open token via {cfg.module_path}", exc) from exc

    def _open(self) -> Any:
        if self._session is not None:
            return self._session
        errors = self.p11.exceptions
        try:
            try:
                session = self._token.open(rw=True, user_pin=self._pin)
            except errors.UserAlreadyLoggedIn:
                # PKCS#11 logins are per process and token: another store already logged in.
                session = self._token.open(rw=True)
        except errors.PKCS11Error as exc:
            raise self.unavailable("cannot log in", exc) from exc
        self._session = session
        if self._on_reset is not None:
            self._on_reset()
        return session

    def _drop(self) -> None:
        session, self._session = self._session, None
        if self._on_reset is not None:
            self._on_reset()
        if session is not None:
            with contextlib.suppress(self.p11.exceptions.PKCS11Error):
                session.close()

    def call(self, what: str, fn: Callable[[Any], _T]) -> _T:
        """Run ``fn(session)`` under the lock, reopening the session once after a drop."""
        retry = _connection_errors(self.p11)
        with self.lock:
            for attempt in (1, 2):
                session = self._open()
                try:
                    return fn(session)
                except retry as exc:
                    self._drop()
                    if attempt == 2:
                        raise self.unavailable(what, exc) from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the session (the token's login ends when the process's last session does)."""
        with self.lock:
            self._drop()
