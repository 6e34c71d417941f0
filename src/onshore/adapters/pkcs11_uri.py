"""Where a region's HSM is: a PKCS#11 URI (RFC 7512) read into a :class:`Pkcs11Config`.

``[regions.NAME] keys = "pkcs11:..."`` names the token and how to log in to it::

    pkcs11:token=onshore-vn-hcm?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-env=VN_PIN

Path attributes (``;``-separated): ``token`` (the token label), ``serial``, ``slot-id``
(at least one of them) and ``object``, the prefix of the key labels (default
``onshore/NAME``). Query attributes (``&``-separated): ``module-path`` (the vendor's
PKCS#11 library, required) and the user PIN from exactly one of ``pin-env=VAR`` (an
environment variable) or ``pin-source=file:/path`` (a file; RFC 7512's attribute; one
trailing newline is dropped). ``pin-value`` is refused: a PIN is never written in the
configuration. Values may be percent-encoded.

Example:
    >>> cfg = parse_pkcs11_uri(
    ...     "pkcs11:token=vn;object=onshore%2Fvn?module-path=/lib/p11.so&pin-env=VN_PIN", "vn")
    >>> (cfg.token, cfg.label_prefix, cfg.module_path, cfg.pin_env)
    ('vn', 'onshore/vn', '/lib/p11.so', 'VN_PIN')
    >>> cfg.pin({"VN_PIN": "1234"})
    '1234'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from onshore.core.errors import ConfigError

SCHEME = "pkcs11:"
_PATH_ATTRS = frozenset({"token", "serial", "slot-id", "object", "manufacturer", "model"})
_QUERY_ATTRS = frozenset({"module-path", "pin-env", "pin-source"})


@dataclass(frozen=True, slots=True)
class Pkcs11Config:
    """One region's token: library, token selectors, key-label prefix and PIN source."""

    region: str
    module_path: str
    token: str | None = None
    serial: str | None = None
    slot_id: int | None = None
    label_prefix: str = ""
    pin_env: str | None = None
    pin_file: str | None = None

    def pin(self, env: Mapping[str, str]) -> str:
        """The user PIN from its environment variable or file; ``ConfigError`` naming it."""
        where = f"regions.{self.region}.keys"
        if self.pin_env is not None:
            value = env.get(self.pin_env)
            if not value:
                raise ConfigError(
                    f"{where}: the HSM PIN variable {self.pin_env} is not set",
                    details={"region": self.region, "pin_env": self.pin_env},
                )
            return value
        assert self.pin_file is not None
        try:
            text = Path(self.pin_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"{where}: cannot read the HSM PIN file {self.pin_file}: {exc.strerror or exc}",
                details={"region": self.region, "pin_file": self.pin_file},
            ) from exc
        value = text[:-1] if text.endswith("\n") else text
        if not value:
            raise ConfigError(
                f"{where}: the HSM PIN file {self.pin_file} is empty",
                details={"region": self.region, "pin_file": self.pin_file},
            )
        return value


def _pairs(text: str, sep: str, allowed: frozenset[str], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, text.split(sep)):
        name, eq, value = part.partition("=")
        name = name.strip().lower()
        if name == "pin-value":
            raise ConfigError(
                f"{where}: pin-value is refused; give the PIN with pin-env=VAR or "
                "pin-source=file:/path (never in onshore.toml)",
                details={"attribute": name},
            )
        if not eq or name not in allowed:
            raise ConfigError(
                f"{where}: unknown PKCS#11 URI attribute {name!r} (known: "
                + ", ".join(sorted(allowed))
                + ")",
                details={"attribute": name},
            )
        if name in out:
            raise ConfigError(f"{where}: attribute {name!r} given twice")
        out[name] = unquote(value)
    return out


def parse_pkcs11_uri(uri: str, region: str) -> Pkcs11Config:
    """Read a ``pkcs11:`` URI (see the module docstring); ``ConfigError`` naming the problem."""
    where = f"regions.{region}.keys"
    if not uri.startswith(SCHEME):
        raise ConfigError(f"{where}: a PKCS#11 key store is written pkcs11:...")
    path, _, query = uri[len(SCHEME) :].partition("?")
    attrs = _pairs(path, ";", _PATH_ATTRS, where)
    params = _pairs(query, "&", _QUERY_ATTRS, where)
    module = params.get("module-path")
    if not module:
        raise ConfigError(
            f"{where}: module-path is required (the PKCS#11 library of the HSM, "
            "e.g. /usr/lib/softhsm/libsofthsm2.so)",
            details={"region": region},
        )
    if not any(k in attrs for k in ("token", "serial", "slot-id")):
        raise ConfigError(f"{where}: name the token with token=LABEL, serial= or slot-id=")
    slot_id = None
    if "slot-id" in attrs:
        if not attrs["slot-id"].isdigit():
            raise ConfigError(f"{where}: slot-id must be a decimal number")
        slot_id = int(attrs["slot-id"])
    pin_env, pin_source = params.get("pin-env"), params.get("pin-source")
    if (pin_env is None) == (pin_source is None):
        raise ConfigError(
            f"{where}: give the user PIN with exactly one of pin-env=VAR or pin-source=file:/path",
            details={"region": region},
        )
    if pin_env is not None and (not pin_env or pin_env.upper().startswith("ONSHORE_")):
        raise ConfigError(
            f"{where}: pin-env names a variable outside the ONSHORE_ prefix (ONSHORE_* "
            "variables are settings), e.g. pin-env=HSM_PIN",
            details={"region": region},
        )
    pin_file = None
    if pin_source is not None:
        pin_file = pin_source.removeprefix("file://").removeprefix("file:")
        if not pin_file:
            raise ConfigError(f"{where}: pin-source names no file")
    prefix = attrs.get("object") or f"onshore/{region}"
    return Pkcs11Config(
        region=region,
        module_path=module,
        token=attrs.get("token"),
        serial=attrs.get("serial"),
        slot_id=slot_id,
        label_prefix=prefix,
        pin_env=pin_env,
        pin_file=pin_file,
    )
