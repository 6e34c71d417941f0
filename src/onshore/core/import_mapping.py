"""Import mappings: which column of a source table is the subject, the record id, the kind
and each residency signal, and which columns are the record's data (``onshore import``).

A mapping is built from ``--map KEY=VALUE`` options or from a small YAML document (already
parsed: core reads no files), checked against the source's columns, and turns one row into
the parts of a vault record. Its ``fingerprint`` is stored with the import's progress, so a
resumed import cannot silently change how rows are read. Record ids are derived from the
import's name and the id column (:func:`record_id`), so a row put again is the same record.

Example:
    >>> m = Mapping.from_options(["subject=user_id", "phone_number=phone"])
    >>> m = m.checked(["user_id", "name", "phone"])
    >>> m.record_parts({"user_id": "42", "name": "Lan", "phone": "+84912345678"})[1]
    {'phone_number': '+84912345678'}
    >>> record_id("users", "42") == record_id("users", "42") != record_id("users", "43")
    True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from typing import Any

from onshore.core.errors import ImportMappingError
from onshore.core.policy.residency import SIGNAL_KEYS

#: The kind given to every record when the mapping names none.
DEFAULT_KIND = "profile"
#: Keys of a mapping besides the signals.
KEYS = ("subject", "id", "kind", "kind_column", "data", "exclude")


@dataclass(frozen=True)
class Mapping:
    """How the rows of one source become vault records.

    ``subject`` is the column holding the subject's id; ``id`` the column that identifies the
    row (the subject's by default); ``kind`` the record kind of every row unless
    ``kind_column`` names a column holding it; ``signals`` maps residency signals
    (``declared_residence``, ``phone_number``, ``address_country``, ``ip``) to columns;
    ``data`` lists the columns stored (every column when empty) less ``exclude``.
    """

    subject: str
    id: str | None = None
    kind: str = DEFAULT_KIND
    kind_column: str | None = None
    signals: dict[str, str] = field(default_factory=dict)
    data: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, options: Iterable[str]) -> Mapping:
        """A mapping from ``KEY=VALUE`` strings (see :func:`options_dict`)."""
        return cls.from_dict(options_dict(options))

    @classmethod
    def from_dict(cls, raw: object) -> Mapping:
        """A mapping from a parsed YAML document; ``ImportMappingError`` names what is wrong."""
        if not isinstance(raw, AbcMapping):
            raise ImportMappingError("a mapping is a YAML object", details={"field": "mapping"})
        unknown = sorted(set(raw) - {*KEYS, "signals"})
        if unknown:
            raise ImportMappingError(
                f"unknown mapping key {unknown[0]!r} (known: {', '.join(KEYS)}, signals)",
                details={"field": unknown[0]},
            )
        signals = raw.get("signals") or {}
        if not isinstance(signals, AbcMapping):
            raise ImportMappingError(
                "signals maps a signal to a column", details={"field": "signals"}
            )
        bad = sorted(set(signals) - set(SIGNAL_KEYS))
        if bad:
            raise ImportMappingError(
                f"unknown signal {bad[0]!r} (known: {', '.join(SIGNAL_KEYS)})",
                details={"field": f"signals.{bad[0]}"},
            )
        subject = raw.get("subject")
        if not isinstance(subject, str) or not subject:
            raise ImportMappingError(
                "the mapping needs a subject column (subject=COLUMN)",
                details={"field": "subject"},
            )
        kind = raw.get("kind") or DEFAULT_KIND
        if not isinstance(kind, str):
            raise ImportMappingError("kind is a record kind", details={"field": "kind"})
        return cls(
            subject=subject,
            id=_text(raw, "id"),
            kind=kind,
            kind_column=_text(raw, "kind_column"),
            signals={str(k): _column(v, f"signals.{k}") for k, v in signals.items()},
            data=_columns(raw, "data"),
            exclude=_columns(raw, "exclude"),
        )

    @property
    def id_column(self) -> str:
        """The column that identifies a row (the subject's when none is named)."""
        return self.id or self.subject

    def checked(self, columns: Sequence[str]) -> Mapping:
        """This mapping once every column it names is one of ``columns`` (the source's),
        with ``id`` and ``data`` filled in (the subject column; every column less
        ``exclude``) when they were left empty."""
        present = set(columns)
        named: list[tuple[str, str]] = [("subject", self.subject), ("id", self.id_column)]
        if self.kind_column:
            named.append(("kind_column", self.kind_column))
        named += [(f"signals.{k}", v) for k, v in self.signals.items()]
        named += [("data", c) for c in self.data] + [("exclude", c) for c in self.exclude]
        for where, column in named:
            if column not in present:
                raise ImportMappingError(
                    f"{where}: the source has no column {column!r}",
                    details={"field": where, "column": column},
                )
        data = self.data or tuple(c for c in columns if c not in set(self.exclude))
        return dataclasses.replace(
            self, id=self.id_column, data=tuple(c for c in data if c not in self.exclude)
        )

    def fingerprint(self) -> str:
        """A digest of what the mapping does (stored with an import's progress)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """The mapping as the YAML document ``--mapping`` reads."""
        out: dict[str, Any] = {"subject": self.subject, "id": self.id_column, "kind": self.kind}
        if self.kind_column:
            out["kind_column"] = self.kind_column
        out["signals"] = dict(sorted(self.signals.items()))
        out["data"] = list(self.data)
        if self.exclude:
            out["exclude"] = list(self.exclude)
        return out

    def record_parts(
        self, row: AbcMapping[str, str | None]
    ) -> tuple[dict[str, str], dict[str, str], str]:
        """The data, the signals and the kind of ``row`` (empty cells are left out)."""
        data = {c: v for c in self.data if (v := row.get(c)) is not None}
        signals = {k: v for k, c in self.signals.items() if (v := row.get(c)) not in (None, "")}
        kind = (row.get(self.kind_column) or "") if self.kind_column else self.kind
        return data, signals, kind


def options_dict(options: Iterable[str]) -> dict[str, Any]:
    """``--map KEY=VALUE`` strings as a mapping document (``data``/``exclude`` take comma
    lists; a signal is named bare or as ``signals.NAME``); :func:`merged` lays it over a file.

    Example:
        >>> options_dict(["subject=uid", "ip=last_ip", "data=uid,name"])
        {'subject': 'uid', 'signals': {'ip': 'last_ip'}, 'data': ['uid', 'name']}
    """
    raw: dict[str, Any] = {}
    for option in options:
        key, sep, value = option.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ImportMappingError(
                f"--map takes KEY=VALUE, got {option!r}", details={"field": "map"}
            )
        name = key.removeprefix("signals.")
        if name in SIGNAL_KEYS:
            raw.setdefault("signals", {})[name] = value
        elif key in ("data", "exclude"):
            raw[key] = [c.strip() for c in value.split(",") if c.strip()]
        else:
            raw[key] = value
    return raw


def merged(document: AbcMapping[str, Any], overrides: AbcMapping[str, Any]) -> dict[str, Any]:
    """A mapping document with ``overrides`` (from ``--map``) laid over it: each key given
    replaces the document's, signals one by one.

    Example:
        >>> merged({"subject": "id", "signals": {"ip": "ip"}}, {"signals": {"ip": "last_ip"}})
        {'subject': 'id', 'signals': {'ip': 'last_ip'}}
    """
    out = dict(document)
    for key, value in overrides.items():
        if key == "signals" and isinstance(out.get("signals"), AbcMapping):
            out["signals"] = {**out["signals"], **value}
        else:
            out[key] = value
    return out


def _text(raw: AbcMapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value in (None, "") else _column(value, key)


def _column(value: object, where: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        raise ImportMappingError(f"{where} names a column", details={"field": where})
    return str(value)


def _columns(raw: AbcMapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key) or ()
    if isinstance(value, str):
        value = [c.strip() for c in value.split(",") if c.strip()]
    if not isinstance(value, list | tuple):
        raise ImportMappingError(f"{key} is a list of columns", details={"field": key})
    return tuple(_column(c, key) for c in value)


def record_id(source: str, row_id: str) -> str:
    """The record id of the row ``row_id`` of the import ``source``: the same inputs give the
    same id, so a row put again (a resumed import) is the same record, never a second one.

    Example:
        >>> record_id("users", "42")
        'imp-6f380719e4ac083f862985f38f759f02'
    """
    digest = hashlib.sha256(f"{source}\x1f{row_id}".encode()).hexdigest()
    return f"imp-{digest[:32]}"
